"""Bring the ledger up to date with the reading: ``scanned``, ``verified``, then ``scored`` or ``invalid``.

For every printed form of the survey not yet scored or invalid:

``scanned``   the store has a counted page of it (:func:`omr.store.schema.counted_form_page`);
              on the day of its first such page, source ``scan``;
``verified``  every page ``1..pages`` counted, no open review item and no flagged answer; on the
              day of its last page or review decision, source ``review`` when a person settled
              something, else ``scan``;
``scored``    verified and valid (:mod:`fieldwork.validity`), source ``score``;
``invalid``   verified but not valid, with the reason; or, with ``final`` (collection closed),
              scanned with a page still missing.

A state the post's record contradicts (a scan of a form the post called unreachable) is not
written: it is reported as a conflict for the fieldwork team to settle. Re-running changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldwork.ledger import TransitionError, apply, histories, open_ledger
from fieldwork.ledger_schema import FieldworkEvent, FieldworkForm
from fieldwork.validity import judge, missing_pages
from omr.store.db import Store
from omr.store.schema import AnswerRow, FormRow, PageRow, ReviewItem, counted_form_page

SYNC_ACTOR = "sipas fieldwork sync"
_CHUNK = 500


@dataclass(frozen=True)
class SyncResult:
    """States recorded by one sync (0 everywhere when nothing new was read)."""

    forms: int
    """Printed forms looked at (not yet scored or invalid)."""
    scanned: int
    verified: int
    scored: int
    invalid: int
    conflicts: tuple[str, ...] = ()
    """Forms whose reading contradicts their history, with the reason."""

    @property
    def changed(self) -> int:
        return self.scanned + self.verified + self.scored + self.invalid


@dataclass
class _Reading:
    template: str = ""
    expected: int = 0
    pages: dict[int, dt.datetime] | None = None
    open_items: int = 0
    flagged: int = 0
    resolved: dt.datetime | None = None


def _day(at: dt.datetime) -> dt.date:
    return at.date()


def _readings(s: Session, ids: list[str]) -> dict[str, _Reading]:
    out: dict[str, _Reading] = defaultdict(_Reading)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for fid, template, expected in s.execute(select(FormRow.form_id, FormRow.template, FormRow.pages_expected)
                                                 .where(FormRow.form_id.in_(chunk))):
            out[fid].template, out[fid].expected = template, expected
        for pid, number, created in s.execute(select(PageRow.form_id, PageRow.page_number, PageRow.created)
                                              .where(PageRow.form_id.in_(chunk), counted_form_page())):
            r = out[str(pid)]
            r.pages = r.pages or {}
            if number is not None:
                r.pages[int(number)] = min(created, r.pages.get(int(number), created))
        for rid, n in s.execute(select(ReviewItem.form_id, func.count()).where(
                ReviewItem.form_id.in_(chunk), ReviewItem.status == "open").group_by(ReviewItem.form_id)):
            out[str(rid)].open_items = int(n)
        for rid, last in s.execute(select(ReviewItem.form_id, func.max(ReviewItem.resolved_at)).where(
                ReviewItem.form_id.in_(chunk), ReviewItem.status != "open").group_by(ReviewItem.form_id)):
            out[str(rid)].resolved = last
        for fid, n in s.execute(select(AnswerRow.form_id, func.count()).where(
                AnswerRow.form_id.in_(chunk), AnswerRow.status == "flagged").group_by(AnswerRow.form_id)):
            out[fid].flagged = int(n)
    return out


def _answers(s: Session, form_id: str) -> dict[str, str]:
    return {f: v or "" for f, v in s.execute(select(AnswerRow.field, AnswerRow.value)
                                             .where(AnswerRow.form_id == form_id))}


def _record(s: Session, form: FieldworkForm, events: list[FieldworkEvent], state: str, on: dt.date,
            source: str, reason: str | None = None) -> bool:
    if state in {e.state for e in events}:
        return False
    return apply(s, form, state, on=on, source=source, actor=SYNC_ACTOR, reason=reason, events=events) == "applied"


def sync(store: Store, survey: str, *, final: bool = False) -> SyncResult:
    """Record what the reading says about the survey's printed forms (one transaction)."""
    open_ledger(store)
    counts = {"scanned": 0, "verified": 0, "scored": 0, "invalid": 0}
    conflicts: list[str] = []
    with store.session() as s:
        read = select(PageRow.form_id).where(counted_form_page()).distinct()
        forms = list(s.scalars(select(FieldworkForm).where(  # only forms the reading has seen: cheap when idle
            FieldworkForm.survey == survey, FieldworkForm.form_id.in_(read),
            FieldworkForm.state.not_in(("scored", "invalid")))))
        readings = _readings(s, [f.form_id for f in forms if f.form_id is not None])
        events = histories(s, [f.id for f in forms])
        for form in forms:
            assert form.form_id is not None
            r = readings.get(form.form_id)
            if r is None or not r.pages or not r.expected:
                continue
            history = events[form.id]
            try:
                for state, on, source, reason in _steps(s, form.form_id, r, final):
                    if _record(s, form, history, state, on, source, reason):
                        counts[state] += 1
            except TransitionError as exc:
                conflicts.append(str(exc))
    return SyncResult(len(forms), counts["scanned"], counts["verified"], counts["scored"], counts["invalid"],
                      tuple(conflicts))


def _steps(s: Session, form_id: str, r: _Reading, final: bool) -> list[tuple[str, dt.date, str, str | None]]:
    """The states the reading proves, in order: (state, day, source, reason)."""
    assert r.pages
    first = _day(min(r.pages.values()))
    steps: list[tuple[str, dt.date, str, str | None]] = [("scanned", first, "scan", None)]
    missing = missing_pages(r.expected, set(r.pages))
    if missing or r.open_items or r.flagged:
        if final and missing and not (r.open_items or r.flagged):
            verdict = judge(r.template, r.expected, set(r.pages), {})
            steps.append(("invalid", _day(max(r.pages.values())), "score", verdict.reason))
        return steps
    last = max(r.pages.values())
    if r.resolved is not None and r.resolved.replace(tzinfo=None) > last.replace(tzinfo=None):
        last = r.resolved
    day = _day(last)
    steps.append(("verified", day, "review" if r.resolved is not None else "scan", None))
    verdict = judge(r.template, r.expected, set(r.pages), _answers(s, form_id))
    steps.append(("scored", day, "score", None) if verdict.valid else ("invalid", day, "score", verdict.reason))
    return steps
