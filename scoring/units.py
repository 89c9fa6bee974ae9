"""Indicators by unit: the nation, each sample-unit level, a breakdown field; ranks, ranges, change.

Provinces are labelled with their GSO names (:mod:`scoring.provinces`); other units keep their code.
Units of a level are keyed by their *path* (province code, district code, …) so a district code
that repeats in two provinces stays two units. Forms whose unit code is blank count nationally but
not in that level. Ranks: 1 = highest; equal values (to 1e-9) share the best rank ("1, 2, 2, 4").
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv

from omr.template.model import Template
from scoring.breakdown import service_field
from scoring.data import Dataset
from scoring.indices import form_counts, satisfaction_indicators, satisfaction_table, share_keys, share_table
from scoring.options import NATIONAL, OVERALL, IndexOptions
from scoring.provinces import province_labels
from scoring.results import LeftOutSummary, Movement, Range, Results, ShareKey, UnitResult

__all__ = ["compute_results", "rank", "service_field"]

TIE_DECIMALS = 9


def _clean(v: object) -> float | None:
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def _unit(level: str, path: tuple[str, ...], label: tuple[str, str | None], forms: int, sat_row: pd.Series,
          share_row: pd.Series, count_row: pd.Series | None, items: list[str]) -> UnitResult:
    counts = {} if count_row is None else {
        i: (int(count_row[f"sat:{i}"]), int(count_row[f"n:{i}"])) for i in items}
    return UnitResult(
        level=level, code=path[-1] if path else "", path=path, label=label[0], forms=forms,
        label_en=label[1] if label[1] != label[0] else None,
        values={k: _clean(v) for k, v in sat_row.items()},
        counts=counts,
        shares={k: _clean(v) for k, v in share_row.items()},
    )


def rank(values: dict[str, float | None]) -> dict[str, int]:
    """Competition ranks (1 = highest, ties share the best rank); units without a value get none."""
    series = pd.Series({k: v for k, v in values.items() if v is not None}, dtype="float64")
    ranks = series.round(TIE_DECIMALS).rank(method="min", ascending=False)
    return {k: int(r) for k, r in ranks.items()}


def _with_ranks(units: list[UnitResult], codes: list[str]) -> list[UnitResult]:
    per_code = {c: rank({"/".join(u.path): u.values.get(c) for u in units}) for c in codes}
    return [u.model_copy(update={"ranks": {c: per_code[c]["/".join(u.path)]
                                           for c in codes if "/".join(u.path) in per_code[c]}})
            for u in units]


def _ranges(level: str, units: list[UnitResult], codes: list[str]) -> list[Range]:
    out = []
    for c in codes:
        vals = [(u.values[c], u.label) for u in units if u.values.get(c) is not None]
        if not vals:
            continue
        lo = min(vals, key=lambda t: t[0])  # type: ignore[arg-type,return-value]
        hi = max(vals, key=lambda t: t[0])  # type: ignore[arg-type,return-value]
        out.append(Range(level=level, indicator=c, min=lo[0], min_unit=lo[1], max=hi[0], max_unit=hi[1]))
    return out


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


def _group_units(level: str, keys: list[pd.Series], counts: pd.DataFrame, template: Template,
                 options: IndexOptions, shares: list[ShareKey],
                 labels: dict[str, tuple[str, str]]) -> list[UnitResult]:
    grouped = counts.groupby(keys, sort=True)
    sums = grouped.sum()
    sizes = grouped.size()
    sat = satisfaction_table(sums, template, options)
    sat = sat[[i.code for i in satisfaction_indicators(template)]]
    shr = share_table(sums, shares)
    items = [c for c in sat.columns if c in template.answer_kinds()]
    out = []
    for idx in sums.index:
        path = tuple(str(x) for x in (idx if isinstance(idx, tuple) else (idx,)))
        if path[-1] == "":
            continue
        out.append(_unit(level, path, labels.get(path[-1], (path[-1], None)), int(sizes.loc[idx]), sat.loc[idx],
                         shr.loc[idx], sums.loc[idx], items))
    return out


def compute_results(dataset: Dataset, options: IndexOptions = IndexOptions(), *,
                    previous: Results | None = None, previous_name: str | None = None) -> Results:
    """Every indicator for the nation, each unit level and each breakdown field."""
    t = dataset.template
    frame = dataset.frame
    indicators = satisfaction_indicators(t)
    codes = [i.code for i in indicators]
    items = [i.code for i in indicators if i.kind == "item"]
    shares = share_keys(t)
    counts = form_counts(frame, t, options)
    unit_codes = [u.code for u in t.sample_units]

    by_level: dict[str, list[UnitResult]] = {}
    for level in options.levels:
        if level not in unit_codes:
            continue
        path_cols = unit_codes[: unit_codes.index(level) + 1]
        keys = [frame[c].fillna("").astype(str).rename(c) for c in path_cols]
        present = set(frame[level].fillna("").astype(str)) if level == "province" else set()
        vi, en = province_labels(present, "vi"), province_labels(present, "en")
        labels = {c: (vi[c], en[c]) for c in vi}
        by_level[level] = _group_units(level, keys, counts, t, options, shares, labels)
    fields = options.by_fields if options.by_fields is not None else tuple(filter(None, [service_field(t)]))
    for code in fields:
        q = t.question_of(code)
        field_labels = {o.value: (o.label.vi, o.label.en) for o in getattr(q, "options", [])}
        key = frame[code].fillna("").astype(str).rename(code)
        key = key.where(key.isin(list(field_labels)), "")
        by_level[code] = _group_units(code, [key], counts, t, options, shares, field_labels)

    total = counts.sum().to_frame().T
    sat_nat = satisfaction_table(total, t, options).iloc[0]
    shr_nat = share_table(total, shares).iloc[0]
    described = {**options.describe(), "satisfied": ",".join(t.scoring.satisfied)}
    national_counts: pd.Series | None = total.iloc[0]
    provinces = by_level.get("province", [])
    if options.national == "provinces":
        if provinces:
            sat_nat = pd.DataFrame([u.values for u in provinces], dtype="float64").mean(axis=0)
            shr_nat = pd.DataFrame([u.shares for u in provinces], dtype="float64").mean(axis=0)
            national_counts = None
        else:
            described["national"] = "pooled (no province codes to average)"
    nation = _unit(NATIONAL, (), ("Toàn quốc", "National"), len(frame), sat_nat.reindex(codes), shr_nat.reindex(
        [s.key for s in shares]), national_counts, items)

    units = [nation]
    ranges: list[Range] = []
    movements: list[Movement] = []
    for level, level_units in by_level.items():
        ranked = _compare(_with_ranks(level_units, codes), previous, codes)
        units.extend(ranked)
        ranges.extend(_ranges(level, ranked, codes))
        m = _movement(level, ranked)
        if m is not None:
            movements.append(m)
    units[0] = _compare([nation], previous, codes)[0]
    counts_left = dataset.left_out_counts()
    return Results(
        template=t.name, version=t.version, instrument=t.instrument, title_vi=t.title.vi, title_en=t.title.en,
        source=dataset.source, generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        options=described, forms_used=dataset.forms_used,
        left_out=LeftOutSummary(incomplete=counts_left.get("incomplete", 0), review=counts_left.get("review", 0),
                                not_returned=dataset.not_returned, flagged_answers=dataset.flagged_answers),
        indicators=tuple(indicators), shares=tuple(shares), levels=tuple(by_level), units=tuple(units),
        ranges=tuple(ranges), previous=previous_name, movements=tuple(movements),
        provisional=t.scoring.provisional,
    )
