"""Import the post office's outcome sheet into the ledger: every row applied, unchanged or rejected.

A row gives up to three transitions, applied in order: ``handed`` (on the day handed to the post),
the door outcome (``delivered`` | ``unreachable`` | ``refused`` | ``moved``, on the delivery day) and
``collected`` (on the collection day); and the postman's name. A row is all or nothing: when one of
its transitions is impossible, none is applied and the row is rejected with the reason. The whole
file is one transaction (a killed import leaves nothing), and a file is recorded by its SHA-256 in
``fw_imports``: importing it again changes nothing; a different file repeating rows leaves those
rows unchanged. A form collected before it was delivered is applied and *flagged* (an integrity
question for monitors, not a reason to refuse the post's record). Notes stay in the sheet: free
text may name people, and the ledger holds no identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from fieldwork.dates import parse_date
from fieldwork.ledger import TransitionError, apply, by_form_id, decide, histories, open_ledger
from fieldwork.ledger_schema import FieldworkImport
from fieldwork.returns_read import ReturnsRow, read_returns
from fieldwork.sheets import Cell
from fieldwork.text import clean, fold
from omr.errors import InputFileError
from omr.formid import display_form_id, normalise_form_id
from omr.store.db import Store
from omr.store.schema import utcnow

RowResult = Literal["applied", "unchanged", "rejected"]
OUTCOMES: dict[str, tuple[str, ...]] = {
    "delivered": ("đã phát", "phát", "phát thành công", "đã giao", "delivered"),
    "unreachable": ("không tìm thấy người nhận", "không tìm thấy", "không gặp", "không liên lạc được",
                    "unreachable", "not found"),
    "refused": ("từ chối", "từ chối nhận", "từ chối trả lời", "refused"),
    "moved": ("chuyển đi", "đã chuyển đi", "chuyển nơi khác", "moved", "moved away"),
}
"""Accepted spellings of the door outcome (matched folded: no case, accents or punctuation)."""
_OUTCOME = {fold(v): state for state, spellings in OUTCOMES.items() for v in spellings}
REASONS = {
    "no-form-id": "the row has no form id",
    "bad-form-id": "not a form id (8 characters, the last a check symbol)",
    "unknown-form-id": "no printed form of this survey has this id",
    "bad-outcome": "unknown outcome",
    "bad-date": "unreadable date",
    "transition": "impossible transition",
}
"""Rejection reason codes and what they mean."""
FLAG_COLLECTED_EARLY = "collected-before-delivered"


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row of the sheet."""

    where: str
    """``row 7`` or ``Sheet1 row 7``."""
    form_id: str
    """The id as written (normalised when valid)."""
    result: RowResult
    states: tuple[str, ...] = ()
    """States recorded for the form by this row (empty when unchanged or rejected)."""
    reason_code: str = ""
    reason: str = ""
    """Why rejected (code and text naming the column and what to do)."""
    flags: tuple[str, ...] = ()
    """Integrity flags (e.g. ``collected-before-delivered``): the row is applied all the same."""


@dataclass(frozen=True)
class ImportResult:
    """One import of one sheet: counts and every row's outcome."""

    path: Path
    sha256: str
    survey: str
    rows: int
    applied: int
    unchanged: int
    rejected: int
    flagged: int
    outcomes: tuple[RowOutcome, ...] = ()
    batch: int | None = None
    """``fw_imports.id`` (the events' ``batch``)."""
    already_imported_at: dt.datetime | None = None
    """Set when this very file was imported before: nothing was changed."""
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return self.rejected == 0


@dataclass(frozen=True)
class _Plan:
    transitions: tuple[tuple[str, dt.date | None], ...]
    postman: str
    flags: tuple[str, ...]


