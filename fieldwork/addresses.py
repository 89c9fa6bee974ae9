"""Residence addresses → administrative unit codes, in the survey's scheme, offline.

Uses ``vietnamadminunits`` (MIT; its parser data ships in the wheel): addresses written in the
legacy three-tier units (province, district, commune) or in the 2025 two-tier units (province,
commune) are recognised in the styles units write them (``P.``/``Q.``/``TP``, no accents, lower case,
missing commas). The scheme an address is written in is decided from what it says: a district named
with its keyword, or as a comma-separated part between commune and province, means legacy.

For a 2025 survey an address in legacy units is converted with the library's 2025 mapping, offline:
a legacy commune merged whole into one new commune maps to it; one split between several new
communes is *ambiguous* and rejected (the library's own converter would geocode the street over the
network and pick one: a guess this product does not make). For a legacy survey an address written
in the 2025 units is rejected: a new commune cannot be mapped back to one old commune.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fieldwork.survey import Scheme
from fieldwork.text import fold, strip_accents

AddressReason = Literal["address-unparsed", "address-ambiguous", "address-scheme"]


@dataclass(frozen=True)
class Place:
    """Where an address lies, as codes of the survey's scheme (``district`` empty in 2025)."""

    province: str
    district: str
    commune: str
    commune_name: str
    written: Scheme


@dataclass(frozen=True)
class AddressProblem:
    """Why an address gives no unit: the reason code and a sentence for the unit that sent it."""

    reason: AddressReason
    detail: str


_DISTRICT_WORDS = ("quan", "huyen", "thi xa", "q", "h", "tx", "thanh pho", "tp")
_WARD_WORDS = ("phuong", "xa", "thi tran", "p", "x", "tt", "dac khu")


def _library() -> Any:
    import vietnamadminunits  # imported here: 0.3 s, only the frame import needs it

    return vietnamadminunits


@functools.cache
def _conversion() -> dict[str, Any]:
    path = Path(_library().__file__).parent / "data" / "converter_2025.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _parse(text: str, mode: str, level: int) -> Any | None:
    try:
        unit = _library().parse_address(text, mode=mode, level=level, keep_street=False)
    except Exception:  # noqa: BLE001 - the library raises bare errors on text it cannot place
        return None
    return unit if getattr(unit, "ward_code", None) else None


PROVINCE_ABBREVIATIONS = {"hn": "Hà Nội", "tphn": "Hà Nội", "hcm": "Hồ Chí Minh", "tphcm": "Hồ Chí Minh",
                          "sg": "Hồ Chí Minh"}
"""Abbreviations of the centrally-run cities that lists use instead of the name."""


@functools.cache
def _province_names() -> frozenset[str]:
    from vietnamadminunits.database import query

    names = {fold(r["provinceShort"]) for r in query("SELECT DISTINCT provinceShort FROM admin_units")}
    names |= {fold(r["provinceShort"]) for r in query("SELECT DISTINCT provinceShort FROM admin_units_legacy")}
    return frozenset(n for n in names if n)


_ABBREVIATIONS = (
    (re.compile(r"(?i)(?<![\w.])(?:P|F)\.?\s*(\d{1,2})\b"), r"Phường \1"),
    (re.compile(r"(?i)(?<![\w.])Q\.?\s*(\d{1,2})\b"), r"Quận \1"),
    (re.compile(r"(?<![\w.])P\.\s*"), "Phường "),
    (re.compile(r"(?<![\w.])Q\.\s*"), "Quận "),
    (re.compile(r"(?<![\w.])H\.\s*"), "Huyện "),
    (re.compile(r"(?<![\w.])X\.\s*"), "Xã "),
    (re.compile(r"(?i)(?<![\w.])TX\.?\s*(?=[^\W\d_])"), "Thị xã "),
    (re.compile(r"(?i)(?<![\w.])TT\.?\s*(?=[^\W\d_])"), "Thị trấn "),
    (re.compile(r"(?i)(?<![\w.])TP\.?\s*(?=[^\W\d_])"), "Thành phố "),
)
"""Unit abbreviations as lists write them (``P.12``, ``Q.10``, ``H. Gia Lâm``, ``TT``, ``TX.``, ``TP.``)."""
_DISTRICT_NAMED = re.compile(r"\b(quan|huyen|thi xa)\s+\w")


def expand(text: str) -> str:
    """Spell out unit abbreviations and dash separators.

    >>> expand("45/2 Ba Tháng Hai - P.12 - Q.10 - TT Củ Chi")
    '45/2 Ba Tháng Hai, Phường 12, Quận 10, Thị trấn Củ Chi'
    """
    text = _dashes(text)
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    return text


def _dashes(text: str) -> str:
    """Dashes as separators become commas, only in an address without commas: ``Văn Quán - Hà Đông - Hà Nội``,
    but ``Phường Văn Miếu - Quốc Tử Giám, Hà Nội`` keeps the dash of its name."""
    return text if "," in text else re.sub(r"\s+-\s+", ", ", text)


def _with_province(text: str, province: str) -> str:
    """``text`` with its province spelled out: an abbreviation expanded, or the survey's province added."""
    folded = fold(text)
    words = set(folded.split())
    for abbr, name in PROVINCE_ABBREVIATIONS.items():
        if abbr in words:
            rest = re.sub(rf"(?i)\b{abbr}\b\.?", "", strip_accents(text) if abbr not in text.lower() else text)
            return f"{rest.strip(' ,-')}, {name}"
    if any(re.search(rf"\b{re.escape(n)}\b", folded) for n in _province_names()):
        return text
    return f"{text}, {province}" if province else text


