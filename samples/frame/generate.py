"""``sipas synth frame``: a realistic one-stop-shop export or household list with its truth.

Each selected unit gets a sheet (a title block, then Vietnamese headers) of rows in the survey's
strata: names with diacritics, residence addresses in the legacy or the 2025 units written in
several styles, phones in several spellings, transaction dates as dates or text. A share of rows is
defective in exactly one way; ``<out>.truth.csv`` says for every row whether it must be accepted
(and in which commune) or rejected and why. The same survey, count and seed write the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from fieldwork.sheets import fixed_stamps
from fieldwork.survey import FieldSpec, Survey, UnitSpec, VillageSpec
from fieldwork.text import person_name
from omr.errors import BadArgumentsError
from samples.frame import places
from samples.frame.defects import DEFECTS, Defector
from samples.frame.people import person, phone_number, written_phone

TITLE = {"one-stop-shop": "DANH SÁCH TỔ CHỨC, CÁ NHÂN GIAO DỊCH TẠI BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
         "household": "DANH SÁCH NGƯỜI DÂN TỪ 18 TUỔI TRỞ LÊN"}


@dataclass
class Row:
    """One synthetic row: what is written, and the truth."""

    unit: UnitSpec
    group: FieldSpec | VillageSpec
    name: str
    address: str
    phone: str | int
    number: str
    date: dt.date | str | None
    unit_text: str
    group_text: str
    commune: str
    truth: str = "accepted"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameSynthSummary:
    rows: int
    defective: int
    by_truth: dict[str, int]


class RowMaker:
    """Valid rows of a survey's strata (the defects module spoils some of them)."""

    def __init__(self, survey: Survey, rng: random.Random) -> None:
        self.survey, self.rng = survey, rng
        self.phones: set[str] = set()
        prov = survey.province.code
        self.legacy = {w.code: w for w in places.legacy_wards(prov)} if survey.scheme == "legacy" else {}
        self.new = {w.code: w for w in places.new_wards(prov)} if survey.scheme == "2025" else {}

    def residence(self, unit: UnitSpec) -> list[places.Ward]:
        prov = self.survey.province.code
        if self.survey.scheme == "legacy":
            if unit.level == "district":
                return list(places.district_of(prov, unit.code))
            if unit.level == "commune":
                return [self.legacy[unit.code]]
            return list(self.legacy.values())
        return [self.new[unit.code]] if unit.level == "commune" else list(self.new.values())

    def address(self, ward: places.Ward, village: str) -> str:
        if self.survey.scheme == "legacy":
            return places.legacy_address(self.rng, ward, village)
        whole, _ = places.old_wards_of(ward)
        if whole and self.rng.random() < 0.3:
            return places.legacy_address(self.rng, self.rng.choice(whole), village)
        return places.new_address(self.rng, ward, village)

    def date(self) -> dt.date | None:
        w = self.survey.window
        if self.survey.population != "one-stop-shop" or w is None:
            return None
        return w.start + dt.timedelta(days=self.rng.randint(0, (w.end - w.start).days))

    def row(self, unit: UnitSpec, group: FieldSpec | VillageSpec) -> Row:
        rng = self.rng
        ward = rng.choice(self.residence(unit))
        village = group.name if isinstance(group, VillageSpec) else ""
        number = phone_number(rng, self.phones)
        orgs = 0.1 if self.survey.population == "one-stop-shop" else 0.0
        return Row(unit, group, person(rng, orgs), self.address(ward, village), written_phone(rng, number), number,
                   self.date(), rng.choice(unit.labels()[1:]), rng.choice(group.labels()[1:] or group.labels()),
                   ward.code)


def synth_frame(survey: Survey, records: int, seed: int, out: Path, defect_share: float = 0.15) -> FrameSynthSummary:
    """Write ``out`` (.xlsx or .csv) and ``<out stem>.truth.csv``."""
    if records < 1:
        raise BadArgumentsError("--records must be at least 1")
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise BadArgumentsError(f"--out {out}: write a .xlsx or .csv file")
    rng = random.Random(seed)
    maker = RowMaker(survey, rng)
    strata = [(u, g) for u in survey.units for g in survey.groups(u)]
    weights = [rng.uniform(0.5, 1.5) for _ in strata]
    rows = [maker.row(*rng.choices(strata, weights)[0]) for _ in range(records)]
    defector = Defector(survey, maker, rng)
    n_bad = round(records * defect_share)
    kinds = [k for k in DEFECTS if defector.applies(k)]
    plan = [(i, rng.choice(kinds)) for i in rng.sample(range(records), n_bad)]
    plan.sort(key=lambda p: p[1].startswith("duplicate"))  # duplicates copy rows that stay valid
    for i, _ in plan:
        rows[i].truth = "planned"
    for i, kind in plan:
        rows[i] = defector.spoil(rows[i], kind, rows)
    rng.shuffle(rows)
    _order_duplicates(rows)
    truth = _write(survey, rows, out)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.truth] = counts.get(r.truth, 0) + 1
    truth_path = out.with_name(out.stem + ".truth.csv")
    truth_path.write_text(truth, encoding="utf-8")
    return FrameSynthSummary(len(rows), sum(1 for r in rows if r.truth != "accepted"), dict(sorted(counts.items())))


def _order_duplicates(rows: list[Row]) -> None:
    """Put each duplicate after the row it copies (households have no date to tell which came first)."""
    where = {r.number: i for i, r in enumerate(rows) if r.truth == "accepted"}
    for i, r in enumerate(rows):
        j = where.get(r.extra.get("of", ""), -1)
        if r.truth.startswith("duplicate") and j > i:
            rows[i], rows[j] = rows[j], rows[i]
            where[r.number] = i


def _headers(survey: Survey) -> list[str]:
    if survey.population == "one-stop-shop":
        return ["STT", "Họ và tên", "Địa chỉ", "Số điện thoại", "Ngày tiếp nhận", "Lĩnh vực", "Đơn vị"]
    return ["STT", "Họ và tên", "Địa chỉ", "Số điện thoại", "Thôn, tổ dân phố", "Đơn vị"]


def _cells(survey: Survey, n: int, r: Row) -> list[object]:
    if survey.population == "one-stop-shop":
        return [n, r.name, r.address, r.phone, r.date, r.group_text, r.unit_text]
    return [n, r.name, r.address, r.phone, r.group_text, r.unit_text]


def _write(survey: Survey, rows: list[Row], out: Path) -> str:
    truth = io.StringIO()
    tw = csv.writer(truth, lineterminator="\n")
    tw.writerow(["source", "sheet", "row", "expected", "commune", "name_key"])
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(_headers(survey))
        for n, r in enumerate(rows, start=1):
            w.writerow(["" if c is None else (c.strftime("%d/%m/%Y") if isinstance(c, dt.date) else c)
                        for c in _cells(survey, n, r)])
            tw.writerow([out.name, "", n + 1, r.truth, r.commune, person_name(r.name)])
        out.write_text(buf.getvalue(), encoding="utf-8")
        return truth.getvalue()
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for unit in survey.units:
        ws = book.create_sheet(unit.code)
        ws.append([TITLE[survey.population]])
        ws.append([f"{unit.name} — {survey.province.name}"])
        ws.append(_headers(survey))
        mine = [r for r in rows if r.unit.code == unit.code]
        for n, r in enumerate(mine, start=1):
            ws.append(_cells(survey, n, r))
            tw.writerow([out.name, unit.code, n + 3, r.truth, r.commune, person_name(r.name)])
    raw = io.BytesIO()
    book.save(raw)
    out.write_bytes(fixed_stamps(raw.getvalue()))
    return truth.getvalue()
