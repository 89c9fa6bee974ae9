"""``sipas template from-scan`` and ``sipas template overlay``: a template for a form we did not print.

The lead registers these callbacks in :mod:`sipas.commands.template`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from omr.errors import BadArgumentsError


def from_scan(
    blank: Path = typer.Argument(..., help="The blank form: its PDF, or a scan (PNG, JPEG, TIFF; one page per page)."),
    out: Path = typer.Option(..., "--out", help="The template YAML to write, e.g. form.yaml."),
    name: str | None = typer.Option(None, help="Template name (lower case, digits, hyphens); default: from --out."),
    dpi: float | None = typer.Option(None, help="Resolution of an image that does not state it."),
    lang: str = typer.Option("vie+eng", help="Tesseract languages for the printed labels: vie, eng or vie+eng."),
    ocr: bool = typer.Option(True, help="Read labels with Tesseract (--no-ocr: placeholders, faster)."),
    overlay: bool = typer.Option(True, help="Also write OUT's name with .overlay.png to check the boxes on."),
) -> None:
    """Propose a template from a blank form: find its boxes, group them into fields, read their labels."""
    from omr.template.fromscan import template_from_scan

    if dpi is not None and not 50 <= dpi <= 1200:
        raise BadArgumentsError("--dpi must be between 50 and 1200")
    result = template_from_scan(blank, out, name=name, dpi=dpi, lang=lang if ocr else None, overlay=overlay)
    t = result.proposal.template
    c = result.proposal.counts
    typer.echo(f"wrote {result.yaml_path}: {t.name}, {t.page_count} page(s), {len(t.fields())} fields "
               f"({c['single']} single choice, {c['grid']} grids, {c['digits']} digits, {c['text']} text)")
    typer.echo(f"boxes found: {c['square']} checkboxes, {c['circle']} bubbles, {c['cell']} comb cells, "
               f"{c['area']} writing areas")
    align = t.layout.align if t.layout is not None else []
    typer.echo(f"alignment: {', '.join(align)}" + (f" (corner marks: {result.mark_image.name})"
                                                    if result.mark_image else ""))
    typer.echo(f"blank images: {', '.join(p.name for p in result.blanks)}")
    if result.overlay:
        typer.echo(f"overlay: {result.overlay} — open it and compare every box")
    typer.echo("to check:")
    for check in result.proposal.checks:
        typer.echo(f"  - {check}")


def overlay(
    template: Path = typer.Argument(..., help="A fixed-layout template YAML (with 'layout' and 'blank' images)."),
    out: Path | None = typer.Option(None, help="The PNG to write; default: the template's name with .overlay.png."),
) -> None:
    """Draw a fixed-layout template's boxes, codes and values over its blank pages (a PNG to check)."""
    from omr.template.load import load_template
    from omr.template.overlay import write_overlay

    t = load_template(template)
    target = out or template.with_name(template.name.removesuffix(".yaml").removesuffix(".yml") + ".overlay.png")
    written = write_overlay(t, template, target)
    typer.echo(f"wrote {written}")
