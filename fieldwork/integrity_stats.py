"""The statistics of integrity screening, on plain arrays (no store, no images).

Every function here is pure and deterministic, so each is tested on tiny arrays:

- tails of the binomial, Poisson-binomial and chi-square laws (no SciPy needed);
- :func:`agreement_null`: the chance that two independent respondents give the same answer to each
  item, given each one's own mix of answers and the survey's item profile;
- :func:`straight_lined`: every answered row of the satisfaction grids holds one value;
- :func:`clusters`: groups of forms linked by near pairs (single linkage).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
MISSING = -1
"""Code of an unanswered (or doubly marked) item in an answer matrix."""


def binomial_upper(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p).

    >>> round(binomial_upper(2, 2, 0.5), 3)
    0.25
    """
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    logs = [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * math.log(p)
            + (n - j) * math.log1p(-p) for j in range(k, n + 1)]
    top = max(logs)
    return float(min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs)))


def poisson_binomial_upper(k: int, probs: Sequence[float] | F64) -> float:
    """P(X ≥ k) for X the number of successes of independent trials with success chances ``probs``.

    >>> round(poisson_binomial_upper(1, [0.5, 0.5]), 3)
    0.75
    """
    p = np.clip(np.asarray(probs, np.float64), 0.0, 1.0)
    if k <= 0:
        return 1.0
    if k > p.size:
        return 0.0
    dist = np.zeros(p.size + 1, np.float64)
    dist[0] = 1.0
    for i, pi in enumerate(p):
        dist[1 : i + 2] = dist[1 : i + 2] * (1.0 - pi) + dist[0 : i + 1] * pi
        dist[0] *= 1.0 - pi
    return float(min(1.0, max(0.0, dist[k:].sum())))


def chi2_lower(x: float, df: int) -> float:
    """P(X ≤ x) for X ~ chi-square with ``df`` degrees of freedom (series of the incomplete gamma).

    >>> round(chi2_lower(2.0, 2), 4)
    0.6321
    """
    if df < 1:
        raise ValueError(f"chi-square needs at least 1 degree of freedom, not {df}")
    if x <= 0.0:
        return 0.0
    a, z = df / 2.0, x / 2.0
    if z > a + 40.0 * math.sqrt(a) + 40.0:
        return 1.0
    term = total = 1.0 / a
    n = 1
    while term > total * 1e-15 and n < 10_000:
        term *= z / (a + n)
        total += term
        n += 1
    return float(min(1.0, math.exp(-z + a * math.log(z) - math.lgamma(a)) * total))


def encode_answers(rows: Sequence[Sequence[str]], scale: Sequence[str]) -> NDArray[np.int64]:
    """Answer strings (forms × items) as scale positions; blank, ``*`` or off-scale → :data:`MISSING`."""
    index = {v: i for i, v in enumerate(scale)}
    out = np.full((len(rows), len(rows[0]) if rows else 0), MISSING, np.int64)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            out[r, c] = index.get(v, MISSING)
    return out


def item_profile(answers: NDArray[np.int64], levels: int, *, smoothing: float = 0.5) -> F64:
    """Per item, how much more (or less) often each level is chosen than overall: (items × levels).

    ``m_i(v) / m(v)`` with add-``smoothing`` counts; 1 everywhere when items do not differ.
    """
    items = answers.shape[1]
    counts = np.full((items, levels), smoothing, np.float64)
    for v in range(levels):
        counts[:, v] += (answers == v).sum(axis=0)
    per_item = counts / counts.sum(axis=1, keepdims=True)
    overall = counts.sum(axis=0) / counts.sum()
    out: F64 = per_item / overall
    return out


def form_mix(row: NDArray[np.int64], levels: int, *, smoothing: float = 0.5) -> F64:
    """One form's own mix of answer levels (add-``smoothing``), summing to 1."""
    counts = np.full(levels, smoothing, np.float64)
    for v in range(levels):
        counts[v] += float((row == v).sum())
    out: F64 = counts / counts.sum()
    return out


def agreement_null(a: NDArray[np.int64], b: NDArray[np.int64], profile: F64, levels: int) -> F64:
    """Per item both forms answered, the chance two independent respondents agree on it.

    Each respondent answers item ``i`` with level ``v`` with a chance proportional to their own mix
    of levels times the survey's item profile (``item_profile``): a respondent who ticks many 5s and
    an item most people rate low both count, so only a repeated *pattern* is beyond chance.
    """
    both = (a != MISSING) & (b != MISSING)
    qa = form_mix(a, levels)[None, :] * profile[both]
    qb = form_mix(b, levels)[None, :] * profile[both]
    qa /= qa.sum(axis=1, keepdims=True)
    qb /= qb.sum(axis=1, keepdims=True)
    out: F64 = (qa * qb).sum(axis=1)
    return out


def pair_agreement(a: NDArray[np.int64], b: NDArray[np.int64]) -> tuple[int, int]:
    """(identical answers, items both answered) of two forms."""
    both = (a != MISSING) & (b != MISSING)
    return int(((a == b) & both).sum()), int(both.sum())


def straight_lined(row: NDArray[np.int64], *, min_answered: int = 5, min_share: float = 0.8) -> bool:
    """Every answered grid row holds one value, with at least ``min_answered`` rows and ``min_share``
    of all rows answered."""
    answered = row[row != MISSING]
    if answered.size < max(min_answered, math.ceil(min_share * row.size - 1e-9)):
        return False
    return bool((answered == answered[0]).all())


def clusters(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of items linked by ``pairs`` (single linkage), largest first; singletons left out."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))


def variance_lower_p(variance: float, n: int, peer_variance: float) -> float:
    """P(a sample variance of ``n`` forms ≤ ``variance``) when the forms vary as ``peer_variance``
    (normal theory: (n − 1)·s²/σ² is chi-square with n − 1 degrees of freedom)."""
    if n < 2 or peer_variance <= 0.0:
        return 1.0
    return chi2_lower((n - 1) * variance / peer_variance, n - 1)
