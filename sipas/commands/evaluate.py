"""``sipas eval``: score an answers export against ground truth (mark error rate, review share)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # the reading engine loads when an evaluation runs, not for --help
    from omr.reader.calibration import ReliabilityBin
    from omr.reader.evaluate import EvalResult, Tally
    from omr.reader.markeval import Headline, MarkBreakdown


def _rate(x: float | None) -> str:
    return "–" if x is None else f"{x:.2e}" if 0 < x < 0.001 else f"{x:.2%}"


def _row(table: Table, name: str, t: Tally) -> None:
    table.add_row(name, str(t.fields), str(t.auto), str(t.wrong), _rate(t.error_rate), str(t.review),
                  _rate(t.review_share), str(t.missing))


def _table(title: str) -> Table:
    table = Table(title=title)
    for col in ("slice", "fields", "auto", "wrong", "error rate (auto)", "to review", "review share", "missing"):
        table.add_column(col, justify="left" if col == "slice" else "right")
    return table


def render(result: EvalResult, console: Console) -> None:
    """Print the evaluation as rich tables."""
    table = _table("Reader accuracy")
    _row(table, "checkbox fields", result.marks)
    for kind, t in result.by_kind.items():
        _row(table, f"  {kind}", t)
    _row(table, "all fields", result.overall)
    console.print(table)
    console.print(f"digit accuracy (auto-accepted digits fields): {_rate(result.digit_accuracy)}")
    if result.by_quality:
        q = _table("By scan quality")
        for quality, groups in result.by_quality.items():
            for group, t in groups.items():
                _row(q, f"{quality} / {group}", t)
        console.print(q)
    for m in result.mismatches[:10]:
        console.print(f"[red]wrong[/red] {m.form_id} {m.field} ({m.kind}): truth {m.truth!r}, read {m.read!r} "
                      f"(confidence {m.confidence:.2f})")
    if len(result.mismatches) > 10:
        console.print(f"... and {len(result.mismatches) - 10} more wrong auto-accepted fields")
    if result.missing:
        shown = ", ".join(f"{f}/{c}" for f, c in result.missing[:10])
        more = f" and {len(result.missing) - 10} more" if len(result.missing) > 10 else ""
        console.print(f"[yellow]missing[/yellow] {len(result.missing)} field(s) with no answer: {shown}{more}")
    if result.extra:
        console.print(f"{result.extra} answer row(s) have no truth row (ignored)")
    if result.by_mark is not None:
        render_marks(result.by_mark, console)
    if any(b.fields for b in result.reliability):
        console.print(_reliability_table(result.reliability))


def _share(x: float | None) -> str:
    return "–" if x is None else f"{x:.2%}"


def headline_lines(h: Headline) -> list[str]:
    """The three figures of the bars, as sentences."""
    c, k, e = h.clear, h.circled, h.hesitate
    bound = f" (95 % upper bound {c.error_upper95:.1e})" if c.error_upper95 is not None else ""
    return [f"clear marks: {c.wrong} wrong of {c.auto} auto-accepted = {_rate(c.error_rate)}{bound}; "
            f"{_share(c.review_share)} sent to review",
            f"circled answers: {k.auto_right + k.review} of {k.answered} read right or sent to review = "
            f"{_share(k.right_or_review_share)}",
            f"hesitate marks: {e.wrong} of {e.answered} auto-accepted with a wrong value = "
            f"{_share(e.auto_wrong_share)}"]


def render_marks(b: MarkBreakdown, console: Console) -> None:
    """The breakdown by mark kind, clear/hesitate, family, and the headline figures."""
    table = Table(title="Checkbox fields by mark kind (marks.csv)")
    for col in ("slice", "fields", "auto right", "auto wrong", "to review", "missing", "right or review"):
        table.add_column(col, justify="left" if col == "slice" else "right")
    rows = [*b.by_mark.items(), *b.by_hesitate.items(), ("circled (any)", b.circled),
            *((f"family {f}", t) for f, t in b.by_family.items())]
    for name, t in rows:
        table.add_row(name, str(t.fields), str(t.auto_right), str(t.wrong), str(t.review), str(t.missing),
                      _share(t.right_or_review_share))
    console.print(table)
    for line in headline_lines(b.headline):
        console.print(line)
    for quality, h in b.by_quality.items():
        for line in headline_lines(h):
            console.print(f"  {quality}: {line}")
    if b.unmatched:
        console.print(f"[yellow]{b.unmatched} checkbox field(s) have no row in marks.csv[/yellow]")


def _reliability_table(bins: tuple[ReliabilityBin, ...]) -> Table:
    table = Table(title="Auto-accepted checkbox fields: confidence vs values read right")
    for col in ("confidence", "fields", "mean confidence", "right share", "wrong", "expected wrong"):
        table.add_column(col, justify="right")
    for b in bins:
        table.add_row(f"[{b.low:g}, {b.high:g}{']' if b.high >= 1 else ')'}", str(b.fields),
                      "–" if b.mean_predicted is None else f"{b.mean_predicted:.4f}",
                      "–" if b.observed is None else f"{b.observed:.4f}", str(b.wrong), f"{b.expected_wrong:.1f}")
    return table


def eval_command(
    truth: Path = typer.Option(..., "--truth", help="Ground truth CSV: form_id,field,value (from `sipas synth`)."),
    answers: Path = typer.Option(
        ..., "--answers",
        help="Answers CSV from `sipas export --format answers`: form_id,field,value,status,confidence.",
    ),
    pages: Path | None = typer.Option(
        None, "--pages", help="pages.csv from `sipas synth` (form_id, quality, …): adds a breakdown by scan quality."
    ),
    marks: Path | None = typer.Option(
        None, "--marks", help="marks.csv from `sipas synth` (what was drawn in each checkbox field): adds a breakdown "
        "by mark kind and clear/hesitate. Default: marks.csv beside --truth when it exists.",
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the results as JSON to this file."),
    template: list[str] | None = typer.Option(
        None, "--template", help="Template(s) that give each field's kind (default: every built-in template)."
    ),
) -> None:
    """Score a reading against ground truth: error rates, review share and digit accuracy.

    Mark error rate among auto-accepted fields, share sent to review, digit accuracy, missing fields,
    (with --pages) each by scan quality, and (with marks.csv) by mark kind, with the clear-mark error,
    circled answers and hesitate marks figures."""
    from omr.reader.evaluate import evaluate_files, result_json
    from omr.template.load import builtin_templates, load_template

    kinds: dict[str, str] = {}
    for name in template or list(builtin_templates()):
        for code, kind in load_template(name).answer_kinds().items():
            kinds.setdefault(code, kind)
    if marks is None and (truth.parent / "marks.csv").is_file():
        marks = truth.parent / "marks.csv"
    result = evaluate_files(truth, answers, kinds, pages, marks)
    console = Console()
    render(result, console if console.is_terminal else Console(width=120))
    if json_out is not None:
        json_out.write_text(json.dumps(result_json(result), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        typer.echo(f"wrote {json_out}")
