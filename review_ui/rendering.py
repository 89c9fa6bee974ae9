"""HTML pages from typed contexts (dataclasses); the same dataclass is the page's JSON twin."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from review_ui.i18n import pick_lang, translate

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _common(request: Request) -> dict[str, Any]:
    from review_ui.deps import csrf_token

    lang = pick_lang(request.session.get("lang"))
    return {
        "lang": lang,
        "t": lambda key: translate(key, lang),
        "csrf": csrf_token(request),
        "user_name": request.session.get("user"),
        "user_role": request.session.get("role"),
    }


def render(request: Request, name: str, ctx: object, *, status: int = 200, json_url: str | None = None) -> HTMLResponse:
    """Render ``templates/<name>`` with ``c`` = the context dataclass; links the JSON twin."""
    resp = TEMPLATES.TemplateResponse(request, name, {"c": ctx, **_common(request)}, status_code=status)
    if json_url:
        resp.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
    return resp


def as_json(ctx: object) -> JSONResponse:
    """The JSON twin of a page context."""
    assert dataclasses.is_dataclass(ctx) and not isinstance(ctx, type)
    return JSONResponse({"ok": True, **dataclasses.asdict(ctx)})


@dataclasses.dataclass(frozen=True)
class ErrorContext:
    status: int
    messages: tuple[str, ...]


def render_error(request: Request, messages: list[str], status: int) -> HTMLResponse:
    return render(request, "error.html", ErrorContext(status, tuple(messages)), status=status)
