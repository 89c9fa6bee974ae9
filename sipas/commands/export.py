"""``sipas export``: the long answers file or the de-identified analyst dataset with its codebook."""

from __future__ import annotations

from pathlib import Path

import typer

from omr.errors import BadArgumentsError
from sipas.commands.score import load_dataset

FORMATS = ("answers", "csv", "xlsx", "parquet", "sav", "dta")


def export(
    fmt: str = typer.Option(..., "--format", help="answers (long: form_id,field,value,status,confidence; every "
                            "answer incl. flagged) | csv | xlsx | parquet | sav (SPSS) | dta (Stata) (one row per "
                            "verified form, with 0/1 option variables, dates, unit names, labels and measure "
                            "levels)."),
    out: Path = typer.Option(..., "--out", help="File to write; the codebook goes beside it (.codebook.md/.json)."),
    workspace: Path | None = typer.Option(None, "--workspace", "-w",
                                          help="Workspace folder of `sipas scan` (default ./sipas-workspace)."),
    db: str | None = typer.Option(None, "--db", help="Database URL instead of the workspace's SQLite file."),
    template: str | None = typer.Option(None, help="Template to export (default: the only one in the workspace)."),
    include_unverified: bool = typer.Option(False, "--include-unverified",
                                            help="Also export incomplete forms and forms waiting for review "
                                                 "(adds a status column)."),
    lang: str = typer.Option("vi", help="Language of variable and value labels (sav, dta, xlsx): vi or en."),
    year: int | None = typer.Option(None, "--year", min=2000, max=2100,
                                    help="Survey year: unit names follow the 63-province scheme before 2025 and "
                                         "the 34-province one from 2025 (default: from the dates on the forms, "
                                         "else the template name)."),
) -> None:
    """Export answers for analysts. Never contains respondent names, addresses or phone numbers."""
    from omr.store.db import open_store
    from scoring.export import export_answers, export_dataset

    if fmt not in FORMATS:
        raise BadArgumentsError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "answers":
        result = export_answers(open_store(workspace, db, create=False), out)
        typer.echo(f"wrote {out}: {result.rows} answers")
        return
    dataset = load_dataset(workspace, db, template, None, None, include_unverified)
    result = export_dataset(dataset, out, fmt, lang=lang, include_unverified=include_unverified,  # type: ignore[arg-type]
                            year=year)
    typer.echo(f"wrote {out}: {result.rows} forms × {result.columns} columns; codebook "
               + ", ".join(str(p) for p in result.codebook))
    if result.scheme is not None:
        typer.echo(f"unit names: {result.scheme.note}")
    if not include_unverified and dataset.left_out:
        typer.echo(f"left out {len(dataset.left_out)} unverified forms (use --include-unverified to add them)")
    if result.dropped:
        typer.echo(f"left out identity-like columns: {', '.join(result.dropped)}")
