"""Integrity screening: per unit, signs that forms were not filled by independent respondents.

Flags are questions for a monitor, never exclusions: nothing here changes an answer, a state or a score.
Six screens, each per unit of the survey (see docs/fieldwork-integrity.md for the reasoning):

``pattern``          pairs of forms whose satisfaction answers are identical far beyond chance, in clusters;
``straight-lining``  more forms with one answer on every satisfaction-grid row than the survey's share;
``collected-early``  forms the post collected before it delivered them (ledger days);
``same-day-bulk``    many forms collected the day they were delivered, far above the other units' share;
``hand``             many pairs of forms closer in ink and digit shapes than the survey's respondents are;
``uniform``          per-form satisfaction varying far less than in the peer units.

Every threshold of a unit is set on the *other* units (their answers, their hands), never on the unit
tested, so a unit filled by one hand cannot hide itself by shaping its own yardstick.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from fieldwork.integrity_data import FormData, PostDays, ScreenData
from fieldwork.integrity_hand import HandFeatures, digit_distance
from fieldwork.integrity_stats import (
    MISSING,
    agreement_null,
    binomial_upper,
    clusters,
    item_profile,
    pair_agreement,
    poisson_binomial_upper,
    straight_lined,
    variance_lower_p,
)
from omr.template.model import GridField, SingleField, Template

FlagKind = Literal["pattern", "straight-lining", "collected-early", "same-day-bulk", "hand", "uniform"]
FLAG_KINDS: tuple[FlagKind, ...] = ("pattern", "straight-lining", "collected-early", "same-day-bulk", "hand",
                                    "uniform")
I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class ScreenOptions:
    """Thresholds of the screens (the defaults are documented in docs/fieldwork-integrity.md)."""

    pair_min_share: float = 0.85
    """A near-identical pair shares at least this share of the satisfaction items both answered."""
    pair_alpha: float = 0.001
    """… and is beyond chance at this level, Bonferroni-corrected over the unit's pairs."""
    min_items: int = 10
    """Pairs with fewer items answered in common are not compared."""
    min_cluster: int = 3
    """A unit is flagged for patterns (or hands) when a cluster holds at least this many forms."""
    straight_alpha: float = 0.01
    """Binomial test level of a unit's straight-lined share (Bonferroni over units)."""
    straight_min_forms: int = 2
    bulk_alpha: float = 0.01
    bulk_min_forms: int = 5
    near_quantile: float = 0.02
    """A hand-near pair is closer than this quantile of the distances between respondents of other units."""
    near_ratio: float = 4.0
    """A unit is flagged for hands when its near pairs are this many times what the quantile expects…"""
    near_min_pairs: int = 6
    """… and at least this many."""
    uniform_alpha: float = 0.01
    uniform_ratio: float = 0.5
    """A unit is flagged as uniform when its score variance is below this share of the peers' median…"""
    min_forms: int = 5
    """Units with fewer scanned forms are listed but not tested (straight-lining, hands, uniformity)."""
    max_reference_pairs: int = 20_000
    seed: int = 20240601
    """Seed of the subsample of reference pairs (large surveys): the same data gives the same flags."""


@dataclass(frozen=True)
class Flag:
    """One question for a monitor: which unit, which screen, what was seen and on which forms."""

    unit: str
    kind: FlagKind
    summary: str
    p_value: float | None
    forms: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...] = ()
    """(what, value): numbers, days, or the answers the forms share."""


@dataclass(frozen=True)
class UnitScores:
    """Every measure of one unit, flagged or not (the report's table)."""

    unit: str
    forms: int
    pattern_pairs: int = 0
    pattern_cluster: int = 0
    pattern_max_share: float | None = None
    pattern_min_p: float | None = None
    straight: int = 0
    straight_p: float | None = None
    post_forms: int = 0
    collected_early: int = 0
    same_day: int = 0
    same_day_p: float | None = None
    hand_pairs: int = 0
    hand_compared: int = 0
    hand_expected: float | None = None
    hand_threshold: float | None = None
    hand_cluster: int = 0
    score_mean: float | None = None
    score_variance: float | None = None
    variance_ratio: float | None = None
    uniform_p: float | None = None


