"""The verifiable stratified draw: official and reserve lists per stratum (unit × field, or village).

Algorithm ``sipas-draw`` version 1, chosen so anyone can re-run it with any PCG64 implementation:

1. the frame is in canonical order (stratum, then person key) — file and row order do not matter;
2. each stratum has its own generator: PCG64 seeded by numpy's ``SeedSequence(seed, spawn_key=K)``
   where ``K`` is the first four big-endian 32-bit words of SHA-256 of the stratum name, so adding a
   stratum never changes another's draw;
3. one raw 64-bit output per person, in canonical order (``bit_generator.random_raw``: the PCG64
   stream, which numpy keeps stable across versions, unlike ``Generator`` methods); people sorted by
   (output, person key) give the stratum's random order;
4. the first ``quota`` are the official list, the next ``reserve`` the reserve list, in order of
   substitution. A stratum with fewer people than its quota gives them all and is reported short.

The quota of a stratum is the survey's (field, village or default) or, where none is given,
``n = N / (1 + N·e²)`` rounded up.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np

from fieldwork.frame_check import FrameRecord
from fieldwork.survey import Survey, formula_size, stratum_key

ALGORITHM = "sipas-draw"
VERSION = 1


@dataclass(frozen=True)
class StratumDraw:
    """The outcome of one stratum (counts; the people are in the lists)."""

    stratum: str
    unit: str
    group: str
    population: int
    quota: int
    quota_rule: Literal["survey", "formula"]
    official: tuple[FrameRecord, ...]
    reserve: tuple[FrameRecord, ...]

    @property
    def short(self) -> int:
        return max(self.quota - len(self.official), 0)


@dataclass(frozen=True)
class Draw:
    seed: int
    strata: tuple[StratumDraw, ...]


def stratum_spawn_key(stratum: str) -> tuple[int, ...]:
    digest = hashlib.sha256(stratum.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "big") for i in range(0, 16, 4))


def random_order(records: list[FrameRecord], seed: int, stratum: str) -> list[FrameRecord]:
    """``records`` (any order) in the stratum's random order for ``seed`` (steps 1–3 above)."""
    canon = sorted(records, key=lambda r: r.person)
    bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=stratum_spawn_key(stratum)))
    keys = bits.random_raw(len(canon)) if canon else np.zeros(0, dtype=np.uint64)
    return [rec for _, rec in sorted(zip(keys.tolist(), canon, strict=True), key=lambda p: (p[0], p[1].person))]


def draw(survey: Survey, records: tuple[FrameRecord, ...], seed: int) -> Draw:
    """Draw every stratum of ``survey`` from ``records`` (strata in the survey's order)."""
    by_stratum: dict[str, list[FrameRecord]] = defaultdict(list)
    for rec in records:
        by_stratum[rec.stratum].append(rec)
    out = []
    for unit in survey.units:
        for group in survey.groups(unit):
            key = stratum_key(unit, group)
            people = by_stratum.get(key, [])
            given = survey.quota_of(group)
            quota = given if given is not None else formula_size(len(people), survey.margin_of_error)
            order = random_order(people, seed, key)
            reserve = survey.reserve.for_quota(quota)
            out.append(StratumDraw(key, unit.code, group.code, len(people), quota,
                                   "survey" if given is not None else "formula",
                                   tuple(order[:quota]), tuple(order[quota:quota + reserve])))
    return Draw(seed, tuple(out))
