"""Results of a 63-province year on the 34 provinces of 2025, so that ``--previous`` compares like with like.

Two ways, and the results say which (:attr:`scoring.results.Results.regrouped`):

``pooled`` (:func:`regroup_dataset`)
    From the form-level data: every form's province code is replaced by the 2025 province it
    became part of (:func:`scoring.provinces.merge_map`) and the indices are computed afresh, so a
    merged province is scored exactly as if it had been sampled as one. District and commune codes
    are blanked: districts no longer exist, and many old communes were split between new ones.
``weighted`` (:func:`regroup_results`)
    From an earlier ``results.json`` only: each new province's value of every indicator and share
    is the mean of its old provinces' values weighted by their numbers of forms (old provinces
    without a value are left out); forms and item counts are summed. The national value is
    recomputed as the mean of the 34 provinces when the national rule is ``provinces``. Other
    sample-unit levels are dropped; breakdowns by field (service field, level) are kept as they were.
"""

from __future__ import annotations

from collections import defaultdict

from scoring.data import Dataset
from scoring.provinces import LEVELS, merge_map, merged_from, province_labels
from scoring.ranking import ranges, with_ranks
from scoring.results import Results, UnitResult

PROVINCE = "province"


def regroup_dataset(dataset: Dataset) -> Dataset:
    """The same forms with 2025 province codes and no district/commune codes (see the module doc)."""
    frame = dataset.frame.copy()
    if PROVINCE in frame.columns:
        mapping = merge_map()
        frame[PROVINCE] = [mapping.get(c.strip().zfill(2) if c.strip().isdigit() else c, c)
                           for c in frame[PROVINCE].fillna("").astype(str)]
    for col in dataset.unit_columns:
        if col != PROVINCE:
            frame[col] = ""  # no districts in 2025; old commune codes do not name 2025 communes
    return Dataset(template=dataset.template, frame=frame, left_out=dataset.left_out,
                   not_returned=dataset.not_returned, flagged_answers=dataset.flagged_answers,
                   source=dataset.source)


def _weighted(units: list[UnitResult], attr: str) -> dict[str, float | None]:
    keys = list(dict.fromkeys(k for u in units for k in getattr(u, attr)))
    out: dict[str, float | None] = {}
    for k in keys:
        pairs = [(u.forms, getattr(u, attr)[k]) for u in units if getattr(u, attr).get(k) is not None]
        weight = sum(f for f, _ in pairs)
        out[k] = sum(f * v for f, v in pairs) / weight if weight else None
    return out


def _merge(code: str, units: list[UnitResult]) -> UnitResult:
    counts: dict[str, tuple[int, int]] = {}
    for u in units:
        for item, (sat, n) in u.counts.items():
            prev = counts.get(item, (0, 0))
            counts[item] = (prev[0] + sat, prev[1] + n)
    vi = province_labels({code}, "vi", "2025").get(code, code)
    en = province_labels({code}, "en", "2025").get(code, code)
    return UnitResult(level=PROVINCE, code=code, path=(code,), label=vi, label_en=en if en != vi else None,
                      forms=sum(u.forms for u in units), values=_weighted(units, "values"), counts=counts,
                      shares=_weighted(units, "shares"), merged_from=tuple(sorted(u.code for u in units)))


def regroup_results(results: Results) -> Results:
    """Legacy results re-aggregated onto the 2025 provinces, weighted by forms (see the module doc)."""
    if results.scheme == "2025":
        return results
    mapping = merge_map()
    groups: dict[str, list[UnitResult]] = defaultdict(list)
    for u in results.level_units(PROVINCE):
        groups[mapping.get(u.code.zfill(2) if u.code.isdigit() else u.code, u.code)].append(u)
    codes = [i.code for i in results.indicators]
    provinces = with_ranks([_merge(c, groups[c]) for c in sorted(groups)], codes)
    kept_levels = [lv for lv in results.levels if lv not in LEVELS["legacy"]]
    others = [u for u in results.units if u.level in kept_levels]
    nation = results.national().model_copy(update={"delta": {}, "rank_change": {}, "ci": {}, "share_ci": {}})
    if results.options.get("national") == "provinces" and provinces:
        nation = nation.model_copy(update={
            "values": _mean([u.values for u in provinces]), "shares": _mean([u.shares for u in provinces])})
    levels = ((PROVINCE,) if provinces else ()) + tuple(kept_levels)
    all_ranges = ranges(PROVINCE, provinces, codes) + [g for g in results.ranges if g.level in kept_levels]
    return results.model_copy(update={
        "units": (nation, *provinces, *others), "levels": levels, "ranges": tuple(all_ranges),
        "scheme": "2025", "regrouped": "weighted", "movements": (), "empty_levels": {}})


def _mean(rows: list[dict[str, float | None]]) -> dict[str, float | None]:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    out: dict[str, float | None] = {}
    for k in keys:
        vals = [r[k] for r in rows if r.get(k) is not None]
        out[k] = sum(vals) / len(vals) if vals else None  # type: ignore[arg-type]
    return out


def composition(code: str) -> tuple[str, ...]:
    """Old province codes of a 2025 province when it merged several (empty when it did not)."""
    old = merged_from(code)
    return tuple(old) if len(old) > 1 else ()
