"""The HTML report (self-contained: inline CSS and SVG, system fonts) and its PDF print.

It mirrors a results section of the annual SIPAS report: forms used and left out, the overall and
aspect indices with the spread across provinces, element and item tables, the ranking of units with
a bar chart (top and bottom five marked), ranges, perception and expectation tables, and the change
against the previous results. Numbers follow the report's language (``83,94`` in Vietnamese).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from omr.errors import BadArgumentsError
from scoring.charts import Bar, bar_chart
from scoring.i18n import TEXT
from scoring.options import OVERALL
from scoring.pdf import html_to_pdf
from scoring.report_views import (
    count,
    expectation_chart,
    general_view,
    interval,
    label,
    levels,
    merged_text,
    method_notes,
    method_text,
    number,
    place,
    range_text,
    scheme_of,
    sentence_case,
    share_blocks,
    signed,
    small,
    unit_name,
    unit_names,
    when,
)
from scoring.results import Results

TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["number", "render_html", "signed", "write_report"]


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
        [Bar(label(e, lang), nation.values[e.code]) for e in elements  # type: ignore[arg-type]
         if nation.values.get(e.code) is not None],
        title=TEXT[lang]["elements"], reference=nation.values.get(OVERALL),
        reference_label=TEXT[lang]["overall"], decimal_comma=lang == "vi")
    expectation = share_blocks(results, "expectation", lang)
    singles = [r for b in expectation if b.answers == ("",) for r in b.rows]
    expectation_sorted = sorted([(r.label, r.values[0], r.provisional) for r in singles],
                                key=lambda r: -(r[1] if r[1] is not None else -1.0))
    perception = share_blocks(results, "perception", lang)
    provisional_marks = any(r.provisional for b in [*perception, *expectation] for r in b.rows)
    title = results.title_en if lang == "en" else results.title_vi
    html = env.get_template("report.html").render(
        r=results, lang=lang, t=TEXT[lang], nation=nation,
        title=sentence_case(title),
        aspects=[i for i in inds if i.kind == "aspect"],
        elements=elements,
        items=[i for i in inds if i.kind == "item"],
        label=lambda i: label(i, lang), num=lambda v: number(v, lang), signed=lambda v: signed(v, lang),
        count=lambda v: count(v, lang), unit_name=lambda u: unit_name(u, lang),
        place=lambda u: place(u, lang, scheme_of(results)),
        ci=lambda u, k: interval(u, k, lang), share_ci=lambda u, k: interval(u, k, lang, True),
        small=lambda u: small(u, results), merged=lambda u: merged_text(u, lang),
        generated=when(results.generated, lang), method=method_text(results, lang),
        method_notes=method_notes(results, lang), general=general_view(results, lang),
        opinion_level=(TEXT[lang]["level_province"] if any(u.level == "province" for u in results.units)
                       else TEXT[lang]["national"].lower()),
        spread=range_text(results, lang),
        levels=levels(results, lang),
        element_chart=Markup(element_chart),
        perception=perception,
        expectation=expectation, expectation_sorted=expectation_sorted,
        expectation_chart=expectation_chart(results, lang),
        provisional_marks=provisional_marks,
        ranges=[g for g in results.ranges if results.levels and g.level == results.levels[0]],
        range_names=unit_names(results, results.levels[0], lang) if results.levels else {},
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
