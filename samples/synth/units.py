"""Plausible sample-unit codes for synthetic forms (what the sample list gives each copy).

Household forms (2022 on) are drawn about 30 to a village, three villages to a commune, two
communes to a district and three districts to a province, as the SIPAS 2024 frame works out;
codes follow the GSO scheme: 2-digit province, 3-digit district, 5-digit commune, and a 2-digit
village number within its commune. Service-user forms carry the province only.
"""

from __future__ import annotations

from omr.template.model import Template
from samples.synth.ink import Rng

# (GSO province code, first district code of the province)
PROVINCES: tuple[tuple[str, int], ...] = (
    ("01", 1), ("19", 164), ("22", 193), ("30", 288), ("31", 303), ("38", 380),
    ("48", 490), ("64", 622), ("79", 760), ("92", 916),
)
PER_VILLAGE = 30
VILLAGES_PER_COMMUNE = 3
COMMUNES_PER_DISTRICT = 2
DISTRICTS_PER_PROVINCE = 3


def _household_units(count: int, rng: Rng) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    villages = -(-count // PER_VILLAGE)
    provinces = [PROVINCES[int(i)] for i in rng.permutation(len(PROVINCES))]
    per_province = VILLAGES_PER_COMMUNE * COMMUNES_PER_DISTRICT * DISTRICTS_PER_PROVINCE
    for v in range(villages):
        province, first_district = provinces[(v // per_province) % len(provinces)]
        k = v % per_province
        d = k // (VILLAGES_PER_COMMUNE * COMMUNES_PER_DISTRICT)
        district = first_district + d * int(rng.integers(1, 4))
        commune = district * 33 + (k // VILLAGES_PER_COMMUNE) % COMMUNES_PER_DISTRICT * int(rng.integers(2, 9))
        village = 1 + k % VILLAGES_PER_COMMUNE + int(rng.integers(0, 6))
        size = min(PER_VILLAGE, count - len(out))
        out += [{"province": province, "district": f"{district:03d}", "commune": f"{commune:05d}",
                 "village": f"{village:02d}"} for _ in range(size)]
    return out


def assign_units(template: Template, count: int, rng: Rng) -> list[dict[str, str]]:
    """Unit codes for ``count`` copies of ``template`` (only the template's own unit columns)."""
    codes = [u.code for u in template.sample_units]
    if not codes:
        return [{} for _ in range(count)]
    if template.instrument == "household":
        rows = _household_units(count, rng)
    else:
        rows = [{"province": PROVINCES[int(rng.integers(len(PROVINCES)))][0]} for _ in range(count)]
    generic = {c: f"{int(rng.integers(1, 100)):02d}" for c in codes}
    return [{c: row.get(c, generic[c]) for c in codes} for row in rows]
