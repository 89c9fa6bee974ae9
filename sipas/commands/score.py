"""``sipas score``: SIPAS indices by unit from the verified forms, with tables and a report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from omr.errors import BadArgumentsError
from scoring.options import DEFAULT_LEVELS, MIN_FORMS, OVERALL, REPLICATES, SEED, IndexOptions

if TYPE_CHECKING:  # pandas and the scoring engine load when a command runs, not for --help
    from scoring.data import Dataset
    from scoring.results import FieldworkFigures

_CHOICES = {
    "element": ("mean", "pooled"),
    "aspect": ("items", "elements"),
    "overall": ("items", "elements", "aspects"),
    "national": ("provinces", "pooled"),
    "blanks": ("exclude", "not-satisfied"),
    "multiple": ("exclude", "not-satisfied"),
}


def _check(name: str, value: str) -> str:
    if value not in _CHOICES[name]:
        raise BadArgumentsError(f"--{name} {value!r}: use one of {', '.join(_CHOICES[name])}")
    return value


def load_dataset(workspace: Path | None, db: str | None, template: str | None, truth: Path | None,
                 manifest: Path | None, include_unverified: bool = False) -> Dataset:
    """The dataset to score or export: the store's verified forms, or ground truth with --truth."""
    from omr.store.db import open_store
    from omr.template.load import load_template
    from scoring.data import choose_template, load_store_dataset, load_truth_dataset

    if truth is not None:
        man = manifest or truth.with_name("forms.manifest.csv")
        return load_truth_dataset(truth, man, load_template(template) if template else None)
    store = open_store(workspace, db, create=False)
    return load_store_dataset(store, choose_template(store, template), include_unverified=include_unverified)


def _fieldwork(workspace: Path | None, db: str | None, survey: Path | None) -> FieldworkFigures | None:
    """The fieldwork figures of the survey (after recording what the reading says), or None."""
    from fieldwork.report import report_figures, surveys_in_ledger
    from fieldwork.survey import load_survey
    from fieldwork.sync import sync
    from omr.store.db import open_store

    store = open_store(workspace, db, create=False)
    if survey is not None:
        chosen = load_survey(survey)
        sync(store, chosen.name)
        figures = report_figures(store, chosen)
        if figures is None:
            raise BadArgumentsError(f"--survey {survey}: the workspace's ledger has no form of survey {chosen.name!r}; "
                                    "run `sipas fieldwork dispatch -w WORKSPACE` first")
        return figures
    names = surveys_in_ledger(store)
    if len(names) != 1:
        return None
    sync(store, names[0])
    return report_figures(store, names[0])


