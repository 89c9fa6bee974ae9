"""The page view: the aligned image with every box reading overlaid, and its answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from review_ui.bounds import Id
from review_ui.deps import CurrentUser, LangDep, SettingsDep
from review_ui.pageview import page_context
from review_ui.permissions import allowed, require
from review_ui.rendering import as_json, render

router = APIRouter(tags=["pages"])


@router.get("/pages/{page_id}")
def page_html(page_id: Id, request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep) -> Response:
    require(user, "view-pages")
    ctx = page_context(settings.store, settings.templates, page_id, can_edit=allowed(user, "review"), lang=lang)
    return render(request, "page.html", ctx, json_url=f"/api/pages/{page_id}")


@router.get("/api/pages/{page_id}")
def page_json(page_id: Id, settings: SettingsDep, user: CurrentUser, lang: LangDep) -> JSONResponse:
    require(user, "view-pages")
    return as_json(page_context(settings.store, settings.templates, page_id, can_edit=allowed(user, "review"),
                                lang=lang))
