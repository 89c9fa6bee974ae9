"""``sipas synth frame``: a synthetic one-stop-shop export or household list with the truth of every row.

``sipas synth`` stays one command (its options unchanged); :class:`SynthCommand` routes a first
argument ``frame`` to :func:`synth_frame`, and its help names the subcommand.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand

EPILOG = ("Sampling frames: `sipas synth frame --survey survey.yaml --records N --seed S --out frame.xlsx` writes a "
          "one-stop-shop export or household list with defective rows and their truth (`sipas synth frame --help`). "
          "Post outcomes: `sipas synth returns --survey survey.yaml -w WORKSPACE --seed S --out sheet.xlsx` simulates "
          "the post for the printed forms of a ledger (`sipas synth returns --help`).")


def synth_frame(
    survey: Path = typer.Option(..., "--survey", help="The survey whose units, fields or villages to fill."),
    records: int = typer.Option(1000, "--records", min=1, help="Number of rows."),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="The same seed writes the same bytes."),
    out: Path = typer.Option(..., "--out", help="frame.xlsx (a sheet per unit) or frame.csv."),
    defects: float = typer.Option(0.15, "--defects", min=0.0, max=1.0, help="Share of defective rows."),
) -> None:
    """Write a realistic list (Vietnamese names, addresses in old and new units, phones in several spellings,
    transaction dates, fields) and OUT's name with .truth.csv: for every row, `accepted` and its commune code,
    or the reason `sipas fieldwork frame` must reject it for."""
    from fieldwork.survey import load_survey
    from samples.frame.generate import synth_frame as run

    s = load_survey(survey)
    summary = run(s, records, seed, out, defects)
    typer.echo(f"wrote {out}: {summary.rows} rows, {summary.defective} defective; truth: "
               f"{out.with_name(out.stem + '.truth.csv')}")
    for truth, n in summary.by_truth.items():
        typer.echo(f"  {truth:<18} {n}")


@functools.cache
def _frame_command() -> Any:
    sub = typer.Typer(add_completion=False)
    sub.command("frame")(synth_frame)
    return typer.main.get_command(sub)


class SynthCommand(TyperCommand):
    """``sipas synth`` with a ``frame`` subcommand in front of its usual options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["epilog"] = kwargs.get("epilog") or EPILOG
        super().__init__(*args, **kwargs)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if args[:1] == ["frame"]:
            return _frame_command().make_context(f"{info_name} frame", args[1:], parent=parent, **extra)
        if args[:1] == ["returns"]:
            from sipas.commands.synth_returns import returns_command
            return returns_command().make_context(f"{info_name} returns", args[1:], parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)
