"""ASGI layers around the app: a body-size limit, JSON-only bodies and, for every POST but the login
and language ones, a session (all checked before anything is parsed), and the security headers of
every response.

Refusals are :class:`~omr.errors.SipasError` turned into responses by :mod:`review_ui.handlers`,
the one place that does so.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omr.errors import NotAuthenticatedError, RequestTooLargeError, SipasError, UnsupportedMediaError
from review_ui import handlers

MAX_BODY = 256 * 1024
"""Largest request body read (a bulk grid of 400 boxes is about 15 kB)."""
TOO_LARGE = f"the request body is larger than {MAX_BODY // 1024} kB; send less at once"
FORM_PATHS = ("/login", "/logout", "/lang")
PUBLIC_POSTS = ("/login", "/api/login", "/lang")
"""POSTs an anonymous visitor may send; any other POST without a session is refused before its body is read."""
"""The only routes that read HTML form bodies; every other POST sends JSON."""
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _header(scope: Scope, name: bytes) -> str:
    for k, v in scope.get("headers", ()):
        if k == name:
            return bytes(v).decode("latin-1")
    return ""


def _media_error(scope: Scope) -> SipasError | None:
    """Why this request's body is refused before reading it (size, type), or None."""
    length = _header(scope, b"content-length")
    if length and (not length.isdigit() or int(length) > MAX_BODY):
        return RequestTooLargeError(TOO_LARGE)
    if scope.get("method") != "POST":
        return None
    ctype = _header(scope, b"content-type").split(";")[0].strip().lower()
    path = str(scope.get("path", ""))
    wanted = "application/x-www-form-urlencoded" if path in FORM_PATHS else "application/json"
    if ctype == wanted or (not ctype and length in ("", "0")):
        return None
    return UnsupportedMediaError(f"{path} reads {wanted}: send Content-Type: {wanted}")


class Guard:
    """Refuse oversized or wrongly typed bodies with 413/415 before the app reads them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = _media_error(scope)
        session = scope.get("session") or {}
        if refused is None and scope.get("method") == "POST" and scope.get("path") not in PUBLIC_POSTS \
                and not session.get("sid"):
            refused = NotAuthenticatedError("log in first (sessions end at logout, on a new password and when idle)")
        if refused is not None:
            await self._refuse(scope, receive, send, refused)
            return
        seen = 0

        async def counted() -> Message:
            """Count a body sent without Content-Length; past the limit the app's handler answers 413."""
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY:
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counted, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: SipasError) -> None:
        response = await handlers.sipas_error(Request(scope), exc)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class SecurityHeaders:
    """Add CSP (no inline script, no framing), nosniff, Referrer-Policy to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {bytes(k).lower() for k, _v in message.get("headers", ())}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
