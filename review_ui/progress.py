"""Progress: review items by status, throughput per reviewer (from audit events), forms complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, FormRow, PageRow, ReviewItem
from review_ui.audit import as_utc, utcnow
from review_ui.contexts import CountRow, ProgressContext, ReviewerRow
from review_ui.doubles import agreement_rates
from review_ui.tables import ensure_tables

REVIEW_ACTIONS = ("review", "bulk", "identify", "corners", "edit", "second-review", "disagree", "settle", "undo")


def _counts(rows: list[tuple[str | None, str | None, str, bool, int]]) -> tuple[CountRow, ...]:
    """Rows of (template or None, key, status, leased now, count) summed per (template, key)."""
    acc: dict[tuple[str, str], list[int]] = {}
    for template, key, status, leased, n in rows:
        slot = acc.setdefault((template or "", key or "—"), [0, 0, 0])
        slot[2 if status == "done" else 1 if leased else 0] += n
    return tuple(CountRow(k, v[0], v[1], v[2], template=t or None) for (t, k), v in sorted(acc.items()))


@dataclass(frozen=True)
class ItemCounts:
    """Review items by kind, and field items by question (open / leased now / done)."""

    by_kind: tuple[CountRow, ...]
    by_question: tuple[CountRow, ...]

    def open_items(self, kind: str | None = None, question: str | None = None, template: str | None = None) -> int:
        """Open items (free or leased) of ``kind`` / ``question`` / ``template`` (None: any)."""
        if question or template:
            rows = [r for r in self.by_question
                    if (not question or r.key == question) and (not template or r.template == template)]
            return sum(r.open + r.leased for r in rows) if kind in (None, "field") else 0
        return sum(r.open + r.leased for r in self.by_kind if kind is None or r.key == kind)


def item_counts(store: Store) -> ItemCounts:
    """Counted in the database (grouped queries), whatever the size of the queue."""
    now = utcnow()
    with store.session() as s:
        totals = s.execute(
            select(ReviewItem.kind, FormRow.template, ReviewItem.question, ReviewItem.status, func.count())
            .outerjoin(FormRow, FormRow.form_id == ReviewItem.form_id)
            .group_by(ReviewItem.kind, FormRow.template, ReviewItem.question, ReviewItem.status)
        ).all()
        leased = s.execute(
            select(ReviewItem.kind, FormRow.template, ReviewItem.question, func.count())
            .outerjoin(FormRow, FormRow.form_id == ReviewItem.form_id)
            .where(ReviewItem.status == "open", ReviewItem.lease_expires > now)
            .group_by(ReviewItem.kind, FormRow.template, ReviewItem.question)
        ).all()
    rows: list[tuple[str, str | None, str | None, str, bool, int]] = []
    held = {(k, t, q): int(n) for k, t, q, n in leased}
    for k, t, q, st, n in totals:
        taken = held.get((k, t, q), 0) if st == "open" else 0
        rows += [(k, t, q, st, True, taken), (k, t, q, st, False, int(n) - taken)]
    return ItemCounts(
        _counts([(None, k, st, ls, n) for k, _t, _q, st, ls, n in rows]),
        _counts([(t, q, st, ls, n) for k, t, q, st, ls, n in rows if k == "field"]),
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
        ensure_tables(store.engine)
        rates = agreement_rates(s)
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
        a = rates.get(actor)
        share = round(a.agreed / a.compared, 3) if a and a.compared else None
        reviewers.append(ReviewerRow(actor, len(times), last_hour, round(rate, 1), a.compared if a else 0, share))
    return ProgressContext(
        counts.by_kind,
        counts.by_question,
        {str(k): int(v) for k, v in answers.items()},
        tuple(reviewers),
        len(forms),
        complete,
    )