@dataclass(frozen=True)
class ScreenResult:
    """The screen of one survey: per-unit measures and the flags."""

    survey: str
    template: str
    forms: int
    without_unit: tuple[str, ...]
    straight_share: float | None
    units: tuple[UnitScores, ...]
    flags: tuple[Flag, ...]
    options: ScreenOptions = field(default_factory=ScreenOptions)

    def flagged(self, kind: FlagKind) -> list[str]:
        """Units flagged by one screen."""
        return sorted({f.unit for f in self.flags if f.kind == kind})


@dataclass(frozen=True)
class Items:
    """The satisfaction items (scoring map order), each with its answer scale, and the straight-lining rows."""

    codes: tuple[str, ...]
    scales: tuple[tuple[str, ...], ...]
    grid_rows: tuple[str, ...]

    @property
    def levels(self) -> int:
        return max(len(s) for s in self.scales)


def satisfaction_items(template: Template) -> Items:
    """The scoring items of ``template`` and the rows of the grids that hold them (Q9-style grids)."""
    codes = [it for a in template.require_scoring().aspects for e in a.elements for it in e.items]
    codes = list(dict.fromkeys(codes))
    scales: list[tuple[str, ...]] = []
    grids: list[GridField] = []
    for code in codes:
        q = template.question_of(code)
        if isinstance(q, GridField):
            scales.append(tuple(o.value for o in q.scale))
            if q not in grids:
                grids.append(q)
        elif isinstance(q, SingleField):
            scales.append(tuple(o.value for o in q.options))
    rows = tuple(r.code for g in grids for r in g.rows)
    return Items(tuple(codes), tuple(scales), rows)


def encode(forms: Sequence[FormData], codes: Sequence[str], scales: Sequence[Sequence[str]]) -> I64:
    """Forms × items matrix of scale positions (:data:`MISSING` for blank, double or off-scale)."""
    out = np.full((len(forms), len(codes)), MISSING, np.int64)
    index = [{v: i for i, v in enumerate(s)} for s in scales]
    col = {c: j for j, c in enumerate(codes)}
    for r, f in enumerate(forms):
        for code, value in f.answers:
            j = col.get(code)
            if j is not None:
                out[r, j] = index[j].get(value, MISSING)
    return out


def _bonferroni(p: float, tests: int) -> float:
    return min(1.0, p * max(1, tests))


# -- 1. answer patterns -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PatternResult:
    pairs: tuple[tuple[int, int, int, int, float], ...]
    """Near-identical pairs: (i, j, identical, compared, corrected p)."""
    max_share: float | None
    min_p: float | None


def pattern_pairs(unit: I64, profile: F64, levels: int, options: ScreenOptions) -> PatternResult:
    """Pairs of a unit's forms (rows of ``unit``) identical far beyond chance; ``profile`` comes from
    the other units (:func:`fieldwork.integrity_stats.item_profile`)."""
    n = unit.shape[0]
    tests = n * (n - 1) // 2
    found: list[tuple[int, int, int, int, float]] = []
    best_share: float | None = None
    best_p: float | None = None
    for i in range(n):
        for j in range(i + 1, n):
            same, both = pair_agreement(unit[i], unit[j])
            if both < options.min_items:
                continue
            share = same / both
            best_share = share if best_share is None else max(best_share, share)
            if share < options.pair_min_share:
                continue
            p = _bonferroni(poisson_binomial_upper(same, agreement_null(unit[i], unit[j], profile, levels)), tests)
            best_p = p if best_p is None else min(best_p, p)
            if p < options.pair_alpha:
                found.append((i, j, same, both, p))
    return PatternResult(tuple(found), best_share, best_p)


