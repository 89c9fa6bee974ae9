"""``sipas fieldwork status``: forms out, delivered, collected, overdue and the rates, per unit,
stratum or postman, from the ledger (no identity is read)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from sipas.commands.ledger_options import DB, SURVEY, WORKSPACE


def status(
    survey: Path = SURVEY,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    by: str = typer.Option("unit", "--by", help="Rows per unit, stratum (field or village) or postman "
                                                "(route while no postman is known)."),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit (its code)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (every table and column) instead of the table."),
    today: str | None = typer.Option(None, "--today", help="Judge overdue forms on this day (YYYY-MM-DD; "
                                                           "default: today)."),
    sync_first: bool = typer.Option(True, "--sync/--no-sync", help="First record what the reading says "
                                    "(scanned, verified, scored, invalid), as `sipas fieldwork sync` does."),
) -> None:
    """Fieldwork progress: drawn, forms out, handed, delivered, unreachable, refused, moved, collected,
    overdue (past the survey's collection.collect_by), scanned, verified, valid, invalid; response,
    substitution and valid rates; and issued / returned / valid as the Ministry publishes them.
    Column definitions: docs/fieldwork-status.md.
    """
    from fieldwork.status import compute_status, parse_by
    from fieldwork.status_table import report, to_json
    from fieldwork.survey import load_survey
    from fieldwork.sync import sync
    from omr.errors import BadArgumentsError
    from sipas.commands.review import open_existing

    rows = parse_by(by)
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError as exc:
        raise BadArgumentsError(f"--today {today!r}: give a day as YYYY-MM-DD") from exc
    s = load_survey(survey)
    store = open_existing(workspace, db)
    if sync_first:
        sync(store, s.name)
    result = compute_status(store, s, today=day, unit=unit)
    if as_json:
        typer.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2))
    else:
        typer.echo(report(result, rows))
