"""``sipas demo``: the whole pipeline on the bundled samples, each stage as the command a user would type.

Stages: draw the sample from one-stop-shop lists (verifiably) → print personalised forms → synthesise
filled, scanned-looking returns (with ground truth)
→ scan them → measure the reading against the truth → export → score what is verified → report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from omr.errors import ExitCode, SipasError


def _run(args: list[str]) -> int:
    """Run one ``sipas`` command in-process, echoing it first like a shell would."""
    from sipas.cli import main

    typer.secho(f"\n$ sipas {' '.join(args)}", bold=True)
    return main(args)


def _check(code: int, *allowed: int) -> None:
    if code not in (int(ExitCode.ok), *allowed):
        raise SipasError(f"the demo stopped: the last command exited with {code}")


EXAMPLE_SURVEY = Path(__file__).resolve().parents[2] / "examples" / "long-bien-2020.yaml"


def _draw_step(out: Path, ws: Path) -> None:
    """Step 0: a synthetic one-stop-shop export → frame (rows rejected with reasons) → draw → verify."""
    if not EXAMPLE_SURVEY.is_file():
        typer.echo(f"(no {EXAMPLE_SURVEY}: the draw step needs the repository's examples/)")
        return
    typer.secho("0. Draw the sample from the one-stop shops' lists (Long Biên 2020: 8 fields × 30, with reserves)",
                fg="cyan", bold=True)
    survey, lists, fw = str(EXAMPLE_SURVEY), str(out / "lists" / "long-bien-2020.xlsx"), str(ws / "fieldwork")
    _check(_run(["synth", "frame", "--survey", survey, "--records", "2000", "--seed", "7", "--out", lists]))
    _check(_run(["fieldwork", "frame", lists, "--survey", survey, "--out", fw]))
    _check(_run(["fieldwork", "draw", "--survey", survey, "--out", fw]))
    _check(_run(["fieldwork", "draw", "--survey", survey, "--verify", str(ws / "fieldwork" / "draw.json")]))
    _post_step(out, survey)


def _post_step(out: Path, survey: str) -> None:
    """Step 0b, in a workspace of its own (its forms are not the ones scanned below): forms for the
    official list → the post's outcomes (simulated) → substitutes from the reserve list → status."""
    typer.secho("\n0b. The post delivers and collects; unreached respondents are replaced from the reserve list",
                fg="cyan", bold=True)
    ws = out / "fieldwork-workspace"
    fw = ws / "fieldwork"
    shutil.copytree(out / "workspace" / "fieldwork", fw)
    _check(_run(["fieldwork", "dispatch", "--survey", survey, "--out", str(fw), "-w", str(ws), "--form-seed", "3"]))
    sheet = out / "post" / "post-round-1.xlsx"
    _check(_run(["synth", "returns", "--survey", survey, "-w", str(ws), "--seed", "1", "--out", str(sheet)]))
    _check(_run(["fieldwork", "returns", "import", str(sheet), "--survey", survey, "-w", str(ws)]))
    _check(_run(["fieldwork", "substitute", "--survey", survey, "-w", str(ws), "--form-seed", "4"]))
    _check(_run(["fieldwork", "status", "--survey", survey, "-w", str(ws), "--today", "2020-10-12"]))


def demo(
    out: Path = typer.Option(Path("build/demo"), help="Folder for everything the demo writes (replaced)."),
    forms: int = typer.Option(4, help="Synthetic returned forms per questionnaire."),
    jobs: int = typer.Option(2, help="Worker processes for scanning."),
    pdf: bool = typer.Option(True, help="Also print the reports to PDF with headless Chromium."),
) -> None:
    """Run the whole pipeline on synthetic samples: print, scan, check, export, score, report."""
    from omr.template.load import builtin_templates
    from samples.demo import make_demo_set

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ws = out / "workspace"
    names = list(builtin_templates())

    _draw_step(out, ws)

    typer.secho("\n1. Print personalised forms (a survey manager's job)", fg="cyan", bold=True)
    for name in names:
        pdf_out = str(out / f"print-{name}.pdf")
        _check(_run(["template", "render", name, "--copies", "3", "--seed", "1", "--out", pdf_out]))

    typer.secho("\n2. Synthesise the returned post: filled, scanned-looking pages with ground truth",
                fg="cyan", bold=True)
    scans = make_demo_set(out / "scans", forms_per_template=forms, jobs=jobs)
    typer.echo(f"wrote {sum(1 for _ in scans.root.rglob('*.pdf')) + sum(1 for _ in scans.root.rglob('*.jpg'))} "
               f"scan files under {scans.root} (truth: {scans.truth})")

    typer.secho("\n3. Scan them (an operator's job): every page read, in review, rejected or blank",
                fg="cyan", bold=True)
    manifests = [a for m in scans.manifests for a in ("--manifest", str(m))]
    code = _run(["scan", str(scans.root), "--workspace", str(ws), "--jobs", str(jobs), "--quiet", *manifests])
    _check(code, int(ExitCode.pages_rejected))  # the demo post contains a stray page on purpose

    typer.secho("\n4. How good was the machine? (reading compared with the ground truth)", fg="cyan", bold=True)
    answers = out / "answers.csv"
    _check(_run(["export", "--workspace", str(ws), "--format", "answers", "--out", str(answers)]))
    _check(_run(["eval", "--truth", str(scans.truth), "--answers", str(answers), "--pages", str(scans.pages)]))

    typer.secho("\n5. Score what is verified, export the analyst datasets, write the reports", fg="cyan", bold=True)
    for name in names:
        results = out / f"results-{name}"
        args = ["score", "--workspace", str(ws), "--template", name, "--out", str(results)]
        _check(_run(args + ([] if pdf else ["--no-pdf"])))
        for fmt, ext in (("xlsx", "xlsx"), ("sav", "sav"), ("csv", "csv")):
            _check(_run(["export", "--workspace", str(ws), "--template", name, "--format", fmt,
                         "--out", str(out / f"dataset-{name}.{ext}")]))

    typer.secho("\nDone. What to open:", fg="green", bold=True)
    for name in names:
        typer.echo(f"  report ({name}):  {(out / f'results-{name}' / 'report.html').resolve()}")
    typer.echo(f"  datasets:          {out.resolve()}/dataset-*.xlsx|.sav|.csv (with codebooks)")
    typer.echo(f"  printed forms:     {out.resolve()}/print-*.pdf")
    typer.echo("  review what the machine was unsure of, then score again:")
    typer.echo(f"    sipas user add me --role reviewer --workspace {ws}")
    typer.echo(f"    sipas review --workspace {ws}    # then open http://127.0.0.1:8000/")
