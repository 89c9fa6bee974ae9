"""Raw list rows → the frame: every row accepted, or rejected with its reason.

Checks run in a fixed order and the first failure is the row's reason: name, residence address and
phone present; phone a valid Vietnamese number; transaction date readable and inside the window
(one-stop-shop surveys); unit and field (or village) known; address parsed into a commune of the
survey's scheme; residence inside the unit. Duplicates are settled last, among rows that passed,
in a canonical order (earliest transaction first), so the order of files and rows does not matter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from fieldwork.addresses import AddressBook, AddressProblem, Place
from fieldwork.dates import parse_date
from fieldwork.frame_read import RawRow
from fieldwork.phones import PhoneProblem, parse_phone
from fieldwork.survey import FieldSpec, Survey, UnitSpec, VillageSpec, stratum_key
from fieldwork.text import clean, fold, has_letters, person_name

Reason = Literal[
    "missing-name", "missing-address", "missing-phone", "bad-phone", "bad-date", "outside-window",
    "unknown-unit", "unknown-field", "unknown-village", "address-unparsed", "address-ambiguous",
    "address-scheme", "outside-unit", "duplicate-person", "duplicate-phone",
]
REASONS: dict[Reason, str] = {
    "missing-name": "Thiếu họ tên / name missing",
    "missing-address": "Thiếu địa chỉ cư trú / residence address missing",
    "missing-phone": "Thiếu số điện thoại / phone missing",
    "bad-phone": "Số điện thoại không hợp lệ / not a valid Vietnamese phone number",
    "bad-date": "Thiếu hoặc sai ngày giao dịch / transaction date missing or unreadable",
    "outside-window": "Giao dịch ngoài thời gian khảo sát / transaction outside the survey window",
    "unknown-unit": "Đơn vị không thuộc danh sách khảo sát / unit not selected in the survey",
    "unknown-field": "Lĩnh vực không thuộc danh sách khảo sát / field not selected for this unit",
    "unknown-village": "Thôn, tổ dân phố không thuộc mẫu / village not selected for this unit",
    "address-unparsed": "Không xác định được xã, phường / no commune recognised in the address",
    "address-ambiguous": "Xã, phường cũ đã chia cho nhiều đơn vị mới / old commune split in 2025",
    "address-scheme": "Địa chỉ theo đơn vị hành chính khác năm khảo sát / address in the other unit scheme",
    "outside-unit": "Nơi cư trú ngoài đơn vị / residence outside the unit",
    "duplicate-person": "Trùng người (họ tên và số điện thoại) / same person listed twice",
    "duplicate-phone": "Trùng số điện thoại / phone number already listed",
}
"""Every reason a row can be rejected for (Vietnamese / English), in check order."""


@dataclass(frozen=True)
class FrameRecord:
    """An accepted respondent of one stratum (identities: kept in 0600 files only)."""

    person: str
    stratum: str
    unit: str
    group: str
    name: str
    address: str
    phone: str
    date: str
    province: str
    district: str
    commune: str
    source: str
    row: int


@dataclass(frozen=True)
class Rejection:
    """A row that is not in the frame, why, and what the unit wrote."""

    source: str
    sheet: str
    row: int
    unit: str
    reason: Reason
    detail: str
    original: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Frame:
    records: tuple[FrameRecord, ...]
    rejections: tuple[Rejection, ...]


def person_key(name: str, phone: str) -> str:
    """A stable pseudonymous key of a person: SHA-256 of the normalised name and phone, 16 hex digits."""
    return hashlib.sha256(f"{person_name(name)}|{phone}".encode()).hexdigest()[:16]


class _Fail(Exception):
    def __init__(self, reason: Reason, detail: str, unit: str = "") -> None:
        super().__init__(detail)
        self.reason, self.detail, self.unit = reason, detail, unit


class FrameChecker:
    """Checks rows against one survey (a unit given on the command line applies to rows without one)."""

    def __init__(self, survey: Survey, *, unit_hint: str | None = None, book: AddressBook | None = None) -> None:
        self.survey = survey
        self.book = book or AddressBook(survey.scheme, survey.province.name)
        self.unit_hint = unit_hint
        self._units = {fold(label): u for u in survey.units for label in u.labels()}

    def check(self, rows: Iterable[RawRow]) -> Frame:
        passed: list[tuple[FrameRecord, RawRow]] = []
        rejected: list[Rejection] = []
        for raw in rows:
            try:
                passed.append((self._record(raw), raw))
            except _Fail as fail:
                rejected.append(Rejection(raw.source, raw.sheet, raw.row, fail.unit, fail.reason, fail.detail,
                                          raw.original))
        records, dups = _dedupe(passed)
        rejected.extend(dups)
        rejected.sort(key=lambda r: (r.source, r.sheet, r.row))
        return Frame(tuple(sorted(records, key=lambda r: (r.stratum, r.person))), tuple(rejected))

    def _unit(self, raw: RawRow) -> UnitSpec:
        written = clean(raw.get("unit"))
        if not written and self.unit_hint:
            written = self.unit_hint
        if not written and len(self.survey.units) == 1:
            return self.survey.units[0]
        unit = self._units.get(fold(written))
        if unit is None:
            raise _Fail("unknown-unit", f"unit {written!r} is not one of the survey's units" if written
                        else "no unit named: add the unit column or give --unit")
        return unit

    def _group(self, raw: RawRow, unit: UnitSpec) -> FieldSpec | VillageSpec:
        column = "field" if self.survey.population == "one-stop-shop" else "village"
        written = clean(raw.get(column))
        groups = self.survey.groups(unit)
        found = next((g for g in groups if fold(written) in {fold(x) for x in g.labels()}), None)
        if found is None:
            reason: Reason = "unknown-field" if column == "field" else "unknown-village"
            names = ", ".join(g.name for g in groups)
            raise _Fail(reason, f"{column} {written!r} is not selected at {unit.name} ({names})", unit.code)
        return found

    def _record(self, raw: RawRow) -> FrameRecord:
        name, address = clean(raw.get("name")), clean(raw.get("address"))
        if not name or not has_letters(name):
            raise _Fail("missing-name", "no name")
        if not address:
            raise _Fail("missing-address", "no residence address")
        phone = parse_phone(raw.get("phone"))
        if isinstance(phone, PhoneProblem):
            reason: Reason = "missing-phone" if phone.reason == "no phone number" else "bad-phone"
            raise _Fail(reason, phone.reason)
        date = self._date(raw)
        unit = self._unit(raw)
        group = self._group(raw, unit)
        place = self.book.place(address)
        if isinstance(place, AddressProblem):
            raise _Fail(place.reason, place.detail, unit.code)
        self._inside(place, unit)
        return FrameRecord(person_key(name, phone.number), stratum_key(unit, group), unit.code, group.code, name,
                           address, phone.number, date, place.province, place.district, place.commune,
                           raw.source, raw.row)

    def _date(self, raw: RawRow) -> str:
        window = self.survey.window
        if self.survey.population != "one-stop-shop" or window is None:
            return ""
        value = parse_date(raw.get("date"))
        if value is None:
            raise _Fail("bad-date", f"transaction date {clean(raw.get('date'))!r} is not a date (dd/mm/yyyy)")
        if not window.start <= value <= window.end:
            raise _Fail("outside-window", f"transaction on {value:%d/%m/%Y} is outside "
                        f"{window.start:%d/%m/%Y}–{window.end:%d/%m/%Y}")
        return value.isoformat()

    def _inside(self, place: Place, unit: UnitSpec) -> None:
        if unit.residence == "any":
            return
        if unit.residence == "province" or unit.level == "province":
            ok, where = place.province == self.survey.province.code, self.survey.province.name
        elif unit.level == "district":
            ok, where = place.district == unit.code, unit.name
        else:
            ok, where = place.commune == unit.code, unit.name
        if not ok:
            raise _Fail("outside-unit", f"lives in {place.commune_name} ({place.commune}), not in {where}", unit.code)


def _dedupe(passed: list[tuple[FrameRecord, RawRow]]) -> tuple[list[FrameRecord], list[Rejection]]:
    """Keep the first row per phone in canonical order (earliest date, then stratum, name, source, row)."""
    order = sorted(passed, key=lambda p: (p[0].date, p[0].stratum, person_name(p[0].name), p[0].phone,
                                          fold(p[0].address), p[0].source, p[1].sheet, p[0].row))
    kept: dict[str, FrameRecord] = {}
    dups: list[Rejection] = []
    for rec, raw in order:
        first = kept.get(rec.phone)
        if first is None:
            kept[rec.phone] = rec
            continue
        same = person_name(first.name) == person_name(rec.name)
        reason: Reason = "duplicate-person" if same else "duplicate-phone"
        dups.append(Rejection(rec.source, raw.sheet, rec.row, rec.unit, reason,
                              f"same {'person' if same else 'phone'} as {first.source} row {first.row}", raw.original))
    return list(kept.values()), dups

