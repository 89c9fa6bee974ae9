"""Ranks and ranges of the units of one level.

Ranks: 1 = highest; equal values (to 1e-9) share the best rank ("1, 2, 2, 4"); units without a
value get none.
"""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv

from scoring.results import Range, UnitResult

TIE_DECIMALS = 9


def rank(values: dict[str, float | None]) -> dict[str, int]:
    """Competition ranks (1 = highest, ties share the best rank); units without a value get none."""
    series = pd.Series({k: v for k, v in values.items() if v is not None}, dtype="float64")
    ranks = series.round(TIE_DECIMALS).rank(method="min", ascending=False)
    return {k: int(r) for k, r in ranks.items()}


def with_ranks(units: list[UnitResult], codes: list[str]) -> list[UnitResult]:
    """The units with their ranks on every indicator of ``codes``."""
    per_code = {c: rank({"/".join(u.path): u.values.get(c) for u in units}) for c in codes}
    return [u.model_copy(update={"ranks": {c: per_code[c]["/".join(u.path)]
                                           for c in codes if "/".join(u.path) in per_code[c]}})
            for u in units]


def ranges(level: str, units: list[UnitResult], codes: list[str]) -> list[Range]:
    """Lowest and highest unit of each indicator."""
    out = []
    for c in codes:
        vals = [(u.values[c], u.label) for u in units if u.values.get(c) is not None]
        if not vals:
            continue
        lo = min(vals, key=lambda t: t[0])  # type: ignore[arg-type,return-value]
        hi = max(vals, key=lambda t: t[0])  # type: ignore[arg-type,return-value]
        out.append(Range(level=level, indicator=c, min=lo[0], min_unit=lo[1], max=hi[0], max_unit=hi[1]))
    return out
