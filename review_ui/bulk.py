"""AMC-style bulk review: the borderline boxes of one question across forms, sorted by darkness.

The reviewer moves one boundary (boxes before it are marked, after it unmarked) and confirms; the
boxes change and the value of every affected field is decided again under the marking rule.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select

from omr.errors import BadArgumentsError, ConflictError, NotFoundError
from omr.store.db import Store
from omr.store.schema import AnswerRow, BoxRow, FormRow
from omr.template.model import GridField, MultiField, SingleField, Template
from review_ui.answers import close_field_items, write_answer
from review_ui.audit import Event, record
from review_ui.contexts import BulkBox, BulkContext
from review_ui.marking import decide
from review_ui.templates_index import TemplateIndex

MAX_BOXES = 400
BULK_KINDS = ("single", "multi", "grid")
"""Question kinds whose boxes can be settled in a bulk grid."""


class BulkConfirm(BaseModel):
    """The reviewer's decision: which boxes are marked, which not, with the answer revisions seen."""

    model_config = ConfigDict(extra="forbid")
    marked: list[int] = Field(default_factory=list, max_length=MAX_BOXES)
    unmarked: list[int] = Field(default_factory=list, max_length=MAX_BOXES)
    revisions: dict[int, int] = Field(default_factory=dict)


def question_codes(t: Template, question: str) -> list[str]:
    try:
        q = t.field(question)
    except KeyError as exc:
        raise NotFoundError(f"{question} is not a question of template {t.name}") from exc
    if isinstance(q, GridField):
        return [r.code for r in q.rows]
    if isinstance(q, SingleField | MultiField):
        return [q.code]
    raise BadArgumentsError(f"{question} is a {q.kind} field; bulk review is for checkbox questions")


def _templates_for(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(FormRow.template).distinct()))


def bulk_context(store: Store, index: TemplateIndex, question: str, lang: str) -> BulkContext:
    label = ""
    boxes: list[BulkBox] = []
    for name in _templates_for(store):
        t = index.get(name).template
        try:
            codes = question_codes(t, question)
        except NotFoundError:
            continue
        label = getattr(t.field(question).label, lang)
        with store.session() as s:
            rows = s.execute(
                select(BoxRow, AnswerRow.id, AnswerRow.revision)
                .join(AnswerRow, (AnswerRow.form_id == BoxRow.form_id) & (AnswerRow.field == BoxRow.field))
                .join(FormRow, FormRow.form_id == BoxRow.form_id)
                .where(
                    FormRow.template == name, BoxRow.field.in_(codes), BoxRow.state != "filled",
                    AnswerRow.status != "reviewed",
                    or_(BoxRow.state == "ambiguous", AnswerRow.status == "flagged"),
                )
                .order_by(BoxRow.darkness.desc(), BoxRow.id)
                .limit(MAX_BOXES + 1)
            ).all()
        for b, aid, rev in rows:
            boxes.append(BulkBox(b.id, b.form_id, b.field, b.value, b.state, b.darkness, b.confidence, aid, rev,
                                 f"/img/boxes/{b.id}.png"))
    if not label:
        raise NotFoundError(f"no template of this workspace has a question {question}")
    boxes.sort(key=lambda b: (-b.darkness, b.id))
    truncated = len(boxes) > MAX_BOXES
    boxes = boxes[:MAX_BOXES]
    boundary = sum(1 for b in boxes if b.state == "marked")
    return BulkContext(question, label, tuple(boxes), boundary, len({b.form_id for b in boxes}), truncated)


def confirm_bulk(store: Store, index: TemplateIndex, question: str, body: BulkConfirm, actor: str) -> int:
    """Apply the decision; returns the number of answers changed. All or nothing."""
    wanted = {i: "marked" for i in body.marked} | {i: "empty" for i in body.unmarked}
    if not wanted:
        raise BadArgumentsError("no boxes given")
    if set(body.marked) & set(body.unmarked):
        raise BadArgumentsError("a box cannot be both marked and unmarked")
    changed = 0
    with store.session() as s:
        boxes = s.scalars(select(BoxRow).where(BoxRow.id.in_(list(wanted)))).all()
        if len(boxes) != len(wanted):
            raise NotFoundError("some boxes of this grid no longer exist; reload")
        fields: dict[tuple[str, str], list[BoxRow]] = defaultdict(list)
        for b in boxes:
            fields[(b.form_id, b.field)].append(b)
        for (form_id, code), own in sorted(fields.items()):
            form = s.get(FormRow, form_id)
            if form is None:
                raise NotFoundError(f"form {form_id} does not exist")
            t = index.get(form.template).template
            if code not in question_codes(t, question):
                raise BadArgumentsError(f"box of {code} is not part of question {question}")
            ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == form_id, AnswerRow.field == code))
            if ans is None:
                raise NotFoundError(f"form {form_id} has no answer {code}")
            seen = body.revisions.get(ans.id)
            if seen is None:
                raise BadArgumentsError(f"{form_id} {code}: send the answer revision you saw")
            for b in own:
                if b.state != wanted[b.id]:
                    record(s, Event(actor, "bulk-box", form_id, code, b.page_id, f"{b.value}:{b.state}",
                                    f"{b.value}:{wanted[b.id]}"))
                    b.state = wanted[b.id]
            all_boxes = s.scalars(select(BoxRow).where(BoxRow.form_id == form_id, BoxRow.field == code)).all()
            decision = decide(t, code, {b.value: b.state for b in all_boxes})
            status = "flagged" if decision.needs_review else "reviewed"
            if ans.revision != seen:
                raise ConflictError(f"{form_id} {code} was changed since you loaded the grid; reload")
            write_answer(s, ans.id, value=decision.value, revision=seen, actor=actor, action="bulk", status=status)
            if not decision.needs_review:
                close_field_items(s, form_id, code, actor)
            changed += 1
    return changed
