"""``sipas demo``: run the product end to end on the bundled samples and say where everything is."""

from __future__ import annotations

from pathlib import Path

import typer

from omr.render import new_copies, render_pdf, write_manifest
from omr.template.load import builtin_templates, load_template


def demo(
    out: Path = typer.Option(Path("build/demo"), help="Folder for everything the demo writes."),
    copies: int = typer.Option(3, help="Personalised copies of each questionnaire."),
) -> None:
    """Print personalised forms of every built-in questionnaire and show where they are."""
    out.mkdir(parents=True, exist_ok=True)
    typer.echo(f"sipas demo → {out.resolve()}")
    for name in builtin_templates():
        t = load_template(name)
        forms = new_copies(copies, seed=2023)
        pdf = out / f"forms-{name}.pdf"
        pdf.write_bytes(render_pdf(t, forms))
        write_manifest(t, forms, pdf.with_suffix(".manifest.csv"))
        typer.echo(f"  printed {copies} copies of {name} ({t.page_count} pages each): {pdf}")
