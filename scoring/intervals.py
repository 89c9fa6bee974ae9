"""95 % intervals of every index and share: a percentile bootstrap over forms with a fixed seed.

Why a bootstrap: an item index is a share, but an element, aspect or the overall index is a *mean
of shares* whose denominators differ (blank answers leave an item's denominator), so no textbook
formula fits them all. Resampling whole forms keeps the answers of one respondent together and
gives every indicator an interval by the same rule:

1. A unit's forms are drawn with replacement, as many as it has, :data:`REPLICATES` times.
2. Each replicate's per-form counts are summed and turned into indices exactly as the point
   estimate is (:func:`scoring.indices.satisfaction_table`, :func:`~scoring.indices.share_table`).
3. The interval is the 2.5th and 97.5th percentile of the replicate values.

The random stream is seeded with :data:`SEED` and the unit's level and path, so the same data give
the same intervals on every run and machine. When the national value is the mean of the provinces,
the national replicates are the means of the provincial replicates (forms resampled within each
province). A unit with one form gets a zero-width interval: its warning (fewer forms than
``--min-forms``) is what the reader should see. See docs/scoring.md.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv

from omr.template.model import Template
from scoring.indices import satisfaction_table, share_table
from scoring.options import REPLICATES, SEED, IndexOptions
from scoring.results import ShareKey

CHUNK = 100
"""Replicates drawn at once (bounds memory for large units)."""
LEVEL = 0.95


@dataclass(frozen=True)
class Replicates:
    """Replicate values of one unit: ``values`` (replicates × indicators), ``shares`` (replicates × keys)."""

    values: pd.DataFrame
    shares: pd.DataFrame


def method_tag(replicates: int = REPLICATES, seed: int = SEED) -> str:
    """What :attr:`scoring.results.Results.interval` records: ``bootstrap:1000:20250701``."""
    return f"bootstrap:{replicates}:{seed}"


def _rng(seed: int, level: str, path: tuple[str, ...]) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(("/".join((level, *path))).encode("utf-8"))])


def replicate(counts: pd.DataFrame, template: Template, options: IndexOptions, shares: list[ShareKey],
              level: str, path: tuple[str, ...], *, replicates: int = REPLICATES, seed: int = SEED) -> Replicates:
    """Bootstrap replicates of one unit from its per-form ``counts`` (rows = forms)."""
    n = len(counts)
    matrix = counts.to_numpy(dtype=np.int64)
    rng = _rng(seed, level, path)
    blocks: list[np.ndarray] = []
    for start in range(0, replicates, CHUNK):
        size = min(CHUNK, replicates - start)
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=size) if n else np.zeros((size, 0), dtype=np.int64)
        blocks.append(weights @ matrix)
    sums = pd.DataFrame(np.vstack(blocks), columns=counts.columns)
    return Replicates(satisfaction_table(sums, template, options), share_table(sums, shares))


def mean_of(units: list[Replicates]) -> Replicates:
    """Replicates of an unweighted mean of units (NaN-skipping, like the point estimate)."""
    def avg(frames: list[pd.DataFrame]) -> pd.DataFrame:
        stack = np.stack([f.to_numpy(dtype="float64") for f in frames])
        with np.errstate(invalid="ignore"):
            counted = np.sum(~np.isnan(stack), axis=0)
            total = np.nansum(stack, axis=0)
            mean = np.where(counted > 0, total / np.where(counted > 0, counted, 1), np.nan)
        return pd.DataFrame(mean, columns=frames[0].columns)
    return Replicates(avg([u.values for u in units]), avg([u.shares for u in units]))


def bounds(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Percentile interval of each column (columns with no finite replicate are left out)."""
    arr = frame.to_numpy(dtype="float64")
    out: dict[str, tuple[float, float]] = {}
    tail = 100.0 * (1.0 - LEVEL) / 2.0
    for j, col in enumerate(frame.columns):
        col_values = arr[:, j]
        col_values = col_values[~np.isnan(col_values)]
        if col_values.size == 0:
            continue
        lo, hi = np.percentile(col_values, [tail, 100.0 - tail])
        out[str(col)] = (float(lo), float(hi))
    return out
