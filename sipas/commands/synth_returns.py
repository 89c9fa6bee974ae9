"""``sipas synth returns``: a simulated post outcome sheet for the printed forms of a ledger, with its truth."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import typer

from sipas.commands.ledger_options import DB, SURVEY, WORKSPACE


def synth_returns(
    survey: Path = SURVEY,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    seed: int = typer.Option(0, "--seed", min=0, help="The same seed and ledger write the same bytes."),
    out: Path = typer.Option(..., "--out", help="The sheet to write: .xlsx or .csv."),
    unreachable: float = typer.Option(0.05, "--unreachable", min=0.0, max=1.0, help="Share not found at home."),
    refused: float = typer.Option(0.03, "--refused", min=0.0, max=1.0, help="Share refusing the form."),
    moved: float = typer.Option(0.01, "--moved", min=0.0, max=1.0, help="Share who moved away."),
    late: float = typer.Option(0.05, "--late", min=0.0, max=1.0,
                               help="Share of the delivered forms collected after the collection date or not yet."),
) -> None:
    """Simulate the post for every printed form with no door outcome yet: handed, delivered (or
    unreachable, refused, moved), collected a day later, except the late ones. Writes OUT (Vietnamese
    headers, as `sipas fieldwork returns import` reads it) and OUT's name with .truth.csv (per form: outcome,
    delivered, collected, late, days). Shares are exact: round(share × forms) forms each."""
    from fieldwork.ledger import open_ledger
    from fieldwork.simulate import Rates, truth_path, write_returns
    from fieldwork.survey import load_survey
    from sipas.commands.review import open_existing

    s = load_survey(survey)
    store = open_ledger(open_existing(workspace, db))
    forms = write_returns(store, s, seed, Rates(unreachable, refused, moved, late), out)
    counts: dict[str, int] = {}
    for f in forms:
        counts[f.outcome] = counts.get(f.outcome, 0) + 1
    typer.echo(f"wrote {out}: {len(forms)} forms; truth: {truth_path(out)}")
    for outcome, n in sorted(counts.items()):
        typer.echo(f"  {outcome:<12} {n}")
    typer.echo(f"  {'collected':<12} {sum(f.collected for f in forms)}")
    typer.echo(f"  {'late':<12} {sum(f.late for f in forms)}")


@functools.cache
def returns_command() -> Any:
    """The click command ``sipas synth returns`` (routed by :class:`sipas.commands.synth_frame.SynthCommand`)."""
    sub = typer.Typer(add_completion=False)
    sub.command("returns")(synth_returns)
    return typer.main.get_command(sub)
