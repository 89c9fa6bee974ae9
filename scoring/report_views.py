"""What the report template shows, prepared from :class:`~scoring.results.Results`: numbers in the
report's language, unit names, ranking views with their charts, perception and expectation blocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from scoring.breakdown import GENERAL_SUFFIX
from scoring.charts import Bar, bar_chart
from scoring.i18n import TEXT
from scoring.options import OVERALL
from scoring.provinces import Scheme, check_scheme, province_labels
from scoring.results import Indicator, Results, ShareKey, UnitResult

MAX_CHART_UNITS = 80
HIGHLIGHT = 5
MAX_MATRIX_ANSWERS = 5
"""Indicators with more answers than this are listed answer by answer instead of side by side."""


def number(value: float | None, lang: str) -> str:
    """Two decimals (comma in Vietnamese); a dash when there is no value."""
    if value is None:
        return "—"
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "vi" else text


def signed(value: float | None, lang: str) -> str:
    """A change with its sign: ``+1,28``, ``-0,50``, ``0,00``."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + number(value, lang)


def count(value: int, lang: str) -> str:
    """A whole number with thousands grouped: ``12.345`` in Vietnamese, ``12,345`` in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "vi" else text


def when(iso: str, lang: str) -> str:
    """The generation time of the results in the report's date style (the ISO text if unparsable)."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).strftime(TEXT[lang]["date"])
    except ValueError:
        return iso


def label(obj: Indicator | ShareKey, lang: str) -> str:
    return obj.en if lang == "en" else obj.vi


def sentence_case(title: str) -> str:
    """A title printed in capitals on the form, as a heading: ``PHIẾU KHẢO SÁT…`` → ``Phiếu khảo sát…``."""
    if not title.isupper():
        return title
    lower = title.lower()
    return lower[:1].upper() + lower[1:]


def level_name(level: str, lang: str) -> str:
    return TEXT[lang].get(f"level_{level}", TEXT[lang]["by_field"])


def unit_name(unit: UnitResult, lang: str) -> str:
    """The unit's name in the report's language (English names of provinces and service fields)."""
    return unit.name(lang)


def unit_names(results: Results, level: str, lang: str) -> dict[str, str]:
    """Label as stored (Vietnamese) → name in ``lang``, for the units of one level (ranges name units by label)."""
    return {u.label: u.name(lang) for u in results.level_units(level)}


def interval(unit: UnitResult, key: str, lang: str, share: bool = False) -> str:
    """The 95 % interval of a value (``share`` = of a share) as ``80,12–85,30``; a dash when none."""
    ci = (unit.share_ci if share else unit.ci).get(key)
    if ci is None:
        return "—"
    return f"{number(ci[0], lang)}–{number(ci[1], lang)}"


def small(unit: UnitResult, results: Results) -> bool:
    """Fewer forms than the results' threshold: shown with a warning."""
    return unit.forms < results.min_forms


def merged_text(unit: UnitResult, lang: str) -> str:
    """``gồm Hải Dương, Hải Phòng`` for a 2025 province that merged several old ones ('' otherwise)."""
    if len(unit.merged_from) < 2:
        return ""
    names = province_labels(set(unit.merged_from), lang, "legacy")
    return TEXT[lang]["merged_from"] + " " + ", ".join(names.get(c, c) for c in unit.merged_from)


def scheme_of(results: Results) -> Scheme:
    return check_scheme(results.scheme)


def place(unit: UnitResult, lang: str, scheme: Scheme = "legacy") -> str:
    """Where a district or commune lies: ``Thái Nguyên / 191`` (empty for provinces and fields)."""
    if len(unit.path) < 2:
        return ""
    parents = list(unit.path[:-1])
    names = province_labels({parents[0]}, lang, scheme)
    parents[0] = names.get(parents[0], parents[0])
    return " / ".join(parents)


