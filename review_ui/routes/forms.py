"""The form view: pages present or missing, answers, audit events."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from review_ui.bounds import FormIdPath
from review_ui.deps import CurrentUser, LangDep, SettingsDep
from review_ui.pageview import form_context
from review_ui.permissions import allowed, require
from review_ui.rendering import as_json, render

router = APIRouter(tags=["forms"])


@router.get("/forms/{form_id}")
def form_html(form_id: FormIdPath, request: Request, settings: SettingsDep, user: CurrentUser,
              lang: LangDep) -> Response:
    require(user, "view-pages")
    ctx = form_context(settings.store, settings.templates, form_id, can_edit=allowed(user, "review"), lang=lang)
    return render(request, "form.html", ctx, json_url=f"/api/forms/{form_id}")


@router.get("/api/forms/{form_id}")
def form_json(form_id: FormIdPath, settings: SettingsDep, user: CurrentUser, lang: LangDep) -> JSONResponse:
    require(user, "view-pages")
    return as_json(form_context(settings.store, settings.templates, form_id, can_edit=allowed(user, "review"),
                                lang=lang))
