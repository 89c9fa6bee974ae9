"""Simulated post outcomes, for tests and demos: the post's outcome sheet and the truth behind it.

For every form of the ledger that is printed (or handed) and has no door outcome yet, the simulator
decides what the post did: handed to the post, then at the door ``delivered``, ``unreachable``,
``refused`` or ``moved``; a delivered form is collected a day later, except the *late* ones: every
other one collected after the survey's collection date, the others not collected yet. Shares are
exact (``round(share × forms)`` forms each, chosen by the seed), so a small test set still holds
every case; the same seed and ledger give the same bytes.

The sheet has the columns :mod:`fieldwork.returns_read` reads, with Vietnamese headers (mã phiếu,
bưu tá, ngày giao bưu điện, ngày phát, kết quả, ngày thu, ghi chú) and outcomes spelled as the
post writes them (:data:`fieldwork.returns.OUTCOMES`). The truth file says, per form: outcome,
delivered, collected, late, and the days.

Days come from the survey's ``collection`` block (``deliver_by``, ``collect_by``); a survey without
one uses 1-3 December of its year for delivery and 5 December as the collection date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from fieldwork.ledger import open_ledger
from fieldwork.ledger_schema import FieldworkForm
from fieldwork.returns import OUTCOMES
from fieldwork.sheets import fixed_stamps
from fieldwork.survey import Survey
from omr.errors import BadArgumentsError
from omr.formid import display_form_id
from omr.store.db import Store

SHEET_HEADERS = ("Mã phiếu", "Bưu tá", "Ngày giao bưu điện", "Ngày phát", "Kết quả", "Ngày thu", "Ghi chú")
TRUTH_COLUMNS = ("form_id", "stratum", "unit", "list", "postman", "outcome", "delivered", "collected", "late",
                 "handed_on", "delivered_on", "collected_on")
_POSTMEN = ("Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Văn Minh", "Phạm Thị Hoa", "Hoàng Văn Nam", "Vũ Thị Mai",
            "Đặng Văn Tuấn", "Bùi Thị Hằng", "Đỗ Văn Long", "Ngô Thị Thu")
_NOTES = {"unreachable": "Không có người ở nhà, đã đến 2 lần", "refused": "Người nhận từ chối",
          "moved": "Đã chuyển đi nơi khác", "late": "Hẹn thu lại"}


@dataclass(frozen=True)
class Rates:
    """Shares of the forms with each outcome (``late``: of the delivered forms)."""

    unreachable: float = 0.05
    refused: float = 0.03
    moved: float = 0.01
    late: float = 0.05

    def __post_init__(self) -> None:
        for name in ("unreachable", "refused", "moved", "late"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise BadArgumentsError(f"--{name} must be a share between 0 and 1, not {value}")
        if self.unreachable + self.refused + self.moved > 1:
            raise BadArgumentsError("--unreachable, --refused and --moved add up to more than 1")


@dataclass(frozen=True)
class SimulatedForm:
    """What the simulated post did with one form (the truth)."""

    form_id: str
    stratum: str
    unit: str
    list: str
    postman: str
    outcome: str  # delivered | unreachable | refused | moved
    handed_on: dt.date
    delivered_on: dt.date | None  # the day of the door outcome
    collected_on: dt.date | None
    late: bool  # collected after the collection date, or not collected

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"

    @property
    def collected(self) -> bool:
        return self.collected_on is not None


@dataclass(frozen=True)
class Calendar:
    """The post's days: delivery by ``deliver_by``, collection by ``collect_by``."""

    deliver_by: dt.date
    collect_by: dt.date

    @classmethod
    def of(cls, survey: Survey) -> Calendar:
        if survey.collection is not None:
            return cls(survey.collection.deliver_by, survey.collection.collect_by)
        return cls(dt.date(survey.year, 12, 3), dt.date(survey.year, 12, 5))


def pending_forms(store: Store, survey: str) -> list[FieldworkForm]:
    """Forms printed or handed to the post, with no door outcome yet, by form id."""
    open_ledger(store)
    with store.session() as s:
        forms = list(s.scalars(select(FieldworkForm).where(
            FieldworkForm.survey == survey, FieldworkForm.form_id.is_not(None),
            FieldworkForm.state.in_(("printed", "handed"))).order_by(FieldworkForm.form_id)))
        s.expunge_all()
    return forms


