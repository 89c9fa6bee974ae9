"""SIPAS indicators from answers: per-form counts, then indices from summed counts.

Two steps keep the arithmetic in one place and make units cheap: :func:`form_counts` turns the
wide answer table into integer columns per form (``sat:<item>``, ``n:<item>``, ``num:<share>``,
``den:<share>``); summing them over any group of forms (a commune, a province, the nation) and
calling :func:`satisfaction_table` / :func:`share_table` gives that group's indicators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv

from omr.template.model import GridField, MultiField, Option, ShareIndicator, SingleField, Template
from omr.types import MULTIPLE
from scoring.options import OVERALL, IndexOptions
from scoring.results import Indicator, ShareKey


def _scale(template: Template, code: str) -> list[Option]:
    q = template.question_of(code)
    if isinstance(q, GridField):
        return list(q.scale)
    if isinstance(q, SingleField | MultiField):
        return list(q.options)
    return []


def satisfaction_indicators(template: Template) -> list[Indicator]:
    """Items, elements, aspects and the overall index, in report order."""
    out: list[Indicator] = []
    labels: dict[str, tuple[str, str]] = {}
    for q in template.fields():
        if isinstance(q, GridField):
            labels.update({r.code: (r.label.vi, r.label.en) for r in q.rows})
        else:
            labels[q.code] = (q.label.vi, q.label.en)
    total = 0
    for aspect in template.require_scoring().aspects:
        n_aspect = sum(len(e.items) for e in aspect.elements)
        total += n_aspect
        out.append(Indicator(code=aspect.code, kind="aspect", parent=OVERALL, vi=aspect.label.vi,
                             en=aspect.label.en, items=n_aspect))
        for el in aspect.elements:
            out.append(Indicator(code=el.code, kind="element", parent=aspect.code, vi=el.label.vi,
                                 en=el.label.en, items=len(el.items)))
            for item in el.items:
                vi, en = labels[item]
                out.append(Indicator(code=item, kind="item", parent=el.code, vi=vi, en=en, items=1))
    overall = Indicator(code=OVERALL, kind="overall", parent=None, vi="Chỉ số hài lòng chung (SIPAS)",
                        en="Overall satisfaction index (SIPAS)", items=total)
    return [overall, *out]


def share_keys(template: Template, general: list[ShareIndicator] | None = None) -> list[ShareKey]:
    """Every reported perception and expectation share (and ``general`` ones, see :mod:`scoring.breakdown`)."""
    out: list[ShareKey] = []
    for group, indicators in (("perception", template.require_scoring().perception),
                              ("expectation", template.require_scoring().expectation),
                              ("general", general or [])):
        for ind in indicators:
            common = {"indicator": ind.code, "group": group, "vi": ind.label.vi, "en": ind.label.en,
                      "provisional": ind.provisional}
            if ind.counted is not None:
                out.append(ShareKey(key=ind.code, value=None, **common))
                continue
            for opt in _scale(template, ind.fields[0]):
                out.append(ShareKey(key=f"{ind.code}={opt.value}", value=opt.value, value_vi=opt.label.vi,
                                    value_en=opt.label.en, **common))
    return out


def _answers(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame[code].fillna("").astype("string")


def _valid(s: pd.Series, allowed: list[str], options: IndexOptions) -> np.ndarray:
    ok: np.ndarray = np.array(s.isin(allowed), dtype=bool)
    if options.blanks == "not-satisfied":
        ok |= (s == "").to_numpy(dtype=bool)
    if options.multiple == "not-satisfied":
        ok |= (s == MULTIPLE).to_numpy(dtype=bool)
    return ok


def _ticked(s: pd.Series, value: str) -> np.ndarray:
    ticked: np.ndarray = np.array([value in str(v).split(";") for v in s], dtype=bool)
    return ticked


def _share_counts(frame: pd.DataFrame, template: Template, ind: ShareIndicator,
                  options: IndexOptions) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per form: numerator and denominator of each share of one indicator (pooled over its fields)."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for code in ind.fields:
        s = _answers(frame, code)
        scale = [o.value for o in _scale(template, code)]
        multi = template.answer_kinds().get(code) == "multi"
        if multi:
            den = (s != "").to_numpy(dtype=bool)
            if options.blanks == "not-satisfied":
                den = np.ones(len(s), dtype=bool)
            hits = {v: _ticked(s, v) & den for v in scale}
        else:
            den = _valid(s, scale, options)
            hits = {v: (s == v).to_numpy(dtype=bool) & den for v in scale}
        if ind.counted is not None:
            num = np.zeros(len(s), dtype=bool)
            for v in ind.counted:
                num |= hits.get(v, np.zeros(len(s), dtype=bool))
            parts = {ind.code: num}
        else:
            parts = {f"{ind.code}={v}": h for v, h in hits.items()}
        for key, num in parts.items():
            prev_num, prev_den = out.get(key, (np.zeros(len(s), dtype=np.int64), np.zeros(len(s), dtype=np.int64)))
            out[key] = (prev_num + num.astype(np.int64), prev_den + den.astype(np.int64))
    return out


def form_counts(frame: pd.DataFrame, template: Template, options: IndexOptions,
                general: list[ShareIndicator] | None = None) -> pd.DataFrame:
    """Integer counts per form: ``sat:``/``n:`` per satisfaction item, ``num:``/``den:`` per share."""
    satisfied = list(template.require_scoring().satisfied)
    cols: dict[str, np.ndarray] = {}
    for aspect in template.require_scoring().aspects:
        for el in aspect.elements:
            for item in el.items:
                s = _answers(frame, item)
                valid = _valid(s, [o.value for o in _scale(template, item)], options)
                cols[f"sat:{item}"] = (s.isin(satisfied).to_numpy(dtype=bool) & valid).astype(np.int64)
                cols[f"n:{item}"] = valid.astype(np.int64)
    for ind in [*template.require_scoring().perception, *template.require_scoring().expectation, *(general or [])]:
        for key, (num, den) in _share_counts(frame, template, ind, options).items():
            cols[f"num:{key}"] = num
            cols[f"den:{key}"] = den
    return pd.DataFrame(cols, index=frame.index)


def _pct(num: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """100 × num / den element-wise (same shape, aligned by position); NaN where den is 0."""
    n = np.asarray(num, dtype="float64")
    d = np.asarray(den, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(d > 0, 100.0 * n / np.where(d > 0, d, 1.0), np.nan)
    shape = (n.shape[0], n.shape[1] if n.ndim == 2 else 1)  # explicit: a unit level may have no rows
    return pd.DataFrame(pct.reshape(shape), index=num.index,
                        columns=num.columns if isinstance(num, pd.DataFrame) else [0])


def satisfaction_table(counts: pd.DataFrame, template: Template, options: IndexOptions) -> pd.DataFrame:
    """Indices (0–100, NaN when no valid answer) per row of summed ``counts``, one column per indicator."""
    out: dict[str, pd.Series] = {}
    all_items: list[str] = []
    element_codes: list[str] = []
    aspect_codes: list[str] = []
    for aspect in template.require_scoring().aspects:
        items = [i for el in aspect.elements for i in el.items]
        all_items.extend(items)
        sat = counts[[f"sat:{i}" for i in items]].set_axis(items, axis=1)
        n = counts[[f"n:{i}" for i in items]].set_axis(items, axis=1)
        item_idx = _pct(sat, n)
        for i in items:
            out[i] = item_idx[i]
        for el in aspect.elements:
            if options.element == "mean":
                out[el.code] = item_idx[el.items].mean(axis=1)
            else:
                out[el.code] = _pct(sat[el.items].sum(axis=1), n[el.items].sum(axis=1)).iloc[:, 0]
            element_codes.append(el.code)
        if options.aspect == "items":
            out[aspect.code] = item_idx.mean(axis=1)
        else:
            out[aspect.code] = pd.DataFrame({e.code: out[e.code] for e in aspect.elements}).mean(axis=1)
        aspect_codes.append(aspect.code)
    pick = {"items": all_items, "elements": element_codes, "aspects": aspect_codes}[options.overall]
    out[OVERALL] = pd.DataFrame({c: out[c] for c in pick}).mean(axis=1)
    return pd.DataFrame(out, index=counts.index)


def share_table(counts: pd.DataFrame, keys: list[ShareKey]) -> pd.DataFrame:
    """Shares in percent per row of summed ``counts`` (NaN when nobody answered)."""
    out = {k.key: _pct(counts[f"num:{k.key}"], counts[f"den:{k.key}"]).iloc[:, 0] for k in keys}
    return pd.DataFrame(out, index=counts.index, dtype="float64")
