"""``sipas fieldwork returns import`` (the post's outcome sheet) and ``sipas fieldwork sync`` (the reading)."""

from __future__ import annotations

from pathlib import Path

import typer

from sipas.commands.ledger_options import DB, SURVEY, WORKSPACE

returns_app = typer.Typer(help="The post office's outcome sheets: handed, delivered / unreachable / refused / moved, "
                               "collected.", no_args_is_help=True)


@returns_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="The post's sheet (.xlsx or .csv, one row per form id; headers "
                                          "mã phiếu/form id, bưu tá/postman, ngày giao bưu điện/handed, "
                                          "ngày phát/delivered, kết quả/outcome, ngày thu/collected, ghi chú/note)."),
    survey: Path = SURVEY,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    actor: str | None = typer.Option(None, "--actor", help="Who imports (default: the login name)."),
    report: Path | None = typer.Option(None, "--report", help="Rejects file (.xlsx or .csv; default: beside FILE, "
                                                              "<name>.rejects.xlsx|csv)."),
) -> None:
    """Apply the post's outcome sheet to the ledger, then sync with the reading.

    Every row is applied, unchanged or rejected with its reason (unknown form id, impossible transition,
    unreadable date, unknown outcome); rejected rows and flagged ones (collected before delivered) go to
    the rejects file. The file is one transaction, and importing it again changes nothing.
    Exit code 0 when no row was rejected, 5 when some were.
    """
    import getpass

    from fieldwork.returns import import_returns, report_path, write_report
    from fieldwork.survey import load_survey
    from fieldwork.sync import sync
    from omr.errors import BadArgumentsError, ExitCode
    from sipas.commands.review import open_existing

    if not file.is_file():
        raise BadArgumentsError(f"{file}: no such file; give the post's outcome sheet (.xlsx or .csv)")
    s = load_survey(survey)
    store = open_existing(workspace, db)
    result = import_returns(store, s.name, file, actor or getpass.getuser())
    if result.already_imported_at is not None:
        typer.echo(f"{file}: already imported on {result.already_imported_at:%Y-%m-%d %H:%M} "
                   f"(import {result.batch}, {result.rows} rows), nothing changed")
        return
    typer.echo(f"{file}: {result.rows} rows: {result.applied} applied, {result.unchanged} unchanged, "
               f"{result.rejected} rejected, {result.flagged} flagged")
    for code, n in sorted(result.rejected_by_reason.items()):
        typer.echo(f"  rejected {code:<16} {n}")
    for o in [o for o in result.outcomes if o.result == "rejected" or o.flags][:10]:
        typer.echo(f"  {o.where}: {o.form_id}: {o.reason or ', '.join(o.flags)}")
    if result.rejected or result.flagged:
        dest = write_report(result, report or report_path(file))
        typer.echo(f"rejected and flagged rows → {dest}")
    synced = sync(store, s.name)
    _echo_sync(synced.scanned, synced.verified, synced.scored, synced.invalid, synced.conflicts)
    if result.rejected:
        raise typer.Exit(int(ExitCode.pages_rejected))


def sync_cmd(
    survey: Path = SURVEY,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    final: bool = typer.Option(False, "--final", help="Collection is closed: a form with a page still missing "
                                                      "becomes invalid."),
) -> None:
    """Record what the reading says in the ledger: scanned, verified, scored or invalid (with the reason)."""
    from fieldwork.survey import load_survey
    from fieldwork.sync import sync
    from sipas.commands.review import open_existing

    s = load_survey(survey)
    result = sync(open_existing(workspace, db), s.name, final=final)
    typer.echo(f"{result.forms} forms looked at")
    _echo_sync(result.scanned, result.verified, result.scored, result.invalid, result.conflicts)


def _echo_sync(scanned: int, verified: int, scored: int, invalid: int, conflicts: tuple[str, ...]) -> None:
    typer.echo(f"sync with the reading: {scanned} scanned, {verified} verified, {scored} scored, {invalid} invalid"
               f"{f', {len(conflicts)} conflicts' if conflicts else ''}")
    for c in conflicts[:10]:
        typer.echo(f"  conflict: {c}")