def shared_answers(rows: I64, codes: Sequence[str], scales: Sequence[Sequence[str]], *,
                   min_share: float = 0.8) -> list[tuple[str, str]]:
    """(item, "value (k of n forms)") of the items at least ``min_share`` of the rows answered alike."""
    out: list[tuple[str, str]] = []
    n = rows.shape[0]
    for j, code in enumerate(codes):
        col = rows[:, j]
        col = col[col != MISSING]
        if not col.size:
            continue
        values, counts = np.unique(col, return_counts=True)
        k = int(counts.max())
        if k >= min_share * n:
            out.append((code, f"{scales[j][int(values[int(counts.argmax())])]} ({k} of {n} forms)"))
    return out


# -- 4. hands -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HandPairs:
    """Raw distances of pairs of forms: ink measure differences and digit distance (NaN: none)."""

    i: I64
    j: I64
    ink_diff: F64
    digit: F64


def hand_pairs(feats: Sequence[HandFeatures], i: I64, j: I64) -> HandPairs:
    ink = np.full((i.size, 4), np.nan)
    dig = np.full(i.size, np.nan)
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        fa, fb = feats[a], feats[b]
        if fa.ink is not None and fb.ink is not None:
            ink[k] = np.abs(np.asarray(fa.ink) - np.asarray(fb.ink))
        d = digit_distance(fa.digits, fb.digits)
        if d is not None:
            dig[k] = d
    return HandPairs(i, j, ink, dig)


def robust_scale(values: F64) -> F64:
    """Per column, 1.4826 × the median absolute deviation (the standard deviation when that is 0)."""
    med = np.nanmedian(values, axis=0)
    mad = 1.4826 * np.nanmedian(np.abs(values - med), axis=0)
    sd = np.nanstd(values, axis=0)
    out: F64 = np.where(mad > 1e-9, mad, np.where(sd > 1e-9, sd, 1.0))
    return out


def combined_distance(pairs: HandPairs, ink_scale: F64, ink_med: float, digit_med: float) -> F64:
    """Ink and digit distances, each over its reference median, added (twice the one known when only one is)."""
    ink = np.linalg.norm(pairs.ink_diff / ink_scale, axis=1) / max(ink_med, 1e-9)
    dig = pairs.digit / max(digit_med, 1e-9)
    out: F64 = np.where(np.isnan(ink), 2 * dig, np.where(np.isnan(dig), 2 * ink, ink + dig))
    return out


# -- the screen -----------------------------------------------------------------------------------

