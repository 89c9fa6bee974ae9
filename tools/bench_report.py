"""The bench's printed report: each figure checked against its bar (✓ / ✗), from ``bench/last.json``."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

BARS: dict[str, dict[str, float]] = {
    "clean": {"error": 1e-4, "review": 0.02, "identified": 0.995},
    "office": {"error": 1e-4, "review": 0.02, "identified": 0.995},
    "fax": {"error": 1e-3, "review": 0.10, "identified": 0.995},
    "photo": {"error": 1e-3, "review": 0.10, "identified": 0.98},
}
"""Per quality: wrong among auto-accepted clear-mark fields, checkbox fields to review, pages identified."""
BAR_CIRCLED, BAR_HESITATE_WRONG = 0.99, 0.01
BAR_DIGITS, BAR_DIGIT_REVIEW, BAR_PAGES_PER_S, BAR_SCALING, BAR_MEMORY_GROWTH = 0.99, 0.10, 10.0, 0.8, 1.25


def fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "–"
    if x == 0:
        return "0"
    return f"{x:.2%}" if pct else (f"{x:.1e}" if x < 0.01 else f"{x:.2f}")


def ok(good: bool | None) -> str:
    return "–" if good is None else ("[green]✓[/green]" if good else "[red]✗[/red]")


def _at_most(x: float | None, bar: float) -> str:
    return ok(None if x is None else x <= bar)


def _at_least(x: float | None, bar: float) -> str:
    return ok(None if x is None else x >= bar)


def digits_overall(*groups: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The date fields of several sets together."""
    done = [r for g in groups for r in g.values() if "error" not in r and r.get("digit_fields")]
    if not done:
        return None
    fields = sum(r["digit_fields"] for r in done)
    auto = sum(r["digit_auto"] for r in done)
    wrong = sum(r["digit_wrong"] for r in done)
    cells = sum(r["digit_cells"] for r in done)
    review_cells = sum(r["digit_cell_review_share"] * r["digit_cells"] for r in done if r["digit_cells"])
    auto_cells = sum(r["digit_auto_cells"] for r in done)
    right_cells = sum(r["digit_right_cells"] for r in done)
    return {"fields": fields, "auto": auto, "wrong": wrong, "accuracy": (auto - wrong) / auto if auto else None,
            "review_share": (fields - auto) / fields, "cells": cells,
            "cell_review_share": review_cells / cells if cells else None,
            "cell_accuracy": right_cells / auto_cells if auto_cells else None}


def _digit_line(name: str, digits: dict[str, Any]) -> str:
    """One line of date figures, each checked against its bar (accuracy per date and per digit)."""
    acc, cell_acc = digits["accuracy"], digits["cell_accuracy"]
    share, cell_share = digits["review_share"], digits["cell_review_share"]
    return (f"{name}: {digits['fields']} dates, {digits['auto']} accepted, {digits['wrong']} wrong → right "
            f"{fmt(acc, True)} of dates {_at_least(acc, BAR_DIGITS)}, {fmt(cell_acc, True)} of "
            f"digits {_at_least(cell_acc, BAR_DIGITS)} (bar ≥ {BAR_DIGITS:.0%}); to review "
            f"{fmt(share, True)} of dates {_at_most(share, BAR_DIGIT_REVIEW)}, {fmt(cell_share, True)} of digits "
            f"{_at_most(cell_share, BAR_DIGIT_REVIEW)} (bar ≤ {BAR_DIGIT_REVIEW:.0%})")


def _main_tables(result: dict[str, Any], errors: list[str]) -> tuple[Table, Table]:
    """Marks and pages per quality; digits, speed and memory per quality."""
    cores = result["cores"]
    marks = Table(title=f"sipas bench ({result['template']}, evaluation families, seed {result['seed']}, {cores} cores)"
                  ": checkbox marks and pages")
    for col in ("quality", "pages identified", "clear marks auto / wrong", "clear-mark error", "marks to review",
                "circled right or review", "hesitate auto-wrong", "all marks auto / wrong"):
        marks.add_column(col, justify="right")
    speed = Table(title="dates, speed and memory")
    for col in ("quality", "pages", "digit accuracy", "digits to review (fields / digits)", "pages/s 1 job",
                f"pages/s {cores} jobs", "peak MB"):
        speed.add_column(col, justify="right")
    for q, r in result["qualities"].items():
        if "error" in r:
            marks.add_row(q, *["–"] * 7)
            speed.add_row(q, *["–"] * 6)
            errors.append(f"{q}: {r['error']}")
            continue
        bar = BARS[q]
        ident = r.get("identified_share")
        clear_err, bound = r.get("clear_error_rate"), r.get("clear_error_upper95")
        circled, hesitate = r.get("circled_right_or_review_share"), r.get("hesitate_auto_wrong_share")
        review = r["review_share"]
        cell_share = r.get("digit_cell_review_share")
        marks.add_row(
            q,
            f"{r.get('identified', '–')} / {r.get('form_pages', '–')} = {fmt(ident, True)} "
            f"{_at_least(ident, bar['identified'])}",
            f"{r.get('clear_auto', '–')} / {r.get('clear_wrong', '–')}",
            f"{fmt(clear_err)}{'' if bound is None else f' (<{bound:.0e})'} {_at_most(clear_err, bar['error'])}",
            f"{fmt(review, True)} {_at_most(review, bar['review'])}",
            f"{fmt(circled, True)} {_at_least(circled, BAR_CIRCLED)}",
            f"{fmt(hesitate, True)} {_at_most(hesitate, BAR_HESITATE_WRONG)}",
            f"{r['mark_auto']} / {r['mark_wrong']}")
        speed.add_row(
            q, str(r["pages"]),
            f"{fmt(r['digit_accuracy'], True)} {_at_least(r['digit_accuracy'], BAR_DIGITS)}",
            f"{fmt(r['digit_review_share'], True)} {_at_most(r['digit_review_share'], BAR_DIGIT_REVIEW)} / "
            f"{fmt(cell_share, True)} {_at_most(cell_share, BAR_DIGIT_REVIEW)}",
            f"{r['pages_per_s_1_job']:.2f}", f"{r[f'pages_per_s_{cores}_jobs']:.2f}", f"{r['peak_memory_mb']:.0f}")
    return marks, speed


