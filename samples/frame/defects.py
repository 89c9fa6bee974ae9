"""Defective rows of a synthetic frame: each spoils a valid row in exactly one way, named by the reason
code ``sipas fieldwork frame`` must give (see ``fieldwork.frame_check.REASONS``)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from typing import TYPE_CHECKING

from fieldwork.survey import Survey, VillageSpec
from fieldwork.text import person_name
from samples.frame import places
from samples.frame.people import person

if TYPE_CHECKING:
    from samples.frame.generate import Row, RowMaker

DEFECTS = ("missing-name", "missing-address", "missing-phone", "bad-phone", "bad-date", "outside-window",
           "unknown-unit", "unknown-field", "unknown-village", "address-unparsed", "address-ambiguous",
           "address-scheme", "outside-unit", "duplicate-person", "duplicate-phone")
BAD_PHONES = ("0123 456", "091234567", "1900 1234", "0000000000", "84 12 345", "097-12-34", "02412345")
UNPARSED = ("Hà Nội", "không rõ", "Việt Nam", "Số 5 ngõ 12", "đường Nguyễn Văn Cừ", "xóm Chùa")
OTHER_FIELDS = ("Xây dựng", "Giao thông vận tải", "Nội vụ", "Y tế", "Công thương")


class Defector:
    """Makes defective rows for one survey."""

    def __init__(self, survey: Survey, maker: RowMaker, rng: random.Random) -> None:
        self.survey, self.maker, self.rng = survey, maker, rng
        prov = survey.province.code
        self.split = {u.code: places.old_wards_of(maker.new[u.code])[1]
                      for u in survey.units if survey.scheme == "2025" and u.code in maker.new}
        self.all_legacy = places.legacy_wards(prov)
        self.all_new = places.new_wards(prov)

    def applies(self, kind: str) -> bool:
        oss = self.survey.population == "one-stop-shop"
        if kind in ("bad-date", "outside-window", "unknown-field"):
            return oss
        if kind == "unknown-village":
            return not oss
        if kind == "address-ambiguous":
            return any(self.split.values())
        if kind == "address-scheme":
            return self.survey.scheme == "legacy"
        if kind == "duplicate-person" and not oss:
            return all(len(u.villages) > 1 for u in self.survey.units)
        return True

    def spoil(self, row: Row, kind: str, rows: list[Row]) -> Row:
        rng = self.rng
        bad = replace(row, truth=kind, commune="")
        if kind == "missing-name":
            return replace(bad, name=rng.choice(("", " ", "-")))
        if kind == "missing-address":
            return replace(bad, address="")
        if kind == "missing-phone":
            return replace(bad, phone="")
        if kind == "bad-phone":
            return replace(bad, phone=rng.choice(BAD_PHONES))
        if kind == "bad-date":
            return replace(bad, date=rng.choice(("31/02/2020", "không rõ", "", "2020/13/45")))
        if kind == "outside-window":
            w = self.survey.window
            assert w is not None
            day = w.start - dt.timedelta(days=rng.randint(1, 200)) if rng.random() < 0.5 \
                else w.end + dt.timedelta(days=rng.randint(1, 120))
            return replace(bad, date=day)
        if kind == "unknown-unit":
            return replace(bad, unit_text=rng.choice(("Phường Ngọc Lâm", "UBND huyện Gia Lâm", "Phường Cự Khối")))
        if kind in ("unknown-field", "unknown-village"):
            return replace(bad, group_text=rng.choice(OTHER_FIELDS if kind == "unknown-field" else ("Thôn Bắc",
                                                                                                     "Tổ 99")))
        if kind == "address-unparsed":
            return replace(bad, address=rng.choice(UNPARSED))
        if kind == "address-ambiguous":
            old = rng.choice(self.split.get(row.unit.code) or [w for v in self.split.values() for w in v])
            return replace(bad, address=places.legacy_address(rng, old))
        if kind == "address-scheme":
            return replace(bad, address=places.new_address(rng, rng.choice(self.all_new)))
        if kind == "outside-unit":
            return replace(bad, address=self._elsewhere(row))
        return self._duplicate(row, kind, rows)

    def _elsewhere(self, row: Row) -> str:
        inside = {w.code for w in self.maker.residence(row.unit)}
        if self.survey.scheme == "legacy":
            ward = self.rng.choice([w for w in self.all_legacy if w.code not in inside])
            return places.legacy_address(self.rng, ward)
        ward = self.rng.choice([w for w in self.all_new if w.code not in inside])
        return places.new_address(self.rng, ward)

    def _duplicate(self, row: Row, kind: str, rows: list[Row]) -> Row:
        """A later listing of a valid row's person (same phone; same name or another's)."""
        rng = self.rng
        oss = self.survey.population == "one-stop-shop"
        w = self.survey.window
        while True:
            orig = rng.choice(rows)
            if orig.truth != "accepted" or (oss and w is not None and orig.date == w.end):
                continue
            if not oss and kind == "duplicate-person" and not _later_villages(orig):
                continue
            break
        from samples.frame.people import written_phone

        dup = replace(orig, phone=written_phone(rng, orig.number), truth=kind, commune="", extra={"of": orig.number})
        if oss and w is not None and isinstance(orig.date, dt.date):
            later = orig.date + dt.timedelta(days=rng.randint(1, max(1, min(30, (w.end - orig.date).days))))
            dup = replace(dup, date=min(later, w.end))
        if kind == "duplicate-person":
            if not oss:  # the same person listed again in another village of the unit, sorted after
                group = rng.choice(_later_villages(orig))
                dup = replace(dup, group=group, group_text=rng.choice(group.labels()[1:]))
            return replace(dup, name=rng.choice((orig.name, orig.name.upper(), f" {orig.name} ")))
        other = person(rng)
        while person_name(other) <= person_name(orig.name):
            other = person(rng)
        return replace(dup, name=other)


def _later_villages(row: Row) -> list[VillageSpec]:
    """Villages of the row's unit whose stratum sorts after the row's (the earlier listing is kept)."""
    return [v for v in row.unit.villages if v.code > row.group.code]
