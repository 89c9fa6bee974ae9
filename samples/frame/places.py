"""Administrative units for synthetic frames, and residence addresses written the ways units write them.

Unit names and codes come from the ``vietnamadminunits`` data (legacy and 2025 schemes and the
mapping between them). The truth of an address is the unit it was made from, never a parse of it.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fieldwork.text import strip_accents


@dataclass(frozen=True)
class Ward:
    """A commune-level unit as addresses name it."""

    code: str
    kind: str  # Phường | Xã | Thị trấn | Đặc khu
    short: str
    district_kind: str  # Quận | Huyện | Thị xã | Thành phố ("" in 2025)
    district_short: str
    province_short: str
    province_full: str
    key: str = ""


def _query(sql: str, *args: str) -> list[dict[str, Any]]:
    import sqlite3

    import vietnamadminunits

    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


@functools.cache
def legacy_wards(province: str) -> tuple[Ward, ...]:
    rows = _query("SELECT DISTINCT * FROM admin_units_legacy WHERE provinceCode = ? AND wardCode IS NOT NULL "
                  "ORDER BY wardCode", province)
    return tuple(Ward(r["wardCode"], r["wardType"], _bare(r["wardShort"], r["wardType"]), r["districtType"],
                      _bare(r["districtShort"], r["districtType"]), r["provinceShort"], r["province"],
                      f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}")
                 for r in rows if r["wardCode"])


def _bare(short: str, kind: str) -> str:
    """``Phường 15`` → ``15``: numbered units keep their kind in the data's short name."""
    return short[len(kind) + 1:] if kind and short.startswith(kind + " ") else short


@functools.cache
def new_wards(province: str) -> tuple[Ward, ...]:
    rows = _query("SELECT DISTINCT * FROM admin_units WHERE provinceCode = ? ORDER BY wardCode", province)
    return tuple(Ward(r["wardCode"], r["wardType"], _bare(r["wardShort"], r["wardType"]), "", "", r["provinceShort"],
                      r["province"],
                      f"{r['provinceKey']}|{r['wardKey']}") for r in rows if r["wardCode"])


def district_of(province: str, district: str) -> tuple[Ward, ...]:
    """Legacy wards of a district, by district code."""
    codes = {r["wardCode"] for r in _query("SELECT wardCode FROM admin_units_legacy WHERE districtCode = ?", district)}
    return tuple(w for w in legacy_wards(province) if w.code in codes)


@functools.cache
def _conversion() -> dict[str, Any]:
    import vietnamadminunits

    path = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def old_wards_of(new: Ward) -> tuple[tuple[Ward, ...], tuple[Ward, ...]]:
    """Legacy wards that went whole into ``new``, and legacy wards split between ``new`` and others."""
    province_key, ward_key = new.key.split("|")
    conv = _conversion()
    whole = set(conv["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {}).get(ward_key, []))
    split = {k for k, v in conv["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {}).items()
             if ward_key in {w["newWardKey"] for w in v} and len({w["newWardKey"] for w in v}) > 1}
    olds = [w for code in _old_provinces(province_key) for w in legacy_wards(code)]
    return tuple(w for w in olds if w.key in whole), tuple(w for w in olds if w.key in split)


def _old_provinces(new_province_key: str) -> tuple[str, ...]:
    keys = _conversion()["DICT_PROVINCE"].get(new_province_key, [])
    rows = _query("SELECT DISTINCT provinceKey, provinceCode FROM admin_units_legacy")
    return tuple(r["provinceCode"] for r in rows if r["provinceKey"] in keys)


STREETS = ("Nguyễn Văn Cừ", "Ngọc Lâm", "Nguyễn Sơn", "Ngô Gia Tự", "Long Biên 2", "Hồng Tiến", "Cổ Linh",
           "Thạch Bàn", "Sài Đồng", "Phúc Lợi", "Vũ Xuân Thiều", "Đức Giang", "Trường Lâm", "Thanh Am", "Lâm Du")
DISTRICT_ABBR = {"Quận": "Q.", "Huyện": "H.", "Thị xã": "TX.", "Thành phố": "TP."}
WARD_ABBR = {"Phường": "P.", "Xã": "X.", "Thị trấn": "TT.", "Đặc khu": "ĐK."}


def _street(rng: random.Random, village: str) -> str:
    n = rng.randint(1, 250)
    styles = (f"Số {n} ngõ {rng.randint(1, 120)} phố {rng.choice(STREETS)}",
              f"{n}/{rng.randint(1, 60)} {rng.choice(STREETS)}",
              f"số nhà {n}, {village or 'tổ ' + str(rng.randint(1, 30))}",
              f"Tổ {rng.randint(1, 30)}", f"{n} đường {rng.choice(STREETS)}")
    street = rng.choice(styles)
    return f"{street}, {village}" if village and village not in street and rng.random() < 0.5 else street


def legacy_address(rng: random.Random, w: Ward, village: str = "") -> str:
    """A legacy-scheme address (district named) in one of several real-looking styles."""
    street = _street(rng, village)
    style = rng.randrange(6)
    if "(" in w.short:  # "Yên Viên (Xã)": a name two communes share; lists write the kind, never the brackets
        w = replace(w, short=w.short.split(" (")[0])
        style = 0
    if style == 4 and (w.short.isdigit() or w.district_short.isdigit()):
        style = 1  # "Phường 15, Quận 10" is never written "15, 10"
    if style == 0:
        return f"{street}, {w.kind} {w.short}, {w.district_kind} {w.district_short}, {w.province_full}"
    if style == 1:
        return f"{street}, {WARD_ABBR[w.kind]} {w.short}, {DISTRICT_ABBR[w.district_kind]} {w.district_short}, " + \
            _province_abbr(w)
    if style == 2:
        return strip_accents(f"{street}, {w.kind} {w.short}, {w.district_kind} {w.district_short}, {w.province_short}")
    if style == 3:
        return f"{street} {w.kind.lower()} {w.short} {w.district_kind.lower()} {w.district_short} {w.province_short}"
    if style == 4:
        return f"{street}, {w.short}, {w.district_short}, {w.province_short}"
    if "-" in w.province_short:
        return f"{street}, {w.kind} {w.short}, {w.district_kind} {w.district_short}, {w.province_short}"
    return f"Số {rng.randint(1, 250)} {rng.choice(STREETS)} - {WARD_ABBR[w.kind]}{w.short} - " \
           f"{DISTRICT_ABBR[w.district_kind]}{w.district_short} - {w.province_short}"


def new_address(rng: random.Random, w: Ward, village: str = "") -> str:
    """A 2025-scheme address (province and commune only) in one of several styles."""
    street = _street(rng, village)
    style = rng.randrange(4)
    if "(" in w.short:
        w = replace(w, short=w.short.split(" (")[0])
        style = 0
    if style == 0:
        return f"{street}, {w.kind} {w.short}, {w.province_full}"
    if style == 1:
        return f"{street}, {WARD_ABBR[w.kind]} {w.short}, {_province_abbr(w)}"
    if style == 2:
        return strip_accents(f"{street}, {w.kind} {w.short}, {w.province_short}")
    return f"{street}, {w.kind.lower()} {w.short}, {w.province_short.lower()}"


def _province_abbr(w: Ward) -> str:
    return ("TP " if w.province_full.startswith("Thành phố") else "tỉnh ") + w.province_short
