"""``sipas template import quexf|omrchecker``: another system's form description as a template YAML."""

from __future__ import annotations

from pathlib import Path

import typer

from omr.errors import BadArgumentsError

import_app = typer.Typer(
    help="Import another OMR system's form description (queXF banding XML, OMRChecker template.json) as a "
         "fixed-layout template.",
    no_args_is_help=True,
)

OUT = typer.Option(..., "--out", help="The template YAML to write; its images are written next to it.")
NAME = typer.Option(None, "--name", help="Template name (lower-case letters, digits, '-'); default from the file.")
TITLE = typer.Option(None, "--title", help="Template title; default names the source.")


def _check_out(out: Path) -> None:
    if out.suffix not in (".yaml", ".yml"):
        raise BadArgumentsError(f"--out {out}: give a .yaml file name, e.g. form.yaml")


def _check_name(name: str | None) -> None:
    from omr.template.codes import checked_name

    if name is not None:
        checked_name(name)


@import_app.command()
def quexf(
    banding: Path = typer.Argument(..., help="queXF banding XML (Banding > Export banding XML)."),
    pdf: Path = typer.Option(..., "--pdf", help="The original PDF the banding was made on."),
    out: Path = OUT,
    name: str | None = NAME,
    title: str | None = TITLE,
) -> None:
    """Import a queXF banding XML with its original PDF; writes the YAML and a 150-dpi blank PNG per page."""
    from omr.template.importers.quexf import import_quexf

    _check_out(out)
    _check_name(name)
    result = import_quexf(banding, pdf, out, name=name, title=title)
    t = result.template
    typer.echo(f"wrote {out}: {t.name}, {t.page_count} pages, {len(t.answer_codes())} answer codes")
    for why in result.skipped:
        typer.echo(f"  not imported: {why}")
    typer.echo("check the labels and the boxes on an overlay before reading forms with it")


@import_app.command()
def omrchecker(
    template_json: Path = typer.Argument(..., help="OMRChecker template.json."),
    blank: Path | None = typer.Option(
        None, "--blank", help="An image of the blank sheet cropped to the page frame; adds 'features' alignment."),
    config: Path | None = typer.Option(
        None, "--config", help="OMRChecker config.json (default: config.json beside the template, if any)."),
    out: Path = OUT,
    name: str | None = NAME,
    title: str | None = TITLE,
) -> None:
    """Import an OMRChecker template.json; copies its marker image and writes the blank page next to the YAML."""
    from omr.template.importers.omrchecker import import_omrchecker

    _check_out(out)
    _check_name(name)
    result = import_omrchecker(template_json, out, blank=blank, config=config, name=name, title=title)
    t = result.template
    typer.echo(f"wrote {out}: {t.name}, {len(t.answer_codes())} answer codes")
    for column in result.columns:
        if len(column.parts) > 1:
            typer.echo(f"  OMRChecker column {column.name} = {' + '.join(p.code for p in column.parts)}")
    for why in result.dropped_preprocessors:
        typer.echo(f"  preprocessor not carried over: {why}")
    typer.echo("check the labels and the boxes on an overlay before reading forms with it")
