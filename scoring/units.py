"""Indicators by unit: the nation, each sample-unit level, breakdown fields; intervals, ranks, ranges, change.

Provinces are labelled with their names in the results' scheme (:mod:`scoring.provinces`: the 63
provinces before 1 July 2025, the 34 after); other units keep their code. Units of a level are
keyed by their *path* (province code, district code, …) so a district code that repeats in two
provinces stays two units. Forms whose unit code is blank count nationally but not in that level.
Every value carries a 95 % bootstrap interval (:mod:`scoring.intervals`). Ranks: see
:mod:`scoring.ranking`.

The scheme: ``scheme`` when given, else ``legacy`` when a province code exists only among the 63
old provinces, else ``2025`` when the forms' ``DATE`` answers (day, month, year) mostly fall on or
after 1 July 2025, else ``legacy``. Scoring a legacy dataset with ``scheme="2025"`` re-aggregates it
onto the 34 provinces from the forms (``regrouped="pooled"``, :mod:`scoring.regroup`); previous
results in the legacy scheme are re-aggregated weighted by forms when the current ones are 2025.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv

from omr.template.model import ShareIndicator, Template
from scoring.breakdown import breakdown_fields, general_indicators, service_field
from scoring.data import Dataset
from scoring.indices import form_counts, satisfaction_indicators, satisfaction_table, share_keys, share_table
from scoring.intervals import Replicates, bounds, mean_of, method_tag, replicate
from scoring.opinions import group_opinions
from scoring.options import MIN_FORMS, NATIONAL, OVERALL, REPLICATES, SEED, IndexOptions
from scoring.profile import respondent_profile
from scoring.provinces import LEVELS, Scheme, guess_scheme, province_labels
from scoring.ranking import TIE_DECIMALS, ranges, rank, with_ranks
from scoring.regroup import composition, regroup_dataset, regroup_results
from scoring.results import LeftOutSummary, Movement, Range, Regrouped, Results, ShareKey, UnitResult

__all__ = ["MIN_FORMS", "IntervalOptions", "compute_results", "rank", "resolve_scheme", "service_field"]

CUTOVER = dt.date(2025, 7, 1)
DATE_FIELD = "DATE"


@dataclass(frozen=True)
class IntervalOptions:
    """Bootstrap settings; ``replicates=0`` computes no intervals."""

    replicates: int = REPLICATES
    seed: int = SEED


def _clean(v: object) -> float | None:
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def _unit(level: str, path: tuple[str, ...], label: tuple[str, str | None], forms: int, sat_row: pd.Series,
          share_row: pd.Series, count_row: pd.Series | None, items: list[str],
          reps: Replicates | None) -> UnitResult:
    counts = {} if count_row is None else {
        i: (int(count_row[f"sat:{i}"]), int(count_row[f"n:{i}"])) for i in items}
    return UnitResult(
        level=level, code=path[-1] if path else "", path=path, label=label[0], forms=forms,
        label_en=label[1] if label[1] != label[0] else None,
        values={k: _clean(v) for k, v in sat_row.items()},
        counts=counts,
        shares={k: _clean(v) for k, v in share_row.items()},
        ci=bounds(reps.values) if reps is not None else {},
        share_ci=bounds(reps.shares) if reps is not None else {},
    )


def _compare(units: list[UnitResult], previous: Results | None, codes: list[str]) -> list[UnitResult]:
    if previous is None:
        return units
    before = {(u.level, u.path): u for u in previous.units}
    out = []
    for u in units:
        p = before.get((u.level, u.path))
        if p is None:
            out.append(u)
            continue
        delta = {c: (None if u.values.get(c) is None or p.values.get(c) is None
                     else u.values[c] - p.values[c]) for c in codes}  # type: ignore[operator]
        moved = {c: (p.ranks[c] - u.ranks[c] if c in p.ranks and c in u.ranks else None) for c in codes}
        out.append(u.model_copy(update={"delta": delta, "rank_change": moved}))
    return out


def _movement(level: str, units: list[UnitResult]) -> Movement | None:
    d = [u.delta.get(OVERALL) for u in units if u.delta.get(OVERALL) is not None]
    r = [u.rank_change.get(OVERALL) for u in units if u.rank_change.get(OVERALL) is not None]
    if not d:
        return None
    eps = 10.0 ** -TIE_DECIMALS
    return Movement(level=level, compared=len(d), up=sum(x > eps for x in d), down=sum(x < -eps for x in d),  # type: ignore[operator]
                    same=sum(abs(x) <= eps for x in d), climbed=sum(x > 0 for x in r),  # type: ignore[arg-type,operator]
                    fell=sum(x < 0 for x in r), kept_rank=sum(x == 0 for x in r))  # type: ignore[operator]


@dataclass(frozen=True)
class _Context:
    template: Template
    options: IndexOptions
    shares: list[ShareKey]
    intervals: IntervalOptions


def _group_units(level: str, keys: list[pd.Series], counts: pd.DataFrame, ctx: _Context,
                 labels: dict[str, tuple[str, str]]) -> tuple[list[UnitResult], dict[tuple[str, ...], Replicates]]:
    t = ctx.template
    grouped = counts.groupby(keys, sort=True)
    sums = grouped.sum()
    sizes = grouped.size()
    positions = grouped.indices
    sat = satisfaction_table(sums, t, ctx.options)
    sat = sat[[i.code for i in satisfaction_indicators(t)]]
    shr = share_table(sums, ctx.shares)
    items = [c for c in sat.columns if c in t.answer_kinds()]
    out = []
    reps_by_path: dict[tuple[str, ...], Replicates] = {}
    for idx in sums.index:
        path = tuple(str(x) for x in (idx if isinstance(idx, tuple) else (idx,)))
        if path[-1] == "":
            continue
        reps = None
        if ctx.intervals.replicates > 0:
            rows = counts.iloc[positions[idx]]
            reps = replicate(rows, t, ctx.options, ctx.shares, level, path,
                             replicates=ctx.intervals.replicates, seed=ctx.intervals.seed)
            reps_by_path[path] = reps
        out.append(_unit(level, path, labels.get(path[-1], (path[-1], None)), int(sizes.loc[idx]), sat.loc[idx],
                         shr.loc[idx], sums.loc[idx], items, reps))
    return out, reps_by_path


def _dates(frame: pd.DataFrame) -> list[dt.date]:
    out = []
    for v in frame.get(DATE_FIELD, pd.Series([], dtype=str)).fillna("").astype(str):
        digits = v.replace("/", "").strip()
        if len(digits) == 8 and digits.isdigit():
            try:
                out.append(dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2])))
            except ValueError:
                continue
    return out


def resolve_scheme(dataset: Dataset, scheme: Scheme | None = None) -> Scheme:
    """The scheme of the dataset's own units (see the module docstring)."""
    if scheme is not None:
        return scheme
    if "province" in dataset.frame.columns:
        guessed = guess_scheme(set(dataset.frame["province"].fillna("").astype(str)))
        if guessed is not None:
            return guessed
    dates = _dates(dataset.frame)
    if dates and sum(d >= CUTOVER for d in dates) * 2 > len(dates):
        return "2025"
    return "legacy"


