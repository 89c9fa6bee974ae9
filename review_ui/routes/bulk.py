"""Bulk review of the borderline boxes of one question of one template (AMC's darkness-sorted grid)."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select

from omr.errors import SipasError
from omr.store.schema import FormRow, ReviewItem
from review_ui.bounds import CodePath
from review_ui.bulk import BULK_KINDS, BulkConfirm, bulk_context, confirm_bulk, question_codes
from review_ui.config import Settings
from review_ui.contexts import BulkIndexContext, QuestionCount
from review_ui.deps import CurrentUser, LangDep, SettingsDep, UserCsrf, allow
from review_ui.i18n import Lang
from review_ui.permissions import require
from review_ui.rendering import as_json, render

router = APIRouter(tags=["bulk"])


def _questions(settings: Settings, lang: Lang) -> BulkIndexContext:
    """Checkbox questions with open field items, per template (text and digits cannot be reviewed in bulk)."""
    with settings.store.session() as s:
        rows = s.execute(
            select(FormRow.template, ReviewItem.question, ReviewItem.field, func.count())
            .join(FormRow, FormRow.form_id == ReviewItem.form_id)
            .where(ReviewItem.kind == "field", ReviewItem.status == "open", ReviewItem.question.is_not(None))
            .group_by(FormRow.template, ReviewItem.question, ReviewItem.field)
        ).all()
    counts: dict[tuple[str, str], int] = {}
    labels: dict[tuple[str, str], str] = {}
    for template, question, code, n in rows:
        try:
            t = settings.templates.get(template).template
            q = t.field(question or "")
            boxed = q.kind in BULK_KINDS and code in question_codes(t, q.code)  # a write-in has no boxes
        except (KeyError, SipasError):
            continue
        if boxed:
            key = (template, q.code)
            counts[key] = counts.get(key, 0) + int(n)
            labels[key] = str(getattr(q.label, lang))
    return BulkIndexContext(tuple(QuestionCount(t, q, labels[(t, q)], n) for (t, q), n in sorted(counts.items())))


@router.get("/bulk")
def bulk_index(request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep) -> Response:
    require(user, "review")
    return render(request, "bulk_index.html", _questions(settings, lang), json_url="/api/bulk")


@router.get("/api/bulk")
def bulk_index_json(settings: SettingsDep, user: CurrentUser, lang: LangDep) -> JSONResponse:
    require(user, "review")
    return as_json(_questions(settings, lang))


@router.get("/bulk/{template}/{question}")
def bulk_page(template: CodePath, question: CodePath, request: Request, settings: SettingsDep, user: CurrentUser,
              lang: LangDep) -> Response:
    require(user, "review")
    ctx = bulk_context(settings.store, settings.templates, template, question, lang)
    return render(request, "bulk.html", ctx, json_url=f"/api/bulk/{template}/{question}")


@router.get("/api/bulk/{template}/{question}")
def bulk_json(template: CodePath, question: CodePath, settings: SettingsDep, user: CurrentUser,
              lang: LangDep) -> JSONResponse:
    require(user, "review")
    return as_json(bulk_context(settings.store, settings.templates, template, question, lang))


@router.post("/api/bulk/{template}/{question}", dependencies=[allow("review"), UserCsrf])
def bulk_confirm(template: CodePath, question: CodePath, settings: SettingsDep, user: CurrentUser, lang: LangDep,
                 body: BulkConfirm) -> JSONResponse:
    """Apply marked/unmarked to the boxes and decide every affected answer again (all or nothing).

    ``still_open`` names the answers the boxes do not settle (two marks in a single choice, …).
    """
    require(user, "review")
    result = confirm_bulk(settings.store, settings.templates, template, question, body, user.name, lang)
    return JSONResponse({"ok": True, **dataclasses.asdict(result)})
