"""Undo a reviewer's last answers from the queue: the item reopens for them with the old value back.

Only the reviewer who saved the answer can undo it, and only while nobody changed the answer since
(the last audit event of the answer is still their ``review``); otherwise the refusal names who did.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from omr.errors import ConflictError, NotFoundError
from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, ReviewItem
from review_ui.answers import write_answer
from review_ui.audit import fmt_time, utcnow
from review_ui.doubles import drop_pending_checks

UNDO_ACTION = "undo"


def undo_review(store: Store, item_id: int, user: str, lease_seconds: int) -> None:
    """Reopen field item ``item_id`` that ``user`` settled, restore the answer, lease it to ``user``."""
    with store.session() as s:
        it = s.get(ReviewItem, item_id)
        if it is None or it.kind != "field" or it.form_id is None or it.field is None:
            raise NotFoundError(f"review item {item_id} is not an answer you can undo")
        if it.status != "done" or it.resolved_by != user:
            raise ConflictError(f"review item {item_id} was not saved by you last; open the form view to change it")
        ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == it.form_id, AnswerRow.field == it.field))
        last = s.scalar(select(AuditEvent).where(AuditEvent.form_id == it.form_id, AuditEvent.field == it.field)
                        .order_by(AuditEvent.id.desc()).limit(1))
        if ans is None:
            raise NotFoundError(f"form {it.form_id} has no answer {it.field}")
        if last is None or last.actor != user or last.action != "review":
            who = f"{last.actor} ({last.action}, {fmt_time(last.at)})" if last else "someone"
            raise ConflictError(f"{it.field} was changed since by {who}; open the form view to change it")
        write_answer(s, ans.id, value=last.old or "", revision=ans.revision, actor=user, action=UNDO_ACTION,
                     status="flagged")
        drop_pending_checks(s, it.form_id, it.field, user)
        it.status, it.resolved_by, it.resolved_at = "open", None, None
        it.lease_owner, it.lease_token = user, secrets.token_urlsafe(16)
        it.lease_expires = utcnow() + dt.timedelta(seconds=lease_seconds)
