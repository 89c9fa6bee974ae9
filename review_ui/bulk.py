"""AMC-style bulk review: the borderline boxes of one question across forms, sorted by darkness.

The reviewer moves one boundary (boxes before it are marked, after it unmarked) and confirms; the
boxes change and the value of every affected field is decided again under the marking rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select

from omr.errors import BadArgumentsError, ConflictError, NotFoundError
from omr.formid import display_form_id
from omr.store.db import Store
from omr.store.schema import AnswerRow, BoxRow, FormRow
from omr.template.model import GridField, MultiField, SingleField, Template
from review_ui.answers import close_field_items, write_answer
from review_ui.audit import Event, record
from review_ui.bounds import DbInt
from review_ui.contexts import BulkBox, BulkContext
from review_ui.i18n import Lang
from review_ui.marking import decide
from review_ui.reasons import localise
from review_ui.templates_index import TemplateIndex

MAX_BOXES = 400


@dataclass(frozen=True)
class BulkResult:
    """What a confirmed grid did: answers rewritten, review items closed, answers still needing a person."""

    answers_changed: int
    items_resolved: int
    still_open: tuple[str, ...]
BULK_KINDS = ("single", "multi", "grid")
"""Question kinds whose boxes can be settled in a bulk grid."""


class BulkConfirm(BaseModel):
    """The reviewer's decision: which boxes are marked, which not, with the answer revisions seen."""

    model_config = ConfigDict(extra="forbid")
    marked: list[DbInt] = Field(default_factory=list, max_length=MAX_BOXES)
    unmarked: list[DbInt] = Field(default_factory=list, max_length=MAX_BOXES)
    revisions: dict[DbInt, DbInt] = Field(default_factory=dict, max_length=MAX_BOXES)


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


def best_boundary(states: list[str]) -> int:
    """Where the reader's decisions put the boundary: the cut with fewest boxes on the wrong side.

    ``states`` are the machine states in grid order (darkest first); ambiguous boxes count on
    neither side. Ties go to the lower cut (fewer boxes counted as marked).
    """
    best, cost = 0, sum(1 for st in states if st == "marked")
    running = cost
    for i, st in enumerate(states, start=1):
        running += {"marked": -1, "empty": 1}.get(st, 0)
        if running < cost:
            best, cost = i, running
    return best


def _option_labels(t: Template, question: str, lang: str) -> dict[str, str]:
    q = t.field(question)
    opts = q.scale if isinstance(q, GridField) else q.options if isinstance(q, SingleField | MultiField) else []
    return {o.value: str(getattr(o.label, lang)) for o in opts}


def _row_labels(t: Template, question: str, lang: str) -> dict[str, str]:
    q = t.field(question)
    return {r.code: str(getattr(r.label, lang)) for r in q.rows} if isinstance(q, GridField) else {}


def bulk_context(store: Store, index: TemplateIndex, template: str, question: str, lang: str) -> BulkContext:
    """The borderline boxes of ``question`` in the forms of ``template`` (codes are unique only within one)."""
    with store.session() as s:
        if s.scalar(select(FormRow.form_id).where(FormRow.template == template).limit(1)) is None:
            raise NotFoundError(f"no form of this workspace uses template {template}; see /bulk")
    t = index.get(template).template
    codes = question_codes(t, question)
    label = str(getattr(t.field(question).label, lang))
    options, rows_of = _option_labels(t, question, lang), _row_labels(t, question, lang)
    with store.session() as s:
        rows = s.execute(
            select(BoxRow, AnswerRow.id, AnswerRow.revision)
            .join(AnswerRow, (AnswerRow.form_id == BoxRow.form_id) & (AnswerRow.field == BoxRow.field))
            .join(FormRow, FormRow.form_id == BoxRow.form_id)
            .where(
                FormRow.template == template, BoxRow.field.in_(codes), BoxRow.state != "filled",
                AnswerRow.status != "reviewed",
                or_(BoxRow.state == "ambiguous", AnswerRow.status == "flagged"),
            )
            .order_by(BoxRow.darkness.desc(), BoxRow.id)
            .limit(MAX_BOXES + 1)
        ).all()
    boxes = [BulkBox(b.id, b.form_id, b.field, b.value, b.state, b.darkness, b.confidence, aid, rev,
                     f"/img/boxes/{b.id}.png", options.get(b.value, b.value), rows_of.get(b.field, ""))
             for b, aid, rev in rows]
    truncated = len(boxes) > MAX_BOXES
    boxes = boxes[:MAX_BOXES]
    boundary = best_boundary([b.state for b in boxes])
    return BulkContext(template, question, label, tuple(boxes), boundary, len({b.form_id for b in boxes}),
                       truncated)


def confirm_bulk(store: Store, index: TemplateIndex, template: str, question: str, body: BulkConfirm,
                 actor: str, lang: Lang = "en") -> BulkResult:
    """Apply the decision (all or nothing): answers changed, and those still needing a person, with why."""
    wanted = {i: "marked" for i in body.marked} | {i: "empty" for i in body.unmarked}
    if not wanted:
        raise BadArgumentsError("no boxes given")
    if set(body.marked) & set(body.unmarked):
        raise BadArgumentsError("a box cannot be both marked and unmarked")
    changed, resolved = 0, 0
    still: list[str] = []
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
            if form.template != template:
                raise BadArgumentsError(f"form {form_id} uses template {form.template}, not {template}; reload")
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
            if decision.needs_review:
                still.append(f"{display_form_id(form_id)} {code}: {localise(decision.reason, lang) or '?'}")
            else:
                resolved += close_field_items(s, form_id, code, actor)
            changed += 1
    return BulkResult(changed, resolved, tuple(still))
