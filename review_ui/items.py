"""One review item as the queue shows it, and what submitting it does, by kind.

``field`` items change one answer; ``unidentified_page`` items give a page its identity;
``unaligned_page`` items give a page its four corner markers (a homography).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from omr.errors import BadArgumentsError, NotFoundError
from omr.formid import display_form_id
from omr.store.db import Store
from omr.store.schema import AnswerRow, FormRow, ReviewItem
from omr.template.model import DigitsField, GridField, MultiField, SingleField, TextField
from review_ui import doubles
from review_ui.answers import normalise_value, write_answer
from review_ui.audit import as_utc
from review_ui.bounds import DbInt
from review_ui.contexts import ItemView, OptionView
from review_ui.i18n import Lang
from review_ui.leases import finish_item
from review_ui.pagefix import identify_page, new_form_for_page, set_corners
from review_ui.reasons import localise
from review_ui.reread import reread_now
from review_ui.templates_index import TemplateIndex

FIELD_KINDS = ("field", doubles.SECOND, doubles.DISAGREEMENT)
"""Item kinds about one answer (shown with its crop and options)."""
NO_DOUBLES = doubles.DoubleEntry()
TEXT_PREFILL = 0.9
"""OCR confidence from which a transcription box starts filled in (below: empty, the guess as a hint)."""


class SubmitBody(BaseModel):
    """What a reviewer sends for an item (``POST /api/items/{id}/submit``)."""

    model_config = ConfigDict(extra="forbid")
    lease_token: str = Field(min_length=1, max_length=64)
    revision: DbInt | None = None
    value: str | None = Field(default=None, max_length=4000)
    form_id: str | None = Field(default=None, max_length=32)
    page_number: Annotated[int, Field(ge=1, le=999)] | None = None
    corners: list[tuple[float, float]] | None = Field(default=None, min_length=4, max_length=4)
    new_form_of: str | None = Field(default=None, max_length=64,
                                    description="a template of forms that print no id: the page starts a new form")


def _options(q: object, lang: Lang) -> tuple[OptionView, ...]:
    opts = q.scale if isinstance(q, GridField) else q.options if isinstance(q, SingleField | MultiField) else []
    out = []
    for i, o in enumerate(opts, start=1):
        key = o.value if len(o.value) == 1 and o.value.isdigit() and o.value != "0" else str(i)
        out.append(OptionView(o.value, getattr(o.label, lang), key if i <= 9 else ""))
    return tuple(out)


def item_view(store: Store, index: TemplateIndex, item_id: int, lang: Lang) -> ItemView:
    """The view of item ``item_id`` (which the caller has leased)."""
    with store.session() as s:
        it = s.get(ReviewItem, item_id)
        if it is None:
            raise NotFoundError(f"review item {item_id} does not exist")
        expires = as_utc(it.lease_expires)
        base = {
            "id": it.id, "kind": it.kind, "lease_token": it.lease_token or "",
            "lease_expires": expires.isoformat() if expires else "", "form_id": it.form_id,
            "display_form_id": display_form_id(it.form_id) if it.form_id else None,
            "form_url": f"/forms/{it.form_id}" if it.form_id else None, "field": it.field,
            "question": it.question, "page_id": it.page_id, "reason": localise(it.reason, lang),
        }
        if it.kind not in FIELD_KINDS:
            return ItemView(**base, image_url=f"/img/pages/{it.page_id}/raw.png",  # type: ignore[arg-type]
                            page_url=f"/pages/{it.page_id}",
                            new_form_of=index.unprinted() if it.kind == "unidentified_page" else ())
        ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == it.form_id, AnswerRow.field == it.field))
        form = s.get(FormRow, it.form_id) if it.form_id else None
        both = doubles.candidates(s, it)
    if ans is None or form is None:
        raise NotFoundError(f"review item {item_id}: form {it.form_id} has no answer {it.field}")
    t = index.get(form.template).template
    code = ans.field
    q = t.question_of(code)
    row_label = ""
    if isinstance(q, GridField):
        row_label = next(getattr(r.label, lang) for r in q.rows if r.code == code)
    elif q.code != code:
        row_label = "✎ " + code
    return ItemView(
        **base,  # type: ignore[arg-type]
        answer_id=ans.id, answer_kind=t.answer_kinds()[code], machine_value=ans.machine_value,
        value=ans.machine_value if it.kind == doubles.SECOND else ans.value,  # blind: never the first review
        confidence=ans.confidence, revision=ans.revision, label=getattr(q.label, lang), row_label=row_label,
        options=_options(q, lang) if q.code == code or isinstance(q, GridField) else (),
        length=q.length if isinstance(q, DigitsField) else None,
        lines=q.lines if isinstance(q, TextField) else None,
        prefill=not isinstance(q, TextField) or (ans.confidence or 0.0) >= TEXT_PREFILL,
        template=form.template, candidates=both,
        image_url=f"/img/answers/{ans.id}.png?r={ans.revision}",
        page_url=f"/pages/{ans.page_id}" if ans.page_id else None,
    )


def submit(store: Store, index: TemplateIndex, item_id: int, user: str, body: SubmitBody, lang: Lang = "en",
           rule: doubles.DoubleEntry = NO_DOUBLES) -> None:
    """Apply a reviewer's decision on a leased item, atomically with closing the item."""
    with store.session() as s:
        it = s.get(ReviewItem, item_id)
        if it is None:
            raise NotFoundError(f"review item {item_id} does not exist")
        kind, form_id, code, page_id = it.kind, it.form_id, it.field, it.page_id
    if kind in FIELD_KINDS:
        if body.value is None or body.revision is None:
            raise BadArgumentsError("a field item needs a value (\"\" for blank) and the answer revision")
        with store.session() as s:
            form = s.get(FormRow, form_id) if form_id else None
        if form is None or code is None:
            raise NotFoundError(f"review item {item_id}: its form {form_id} is missing")
        t = index.get(form.template).template
        value = normalise_value(t, code, body.value, lang)
        with store.session() as s:
            finish_item(s, item_id, user, body.lease_token)
            item = s.get(ReviewItem, item_id)
            assert item is not None
            if kind == doubles.SECOND:
                doubles.second_review(s, item, user, value)
                return
            if kind == doubles.DISAGREEMENT:
                doubles.settle(s, item, user, value, body.revision)
                return
            ans = s.scalar(select(AnswerRow.id).where(AnswerRow.form_id == form_id, AnswerRow.field == code))
            if ans is None:
                raise NotFoundError(f"form {form_id} has no answer {code}")
            write_answer(s, ans, value=value, revision=body.revision, actor=user, action="review")
            doubles.after_review(s, rule, item, user, value, t.answer_kinds()[code])
        return
    if page_id is None:
        raise NotFoundError(f"review item {item_id} names no page")
    if kind == "unidentified_page":
        if (not body.form_id and not body.new_form_of) or body.page_number is None:
            raise BadArgumentsError("type the form id printed under the QR code and the page number (or, for a "
                                    "form that prints no id, choose its template)")
        with store.session() as s:
            finish_item(s, item_id, user, body.lease_token)
            if body.form_id:
                identify_page(s, page_id, body.form_id, body.page_number, actor=user)
            else:
                new_form_for_page(s, page_id, index.get(str(body.new_form_of)).template, body.page_number,
                                  actor=user)
        reread_now(store, index, page_id)
        return
    if kind == "unaligned_page":
        if body.corners is None:
            raise BadArgumentsError("click the four corner markers (top-left, top-right, bottom-right, bottom-left)")
        with store.session() as s:
            finish_item(s, item_id, user, body.lease_token)
            set_corners(s, store.workspace, page_id, body.corners, actor=user)
        reread_now(store, index, page_id)
        return
    raise BadArgumentsError(f"review item {item_id} has an unknown kind {kind!r}")