_WARD_KEYWORD = r"(?:phuong|xa|thi tran|dac khu|p|x|tt)"


def _names_ward(text: str, short_ward: str) -> bool:
    """Does ``text`` name this commune where an address names its commune: after a commune keyword, or
    as the end of a comma-separated part? A commune found elsewhere (in a street name, ``66/25 Long Biên 2``)
    or by a fuzzy near-miss (``xóm Chùa`` for ``Chũ``) does not count.
    """
    w = fold(re.sub(r"\s*\(.*?\)", "", short_ward))  # "Yên Viên (Thị trấn)": the library's disambiguation
    if not w:
        return False
    name = re.escape(w)
    if re.match(rf"{_WARD_KEYWORD}\s", w):  # the library's short name keeps the keyword ("Phường 14")
        return re.search(rf"\b{name}\b", fold(text)) is not None
    for part in text.split(","):
        folded = fold(part)
        if re.search(rf"\b{_WARD_KEYWORD}\s*{name}\b", folded) or re.search(rf"(?:^|\s){name}$", folded):
            return True
    return False


def _names_district(text: str, short_district: str) -> bool:
    """Does ``text`` name this district itself (with its keyword, or as its own comma part)?"""
    d = fold(short_district)
    if not d:
        return False
    folded = fold(text)
    if re.match(r"(?:quan|huyen|thi xa|thanh pho) ", d):  # "Quận 10": the short name keeps its keyword
        return re.search(rf"\b{re.escape(d)}\b", folded) is not None
    if any(re.search(rf"\b{w} ?{re.escape(d)}\b", folded) for w in _DISTRICT_WORDS):
        return True
    parts = [fold(p) for p in text.split(",")]
    return any(p == d for p in parts[1:-1]) if len(parts) >= 3 else False


def _new_ward(old: Any) -> tuple[str | None, list[str]]:
    """Legacy unit → (2025 ward key, candidates when it was split)."""
    conv = _conversion()
    new_province = next((k for k, v in conv["DICT_PROVINCE"].items() if old.province_key in v), None)
    if new_province is None:
        return None, []
    key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
    for new_key, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_province, {}).items():
        if key in olds:
            return f"{new_key}, {new_province}", []
    split = conv["DICT_PROVINCE_WARD_DIVIDED"].get(new_province, {}).get(key, [])
    keys = sorted({w["newWardKey"] for w in split})
    if len(keys) == 1:
        return f"{keys[0]}, {new_province}", []
    return None, [f"{k}, {new_province}" for k in keys]


class AddressBook:
    """Parses addresses for one survey scheme; results are cached per distinct address text."""

    def __init__(self, scheme: Scheme, province: str = "") -> None:
        self.scheme = scheme
        self.province = province
        self._cache: dict[str, Place | AddressProblem] = {}

    def place(self, text: str) -> Place | AddressProblem:
        """The unit codes of ``text`` in this book's scheme, or why there are none."""
        key = text.strip()
        if key not in self._cache:
            self._cache[key] = self._place(key)
        return self._cache[key]

    def _place(self, written: str) -> Place | AddressProblem:
        text = expand(_with_province(_dashes(written), self.province))
        legacy = _parse(text, "LEGACY", 3)
        new = _parse(text, "FROM_2025", 2)
        legacy = legacy if legacy is not None and _names_ward(text, legacy.short_ward) else None
        new = new if new is not None and _names_ward(text, new.short_ward) else None
        names_district = legacy is not None and _names_district(text, legacy.short_district)
        if legacy is not None and not names_district and _DISTRICT_NAMED.search(fold(text)):
            return AddressProblem("address-unparsed", f"the district named in {written!r} does not hold the commune "
                                  f"found ({legacy.ward}, {legacy.district}): check both")
        if legacy is not None and legacy.district_code and (new is None or names_district):
            return self._from_legacy(text, legacy)
        if legacy is None and _DISTRICT_NAMED.search(fold(text)):
            return AddressProblem("address-unparsed", f"the district named in {written!r} does not hold the commune "
                                  "named: check both")
        if new is not None:
            if self.scheme == "legacy":
                return AddressProblem(
                    "address-scheme",
                    f"written in the 2025 units ({new.ward}, {new.province}); this survey uses the earlier "
                    "units: ask for the address with its district",
                )
            return Place(new.province_code, "", new.ward_code, new.ward, "2025")
        return AddressProblem("address-unparsed", f"no commune recognised in {written!r}: ask for the full address")

    def _from_legacy(self, text: str, old: Any) -> Place | AddressProblem:
        if self.scheme == "legacy":
            return Place(old.province_code, old.district_code, old.ward_code, old.ward, "legacy")
        target, candidates = _new_ward(old)
        if target is None:
            names = ", ".join(_display(c) for c in candidates) or "no 2025 commune"
            return AddressProblem(
                "address-ambiguous",
                f"{old.ward} ({old.district}) was split in 2025 between {names}: ask which one",
            )
        new = _parse(target, "FROM_2025", 2)
        if new is None:
            return AddressProblem("address-unparsed", f"no 2025 commune found for {old.ward} ({old.district})")
        return Place(new.province_code, "", new.ward_code, new.ward, "legacy")


def _display(key: str) -> str:
    unit = _parse(key, "FROM_2025", 2)
    return str(unit.ward) if unit is not None else key
