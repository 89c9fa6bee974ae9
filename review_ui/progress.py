"""Progress: review items by status, throughput per reviewer (from audit events), forms complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, FormRow, PageRow, ReviewItem
from review_ui.audit import as_utc, utcnow

REVIEW_ACTIONS = ("review", "bulk", "identify", "corners", "edit")


@dataclass(frozen=True)
class CountRow:
    key: str
    open: int
    leased: int
    done: int


@dataclass(frozen=True)
class ReviewerRow:
    actor: str
    total: int
    last_hour: int
    per_hour: float = field(metadata={"help": "changes per hour between the first and last in the last 8 h"})


@dataclass(frozen=True)
class ProgressContext:
    """``/progress`` and ``/api/progress``."""

    items: tuple[CountRow, ...] = field(metadata={"help": "review items by kind"})
    questions: tuple[CountRow, ...] = field(metadata={"help": "open field items by question"})
    answers: dict[str, int] = field(metadata={"help": "answers by status"})
    reviewers: tuple[ReviewerRow, ...]
    forms_total: int
    forms_complete: int = field(metadata={"help": "all pages present and nothing left to review"})


def _counts(rows: list[tuple[str | None, str, bool]]) -> tuple[CountRow, ...]:
    acc: dict[str, list[int]] = {}
    for key, status, leased in rows:
        slot = acc.setdefault(key or "—", [0, 0, 0])
        slot[2 if status == "done" else 1 if leased else 0] += 1
    return tuple(CountRow(k, *v) for k, v in sorted(acc.items()))


def progress_context(store: Store) -> ProgressContext:
    now = utcnow()
    since = now - dt.timedelta(hours=8)
    with store.session() as s:
        items = s.execute(select(ReviewItem.kind, ReviewItem.question, ReviewItem.status,
                                 ReviewItem.lease_expires)).all()
        answers = dict(s.execute(select(AnswerRow.status, func.count()).group_by(AnswerRow.status)).all())
        events = s.execute(
            select(AuditEvent.actor, AuditEvent.at).where(AuditEvent.action.in_(REVIEW_ACTIONS))
        ).all()
        forms = s.execute(select(FormRow.form_id, FormRow.pages_expected)).all()
        present = s.execute(
            select(PageRow.form_id, PageRow.page_number).where(
                PageRow.form_id.is_not(None), PageRow.page_number.is_not(None), PageRow.duplicate_of.is_(None),
                PageRow.outcome.in_(("read", "review")),
            )
        ).all()
        pending = set(s.scalars(select(AnswerRow.form_id).where(AnswerRow.status == "flagged").distinct()))
        pending |= set(s.scalars(select(ReviewItem.form_id).where(ReviewItem.status == "open").distinct()))
    leased = [(k, q, st, (exp := as_utc(e)) is not None and exp > now) for k, q, st, e in items]
    pages: dict[str, set[int]] = {}
    for fid, n in present:
        if fid is not None and n is not None:
            pages.setdefault(fid, set()).add(n)
    complete = sum(
        1 for fid, n in forms if pages.get(fid, set()) >= set(range(1, n + 1)) and fid not in pending
    )
    per: dict[str, list[dt.datetime]] = {}
    for actor, at in events:
        per.setdefault(actor, []).append(as_utc(at) or now)
    reviewers = []
    for actor, times in sorted(per.items()):
        recent = sorted(t for t in times if t >= since)
        span_h = (recent[-1] - recent[0]).total_seconds() / 3600 if len(recent) > 1 else 0.0
        rate = (len(recent) - 1) / span_h if span_h > 0 else 0.0
        last_hour = sum(1 for t in times if t >= now - dt.timedelta(hours=1))
        reviewers.append(ReviewerRow(actor, len(times), last_hour, round(rate, 1)))
    return ProgressContext(
        _counts([(k, st, ls) for k, _q, st, ls in leased]),
        _counts([(q, st, ls) for k, q, st, ls in leased if k == "field"]),
        {str(k): int(v) for k, v in answers.items()},
        tuple(reviewers),
        len(forms),
        complete,
    )
