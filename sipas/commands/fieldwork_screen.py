"""``sipas fieldwork screen``: integrity screening of a survey's scanned forms, per unit, for monitors."""

from __future__ import annotations

from pathlib import Path

import typer

from sipas.commands.ledger_options import DB, SURVEY, WORKSPACE


def screen(
    survey: Path = SURVEY,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    out: Path | None = typer.Option(None, "--out", help="Folder for integrity.html and integrity.json "
                                                        "(default: <workspace>/fieldwork/<survey name>/screen)."),
    hands: bool = typer.Option(True, "--hands/--no-hands",
                               help="Compare ink and digit shapes on the page images (the slowest screen)."),
) -> None:
    """Flag units whose returns look filled by the same hand: repeated answer patterns, straight-lining,
    forms collected before delivery or in bulk, the same ink and digit shapes, uniform satisfaction.

    Writes OUT/integrity.html (flags with the evidence, page crops side by side) and OUT/integrity.json,
    mode 0600, form ids only. Flags are for monitors to judge, never automatic exclusions.
    """
    from fieldwork.integrity import screen as run
    from fieldwork.integrity_data import load_screen_data
    from fieldwork.integrity_hand import PageImages, hand_features
    from fieldwork.integrity_report import write_report
    from fieldwork.survey import load_survey
    from omr.store.db import open_store
    from omr.template.load import load_template
    from omr.template.model import DigitsField

    s = load_survey(survey)
    template = load_template(s.instrument)
    store = open_store(workspace, db, create=db is not None)
    try:
        from fieldwork.integrity import satisfaction_items

        items = satisfaction_items(template)
        codes = set(items.codes) | set(items.grid_rows) | {f.code for f in template.fields()
                                                            if isinstance(f, DigitsField)}
        data = load_screen_data(store, s, template, codes)
    finally:
        store.engine.dispose()
    feats = hand_features(data.forms, template, PageImages(data.workspace)) if hands else None
    result = run(data, template, feats, survey=s.name)
    page, doc = write_report(result, data, template, out or workspace / "fieldwork" / s.name / "screen")
    typer.echo(f"{result.forms} scanned forms in {len(result.units)} units"
               + (f" ({len(result.without_unit)} without a unit of this survey, left out)"
                  if result.without_unit else ""))
    for u in result.units:
        kinds = [f.kind for f in result.flags if f.unit == u.unit]
        typer.echo(f"  {u.unit:<12} {u.forms:>5} forms  {', '.join(kinds) if kinds else '-'}")
    typer.echo(f"{len(result.flags)} flag(s), for monitors to judge (not exclusions): {page} and {doc.name}")
