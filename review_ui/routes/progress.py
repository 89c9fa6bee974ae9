"""Progress of the review: items by status, throughput per reviewer, forms complete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from review_ui.deps import CurrentUser, SettingsDep
from review_ui.permissions import require
from review_ui.progress import progress_context
from review_ui.rendering import as_json, render

router = APIRouter(tags=["progress"])


@router.get("/progress")
def progress_html(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    require(user, "view-progress")
    return render(request, "progress.html", progress_context(settings.store), json_url="/api/progress")


@router.get("/api/progress")
def progress_json(settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    require(user, "view-progress")
    return as_json(progress_context(settings.store))
