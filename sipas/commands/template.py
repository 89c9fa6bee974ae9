"""``sipas template list|show|validate|geometry|render|schema|from-scan|overlay|import``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from omr.errors import BadArgumentsError

app = typer.Typer(help="Questionnaire templates: list, inspect, validate, lay out and print them.",
                  no_args_is_help=True)

NAME = typer.Argument(..., help="A built-in template name (see `sipas template list`) or a .yaml path.")


@app.command("list")
def list_() -> None:
    """List the built-in templates."""
    from omr.template.load import builtin_templates, load_template

    for name, path in builtin_templates().items():
        t = load_template(path)
        flag = " (provisional)" if t.provisional else ""
        typer.echo(f"{name}\t{t.version}\t{t.instrument}\t{t.page_count} pages\t{t.title.en}{flag}")


@app.command()
def show(name: str = NAME, lang: str = typer.Option("vi", help="vi or en")) -> None:
    """Print the questions, answer codes and value codes of a template."""
    from omr.template.load import load_template
    from omr.template.model import GridField, MultiField, SingleField

    t = load_template(name)
    typer.echo(f"{t.name} {t.version} — {getattr(t.title, lang)}")
    for p, page in enumerate(t.pages, start=1):
        typer.echo(f"\n[page {p}]")
        for f in page.fields:
            flag = " *provisional*" if f.provisional else ""
            typer.echo(f"{f.code} ({f.kind}){flag}: {getattr(f.label, lang)}")
            if isinstance(f, SingleField | MultiField):
                for o in f.options:
                    other = f"  → write-in {o.other}" if o.other else ""
                    typer.echo(f"    {o.value} = {getattr(o.label, lang)}{other}")
            elif isinstance(f, GridField):
                scale = ", ".join(f"{o.value} = {getattr(o.label, lang)}" for o in f.scale)
                typer.echo(f"    scale: {scale}")
                for r in f.rows:
                    typer.echo(f"    {r.code}: {getattr(r.label, lang)}")


@app.command()
def validate(paths: list[Path] = typer.Argument(..., help="Template YAML files or names.")) -> None:
    """Check templates against the schema and lay them out (a page that overflows A4 is an error)."""
    from omr.template.layout import layout_template
    from omr.template.load import load_template

    for path in paths:
        t = load_template(path)
        layout = layout_template(t)
        boxes = sum(len(p.boxes) for p in layout.pages)
        typer.echo(f"{path}: ok — {t.name} {t.version}, {t.page_count} pages, {len(t.answer_codes())} "
                   f"answer codes, {boxes} boxes")


@app.command()
def geometry(
    name: str = NAME,
    dpi: float = typer.Option(300.0, help="Resolution of the pixel coordinates."),
    out: Path | None = typer.Option(None, help="Write to this file instead of standard output."),
) -> None:
    """Print every fiducial, QR and box rectangle in pixels as JSON (format in the README)."""
    from omr.template.geometry import geometry_json
    from omr.template.layout import layout_template
    from omr.template.load import load_template

    if not 50 <= dpi <= 1200:
        raise BadArgumentsError("--dpi must be between 50 and 1200")
    t = load_template(name)
    text = json.dumps(geometry_json(t, layout_template(t), dpi), ensure_ascii=False, indent=1)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command()
def render(
    name: str = NAME,
    out: Path = typer.Option(..., "--out", help="The PDF to write, e.g. forms.pdf."),
    copies: int = typer.Option(1, help="Number of copies with fresh form ids (ignored with --sample-list)."),
    sample_list: Path | None = typer.Option(
        None, help="CSV with one row per sampled respondent: unit codes, optional name,address,phone."
    ),
    seed: int | None = typer.Option(
        None, help="Make form ids reproducible (tests, demos); each template draws its own ids from the seed."
    ),
) -> None:
    """Print personalised copies: a PDF, a manifest of form ids and (with a sample list) identities.

    Writes OUT, OUT's name with .manifest.csv (form ids and unit codes: travels with the answers),
    and with a sample list .identities.csv (names, addresses, phones: keep it apart). Copies without
    a sample list have no unit codes yet: their manifest has no unit columns.
    """
    from omr.render import copies_from_sample_list, new_copies, render_pdf, write_identities, write_manifest
    from omr.template.load import load_template

    t = load_template(name)
    forms = copies_from_sample_list(t, sample_list, seed) if sample_list else new_copies(copies, seed, t.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_pdf(t, forms))
    manifest = out.with_suffix(".manifest.csv")
    write_manifest(t, forms, manifest)
    typer.echo(f"wrote {out} ({len(forms)} copies × {t.page_count} pages)")
    typer.echo(f"wrote {manifest} (form ids and unit codes)")
    identities = out.with_suffix(".identities.csv")
    if write_identities(forms, identities):
        typer.echo(f"wrote {identities} (respondent identities: keep it apart from scans and answers)")


@app.command()
def schema(out: Path | None = typer.Option(None, help="Write to this file.")) -> None:
    """Print the JSON Schema of the template format."""
    from omr.template.model import template_json_schema

    text = json.dumps(template_json_schema(), ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


def _register_existing_forms() -> None:
    """The commands for forms we did not print: the blank-scan detector, its overlay, the importers."""
    from sipas.commands.template_fromscan import from_scan, overlay
    from sipas.commands.template_import import import_app

    app.command("from-scan")(from_scan)
    app.command("overlay")(overlay)
    app.add_typer(import_app, name="import")


_register_existing_forms()