def range_text(results: Results, lang: str, code: str = OVERALL) -> str:
    """``Giữa các tỉnh: thấp nhất …`` for the first level of the results ('' without units)."""
    if not results.levels:
        return ""
    level = results.levels[0]
    g = next((r for r in results.ranges if r.level == level and r.indicator == code), None)
    if g is None or len(results.level_units(level)) < 2:
        return ""
    names = unit_names(results, level, lang)
    return TEXT[lang]["between"].format(level=level_name(level, lang), min=number(g.min, lang),
                                        min_unit=names.get(g.min_unit, g.min_unit), max=number(g.max, lang),
                                        max_unit=names.get(g.max_unit, g.max_unit))


def method_text(results: Results, lang: str) -> str:
    """The aggregation rules of these results as one sentence in the report's language."""
    t = TEXT[lang]
    parts = [t["method_text"].format(sat=", ".join(results.options.get("satisfied", "").split(",")))]
    for key in ("element", "aspect", "overall", "national", "blanks", "multiple"):
        value = results.options.get(key)
        if value is None:
            continue
        if key == "national" and value.startswith("pooled ("):
            value = "fallback"
        parts.append(t.get(f"opt_{key}_{value}", f"{key} = {value}"))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def method_notes(results: Results, lang: str) -> list[str]:
    """The method section's paragraphs after the aggregation rules: intervals, threshold, units."""
    t = TEXT[lang]
    out = []
    if results.interval.startswith("bootstrap:"):
        _, b, seed = results.interval.split(":")
        out.append(t["interval_text"].format(b=count(int(b), lang), seed=seed))
    else:
        out.append(t["no_interval"])
    out.append(t["small_note"].format(n=results.min_forms))
    out.append(t[f"scheme_{scheme_of(results)}"])
    if results.regrouped:
        out.append(t[f"regrouped_{results.regrouped}"])
    if results.previous_regrouped:
        out.append(t[f"previous_{results.previous_regrouped}"])
    return out


@dataclass(frozen=True)
class LevelView:
    """The ranking of one level (provinces, districts, a service field) with its chart."""

    level: str
    name: str
    heading: str
    units: tuple[UnitResult, ...]
    chart: Markup
    named: bool
    """Units have names besides their codes (provinces, service fields): show both."""
    note: str = ""
    """Why the ranking is empty or not a real one."""
    small: bool = False
    """Some unit has fewer forms than the threshold."""


def levels(results: Results, lang: str) -> list[LevelView]:
    t = TEXT[lang]
    out = []
    nation = results.national().values.get(OVERALL)
    scheme = scheme_of(results)
    for level in results.levels:
        name = level_name(level, lang)
        units = sorted(results.level_units(level), key=lambda u: (u.ranks.get(OVERALL, 10**6), u.path))
        chart = Markup("")
        ranked = [u for u in units if u.values.get(OVERALL) is not None]
        if 0 < len(ranked) <= MAX_CHART_UNITS:
            n = len(ranked)
            marked = n > 2 * HIGHLIGHT
            bars = [Bar(unit_name(u, lang) + (f" ({place(u, lang, scheme)})" if place(u, lang, scheme) else ""),
                        u.values[OVERALL], u.ranks.get(OVERALL),  # type: ignore[arg-type]
                        "top" if marked and i < HIGHLIGHT else "bottom" if marked and i >= n - HIGHLIGHT else "normal")
                    for i, u in enumerate(ranked)]
            legend = [("top", t["top_n"].format(n=HIGHLIGHT, level=name)),
                      ("bottom", t["bottom_n"].format(n=HIGHLIGHT, level=name))] if marked else []
            chart = Markup(bar_chart(bars, title=t["chart_of"].format(level=name), reference=nation,
                                     reference_label=t["national"], legend=legend, decimal_comma=lang == "vi"))
        heading = t["ranking_of"].format(level=name)
        if level in results.breakdowns:
            question = results.breakdowns[level][1 if lang == "en" else 0]
            heading = t["by_question"].format(q=question.rstrip("?").rstrip())
        named = any(u.label != u.code for u in units)
        note = (t["empty_none"] if not ranked else t["one_unit"] if len(ranked) == 1 else "").format(level=name)
        out.append(LevelView(level, name, heading, tuple(units), chart, named, note,
                             any(small(u, results) for u in units)))
    for level, reason in results.empty_levels.items():
        name = level_name(level, lang)
        out.append(LevelView(level, name, t["ranking_of"].format(level=name), (), Markup(""), False,
                             t[f"empty_{reason}"].format(level=name)))
    return out