class _Reject(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def _date(row: ReturnsRow, column: str, cell: Cell) -> dt.date | None:
    if cell is None or clean(cell) == "":
        return None
    day = parse_date(cell)
    if day is None:
        raise _Reject("bad-date", f"{REASONS['bad-date']} in column {column}: {clean(cell)!r}; write dd/mm/yyyy")
    return day


def _transitions(row: ReturnsRow) -> tuple[tuple[str, dt.date | None], ...]:
    handed = _date(row, "handed (ngày giao bưu điện)", row.handed)
    delivered = _date(row, "delivered (ngày phát)", row.delivered)
    collected = _date(row, "collected (ngày thu)", row.collected)
    door: str | None = None
    if row.outcome:
        door = _OUTCOME.get(fold(row.outcome))
        if door is None:
            raise _Reject("bad-outcome", f"{REASONS['bad-outcome']} {row.outcome!r}: write one of "
                                         "đã phát / không tìm thấy người nhận / từ chối / chuyển đi "
                                         "(delivered / unreachable / refused / moved)")
    elif delivered is not None:
        door = "delivered"
    out: list[tuple[str, dt.date | None]] = []
    if handed is not None:
        out.append(("handed", handed))
    if door is not None:
        out.append((door, delivered))
    if collected is not None:
        out.append(("collected", collected))
    return tuple(out)


def _delivered_on(had: list[tuple[str, dt.date | None]]) -> dt.date | None:
    return next((d for s, d in reversed(had) if s == "delivered" and d is not None), None)


def _plan(row: ReturnsRow, had: list[tuple[str, dt.date | None]]) -> _Plan:
    """The row's transitions that change something, checked against the history (``had`` is not changed)."""
    steps = _transitions(row)
    trial = list(had)
    todo: list[tuple[str, dt.date | None]] = []
    for state, on in steps:
        try:
            if decide(trial, state, on) == "applied":
                todo.append((state, on))
                trial.append((state, on))
        except TransitionError as exc:
            raise _Reject("transition", f"{REASONS['transition']}: {state}"
                                        f"{' on ' + on.isoformat() if on else ''}: {exc}") from None
    flags: list[str] = []
    collected = next((d for s, d in steps if s == "collected"), None)
    delivered = _delivered_on(trial)
    if collected is not None and delivered is not None and collected < delivered and todo:
        flags.append(FLAG_COLLECTED_EARLY)
    return _Plan(tuple(todo), row.postman, tuple(flags))


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from exc


def import_returns(store: Store, survey: str, path: Path, actor: str, *,
                   on_row: Callable[[int], None] | None = None) -> ImportResult:
    """Apply the post's sheet ``path`` to the ledger of ``survey`` (the survey's name), as ``actor``.

    One transaction for the whole file. ``on_row(n)`` is called after each row (progress); an
    exception it raises aborts the import and nothing is kept.
    """
    open_ledger(store)
    sha = file_sha256(path)
    with store.session() as s:
        earlier = s.scalars(select(FieldworkImport).where(
            FieldworkImport.survey == survey, FieldworkImport.kind == "returns",
            FieldworkImport.sha256 == sha)).first()
    if earlier is not None:
        return ImportResult(path, sha, survey, earlier.rows, 0, 0, 0, 0, batch=earlier.id,
                            already_imported_at=earlier.at)
    rows = read_returns(path)
    outcomes: list[RowOutcome] = []
    with store.session() as s:
        record = FieldworkImport(survey=survey, kind="returns", sha256=sha, path=str(path), rows=len(rows),
                                 applied=0, unchanged=0, rejected=0, actor=actor, at=utcnow())
        s.add(record)
        s.flush()
        ids = {r.form_id: normalise_form_id(r.form_id) for r in rows}
        forms = {k: v for k, v in by_form_id(s, {i for i in ids.values() if i}).items() if v.survey == survey}
        events = histories(s, [f.id for f in forms.values()])
        for n, row in enumerate(rows, start=1):
            fid = ids[row.form_id]
            shown = display_form_id(fid) if fid else row.form_id
            try:
                if not row.form_id:
                    raise _Reject("no-form-id", REASONS["no-form-id"] + " (mã phiếu / form id)")
                if fid is None:
                    raise _Reject("bad-form-id", f"{REASONS['bad-form-id']}: {row.form_id!r}")
                form = forms.get(fid)
                if form is None:
                    raise _Reject("unknown-form-id", f"{REASONS['unknown-form-id']} ({survey}): {shown}; "
                                                     "check the id on the envelope")
                history = events[form.id]
                plan = _plan(row, [(e.state, e.on) for e in history])
            except _Reject as rej:
                outcomes.append(RowOutcome(row.where, shown, "rejected", reason_code=rej.code, reason=rej.detail))
            else:
                for state, on in plan.transitions:
                    apply(s, form, state, on=on, source="post", actor=actor, batch=record.id, events=history,
                          reason=state if state in ("unreachable", "refused", "moved") else None)
                changed = bool(plan.transitions)
                if plan.postman and plan.postman != form.postman:
                    form.postman, changed = plan.postman, True
                outcomes.append(RowOutcome(row.where, shown, "applied" if changed else "unchanged",
                                           states=tuple(st for st, _ in plan.transitions), flags=plan.flags))
            if on_row is not None:
                on_row(n)
        counts = {k: sum(o.result == k for o in outcomes) for k in ("applied", "unchanged", "rejected")}
        record.applied, record.unchanged, record.rejected = counts["applied"], counts["unchanged"], counts["rejected"]
        batch = record.id
    by_reason: dict[str, int] = {}
    for o in outcomes:
        if o.result == "rejected":
            by_reason[o.reason_code] = by_reason.get(o.reason_code, 0) + 1
    return ImportResult(path, sha, survey, len(rows), counts["applied"], counts["unchanged"], counts["rejected"],
                        sum(bool(o.flags) for o in outcomes), tuple(outcomes), batch, None, by_reason)


REPORT_COLUMNS = ("row", "form_id", "result", "reason_code", "reason", "flags")


def report_rows(result: ImportResult) -> list[tuple[str, ...]]:
    """Rows of the rejects file: every rejected or flagged row (neutralised when written)."""
    return [(o.where, o.form_id, o.result, o.reason_code, o.reason, ", ".join(o.flags))
            for o in result.outcomes if o.result == "rejected" or o.flags]


def write_report(result: ImportResult, dest: Path) -> Path:
    """Write the rejected and flagged rows to ``dest`` (.xlsx or .csv), formulas neutralised."""
    from omr.cells import neutralise

    rows = [tuple(neutralise(c) for c in r) for r in report_rows(result)]
    if dest.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        ws = book.active
        assert ws is not None
        ws.title = "rejects"
        ws.append(REPORT_COLUMNS)
        for r in rows:
            ws.append(r)
        book.save(dest)
    else:
        import csv

        with dest.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(REPORT_COLUMNS)
            w.writerows(rows)
    return dest


def report_path(source: Path) -> Path:
    """Where the rejects file of ``source`` goes: beside it, ``<stem>.rejects<suffix>``."""
    suffix = ".xlsx" if source.suffix.lower() == ".xlsx" else ".csv"
    return source.with_name(f"{source.stem}.rejects{suffix}")