def simulate(survey: Survey, forms: Sequence[FieldworkForm], seed: int, rates: Rates) -> list[SimulatedForm]:
    """Decide every form's fate (exact shares, chosen by ``seed``); sorted by form id."""
    cal = Calendar.of(survey)
    rng = random.Random(f"sipas-returns/{seed}")
    ordered = sorted(forms, key=lambda f: str(f.form_id))
    shuffled = list(ordered)
    rng.shuffle(shuffled)
    n = len(shuffled)
    fate: dict[str, str] = {}
    start = 0
    for outcome, share in (("unreachable", rates.unreachable), ("refused", rates.refused), ("moved", rates.moved)):
        k = round(share * n)
        for f in shuffled[start:start + k]:
            fate[str(f.form_id)] = outcome
        start += k
    delivered = shuffled[start:]
    # late forms: every other one collected after the collection date, the others not collected yet
    late = {str(f.form_id): i % 2 == 0 for i, f in enumerate(delivered[:round(rates.late * len(delivered))])}
    routes = sorted({f.route or f.stratum for f in ordered})
    names = list(_POSTMEN)
    rng.shuffle(names)
    postman = {r: f"{names[i % len(names)]}" + (f" ({i // len(names) + 1})" if i >= len(names) else "")
               for i, r in enumerate(routes)}
    out: list[SimulatedForm] = []
    for f in ordered:
        fid = str(f.form_id)
        r = random.Random(f"sipas-returns/{seed}/{fid}")
        door = cal.deliver_by - dt.timedelta(days=r.randint(0, 1))  # the last delivery day or the one before
        handed = door - dt.timedelta(days=1)
        outcome = fate.get(fid, "delivered")
        collected: dt.date | None = None
        is_late = False
        if outcome == "delivered":
            if fid in late:
                is_late = True
                collected = cal.collect_by + dt.timedelta(days=r.randint(1, 3)) if late[fid] else None
            else:
                collected = min(door + dt.timedelta(days=1), cal.collect_by)
        out.append(SimulatedForm(fid, f.stratum, f.unit, f.list, postman[f.route or f.stratum], outcome, handed,
                                 door, collected, is_late))
    return out


def sheet_rows(forms: Sequence[SimulatedForm]) -> list[tuple[str, str, dt.date, dt.date | None, str,
                                                             dt.date | None, str]]:
    """The post's sheet, one row per form, in delivery order (postman, form id)."""
    rows = []
    for f in sorted(forms, key=lambda f: (f.postman, f.form_id)):
        note = _NOTES.get(f.outcome, "") or (_NOTES["late"] if f.late else "")
        rows.append((display_form_id(f.form_id), f.postman, f.handed_on, f.delivered_on, OUTCOMES[f.outcome][0],
                     f.collected_on, note))
    return rows


def sheet_bytes(forms: Sequence[SimulatedForm], title: str, suffix: str) -> bytes:
    """The outcome sheet as ``.xlsx`` (a title row, then headers and rows) or ``.csv`` (dd/mm/yyyy days)."""
    rows = sheet_rows(forms)
    if suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(SHEET_HEADERS)
        w.writerows([[_dmy(c) if isinstance(c, dt.date) else ("" if c is None else c) for c in row]
                     for row in rows])
        return buf.getvalue().encode("utf-8")
    if suffix != ".xlsx":
        raise BadArgumentsError(f"--out must end in .xlsx or .csv, not {suffix!r}")
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Kết quả phát"
    ws.append([title])
    ws.append(list(SHEET_HEADERS))
    for row in rows:
        ws.append(list(row))
    for r in ws.iter_rows(min_row=3, min_col=3, max_col=6):
        for cell in r:
            if isinstance(cell.value, dt.datetime | dt.date):
                cell.number_format = "DD/MM/YYYY"
    raw = io.BytesIO()
    book.save(raw)
    return fixed_stamps(raw.getvalue())


def truth_bytes(forms: Sequence[SimulatedForm]) -> bytes:
    """The truth, one row per form (``1``/``0`` flags, ISO days)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(TRUTH_COLUMNS)
    for f in forms:
        w.writerow([f.form_id, f.stratum, f.unit, f.list, f.postman, f.outcome, int(f.delivered), int(f.collected),
                    int(f.late), f.handed_on.isoformat(), _iso(f.delivered_on), _iso(f.collected_on)])
    return buf.getvalue().encode("utf-8")


def truth_path(sheet: Path) -> Path:
    """``<sheet stem>.truth.csv`` beside the sheet."""
    return sheet.with_name(sheet.stem + ".truth.csv")


def write_returns(store: Store, survey: Survey, seed: int, rates: Rates, out: Path) -> list[SimulatedForm]:
    """Simulate the post for the ledger's pending forms; write the sheet ``out`` and its truth file."""
    forms = simulate(survey, pending_forms(store, survey.name), seed, rates)
    if not forms:
        raise BadArgumentsError(f"survey {survey.name}: no printed form waits for the post in this ledger; "
                                "dispatch (with --workspace) or substitute first")
    title = f"{survey.name} — Bưu điện: kết quả phát và thu phiếu"
    data = sheet_bytes(forms, title, out.suffix.lower())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    truth_path(out).write_bytes(truth_bytes(forms))
    return forms


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()
