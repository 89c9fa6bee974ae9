"""Double entry for quality control: a share of reviewed answers is reviewed again, blind, by someone else.

After a reviewer saves a field item, a stable random draw (seeded by the item id) decides whether
the answer gets a ``second_review`` item (every transcription does when ``text_all`` is set). The
second reviewer sees the crop and the machine's reading, never the first reviewer's answer; only
another reviewer can take it. Agreement closes it. A disagreement flags the answer again and opens
a ``disagreement`` item that only a supervisor (admin) can take: both readings are shown, and the
supervisor's value is written. Agreement rates per reviewer come from these checks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from omr.errors import NotFoundError
from omr.store.schema import AnswerRow, ReviewItem
from review_ui.answers import write_answer
from review_ui.audit import Event, record, utcnow
from review_ui.tables import CheckRow

SECOND = "second_review"
DISAGREEMENT = "disagreement"
SUPERVISORS = ("admin",)
"""Roles that work the disagreement queue."""


@dataclass(frozen=True)
class DoubleEntry:
    """Which reviewed answers are reviewed again: a share of all, and optionally every transcription."""

    share: float = 0.0
    text_all: bool = False
    seed: int = 13

    def wanted(self, item_id: int, kind: str) -> bool:
        if self.text_all and kind == "text":
            return True
        return self.share > 0 and random.Random(f"{self.seed}:{item_id}").random() < self.share


@dataclass(frozen=True)
class Agreement:
    """How often one reviewer's answers matched the other reviewer's in double entry."""

    compared: int
    agreed: int


def after_review(s: Session, rule: DoubleEntry, item: ReviewItem, user: str, value: str, kind: str) -> None:
    """Open a blind second review of an answer ``user`` just saved, when the draw says so."""
    if item.kind != "field" or item.form_id is None or item.field is None or not rule.wanted(item.id, kind):
        return
    second = ReviewItem(kind=SECOND, form_id=item.form_id, field=item.field, question=item.question,
                        page_id=item.page_id, reason="second review (blind)")
    s.add(second)
    s.flush()
    s.add(CheckRow(form_id=item.form_id, field=item.field, first_user=user, first_value=value,
                   second_item=second.id))


def drop_pending_checks(s: Session, form_id: str, field: str, user: str) -> None:
    """Withdraw the second reviews not yet done of an answer ``user`` takes back (undo)."""
    checks = s.scalars(select(CheckRow).where(CheckRow.form_id == form_id, CheckRow.field == field,
                                              CheckRow.first_user == user, CheckRow.state == "waiting")).all()
    for check in checks:
        s.execute(delete(ReviewItem).where(ReviewItem.id == check.second_item, ReviewItem.status == "open"))
        s.delete(check)


def check_of(s: Session, item: ReviewItem) -> CheckRow:
    q = select(CheckRow).where(CheckRow.second_item == item.id if item.kind == SECOND else
                               CheckRow.super_item == item.id)
    check = s.scalar(q)
    if check is None:
        raise NotFoundError(f"review item {item.id} has no double-entry record")
    return check


def second_review(s: Session, item: ReviewItem, user: str, value: str) -> None:
    """Record the blind second reading: agreement closes the check, a disagreement goes to a supervisor."""
    check = check_of(s, item)
    check.second_user, check.second_value = user, value
    if value == check.first_value:
        check.state = "agreed"
        record(s, Event(user, "second-review", item.form_id, item.field, item.page_id, check.first_value, value))
        return
    check.state = "disagreed"
    sup = ReviewItem(kind=DISAGREEMENT, form_id=item.form_id, field=item.field, question=item.question,
                     page_id=item.page_id, reason="two reviewers disagree")
    s.add(sup)
    s.flush()
    check.super_item = sup.id
    s.execute(update(AnswerRow).where(AnswerRow.form_id == item.form_id, AnswerRow.field == item.field)
              .values(status="flagged", updated=utcnow()).execution_options(synchronize_session=False))
    record(s, Event(user, "disagree", item.form_id, item.field, item.page_id, check.first_value, value))


def settle(s: Session, item: ReviewItem, user: str, value: str, revision: int) -> None:
    """The supervisor's value ends a disagreement (the answer is written, status reviewed)."""
    check = check_of(s, item)
    ans = s.scalar(select(AnswerRow.id).where(AnswerRow.form_id == item.form_id, AnswerRow.field == item.field))
    if ans is None:
        raise NotFoundError(f"form {item.form_id} has no answer {item.field}")
    write_answer(s, ans, value=value, revision=revision, actor=user, action="settle")
    check.state, check.final_value, check.resolved_by = "settled", value, user


def candidates(s: Session, item: ReviewItem) -> tuple[str, ...]:
    """``user: value`` of both reviewers, for the supervisor (empty for other items)."""
    if item.kind != DISAGREEMENT:
        return ()
    check = check_of(s, item)
    return (f"{check.first_user}: {check.first_value}", f"{check.second_user}: {check.second_value}")


def not_for(s: Session, user: str, role: str) -> Sequence[int]:
    """Open items ``user`` may not take: second reviews of their own answers; disagreements unless supervisor."""
    own = select(CheckRow.second_item).where(CheckRow.first_user == user)
    blocked = list(s.scalars(select(ReviewItem.id).where(ReviewItem.status == "open", ReviewItem.kind == SECOND,
                                                         ReviewItem.id.in_(own))))
    if role not in SUPERVISORS:
        blocked += list(s.scalars(select(ReviewItem.id).where(ReviewItem.status == "open",
                                                              ReviewItem.kind == DISAGREEMENT)))
    return blocked


def agreement_rates(s: Session) -> dict[str, Agreement]:
    """Per reviewer: answers compared in double entry, and how many matched the other reviewer."""
    acc: dict[str, list[int]] = {}
    for first, second, a, b in s.execute(select(CheckRow.first_user, CheckRow.second_user, CheckRow.first_value,
                                                CheckRow.second_value).where(CheckRow.second_user.is_not(None))):
        for who in (first, second):
            slot = acc.setdefault(str(who), [0, 0])
            slot[0] += 1
            slot[1] += int(a == b)
    return {who: Agreement(n, k) for who, (n, k) in acc.items()}
