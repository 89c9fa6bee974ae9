"""Changing answers: validate a value against the template, write it with a revision check, audit it."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from omr.errors import BadArgumentsError, ConflictError, NotFoundError
from omr.store.schema import AnswerRow, ReviewItem
from omr.template.model import DigitsField, Template
from omr.types import MULTIPLE
from review_ui.audit import Event, as_utc, last_change, record, utcnow
from review_ui.i18n import Lang, say
from review_ui.marking import option_values

MAX_TEXT = 2000


def normalise_value(template: Template, code: str, value: str, lang: Lang = "en") -> str:
    """``value`` in the export coding of answer ``code``; :class:`BadArgumentsError` (in ``lang``) when impossible."""
    kinds = template.answer_kinds()
    kind = kinds.get(code)
    if kind is None:
        raise BadArgumentsError(f"{code} is not a field of template {template.name}")
    value = value.strip()
    if kind in ("single", "grid"):
        allowed = option_values(template, code)
        if value and value != MULTIPLE and value not in allowed:
            raise BadArgumentsError(say("bad_value", lang, code=code, value=value, allowed=", ".join(allowed)))
        return value
    if kind == "multi":
        allowed = option_values(template, code)
        chosen = {v for v in re.split(r"[;,\s]+", value) if v}
        bad = sorted(chosen - set(allowed))
        if bad:
            raise BadArgumentsError(say("bad_multi", lang, code=code, bad=", ".join(bad), allowed=", ".join(allowed)))
        return ";".join(v for v in allowed if v in chosen)
    if kind == "digits":
        q = template.question_of(code)
        length = q.length if isinstance(q, DigitsField) else 64
        digits = re.sub(r"[\s/.\-]", "", value)
        if digits and (not digits.isdigit() or len(digits) > length):
            raise BadArgumentsError(say("bad_digits", lang, code=code, length=length, value=value))
        return digits
    if len(value) > MAX_TEXT:
        raise BadArgumentsError(say("too_long", lang, code=code, n=MAX_TEXT))
    return value


def write_answer(
    session: Session,
    answer_id: int,
    *,
    value: str,
    revision: int,
    actor: str,
    action: str,
    status: str = "reviewed",
) -> AnswerRow:
    """Set an answer (status ``reviewed``) if its revision is still ``revision``; audit the change.

    A stale revision raises :class:`ConflictError` naming who changed it and when; nothing is
    overwritten silently.
    """
    row = session.get(AnswerRow, answer_id)
    if row is None:
        raise NotFoundError(f"answer {answer_id} does not exist")
    old = row.value
    res = session.execute(
        update(AnswerRow)
        .where(AnswerRow.id == answer_id, AnswerRow.revision == revision)
        .values(value=value, status=status, confidence=1.0, revision=revision + 1, updated=utcnow())
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        who = last_change(session, row.form_id, row.field)
        raise ConflictError(
            f"{row.form_id} {row.field}: this answer was changed {who} (revision {row.revision}, "
            f"you had {revision}); reload"
        )
    record(session, Event(actor, action, row.form_id, row.field, row.page_id, old, value))
    session.refresh(row)
    return row


def close_field_items(session: Session, form_id: str, field: str, actor: str) -> int:
    """Close the open field items of an answer settled outside the queue; refuses items leased by others."""
    now = utcnow()
    items = session.scalars(
        select(ReviewItem).where(
            ReviewItem.kind == "field",
            ReviewItem.status == "open",
            ReviewItem.form_id == form_id,
            ReviewItem.field == field,
        )
    ).all()
    for it in items:
        expires = as_utc(it.lease_expires)
        if it.lease_owner and it.lease_owner != actor and expires is not None and expires > now:
            raise ConflictError(
                f"{form_id} {field} is being reviewed by {it.lease_owner} right now; try again after they finish"
            )
        it.status, it.resolved_by, it.resolved_at = "done", actor, now
        it.lease_owner = it.lease_token = None
        it.lease_expires = None
    return len(items)
