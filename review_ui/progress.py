"""Progress: review items by status, throughput per reviewer (from audit events), forms complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, FormRow, PageRow, ReviewItem
from review_ui.audit import as_utc, utcnow
from review_ui.contexts import CountRow, ProgressContext, ReviewerRow

REVIEW_ACTIONS = ("review", "bulk", "identify", "corners", "edit")


def _counts(rows: list[tuple[str | None, str, bool, int]]) -> tuple[CountRow, ...]:
    acc: dict[str, list[int]] = {}
    for key, status, leased, n in rows:
        slot = acc.setdefault(key or "—", [0, 0, 0])
        slot[2 if status == "done" else 1 if leased else 0] += n
    return tuple(CountRow(k, *v) for k, v in sorted(acc.items()))


@dataclass(frozen=True)
class ItemCounts:
    """Review items by kind, and field items by question (open / leased now / done)."""

    by_kind: tuple[CountRow, ...]
    by_question: tuple[CountRow, ...]

    def open_items(self, kind: str | None = None, question: str | None = None) -> int:
        """Open items (free or leased) of ``kind`` / ``question`` (None: any)."""
        if question:
            rows = [r for r in self.by_question if r.key == question]
            return sum(r.open + r.leased for r in rows) if kind in (None, "field") else 0
        return sum(r.open + r.leased for r in self.by_kind if kind is None or r.key == kind)


def item_counts(store: Store) -> ItemCounts:
    """Counted in the database (grouped queries), whatever the size of the queue."""
    now = utcnow()
    with store.session() as s:
        totals = s.execute(
            select(ReviewItem.kind, ReviewItem.question, ReviewItem.status, func.count())
            .group_by(ReviewItem.kind, ReviewItem.question, ReviewItem.status)
        ).all()
        leased = s.execute(
            select(ReviewItem.kind, ReviewItem.question, func.count())
            .where(ReviewItem.status == "open", ReviewItem.lease_expires > now)
            .group_by(ReviewItem.kind, ReviewItem.question)
        ).all()
    rows: list[tuple[str, str | None, str, bool, int]] = []
    held = {(k, q): int(n) for k, q, n in leased}
    for k, q, st, n in totals:
        taken = held.get((k, q), 0) if st == "open" else 0
        rows += [(k, q, st, True, taken), (k, q, st, False, int(n) - taken)]
    return ItemCounts(
        _counts([(k, st, ls, n) for k, _q, st, ls, n in rows]),
        _counts([(q, st, ls, n) for k, q, st, ls, n in rows if k == "field"]),
    )


def progress_context(store: Store) -> ProgressContext:
    now = utcnow()
    since = now - dt.timedelta(hours=8)
    counts = item_counts(store)
    with store.session() as s:
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
        counts.by_kind,
        counts.by_question,
        {str(k): int(v) for k, v in answers.items()},
        tuple(reviewers),
        len(forms),
        complete,
    )