@dataclass(frozen=True)
class GeneralRow:
    unit: str
    forms: int
    share: float | None
    ci: str
    small: bool


@dataclass(frozen=True)
class GeneralView:
    """The overall-satisfaction question: share satisfied by unit, and every answer nationally."""

    label: str
    rows: tuple[GeneralRow, ...]
    answers: tuple[tuple[str, float | None, str], ...]


def general_view(results: Results, lang: str) -> GeneralView | None:
    keys = [k for k in results.shares if k.group == "general"]
    main = next((k for k in keys if k.value is None), None)
    if main is None:
        return None
    nation = results.national()
    units = [nation, *(results.level_units(results.levels[0]) if results.levels else [])]
    rows = tuple(GeneralRow(unit_name(u, lang), u.forms, u.shares.get(main.key), interval(u, main.key, lang, True),
                            u is not nation and small(u, results)) for u in units)
    every = [k for k in keys if k.indicator == main.indicator + GENERAL_SUFFIX]
    answers = tuple(((k.value_en if lang == "en" else k.value_vi) or "", nation.shares.get(k.key),
                     interval(nation, k.key, lang, True)) for k in every)
    return GeneralView(label(main, lang), rows, answers)


@dataclass(frozen=True)
class ShareRow:
    indicator: str
    label: str
    provisional: bool
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ShareBlock:
    """Indicators sharing one set of answers, shown side by side (``matrix``) or answer by answer."""

    answers: tuple[str, ...]
    """Column headings; a single empty string for indicators reporting one share."""
    rows: tuple[ShareRow, ...]
    matrix: bool


def share_blocks(results: Results, group: str, lang: str) -> list[ShareBlock]:
    """Perception or expectation shares, consecutive indicators with the same answers grouped."""
    nation = results.national()
    order: list[str] = []
    answers: dict[str, list[str]] = {}
    values: dict[str, list[float | None]] = {}
    meta: dict[str, tuple[str, bool]] = {}
    for k in results.shares:
        if k.group != group:
            continue
        if k.indicator not in answers:
            order.append(k.indicator)
            answers[k.indicator], values[k.indicator] = [], []
            meta[k.indicator] = (label(k, lang), k.provisional)
        answers[k.indicator].append(((k.value_en if lang == "en" else k.value_vi) or "") if k.value else "")
        values[k.indicator].append(nation.shares.get(k.key))
    blocks: list[ShareBlock] = []
    for code in order:
        head = tuple(answers[code])
        row = ShareRow(code, meta[code][0], meta[code][1], tuple(values[code]))
        matrix = len(head) <= MAX_MATRIX_ANSWERS
        if blocks and blocks[-1].matrix and matrix and blocks[-1].answers == head:
            last = blocks.pop()
            blocks.append(ShareBlock(head, (*last.rows, row), True))
        else:
            blocks.append(ShareBlock(head, (row,), matrix))
    return blocks


def expectation_chart(results: Results, lang: str) -> Markup:
    """Single-share expectation indicators ranked, as a bar chart from 0."""
    nation = results.national()
    rows = [(label(k, lang), nation.shares.get(k.key)) for k in results.shares
            if k.group == "expectation" and k.value is None]
    bars = [Bar(lbl, v, i + 1) for i, (lbl, v) in enumerate(sorted(
        [(lbl, v) for lbl, v in rows if v is not None], key=lambda r: -r[1]))]
    if len(bars) < 2:
        return Markup("")
    return Markup(bar_chart(bars, title=TEXT[lang]["expectation_chart"], decimal_comma=lang == "vi", lo=0.0))
