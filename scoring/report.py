"""The HTML report (self-contained: inline CSS and SVG, system fonts) and its PDF print.

It mirrors the annual SIPAS report: forms used and left out, the overall and aspect indices,
element and item tables, the ranking of units with a bar chart, ranges, perception and
expectation tables, and the change against the previous results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from omr.errors import BadArgumentsError
from scoring.charts import Bar, bar_chart
from scoring.i18n import TEXT
from scoring.options import OVERALL
from scoring.pdf import html_to_pdf
from scoring.results import Indicator, Results, ShareKey, UnitResult

TEMPLATES = Path(__file__).parent / "templates"
MAX_CHART_UNITS = 80
HIGHLIGHT = 5


@dataclass(frozen=True)
class LevelView:
    level: str
    name: str
    units: tuple[UnitResult, ...]
    chart: Markup


@dataclass(frozen=True)
class ShareTable:
    indicator: str
    label: str
    provisional: bool
    rows: tuple[tuple[str, float | None], ...]


def number(value: float | None, lang: str) -> str:
    """Two decimals (comma in Vietnamese); a dash when there is no value."""
    if value is None:
        return "—"
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "vi" else text


def signed(value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + number(value, lang)


def _label(obj: Indicator | ShareKey, lang: str) -> str:
    return obj.en if lang == "en" else obj.vi


def _level_name(level: str, results: Results, lang: str) -> str:
    t = TEXT[lang]
    key = f"level_{level}"
    if key in t:
        return t[key]
    return t["by_field"] + f" ({level})"


def _levels(results: Results, lang: str) -> list[LevelView]:
    out = []
    nation = results.national().values.get(OVERALL)
    for level in results.levels:
        units = sorted(results.level_units(level), key=lambda u: (u.ranks.get(OVERALL, 10**6), u.path))
        chart = Markup("")
        if 0 < len(units) <= MAX_CHART_UNITS:
            n = len(units)
            bars = [Bar(u.label, u.values[OVERALL], u.ranks.get(OVERALL),  # type: ignore[arg-type]
                        "top" if i < HIGHLIGHT and n > 2 * HIGHLIGHT else
                        "bottom" if i >= n - HIGHLIGHT and n > 2 * HIGHLIGHT else "normal")
                    for i, u in enumerate(units) if u.values.get(OVERALL) is not None]
            title = f"{TEXT[lang]['ranking']} {_level_name(level, results, lang)} — {TEXT[lang]['overall']}"
            chart = Markup(bar_chart(bars, title=title, reference=nation, reference_label=TEXT[lang]["national"],
                                     decimal_comma=lang == "vi"))
        out.append(LevelView(level, _level_name(level, results, lang), tuple(units), chart))
    return out


def _share_tables(results: Results, group: str, lang: str) -> list[ShareTable]:
    nation = results.national()
    tables: dict[str, list[tuple[str, float | None]]] = {}
    meta: dict[str, tuple[str, bool]] = {}
    for k in results.shares:
        if k.group != group:
            continue
        meta.setdefault(k.indicator, (_label(k, lang), k.provisional))
        answer = (k.value_en if lang == "en" else k.value_vi) if k.value is not None else ""
        tables.setdefault(k.indicator, []).append((answer or "", nation.shares.get(k.key)))
    return [ShareTable(code, meta[code][0], meta[code][1], tuple(rows)) for code, rows in tables.items()]


def render_html(results: Results, lang: str = "vi") -> str:
    """The report as one self-contained HTML document."""
    if lang not in TEXT:
        raise BadArgumentsError(f"--lang {lang!r}: use vi or en")
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    nation = results.national()
    inds = results.indicators
    elements = [i for i in inds if i.kind == "element"]
    element_chart = bar_chart(
        [Bar(_label(e, lang), nation.values[e.code]) for e in elements  # type: ignore[arg-type]
         if nation.values.get(e.code) is not None],
        title=TEXT[lang]["elements"], reference=nation.values.get(OVERALL),
        reference_label=TEXT[lang]["overall"], decimal_comma=lang == "vi")
    expectation = _share_tables(results, "expectation", lang)
    expectation_sorted = sorted(
        [(t.label, t.rows[0][1], t.provisional) for t in expectation if len(t.rows) == 1],
        key=lambda r: -(r[1] if r[1] is not None else -1.0))
    satisfied = ", ".join(results.options.get("satisfied", "").split(","))
    html = env.get_template("report.html").render(
        r=results, lang=lang, t=TEXT[lang], nation=nation,
        title=results.title_en if lang == "en" else results.title_vi,
        aspects=[i for i in inds if i.kind == "aspect"],
        elements=elements,
        items=[i for i in inds if i.kind == "item"],
        label=lambda i: _label(i, lang), num=lambda v: number(v, lang), signed=lambda v: signed(v, lang),
        levels=_levels(results, lang),
        element_chart=Markup(element_chart),
        perception=_share_tables(results, "perception", lang),
        expectation=expectation, expectation_sorted=expectation_sorted,
        ranges=[g for g in results.ranges if results.levels and g.level == results.levels[0]],
        satisfied=satisfied,
    )
    return str(html)


def write_report(results: Results, out_dir: Path, *, lang: str = "vi", pdf: bool = True) -> list[Path]:
    """``report.html`` (and ``report.pdf`` printed by Chromium) in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "report.html"
    html_path.write_text(render_html(results, lang), encoding="utf-8")
    written = [html_path]
    if pdf:
        written.append(html_to_pdf(html_path, out_dir / "report.pdf"))
    return written
