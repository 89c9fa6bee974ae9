"""HTML pages from typed contexts (dataclasses); the same dataclass is the page's JSON twin."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from review_ui.contexts import ErrorContext
from review_ui.i18n import pick_lang, translate

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

CHROME: dict[str, str] = {
    "c": "the page's context dataclass (review_ui.contexts)",
    "request": "the request (base.html uses its path for the language switch)",
    "lang": "interface language: vi | en",
    "t": "t(key): a message of the catalogue in the interface language (review_ui.i18n)",
    "csrf": "the session's CSRF token (meta tag, hidden form fields)",
    "user_name": "logged-in user, or None",
    "user_role": "their role, or None",
}
"""Every name a template may use: the context ``c`` plus the page chrome (checked by a test)."""


def _chrome(request: Request) -> dict[str, Any]:
    from review_ui.deps import csrf_token, optional_user

    lang = pick_lang(request.session.get("lang"))
    user = optional_user(request, request.app.state.settings)
    return {
        "lang": lang,
        "t": lambda key: translate(key, lang),
        "csrf": csrf_token(request),
        "user_name": user.name if user else None,
        "user_role": user.role if user else None,
    }


def render(request: Request, name: str, ctx: object, *, status: int = 200, json_url: str | None = None) -> HTMLResponse:
    """Render ``templates/<name>`` with ``c`` = the context dataclass; links the JSON twin."""
    resp = TEMPLATES.TemplateResponse(request, name, {"c": ctx, **_chrome(request)}, status_code=status)
    if json_url:
        resp.headers["Link"] = f'<{quote(json_url, safe="/?&=")}>; rel="alternate"; type="application/json"'
    return resp


def as_json(ctx: object) -> JSONResponse:
    """The JSON twin of a page context: ``{"ok": true, **asdict(ctx)}``."""
    assert dataclasses.is_dataclass(ctx) and not isinstance(ctx, type)
    return JSONResponse({"ok": True, **dataclasses.asdict(ctx)})


def error_context(messages: list[str], status: int) -> ErrorContext:
    return ErrorContext(status, "; ".join(messages), tuple(messages))


def error_body(messages: list[str], status: int) -> dict[str, object]:
    """The one JSON error shape: ``{"ok": false, "error": ..., "errors": [...], "status": n}``."""
    return {"ok": False, **dataclasses.asdict(error_context(messages, status))}


def render_error(request: Request, messages: list[str], status: int) -> HTMLResponse:
    return render(request, "error.html", error_context(messages, status), status=status)
