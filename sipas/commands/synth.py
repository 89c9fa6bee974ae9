"""``sipas synth``: write filled, scanned-looking forms with ground truth (see samples/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from omr.errors import BadArgumentsError
from samples.synth.choices import FamilyChoice, Format, Quality

if TYPE_CHECKING:  # the generator (numpy, OpenCV, fonts) loads when forms are made, not for --help
    from omr.render import FormCopy


def synth(
    template: str = typer.Option(
        ..., "--template", help="A built-in template name (see `sipas template list`) or a .yaml path."
    ),
    count: int = typer.Option(10, "--count", min=1, help="Number of respondents (filled forms)."),
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**32 - 1, help="Random seed: the same seed writes the same bytes."
    ),
    quality: Quality = typer.Option(
        "office", "--quality",
        help="clean: good flatbed; office: skewed, noisy JPEG, photocopies; fax: 200-dpi 1-bit; "
        "photo: phone pictures with perspective and shading.",
    ),
    fmt: Format = typer.Option(
        "pdf", "--format",
        help="pdf/tiff: multi-page scanner batches; jpeg/png: one file per page.",
    ),
    out: Path = typer.Option(..., "--out", help="Folder to write (new or empty, or an earlier set with --force)."),
    batch_size: int = typer.Option(10, "--batch-size", min=1, help="Sheets per scanner batch (file)."),
    answers: Path | None = typer.Option(
        None, "--answers",
        help="YAML file overriding answer distributions, slip rates and behaviour shares (fields of "
        "AnswerProfile, e.g. `satisfaction: [0.05, 0.1, 0.2, 0.45, 0.2]`, `double_mark: 0.01` or "
        "`circle_all: 0.05`).",
    ),
    jobs: int = typer.Option(1, "--jobs", min=1, help="Worker processes (output is the same for any value)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier synthetic set in --out."),
    families: FamilyChoice = typer.Option(
        "all", "--families",
        help="Respondent and scanner families to draw from: tuning (to tune a reader on), evaluation (other "
        "pens, habits and scanner models, to report on) or all.",
    ),
    manifest: Path | None = typer.Option(
        None, "--manifest",
        help="Fill the forms of this manifest (form ids and unit codes, e.g. the forms the post collected) "
        "instead of --count new ones.",
    ),
    pages: str = typer.Option(
        "", "--pages",
        help="Write only these page numbers of each form, e.g. `2,3` (truth.csv and marks.csv then hold only "
        "the codes of those pages). Default: every page.",
    ),
    one_hand: int = typer.Option(
        0, "--one-hand", min=0,
        help="Fill the last N forms by one hand (one pen, one set of digit shapes) with one answer pattern "
        "(5% of answers moved a step) and the units of the first of them: a unit for `sipas fieldwork screen`.",
    ),
) -> None:
    """Write filled, scanned-looking forms plus truth.csv, marks.csv, pages.csv and forms.manifest.csv.

    truth.csv holds one row per form and answer code, coded like `sipas export --format answers`.
    marks.csv holds one row per form and checkbox answer code: form_id,field,value,marks,hesitate,family
    (the mark kinds drawn, e.g. `circle-box` or `cross;pencil`, whether a careful person would hesitate,
    and the respondent family).
    pages.csv accounts for every page written: forms, blank backs, foreign pages, rotations, and the
    respondent and scanner family of each page.
    The same seed writes the same bytes. See samples/README.md for the details.
    """
    from samples.synth.fraud import OneHand
    from samples.synth.generate import SynthOptions, generate
    from samples.synth.profile import AnswerProfile, load_answer_profile

    profile = load_answer_profile(answers) if answers is not None else AnswerProfile()
    copies = _manifest_copies(manifest, template) if manifest is not None else ()
    options = SynthOptions(template=template, count=len(copies) or count, seed=seed, quality=quality,
                           format=fmt, out=out, batch_size=batch_size, answers=profile,
                           jobs=jobs, force=force, families=families, pages=_page_numbers(pages), copies=copies,
                           one_hand=OneHand(one_hand) if one_hand else None)
    summary = generate(options)
    typer.echo(f"wrote {summary.forms} forms as {summary.pages} pages in {summary.files} file(s) to {out} "
               f"({summary.seconds:.1f} s, {summary.seconds / max(summary.pages, 1):.2f} s/page)")
    typer.echo(f"ground truth: {out / 'truth.csv'}; marks: {out / 'marks.csv'}; pages: {out / 'pages.csv'}; "
               f"manifest: {out / 'forms.manifest.csv'}")


def _manifest_copies(path: Path, template: str) -> tuple[FormCopy, ...]:
    """The forms of a manifest, all of ``template`` (name or path)."""
    from omr.render import FormCopy
    from omr.store.manifest import read_manifest
    from omr.template.load import load_template

    name = load_template(template).name
    forms = read_manifest(path)
    other = next((f for f in forms if f.template != name), None)
    if other is not None:
        raise BadArgumentsError(f"{path}: form {other.form_id} is a {other.template} form, not {name}")
    if not forms:
        raise BadArgumentsError(f"{path}: the manifest lists no form")
    return tuple(FormCopy(f.form_id, dict(f.units)) for f in forms)


def _page_numbers(text: str) -> tuple[int, ...]:
    """``"2,3"`` → (2, 3); empty → () (every page)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise BadArgumentsError(f"--pages takes page numbers separated by commas, e.g. 2,3 (not {text!r})")
    return tuple(sorted({int(p) for p in parts}))
