"""Bulk review of the borderline boxes of one question (AMC's darkness-sorted grid)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select

from omr.store.schema import FormRow, ReviewItem
from review_ui.bulk import BULK_KINDS, BulkConfirm, bulk_context, confirm_bulk
from review_ui.config import Settings
from review_ui.contexts import BulkIndexContext, QuestionCount
from review_ui.deps import CurrentUser, LangDep, SettingsDep, UserCsrf, allow
from review_ui.i18n import Lang
from review_ui.permissions import require
from review_ui.rendering import as_json, render

router = APIRouter(tags=["bulk"])


def _questions(settings: Settings, lang: Lang) -> BulkIndexContext:
    """Checkbox questions with open field items (text and digits cannot be reviewed in bulk)."""
    with settings.store.session() as s:
        rows = s.execute(
            select(ReviewItem.question, FormRow.template, func.count())
            .join(FormRow, FormRow.form_id == ReviewItem.form_id)
            .where(ReviewItem.kind == "field", ReviewItem.status == "open", ReviewItem.question.is_not(None))
            .group_by(ReviewItem.question, FormRow.template)
        ).all()
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    for question, template, n in rows:
        try:
            q = settings.templates.get(template).template.field(question or "")
        except KeyError:
            continue
        if question and q.kind in BULK_KINDS:
            labels.setdefault(question, getattr(q.label, lang))
            counts[question] = counts.get(question, 0) + int(n)
    return BulkIndexContext(tuple(QuestionCount(q, labels[q], n) for q, n in sorted(counts.items())))


@router.get("/bulk")
def bulk_index(request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep) -> Response:
    require(user, "review")
    return render(request, "bulk_index.html", _questions(settings, lang), json_url="/api/bulk")


@router.get("/api/bulk")
def bulk_index_json(settings: SettingsDep, user: CurrentUser, lang: LangDep) -> JSONResponse:
    require(user, "review")
    return as_json(_questions(settings, lang))


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