def _mark_table(result: dict[str, Any]) -> Table | None:
    """Per mark kind and quality: fields · auto-accepted wrong · sent to review."""
    done = {q: r["by_mark"] for q, r in result["qualities"].items() if r.get("by_mark")}
    if not done:
        return None
    kinds = list(dict.fromkeys(k for by in done.values() for k in by))
    t = Table(title="checkbox fields by mark kind")
    t.add_column("mark: fields · auto wrong · to review (right or review share)", justify="left")
    for q in done:
        t.add_column(q, justify="right")
    for kind in kinds:
        cells = []
        for by in done.values():
            c = by.get(kind)
            answered = c["fields"] - c["missing"] if c else 0
            share = (c["auto_right"] + c["review"]) / answered if c and answered else None
            cells.append("–" if not c else f"{c['fields']} · {c['wrong']} · {c['review']} ({fmt(share, True)})")
        t.add_row(kind, *cells)
    return t


def _reliability_table(bins: list[dict[str, Any]]) -> Table:
    t = Table(title="calibration check, evaluation sets together: confidence (probability) vs observed")
    for col in ("confidence", "fields", "mean predicted", "observed right", "wrong", "expected wrong"):
        t.add_column(col, justify="right")
    for b in bins:
        t.add_row(f"[{b['low']:g}, {b['high']:g}{']' if b['high'] >= 1 else ')'}", str(b["fields"]),
                  "–" if b["mean_predicted"] is None else f"{b['mean_predicted']:.4f}",
                  "–" if b["observed"] is None else f"{b['observed']:.4f}", str(b["wrong"]),
                  f"{b['expected_wrong']:.1f}")
    return t


def _expected_vs_observed(quality: str, bins: list[dict[str, Any]]) -> str:
    return f"{quality} {sum(b['expected_wrong'] for b in bins):.1f} vs {sum(b['wrong'] for b in bins)}"


def render(result: dict[str, Any], console: Console) -> None:
    """Print the results as tables with each figure checked against its bar."""
    cores = result["cores"]
    errors: list[str] = []
    for table in _main_tables(result, errors):
        console.print(table)
    marks = _mark_table(result)
    if marks is not None:
        console.print(marks)
    if result.get("reliability"):
        console.print(_reliability_table(result["reliability"]))
        c = result.get("calibration")
        console.print("confidence calibration: " + ("none (omr/models/mark_calibration.json missing or "
                                                    "SIPAS_CALIBRATION=off)" if not c else
                      f"{c['families']} families, {c['fields']} fields of {c['forms']} forms, fitted {c['date']} "
                      f"(`{c['command']}`, reader config {c['config_hash']})")
                      + (" [red]— fitted on other reader thresholds: refit (python -m tools.calibrate)[/red]"
                         if result.get("calibration_stale") else ""))
        per = [_expected_vs_observed(q, r["reliability"]) for q, r in result["qualities"].items()
               if r.get("reliability")]
        console.print("auto-accepted checkbox fields, wrong values expected (sum of 1 − p) vs observed: "
                      + ", ".join(per))
    for q, r in result.get("dates", {}).items():
        if "error" in r:
            errors.append(f"dates {q}: {r['error']}")
        elif r.get("digit_fields"):
            console.print(_digit_line(f"date set {q} ({r['forms']} forms, seed {r['seed']})",
                                      digits_overall({q: r}) or {}))
    digits = digits_overall(result.get("dates", {}))
    if digits:
        console.print(_digit_line("handwritten dates, the date sets together", digits))
    for line in errors:
        console.print(f"[red]failed[/red] {line}")
    tp = result.get("throughput")
    if tp and "error" not in tp:
        one, mem = tp["pages_per_s_1_jobs"], tp["peak_memory_mb_1_jobs"]
        console.print(f"checkbox-only JPEG 300 dpi: {one:.2f} pages/s on one core {ok(one >= BAR_PAGES_PER_S)} "
                      f"(bar ≥ {BAR_PAGES_PER_S:g}); {tp[f'pages_per_s_{cores}_jobs']:.2f} pages/s with {cores} jobs, "
                      f"scaling {tp['scaling']:.0%} of linear {ok(tp['scaling'] >= BAR_SCALING)}")
        console.print(f"peak memory, {tp['pages'][0]} vs {tp['pages'][1]} pages: {mem[0]:.0f} vs {mem[1]:.0f} MB "
                      f"(1 job) {ok(mem[1] <= mem[0] * BAR_MEMORY_GROWTH)}")
    elif tp:
        console.print(f"[red]failed[/red] throughput: {tp['error']}")