def score(
    out: Path = typer.Option(..., "--out", help="Folder for results.json, the CSV tables and report.html/.pdf."),
    workspace: Path | None = typer.Option(None, "--workspace", "-w",
                                          help="Workspace folder of `sipas scan` (default ./sipas-workspace)."),
    db: str | None = typer.Option(None, "--db", help="Database URL instead of the workspace's SQLite file."),
    template: str | None = typer.Option(None, help="Template to score (default: the only one in the workspace)."),
    truth: Path | None = typer.Option(None, help="Score a ground-truth truth.csv (form_id,field,value) instead."),
    manifest: Path | None = typer.Option(None, help="Manifest for --truth (default: forms.manifest.csv)."),
    previous: Path | None = typer.Option(None, help="An earlier results.json: adds changes (pp, ranks). A 63-province "
                                         "one is re-aggregated onto the 34 provinces (weighted by forms) when "
                                         "this year is scored in the 2025 scheme."),
    previous_truth: Path | None = typer.Option(None, help="The earlier year's truth.csv (manifest beside it) "
                                               "instead of --previous: its forms are re-scored in this year's "
                                               "scheme (pooled onto the 34 provinces)."),
    scheme: str = typer.Option("auto", help="Administrative units: legacy (63 provinces, 3 tiers, before 1 July "
                               "2025) | 2025 (34 provinces, 2 tiers; a legacy dataset is re-aggregated from its "
                               "forms) | auto (from the province codes, else the DATE answers, else legacy)."),
    min_forms: int = typer.Option(MIN_FORMS, "--min-forms", help="Units with fewer forms are flagged in the report."),
    replicates: int = typer.Option(REPLICATES, help="Bootstrap replicates of the 95 % intervals (0 = none)."),
    lang: str = typer.Option("vi", help="Report language: vi or en."),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Write report.html only (no Chromium)."),
    element: str = typer.Option("mean", help="Element index: mean of item indices | pooled counts."),
    aspect: str = typer.Option("items", help="Aspect index: mean of item indices | mean of elements."),
    overall: str = typer.Option("items", help="Overall index: mean of items (23:16 weighting) | elements | aspects."),
    national: str = typer.Option("provinces", help="National value: mean of provinces | pooled respondents."),
    blanks: str = typer.Option("exclude", help="Blank answers: exclude from the denominator | not-satisfied."),
    multiple: str = typer.Option("exclude", help="Unresolved double marks (*): exclude | not-satisfied."),
    levels: str = typer.Option(",".join(DEFAULT_LEVELS), help="Sample-unit levels to report, comma-separated."),
    survey: Path | None = typer.Option(None, "--survey", help="The survey file: the report gains its fieldwork "
                                       "section (issued, returned, valid, rates) from the workspace's ledger "
                                       "(default: the one survey the ledger holds, if any)."),
    by: list[str] | None = typer.Option(None, "--by", help="Also break results down by this single-choice field "
                                        "(default for service-user forms: the service-field question)."),
) -> None:
    """Compute the SIPAS indices by unit from the verified forms and write results, tables and report.

    Only complete forms with no answer waiting for review are scored; the summary says how many were
    left out and why. Defaults follow the working rules of the research notes (see scoring/options.py).
    """
    from scoring.provinces import Scheme, check_scheme
    from scoring.report import number, write_report
    from scoring.results import read_results, write_results
    from scoring.tables import write_tables
    from scoring.units import IntervalOptions, compute_results, resolve_scheme

    if lang not in ("vi", "en"):
        raise BadArgumentsError(f"--lang {lang!r}: use vi or en")
    options = IndexOptions(
        element=_check("element", element),  # type: ignore[arg-type]
        aspect=_check("aspect", aspect),  # type: ignore[arg-type]
        overall=_check("overall", overall),  # type: ignore[arg-type]
        national=_check("national", national),  # type: ignore[arg-type]
        blanks=_check("blanks", blanks),  # type: ignore[arg-type]
        multiple=_check("multiple", multiple),  # type: ignore[arg-type]
        levels=tuple(x.strip() for x in levels.split(",") if x.strip()),
        by_fields=tuple(by) if by else None,
    )
    chosen: Scheme | None = None if scheme == "auto" else check_scheme(scheme)
    if min_forms < 1 or replicates < 0:
        raise BadArgumentsError("--min-forms must be at least 1 and --replicates at least 0")
    if previous is not None and previous_truth is not None:
        raise BadArgumentsError("give --previous (a results.json) or --previous-truth (a truth.csv), not both")
    dataset = load_dataset(workspace, db, template, truth, manifest)
    for code in options.by_fields or ():
        if code not in dataset.frame.columns:
            raise BadArgumentsError(f"--by {code}: not an answer code of template {dataset.template.name}")
    intervals = IntervalOptions(replicates=replicates, seed=SEED)
    prev = read_results(previous) if previous else None
    prev_name = previous.name if previous else None
    if previous_truth is not None:
        earlier = load_dataset(None, None, None, previous_truth, None)
        prev = compute_results(earlier, options, scheme=resolve_scheme(dataset, chosen), intervals=IntervalOptions(0))
        prev_name = previous_truth.name
    results = compute_results(dataset, options, previous=prev, previous_name=prev_name, scheme=chosen,
                              min_forms=min_forms, intervals=intervals)
    if truth is None:
        figures = _fieldwork(workspace, db, survey)
        results = results.model_copy(update={"fieldwork": figures}) if figures is not None else results
    out.mkdir(parents=True, exist_ok=True)
    write_results(results, out / "results.json")
    tables = write_tables(results, out)
    written = write_report(results, out, lang=lang, pdf=not no_pdf)

    nation = results.national()
    lo = results.left_out
    typer.echo(f"{results.template} {results.version}: overall index {number(nation.values.get(OVERALL), 'en')}"
               + "".join(f", {a.code} {number(nation.values.get(a.code), 'en')}"
                         for a in results.indicators if a.kind == "aspect"))
    typer.echo(f"forms used: {results.forms_used}; left out: {lo.incomplete + lo.review} "
               f"({lo.incomplete} incomplete — pages missing, {lo.review} waiting for review); "
               f"not returned: {lo.not_returned}")
    if lo.flagged_answers:
        typer.echo(f"{lo.flagged_answers} answers wait in review: run `sipas review` to open the review app, "
                   "then score again")
    typer.echo(f"units: {results.scheme} scheme ({len(results.level_units('province'))} provinces ranked)"
               + (f"; re-aggregated onto the 2025 provinces ({results.regrouped})" if results.regrouped else "")
               + (f"; previous results re-aggregated ({results.previous_regrouped})"
                  if results.previous_regrouped else ""))
    typer.echo(f"wrote {out / 'results.json'}, {len(tables)} tables, " + ", ".join(str(p) for p in written))
