"""``sipas eval``: score an answers export against ground truth (mark error rate, review share)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from omr.reader.evaluate import EvalResult, Tally, evaluate_files, result_json
from omr.template.load import builtin_templates, load_template


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


def eval_command(
    truth: Path = typer.Option(..., "--truth", help="Ground truth CSV: form_id,field,value (from `sipas synth`)."),
    answers: Path = typer.Option(
        ..., "--answers",
        help="Answers CSV from `sipas export --format answers`: form_id,field,value,status,confidence.",
    ),
    pages: Path | None = typer.Option(
        None, "--pages", help="pages.csv from `sipas synth` (form_id, quality, …): adds a breakdown by scan quality."
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the results as JSON to this file."),
    template: list[str] | None = typer.Option(
        None, "--template", help="Template(s) that give each field's kind (default: every built-in template)."
    ),
) -> None:
    """Score a reading against ground truth: mark error rate among auto-accepted fields, share sent
    to review, digit accuracy, missing fields, and (with --pages) each by scan quality."""
    kinds: dict[str, str] = {}
    for name in template or list(builtin_templates()):
        for code, kind in load_template(name).answer_kinds().items():
            kinds.setdefault(code, kind)
    result = evaluate_files(truth, answers, kinds, pages)
    console = Console()
    render(result, console if console.is_terminal else Console(width=120))
    if json_out is not None:
        json_out.write_text(json.dumps(result_json(result), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        typer.echo(f"wrote {json_out}")