def _empty_reason(level: str, frame: pd.DataFrame, scheme: Scheme, unit_codes: list[str]) -> str | None:
    if level not in unit_codes:
        return None
    if level in ("province", "district", "commune") and level not in LEVELS[scheme]:
        return "not-in-scheme"
    if not (frame[level].fillna("").astype(str) != "").any():
        return "no-codes"
    return None


def compute_results(dataset: Dataset, options: IndexOptions = IndexOptions(), *,
                    previous: Results | None = None, previous_name: str | None = None,
                    scheme: Scheme | None = None, min_forms: int = MIN_FORMS,
                    intervals: IntervalOptions = IntervalOptions()) -> Results:
    """Every indicator for the nation, each unit level and each breakdown field."""
    target = resolve_scheme(dataset, scheme)
    regrouped: Regrouped | None = None
    if target == "2025" and resolve_scheme(dataset) == "legacy" and "province" in dataset.frame.columns and \
            guess_scheme(set(dataset.frame["province"].fillna("").astype(str))) == "legacy":
        dataset = regroup_dataset(dataset)
        regrouped = "pooled"
    t = dataset.template
    frame = dataset.frame
    indicators = satisfaction_indicators(t)
    codes = [i.code for i in indicators]
    items = [i.code for i in indicators if i.kind == "item"]
    general: list[ShareIndicator] = general_indicators(t)
    shares = share_keys(t, general)
    counts = form_counts(frame, t, options, general)
    unit_codes = [u.code for u in t.sample_units]
    ctx = _Context(t, options, shares, intervals)

    by_level: dict[str, list[UnitResult]] = {}
    empty: dict[str, str] = {}
    province_reps: dict[tuple[str, ...], Replicates] = {}
    for level in options.levels:
        reason = _empty_reason(level, frame, target, unit_codes)
        if reason is not None:
            empty[level] = reason
            continue
        if level not in unit_codes:
            continue
        path_cols = unit_codes[: unit_codes.index(level) + 1]
        keys = [frame[c].fillna("").astype(str).rename(c) for c in path_cols]
        present = set(frame[level].fillna("").astype(str)) if level == "province" else set()
        vi, en = province_labels(present, "vi", target), province_labels(present, "en", target)
        labels = {c: (vi[c], en[c]) for c in vi}
        units, reps = _group_units(level, keys, counts, ctx, labels)
        if level == "province":
            province_reps = reps
            if target == "2025":
                units = [u.model_copy(update={"merged_from": composition(u.code)}) for u in units]
        by_level[level] = units
    fields = options.by_fields if options.by_fields is not None else tuple(breakdown_fields(t))
    breakdowns: dict[str, tuple[str, str]] = {}
    for code in fields:
        q = t.question_of(code)
        breakdowns[code] = (q.label.vi, q.label.en)
        field_labels = {o.value: (o.label.vi, o.label.en) for o in getattr(q, "options", [])}
        key = frame[code].fillna("").astype(str).rename(code)
        key = key.where(key.isin(list(field_labels)), "")
        by_level[code], _ = _group_units(code, [key], counts, ctx, field_labels)

    total = counts.sum().to_frame().T
    sat_nat = satisfaction_table(total, t, options).iloc[0]
    shr_nat = share_table(total, shares).iloc[0]
    described = {**options.describe(), "satisfied": ",".join(t.require_scoring().satisfied)}
    national_counts: pd.Series | None = total.iloc[0]
    provinces = by_level.get("province", [])
    nat_reps: Replicates | None = None
    if options.national == "provinces" and provinces:
        sat_nat = pd.DataFrame([u.values for u in provinces], dtype="float64").mean(axis=0)
        shr_nat = pd.DataFrame([u.shares for u in provinces], dtype="float64").mean(axis=0)
        national_counts = None
        if province_reps:
            nat_reps = mean_of(list(province_reps.values()))
    else:
        if options.national == "provinces":
            described["national"] = "pooled (no province codes to average)"
        if intervals.replicates > 0:
            nat_reps = replicate(counts, t, options, shares, NATIONAL, (), replicates=intervals.replicates,
                                 seed=intervals.seed)
    nation = _unit(NATIONAL, (), ("Toàn quốc", "National"), len(frame), sat_nat.reindex(codes), shr_nat.reindex(
        [s.key for s in shares]), national_counts, items, nat_reps)

    if previous is not None and previous.scheme != target:
        if target == "2025":
            previous = regroup_results(previous)
        else:
            previous = None  # a 2025 result cannot be split back onto the 63 provinces
            previous_name = None
    units = [nation]
    all_ranges: list[Range] = []
    movements: list[Movement] = []
    for level, level_units in by_level.items():
        ranked = _compare(with_ranks(level_units, codes), previous, codes)
        units.extend(ranked)
        all_ranges.extend(ranges(level, ranked, codes))
        m = _movement(level, ranked)
        if m is not None:
            movements.append(m)
    units[0] = _compare([nation], previous, codes)[0]
    counts_left = dataset.left_out_counts()
    names = {u.code: (u.label, u.name("en")) for u in provinces}
    return Results(
        template=t.name, version=t.version, instrument=t.instrument, title_vi=t.title.vi, title_en=t.title.en,
        source=dataset.source, generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        options=described, forms_used=dataset.forms_used,
        left_out=LeftOutSummary(incomplete=counts_left.get("incomplete", 0), review=counts_left.get("review", 0),
                                not_returned=dataset.not_returned, flagged_answers=dataset.flagged_answers),
        indicators=tuple(indicators), shares=tuple(shares), levels=tuple(by_level), units=tuple(units),
        ranges=tuple(all_ranges), previous=previous_name, movements=tuple(movements),
        provisional=t.require_scoring().provisional, scheme=target, regrouped=regrouped,
        previous_regrouped=previous.regrouped if previous is not None else None,
        min_forms=min_forms, interval=method_tag(intervals.replicates, intervals.seed) if intervals.replicates else "",
        empty_levels=empty, breakdowns=breakdowns, profile=respondent_profile(frame, t),
        opinions=group_opinions(frame, t, "province" if "province" in unit_codes else None, names),
    )
