"""Bulk review of the borderline boxes of one question (AMC's darkness-sorted grid)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from omr.store.schema import ReviewItem
from review_ui.bulk import BulkConfirm, bulk_context, confirm_bulk
from review_ui.config import Settings
from review_ui.deps import CurrentUser, LangDep, SettingsDep, UserCsrf, allow
from review_ui.permissions import require
from review_ui.rendering import as_json, render

router = APIRouter(tags=["bulk"])


@dataclass(frozen=True)
class BulkIndexContext:
    """``/bulk``: questions with open field items, to review in bulk."""

    questions: tuple[tuple[str, int], ...]


def _questions(settings: Settings) -> BulkIndexContext:
    with settings.store.session() as s:
        rows = s.execute(
            select(ReviewItem.question).where(ReviewItem.kind == "field", ReviewItem.status == "open",
                                              ReviewItem.question.is_not(None))
        ).scalars().all()
    counts: dict[str, int] = {}
    for q in rows:
        if q is None:
            continue
        counts[q] = counts.get(q, 0) + 1
    return BulkIndexContext(tuple(sorted(counts.items())))


@router.get("/bulk")
def bulk_index(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    require(user, "review")
    return render(request, "bulk_index.html", _questions(settings), json_url="/api/bulk")


@router.get("/api/bulk")
def bulk_index_json(settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    require(user, "review")
    return as_json(_questions(settings))


@router.get("/bulk/{question}")
def bulk_page(question: str, request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep) -> Response:
    require(user, "review")
    ctx = bulk_context(settings.store, settings.templates, question, lang)
    return render(request, "bulk.html", ctx, json_url=f"/api/bulk/{question}")


@router.get("/api/bulk/{question}")
def bulk_json(question: str, settings: SettingsDep, user: CurrentUser, lang: LangDep) -> JSONResponse:
    require(user, "review")
    return as_json(bulk_context(settings.store, settings.templates, question, lang))


@router.post("/api/bulk/{question}", dependencies=[allow("review"), UserCsrf])
def bulk_confirm(question: str, settings: SettingsDep, user: CurrentUser, body: BulkConfirm) -> JSONResponse:
    """Apply marked/unmarked to the boxes and decide every affected answer again (all or nothing)."""
    require(user, "review")
    changed = confirm_bulk(settings.store, settings.templates, question, body, user.name)
    return JSONResponse({"ok": True, "answers_changed": changed})