class _Screen:
    def __init__(self, data: ScreenData, template: Template, feats: Sequence[HandFeatures] | None,
                 options: ScreenOptions) -> None:
        self.data, self.template, self.o = data, template, options
        self.items = satisfaction_items(template)
        self.forms = list(data.forms)
        self.unit_of = np.array([f.unit for f in self.forms], dtype=object)
        self.units = data.units()
        self.tests = max(1, len(self.units))
        self.matrix = encode(self.forms, self.items.codes, self.items.scales)
        self.grid = encode(self.forms, self.items.grid_rows,
                           [self.items.scales[self.items.codes.index(c)] if c in self.items.codes
                            else self._scale_of(c) for c in self.items.grid_rows])
        self.feats = feats
        self.flags: list[Flag] = []

    def _scale_of(self, code: str) -> tuple[str, ...]:
        q = self.template.question_of(code)
        return tuple(o.value for o in q.scale) if isinstance(q, GridField) else ()

    def rows(self, unit: str) -> I64:
        return np.flatnonzero(self.unit_of == unit).astype(np.int64)

    def ids(self, idx: Sequence[int] | I64) -> tuple[str, ...]:
        return tuple(self.forms[int(k)].form_id for k in idx)

    # 1
    def pattern(self, unit: str) -> dict[str, object]:
        idx = self.rows(unit)
        others = self.matrix[self.unit_of != unit]
        profile = item_profile(others if others.shape[0] else self.matrix, self.items.levels)
        res = pattern_pairs(self.matrix[idx], profile, self.items.levels, self.o)
        groups = clusters(idx.size, [(i, j) for i, j, *_ in res.pairs])
        largest = groups[0] if groups else []
        if len(largest) >= self.o.min_cluster:
            members = idx[largest]
            shared = shared_answers(self.matrix[members], self.items.codes, self.items.scales)
            inside = [p for p in res.pairs if p[0] in largest and p[1] in largest]
            worst = max(p[4] for p in inside)
            mean_share = float(np.mean([p[2] / p[3] for p in inside]))
            self.flags.append(Flag(
                unit, "pattern",
                f"{len(largest)} forms with near-identical satisfaction answers ({len(inside)} pairs, "
                f"mean {mean_share:.0%} identical)",
                worst, self.ids(members),
                (("pairs", str(len(inside))), ("mean identical share", f"{mean_share:.3f}"),
                 ("largest corrected p of the pairs", f"{worst:.2e}"),
                 ("items answered alike on at least 80% of them", f"{len(shared)} of {len(self.items.codes)}"),
                 *shared)))
        return {"pattern_pairs": len(res.pairs), "pattern_cluster": len(largest),
                "pattern_max_share": res.max_share, "pattern_min_p": res.min_p}

    # 2
    def straight(self, unit: str, lined: NDArray[np.bool_]) -> dict[str, object]:
        idx = self.rows(unit)
        k, n = int(lined[idx].sum()), int(idx.size)
        other = lined[self.unit_of != unit]
        p_ref = (float(other.sum()) + 1.0) / (other.size + 2.0)
        if n < self.o.min_forms:
            return {"straight": k}
        p = binomial_upper(k, n, p_ref)
        if k >= self.o.straight_min_forms and p * self.tests < self.o.straight_alpha:
            self.flags.append(Flag(unit, "straight-lining",
                                   f"{k} of {n} forms straight-lined (other units: {p_ref:.1%})",
                                   _bonferroni(p, self.tests), self.ids(idx[lined[idx]]),
                                   (("straight-lined", f"{k} of {n}"), ("other units' share", f"{p_ref:.3f}"),
                                    ("binomial p (corrected)", f"{_bonferroni(p, self.tests):.2e}"))))
        return {"straight": k, "straight_p": p}

    # 3
    def post(self, unit: str) -> dict[str, object]:
        mine = [p for p in self.data.post if p.unit == unit]
        early = [p for p in mine if p.delivered_on and p.collected_on and p.collected_on < p.delivered_on]
        if early:
            self.flags.append(Flag(unit, "collected-early",
                                   f"{len(early)} form(s) collected before they were delivered", None,
                                   tuple(p.form_id for p in early),
                                   tuple((p.form_id, f"delivered {p.delivered_on}, collected {p.collected_on}")
                                         for p in early)))
        both = [p for p in mine if p.delivered_on and p.collected_on]
        same = [p for p in both if p.collected_on == p.delivered_on]
        ref = [p for p in self.data.post if p.unit != unit and p.delivered_on and p.collected_on]
        p_ref = (sum(p.collected_on == p.delivered_on for p in ref) + 1.0) / (len(ref) + 2.0)
        out: dict[str, object] = {"post_forms": len(both), "collected_early": len(early), "same_day": len(same)}
        if both:
            pv = binomial_upper(len(same), len(both), p_ref)
            out["same_day_p"] = pv
            if len(same) >= self.o.bulk_min_forms and pv * self.tests < self.o.bulk_alpha:
                days = _by_day(same)
                self.flags.append(Flag(unit, "same-day-bulk",
                                       f"{len(same)} of {len(both)} forms collected the day they were delivered "
                                       f"(other units: {p_ref:.1%})", _bonferroni(pv, self.tests),
                                       tuple(p.form_id for p in same),
                                       (("same day", f"{len(same)} of {len(both)}"),
                                        ("other units' share", f"{p_ref:.3f}"),
                                        *((f"{d}", f"{c} forms") for d, c in days))))
        return out

    # 4
    def hand(self, unit: str, ref: HandPairs, ref_units: tuple[NDArray[np.object_], NDArray[np.object_]],
             ) -> dict[str, object]:
        assert self.feats is not None
        idx = self.rows(unit)
        if idx.size < self.o.min_forms:
            return {}
        keep = (ref_units[0] != unit) & (ref_units[1] != unit)
        r = HandPairs(ref.i[keep], ref.j[keep], ref.ink_diff[keep], ref.digit[keep])
        ink_rows = np.array([f.ink for k, f in enumerate(self.feats) if f.ink is not None and self.unit_of[k] != unit])
        if r.i.size < 20:
            return {}
        ink_scale = robust_scale(ink_rows) if ink_rows.size else np.ones(4)
        ink_norm = np.linalg.norm(r.ink_diff / ink_scale, axis=1)
        ink_med = float(np.nanmedian(ink_norm)) if np.isfinite(ink_norm).any() else 1.0
        dig_med = float(np.nanmedian(r.digit)) if np.isfinite(r.digit).any() else 1.0
        ref_d = combined_distance(r, ink_scale, ink_med, dig_med)
        ref_d = ref_d[np.isfinite(ref_d)]
        if ref_d.size < 20:
            return {}
        threshold = float(np.quantile(ref_d, self.o.near_quantile))
        ii, jj = np.triu_indices(idx.size, k=1)
        mine = hand_pairs(self.feats, idx[ii], idx[jj])
        d = combined_distance(mine, ink_scale, ink_med, dig_med)
        ok = np.isfinite(d)
        near = ok & (d < threshold)
        compared = int(ok.sum())
        expected = self.o.near_quantile * compared
        groups = clusters(idx.size, list(zip(ii[near].tolist(), jj[near].tolist(), strict=True)))
        largest = groups[0] if groups else []
        n_near = int(near.sum())
        if n_near >= self.o.near_min_pairs and n_near >= self.o.near_ratio * expected \
                and len(largest) >= self.o.min_cluster:
            p = binomial_upper(n_near, compared, self.o.near_quantile)
            self.flags.append(Flag(
                unit, "hand",
                f"{n_near} of {compared} pairs of forms as alike in ink and digit shapes as the closest "
                f"{self.o.near_quantile:.0%} of other units' respondents (expected {expected:.1f}); "
                f"largest group {len(largest)} forms",
                p, self.ids(idx[largest]),
                (("near pairs", f"{n_near} of {compared}"), ("expected by chance", f"{expected:.1f}"),
                 ("distance threshold (other units' quantile)", f"{threshold:.3f}"),
                 ("median distance in this unit", f"{float(np.median(d[ok])):.3f}"),
                 ("largest group", str(len(largest))))))
        return {"hand_pairs": n_near, "hand_compared": compared, "hand_expected": expected,
                "hand_threshold": threshold, "hand_cluster": len(largest)}

    # 5
    def uniform(self, unit: str, scores: F64, variances: dict[str, tuple[float, int]]) -> dict[str, object]:
        idx = self.rows(unit)
        s = scores[idx]
        s = s[np.isfinite(s)]
        out: dict[str, object] = {"score_mean": float(s.mean()) if s.size else None}
        if unit not in variances:
            return out
        var, n = variances[unit]
        peers = {u: v for u, v in variances.items() if u != unit}
        out["score_variance"] = var
        if not peers:
            return out
        pooled = sum(v * (m - 1) for v, m in peers.values()) / max(1, sum(m - 1 for _, m in peers.values()))
        median = float(np.median([v for v, _ in peers.values()]))
        ratio = var / median if median > 0 else None
        p = variance_lower_p(var, n, pooled)
        out |= {"variance_ratio": ratio, "uniform_p": p}
        if ratio is not None and ratio < self.o.uniform_ratio and p * self.tests < self.o.uniform_alpha:
            self.flags.append(Flag(unit, "uniform",
                                   f"satisfaction varies {1 / max(ratio, 1e-9):.1f}× less than in the peer units",
                                   _bonferroni(p, self.tests), self.ids(idx),
                                   (("variance of the per-form score", f"{var:.4f}"),
                                    ("peers' median variance", f"{median:.4f}"),
                                    ("ratio", f"{ratio:.3f}"), ("forms", str(n)),
                                    ("chi-square p (corrected)", f"{_bonferroni(p, self.tests):.2e}"))))
        return out

    def form_scores(self) -> F64:
        """Per form: mean scale position of the answered satisfaction items, 0 (lowest) .. 1 (highest)."""
        sizes = np.array([len(s) - 1 for s in self.items.scales], np.float64)
        m = self.matrix.astype(np.float64)
        answered = self.matrix != MISSING
        pos = np.where(answered, m / np.maximum(sizes, 1.0), 0.0)
        count = answered.sum(axis=1)
        enough = count >= max(1, math.ceil(0.5 * self.matrix.shape[1]))
        out: F64 = np.where(enough, pos.sum(axis=1) / np.maximum(count, 1), np.nan)
        return out

    def run(self) -> ScreenResult:
        lined = np.array([straight_lined(r) for r in self.grid], dtype=bool) if len(self.forms) else np.zeros(0, bool)
        scores = self.form_scores()
        variances: dict[str, tuple[float, int]] = {}
        for u in self.units:
            s = scores[self.rows(u)]
            s = s[np.isfinite(s)]
            if s.size >= self.o.min_forms:
                variances[u] = (float(np.var(s, ddof=1)), int(s.size))
        ref, ref_units = self._reference_pairs()
        table: list[UnitScores] = []
        for u in self.units:
            values: dict[str, object] = {"unit": u, "forms": int(self.rows(u).size)}
            if values["forms"]:
                values |= self.pattern(u)
                values |= self.straight(u, lined)
            values |= self.post(u)
            if self.feats is not None and ref is not None and ref_units is not None:
                values |= self.hand(u, ref, ref_units)
            values |= self.uniform(u, scores, variances)
            table.append(UnitScores(**values))  # type: ignore[arg-type]
        share = float(lined.mean()) if lined.size else None
        order = {k: i for i, k in enumerate(FLAG_KINDS)}
        flags = tuple(sorted(self.flags, key=lambda f: (f.unit, order[f.kind])))
        return ScreenResult("", self.template.name, len(self.forms), self.data.without_unit, share, tuple(table),
                            flags, self.o)

    def _reference_pairs(self) -> tuple[HandPairs | None, tuple[NDArray[np.object_], NDArray[np.object_]] | None]:
        """Pairs of forms of different units (a seeded subsample when there are many)."""
        if self.feats is None or len(self.forms) < 2:
            return None, None
        ii, jj = np.triu_indices(len(self.forms), k=1)
        cross = self.unit_of[ii] != self.unit_of[jj]
        ii, jj = ii[cross], jj[cross]
        if ii.size > self.o.max_reference_pairs:
            pick = np.sort(np.random.default_rng(self.o.seed).choice(ii.size, self.o.max_reference_pairs,
                                                                     replace=False))
            ii, jj = ii[pick], jj[pick]
        pairs = hand_pairs(self.feats, ii.astype(np.int64), jj.astype(np.int64))
        return pairs, (self.unit_of[ii], self.unit_of[jj])


def _by_day(rows: Sequence[PostDays]) -> list[tuple[str, int]]:
    days: dict[str, int] = {}
    for p in rows:
        key = p.delivered_on.isoformat() if p.delivered_on else "?"
        days[key] = days.get(key, 0) + 1
    return sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))


def screen(data: ScreenData, template: Template, feats: Sequence[HandFeatures] | None, *, survey: str,
           options: ScreenOptions | None = None) -> ScreenResult:
    """Run every screen on ``data`` (``feats``: hand features of ``data.forms`` in order, None to skip hands)."""
    result = _Screen(data, template, feats, options or ScreenOptions()).run()
    return ScreenResult(survey, result.template, result.forms, result.without_unit, result.straight_share,
                        result.units, result.flags, result.options)
