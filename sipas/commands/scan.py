"""``sipas scan``: read scanned questionnaires into the workspace and say what became of every page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from omr.errors import BadArgumentsError, ExitCode
from omr.formid import display_form_id

if TYPE_CHECKING:  # the reading engine loads when a scan runs, not for `sipas scan --help`
    from omr.reread import Reread
    from omr.store.db import Store
    from omr.store.summary import ScanSummary

MAX_LISTED = 10


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _pages(numbers: tuple[int, ...]) -> str:
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(str(n) for n in numbers)


def format_summary(s: ScanSummary) -> list[str]:
    """The final report of a batch, one line each (stable wording: operators grep it)."""
    lines = [f"{_count(s.pages, 'page')} from {_count(s.files, 'file')}"
             + (f" ({s.pages_skipped} already recorded by an earlier run, not read again)" if s.pages_skipped
                else "")]
    review_detail = []
    if s.fields_flagged:
        review_detail.append(f"{_count(s.fields_flagged, 'field')} flagged")
    if s.pages_to_review:
        review_detail.append(f"{_count(s.pages_to_review, 'page')} unidentified or unaligned")
    lines.append(f"  read:         {s.read}")
    lines.append(f"  in review:    {s.review}" + (f" ({', '.join(review_detail)})" if review_detail else ""))
    lines.append(f"  rejected:     {s.rejected}")
    for group in s.rejected_reasons:
        more = f", … {group.count - len(group.examples)} more" if group.count > len(group.examples) else ""
        lines.append(f"    {group.count} × {group.reason}: {', '.join(group.examples)}{more}")
    lines.append(f"  blank backs:  {s.blank} (skipped)")
    if s.unrecorded:
        lines.append(f"  not recorded: {len(s.unrecorded)} (fix the file and run the scan again)")
        for err in s.unrecorded[:MAX_LISTED]:
            where = err.source if err.index is None else f"{err.source}#{err.index + 1}"
            lines.append(f"    {where}: {err.reason}")
        if len(s.unrecorded) > MAX_LISTED:
            lines.append(f"    … {len(s.unrecorded) - MAX_LISTED} more")
    lines.append(f"forms: {s.forms_complete} complete, {len(s.forms_incomplete)} with missing pages"
                 + (f", {s.forms_not_returned} not returned" if s.forms_not_returned is not None else ""))
    for gap in s.forms_incomplete[:MAX_LISTED]:
        lines.append(f"  {display_form_id(gap.form_id)}: missing {_pages(gap.missing)} of {gap.pages_expected}")
    if len(s.forms_incomplete) > MAX_LISTED:
        lines.append(f"  … {len(s.forms_incomplete) - MAX_LISTED} more (see the review app's forms page)")
    return lines


def _reread_fixed(store: Store, template: list[Path]) -> list[Reread]:
    """Read again the pages a reviewer identified or aligned by hand, and say what became of them."""
    from omr.batch import TemplateIndex
    from omr.reader import ReaderContext
    from omr.reread import pending_pages, reread_pages

    if not pending_pages(store):
        return []
    index = TemplateIndex(template)
    done = reread_pages(store, ReaderContext.load(index.sources), index)
    for r in done:
        typer.echo(f"{r.key} (fixed in review): {r.outcome}" + (f" — {r.reason}" if r.reason else ""))
    return done


def scan(
    paths: list[Path] = typer.Argument(
        None, help="Scan files (PDF, TIFF, JPEG, PNG) or folders of them (walked recursively, hidden files "
                   "and .csv/.json/.txt companions skipped). None: only read again the pages fixed in review.",
        show_default=False),
    workspace: Path | None = typer.Option(
        None, "--workspace", "-w", help="Workspace folder for the database and the page images kept for "
                                        "review (default: ./sipas-workspace)."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL instead of the workspace's SQLite file, e.g. "
                           "postgresql+psycopg://user@host/sipas (page images stay in the workspace)."),
    jobs: int = typer.Option(
        os.cpu_count() or 1, "--jobs", "-j", min=1, help="Pages read in parallel (worker processes); "
                                                         "1 reads in this process."),
    manifest: Path | None = typer.Option(
        None, "--manifest", "-m", help="Import this forms manifest first (the .manifest.csv written by "
                                       "`sipas template render`): unit codes and which forms are still out."),
    template: list[Path] = typer.Option(
        [], "--template", "-t", help="Also recognise forms of this template file (repeatable); the built-in "
                                     "templates are always known. The workspace keeps a copy (and its images) for "
                                     "later runs, review, export and score."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar (it is also off when stderr is "
                                                            "not a terminal)."),
) -> None:
    """Read scanned questionnaires: every page ends read, in review, rejected (with why) or blank.

    Re-running the same files adds nothing twice; an interrupted run carries on where it stopped.
    Exits with 5 when any page was rejected or could not be read, 0 otherwise.
    """
    paths = paths or []
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise BadArgumentsError(f"no such file or folder: {', '.join(missing)}")
    if manifest is not None and not manifest.is_file():
        raise BadArgumentsError(f"--manifest {manifest}: no such file")
    from omr.batch import progress_wanted
    from omr.batch import scan as run_scan
    from omr.store.db import open_store
    from omr.store.manifest import import_manifest
    from omr.store.templates import remember_templates, workspace_templates

    store = open_store(workspace, db)
    try:
        remember_templates(store.workspace, list(template))
        template = workspace_templates(store.workspace)  # given now or in an earlier run
        if manifest is not None:
            imported = import_manifest(store, manifest)
            if not quiet:
                typer.echo(f"manifest {manifest}: {imported.added} forms added, {imported.updated} updated, "
                           f"{imported.unchanged} already known", err=True)
        fixed = _reread_fixed(store, template)
        if not paths:
            typer.echo(f"nothing to scan; read again {len(fixed)} page(s) fixed in review")
            return
        result = run_scan(paths, store, jobs=jobs, progress=progress_wanted(quiet), templates=template)
    finally:
        store.engine.dispose()
    typer.echo("\n".join(format_summary(result)))
    if result.any_rejected:
        raise typer.Exit(int(ExitCode.pages_rejected))
