"""The one place that turns errors into HTTP responses.

``/api/…`` gets ``{"ok": false, "error": "...", "errors": [...], "status": n}``; pages get
``error.html`` (or a redirect to the login page when there is no session).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from omr.errors import NotAuthenticatedError, SipasError, TooManyAttemptsError
from review_ui.i18n import pick_lang
from review_ui.messages import localise_error, validation_text
from review_ui.rendering import error_body, render_error

log = logging.getLogger(__name__)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(request: Request, messages: list[str], status: int) -> Response:
    lang = pick_lang(request.session.get("lang")) if "session" in request.scope else "vi"
    messages = [localise_error(m, lang) for m in messages]
    if is_api(request):
        return JSONResponse(error_body(messages, status), status_code=status)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return render_error(request, messages, status)


async def sipas_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SipasError)
    if exc.http_status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    if isinstance(exc, NotAuthenticatedError) and not is_api(request):
        return _respond(request, [exc.message], 401)
    response = _respond(request, [exc.message], exc.http_status)
    if isinstance(exc, TooManyAttemptsError):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """422 naming each bad value; a malformed id in the path (text, negative, too big) is a 404."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if errors and all(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
        names = ", ".join(str(tuple(e["loc"])[-1]) for e in errors)
        return _respond(request, [f"no such {names} here: check the address"], 404)
    lang = pick_lang(request.session.get("lang")) if "session" in request.scope else "vi"
    msgs = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {validation_text(e, lang)}" for e in errors]
    return _respond(request, msgs or ["invalid request"], 422)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _respond(request, [str(exc.detail)], exc.status_code)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("%s %s failed", request.method, request.url.path)
    return _respond(request, [f"internal error ({exc.__class__.__name__}); see the server log"], 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(SipasError, sipas_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
