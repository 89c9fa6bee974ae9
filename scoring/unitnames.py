"""Names of Vietnam's administrative units by GSO code, in the scheme of a survey's year.

Two schemes (see :data:`scoring.provinces.Scheme`): ``legacy`` (63 provinces; province, district,
commune; surveys before 1 July 2025) and ``2025`` (34 provinces; province and commune, no district
tier). Names come from the data of the maintained ``vietnamadminunits`` package (shipped in its
wheel, read offline), never from a hand-typed list. A code the scheme does not know has no name
(``None``): a 2024 province code that was merged away in 2025 is not named in the 2025 scheme.
The legacy data are the units as they stood just before the reorganisation, so a commune merged
away during 2019–2025 (within the old scheme) has no name either.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Literal

from scoring.provinces import TABLES, Scheme

UnitLevel = Literal["province", "district", "commune"]
LEVELS: tuple[UnitLevel, ...] = ("province", "district", "commune")
REORGANISATION = dt.date(2025, 7, 1)
"""First day of the 34-province, two-tier scheme."""
SCHEME_TEXT = {"legacy": "63 provinces, three tiers (province, district, commune), before 1 July 2025",
               "2025": "34 provinces, two tiers (province, commune), from 1 July 2025"}

_COLUMNS: dict[UnitLevel, tuple[str, str, str]] = {
    "province": ("provinceCode", "province", "provinceShort"),
    "district": ("districtCode", "district", "districtShort"),
    "commune": ("wardCode", "ward", "wardShort"),
}


@dataclass(frozen=True)
class UnitName:
    """One administrative unit: ``Thành phố Hà Nội`` (full, official) and ``Hà Nội`` (short)."""

    scheme: Scheme
    level: UnitLevel
    code: str
    name: str
    short_name: str


def scheme_for_date(day: dt.date) -> Scheme:
    """``legacy`` before 1 July 2025, ``2025`` from then on."""
    return "legacy" if day < REORGANISATION else "2025"


def scheme_for_year(year: int) -> Scheme:
    """The scheme a survey year is published in: ``2025`` from the 2025 survey on (fieldwork after July)."""
    return "legacy" if year < REORGANISATION.year else "2025"


@functools.cache
def _names(scheme: Scheme, level: UnitLevel) -> dict[str, UnitName]:
    if level == "district" and scheme == "2025":
        return {}  # the 2025 scheme has no district tier
    from vietnamadminunits.database import query  # imported here: loading its data takes ~0.3 s

    code_col, name_col, short_col = _COLUMNS[level]
    rows = query(f"SELECT DISTINCT {code_col}, {name_col}, {short_col} FROM {TABLES[scheme]}")  # noqa: S608 - constants
    out: dict[str, UnitName] = {}
    for row in rows:
        code = str(row[code_col] or "")
        if code and code not in out:
            out[code] = UnitName(scheme, level, code, str(row[name_col]), str(row[short_col]))
    return out


def _normal_code(level: UnitLevel, code: str) -> str:
    """``1`` → ``01`` for a province, ``115`` → ``00115`` for a commune (GSO codes are zero-padded)."""
    text = code.strip()
    width = {"province": 2, "district": 3, "commune": 5}[level]
    return text.zfill(width) if text.isdigit() and len(text) <= width else text


def unit_name(scheme: Scheme, level: UnitLevel, code: str) -> UnitName | None:
    """The unit of ``level`` with GSO ``code`` in ``scheme``, or ``None`` when the scheme has no such unit."""
    if not code.strip():
        return None
    return _names(scheme, level).get(_normal_code(level, code))


def names_by_code(scheme: Scheme, level: UnitLevel, *, short: bool = False) -> dict[str, str]:
    """Every unit of ``level`` in ``scheme``: GSO code → full (or short) name."""
    return {c: (u.short_name if short else u.name) for c, u in _names(scheme, level).items()}
