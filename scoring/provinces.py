"""Vietnam's provinces in both schemes, named from the ``vietnamadminunits`` data, and the 2025 merge map.

Two schemes (see docs/scoring.md):

``legacy``
    The 63 provinces and centrally-run cities of 2008 – 30 June 2025, three tiers (province,
    district, commune); SIPAS 2017–2024 sampled and ranked these.
``2025``
    The 34 provinces and cities from 1 July 2025 (Resolution 202/2025/QH15), two tiers (province,
    commune); SIPAS 2025 onwards is published for these.

Names and the old → new province map come from the maintained ``vietnamadminunits`` package
(its SQLite tables ``admin_units_legacy`` / ``admin_units`` and ``converter_2025.json``), never a
hand-typed list. Province codes are the two-digit GSO codes; a code the scheme does not know keeps
the code as its label.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources
from typing import Literal

from omr.errors import BadArgumentsError

Scheme = Literal["legacy", "2025"]
SCHEMES: tuple[Scheme, ...] = ("legacy", "2025")
TABLES: dict[Scheme, str] = {"legacy": "admin_units_legacy", "2025": "admin_units"}
LEVELS: dict[Scheme, tuple[str, ...]] = {"legacy": ("province", "district", "commune"), "2025": ("province", "commune")}
"""Tiers of local government in each scheme (the report ranks only these)."""
ENGLISH = {"Hồ Chí Minh": "Ho Chi Minh City", "Huế": "Hue"}
"""English names that are not just the Vietnamese name without diacritics."""


def ascii_name(name: str) -> str:
    """The name without diacritics, as English texts print it: ``Đà Nẵng`` → ``Da Nang``."""
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def check_scheme(scheme: str) -> Scheme:
    if scheme not in SCHEMES:
        raise BadArgumentsError(f"--scheme {scheme!r}: use legacy (63 provinces, before 1 July 2025) or 2025 (34)")
    return "2025" if scheme == "2025" else "legacy"


@functools.cache
def _rows(scheme: Scheme) -> tuple[tuple[str, str, str], ...]:
    """(code, short name, key) of every province of ``scheme``, by code."""
    from vietnamadminunits.database import query

    rows = query(f"SELECT DISTINCT provinceCode, provinceShort, provinceKey FROM {TABLES[scheme]} "  # noqa: S608
                 "ORDER BY provinceCode")
    return tuple((str(r["provinceCode"]), str(r["provinceShort"]), str(r["provinceKey"])) for r in rows)


def provinces(scheme: Scheme) -> dict[str, str]:
    """GSO code → Vietnamese short name of every province of ``scheme`` (63 or 34 entries)."""
    return {code: name for code, name, _ in _rows(scheme)}


def _norm(code: str) -> str | None:
    code = code.strip()
    return code.zfill(2) if code.isdigit() else None


def province_labels(codes: list[str] | set[str], lang: str = "vi", scheme: Scheme = "legacy") -> dict[str, str]:
    """Labels of the given province codes in ``scheme`` (only codes it knows; others keep their code)."""
    names = provinces(scheme)
    out: dict[str, str] = {}
    for code in codes:
        key = _norm(code)
        name = names.get(key) if key is not None else None
        if name is not None:
            out[code] = ENGLISH.get(name, ascii_name(name)) if lang == "en" else name
    return out


@functools.cache
def merge_map() -> dict[str, str]:
    """Legacy province code → the 2025 province code it became part of (63 entries, 34 targets)."""
    data = json.loads(resources.files("vietnamadminunits").joinpath("data/converter_2025.json").read_text("utf-8"))
    new_by_key = {key: code for code, _, key in _rows("2025")}
    old_by_key = {key: code for code, _, key in _rows("legacy")}
    out: dict[str, str] = {}
    for new_key, old_keys in data["DICT_PROVINCE"].items():
        for old_key in old_keys:
            out[old_by_key[old_key]] = new_by_key[new_key]
    return out


def merged_from(new_code: str) -> list[str]:
    """Legacy codes that make up a 2025 province: ``merged_from("31")`` → ``["30", "31"]``."""
    return sorted(old for old, new in merge_map().items() if new == new_code)


def guess_scheme(codes: set[str]) -> Scheme | None:
    """``legacy`` when some province code exists only in the 63-province list; None when undecided.

    The 34 codes of 2025 are a subset of the 63 old ones (``24`` was Bắc Giang and is now Bắc
    Ninh), so a dataset whose codes are all shared cannot be told apart by its codes alone.
    """
    known = {k for k in (_norm(c) for c in codes) if k is not None}
    return "legacy" if known - set(provinces("2025")) else None
