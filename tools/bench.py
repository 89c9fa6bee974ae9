"""The quality-bar benchmark (``make bench``): accuracy on the evaluation families, review share,
circled and hesitant marks, page identity, the calibration check, digits, speed and memory.

Usage (from the project root)::

    .venv/bin/python -m tools.bench                # the full bench (about 10 min on 2 cores)
    .venv/bin/python -m tools.bench --scale 0.25   # a quick look (smaller sets)
    .venv/bin/python -m tools.bench --scale 4      # tighter error-rate bounds, ~4× longer

What it does (see docs/benchmark.md for the protocol and how to read the results):

1. For each scan quality it generates a fixed-seed synthetic set of the SIPAS 2023 household form
   from the *evaluation* respondent and scanner families only (``samples.synth``, ``families=
   "evaluation"``: never used to design, tune or calibrate the reader), scans it into a fresh
   workspace with ``sipas scan --jobs 1`` and again with ``--jobs <cores>``, exports the answers
   (``sipas export --format answers``) and scores them with ``sipas eval`` (which reads the set's
   ``marks.csv``: figures by mark kind, clear and hesitant marks); pages identified and the per-digit
   figures of the date come from the workspace.
2. For each quality it scans only the date pages (page 4) of a set of its own (other respondents than
   the main sets', different in every quality): the handwritten-date figures, per field and per digit.
3. On a checkbox-only set (pages 2 and 3 of the form, clean JPEG at 300 dpi) it times ``sipas scan``
   with one job and with all cores at two batch sizes, each run three times and the fastest kept:
   marginal pages/s, the all-cores ÷ one-job
   ratio (with the load average) and peak memory; and the decode floor
   (:mod:`tools.bench_throughput`): per-page CPU of ``sipas scan --jobs 1`` ÷ OpenCV's
   full-resolution decode of the same files, for these JPEG files, TIFF G4 copies and PDF files.
4. It prints tables, compares each figure with its quality bar, and writes ``bench/last.json``. Work
   files go to ``bench/work.tmp/`` (removed unless ``--keep``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from omr.reader.calibration import config_hash, default_calibration  # noqa: E402
from omr.template.layout import layout_template  # noqa: E402
from omr.template.load import load_template  # noqa: E402
from samples.synth.families import FamilyChoice  # noqa: E402
from samples.synth.generate import BatchProfile, SynthOptions, generate  # noqa: E402
from samples.synth.scan import Quality  # noqa: E402
from samples.synth.writers import Format  # noqa: E402
from tools.bench_figures import digit_figures, mark_figures, page_figures, pooled_reliability  # noqa: E402
from tools.bench_report import (  # noqa: E402
    BAR_CIRCLED,
    BAR_DIGIT_REVIEW,
    BAR_DIGITS,
    BAR_HESITATE_WRONG,
    BAR_MEMORY_GROWTH,
    BAR_PAGES_PER_S,
    BAR_SCALING,
    BARS,
    digits_overall,
    render,
)
from tools.bench_run import checked, export_answers, page_rows, scan, sipas  # noqa: E402
from tools.bench_throughput import decode_floor_figures, render_floor  # noqa: E402

TEMPLATE = "sipas-2023"
FAMILIES: FamilyChoice = "evaluation"
SEED = 20260101
SETS: dict[Quality, tuple[int, Format]] = {"clean": (30, "pdf"), "office": (30, "pdf"), "fax": (16, "tiff"),
                                           "photo": (16, "jpeg")}
THROUGHPUT_PAGES = (20, 60)
THROUGHPUT_FAMILIES: FamilyChoice = "tuning"
"""A speed figure, not an accuracy one: the tuning clean scanners scan at 300 dpi like the bar's pages
and the earlier runs' (the evaluation ones at 240, 300 and 400 dpi)."""
DATE_FORMS, DATE_SEED_OFFSET = 60, 1000
SPEED_REPEATS = 3
"""Each speed run is repeated and its fastest run kept: other work on the machine only ever slows a run."""


def _pages_of(template: str) -> tuple[int, tuple[int, ...]]:
    """The page holding the DATE digits, and the pages holding checkboxes only (from the layout)."""
    pages = layout_template(load_template(template)).pages
    date = next(p.number for p in pages if any(b.field == "DATE" for b in p.boxes))
    return date, tuple(p.number for p in pages if p.boxes and all(b.kind == "box" for b in p.boxes))


DATE_PAGE, CHECKBOX_PAGES = _pages_of(TEMPLATE)


def bench_quality(quality: Quality, forms: int, fmt: Format, work: Path, cores: int) -> dict[str, Any]:
    """Generate (evaluation families), scan (1 job, all cores), export and evaluate one quality."""
    folder = work / f"set-{quality}"
    start = time.monotonic()
    generate(SynthOptions(template=TEMPLATE, count=forms, seed=SEED, quality=quality, format=fmt, out=folder,
                          jobs=cores, force=True, families=FAMILIES))
    gen_seconds = time.monotonic() - start
    pages = len(page_rows(folder))
    manifest = folder / "forms.manifest.csv"
    one = scan([folder], work / f"ws-{quality}-1", 1, work / f"scan-{quality}-1.log", manifest)
    ws = work / f"ws-{quality}-{cores}"
    many = scan([folder], ws, cores, work / f"scan-{quality}-{cores}.log", manifest)
    answers = work / f"answers-{quality}.csv"
    export_answers(ws, answers, TEMPLATE, work / f"export-{quality}.log")
    report = work / f"eval-{quality}.json"
    checked(sipas("eval", "--truth", str(folder / "truth.csv"), "--answers", str(answers), "--pages",
                  str(folder / "pages.csv"), "--template", TEMPLATE, "--json", str(report)),
            work / f"eval-{quality}.log")
    ev = json.loads(report.read_text(encoding="utf-8"))
    marks = ev["marks"]
    return {
        "forms": forms, "pages": pages, "format": fmt, "families": FAMILIES,
        "generation_s_per_page": gen_seconds / pages,
        "mark_fields": marks["fields"], "mark_auto": marks["auto"], "mark_wrong": marks["wrong"],
        "mark_error_rate": marks["error_rate"],
        "mark_error_upper95": 3.0 / marks["auto"] if marks["auto"] and not marks["wrong"] else None,
        "review_share": marks["review_share"],
        **digit_figures(ws, folder / "truth.csv"),
        "all_fields_review_share": ev["overall"]["review_share"], "missing_fields": ev["missing_count"],
        "pages_per_s_1_job": pages / one.seconds, f"pages_per_s_{cores}_jobs": pages / many.seconds,
        "peak_memory_mb": max(one.peak_tree_mb, many.peak_tree_mb),
        **page_figures(ws, folder / "pages.csv"),
        **mark_figures(ev),
        "reliability": ev["reliability"],
        "mismatches": ev["mismatches"][:20],
    }


def bench_dates(quality: Quality, forms: int, work: Path, cores: int) -> dict[str, Any]:
    """Handwritten dates: only the date page (page 4) of a set of its own, with respondents of its own.

    The main sets share one seed, so their 16–30 dates are the same respondents' in every quality; this
    set's seed differs per quality, and it is written as single-page files so that only the date pages
    are scanned (PNG, JPEG for photos; only page 4 is generated, ``SynthOptions.pages``)."""
    folder = work / f"dates-{quality}"
    seed = SEED + DATE_SEED_OFFSET + list(SETS).index(quality)
    generate(SynthOptions(template=TEMPLATE, count=forms, seed=seed, quality=quality,
                          format="jpeg" if quality == "photo" else "png", out=folder, jobs=cores, force=True,
                          batches=BatchProfile(0.0, 0.0), families=FAMILIES, pages=(DATE_PAGE,)))
    sub = work / f"dates-{quality}-pages"
    sub.mkdir(exist_ok=True)
    for r in page_rows(folder):
        if r["kind"] == "form" and r["page"] == str(DATE_PAGE) and not (sub / r["file"]).exists():
            os.link(folder / r["file"], sub / r["file"])
    ws = work / f"ws-dates-{quality}"
    scan([sub], ws, cores, work / f"scan-dates-{quality}.log")
    return {"forms": forms, "seed": seed, "families": FAMILIES, **digit_figures(ws, folder / "truth.csv")}


def bench_throughput(work: Path, cores: int) -> dict[str, Any]:
    """Checkbox-only JPEG pages at 300 dpi: marginal pages/s (1 job, all cores) and memory at two sizes.

    Only the checkbox-only pages (CHECKBOX_PAGES) are generated; the scanners are the tuning families'
    (see THROUGHPUT_FAMILIES)."""
    folder = work / "set-checkbox"
    big = max(THROUGHPUT_PAGES)
    generate(SynthOptions(template=TEMPLATE, count=big // 2 + 5, seed=SEED + 1, quality="clean", format="jpeg",
                          out=folder, jobs=cores, force=True, batches=BatchProfile(0.0, 0.0),
                          families=THROUGHPUT_FAMILIES, pages=CHECKBOX_PAGES))
    load_before = os.getloadavg()[0]
    files = [folder / r["file"] for r in page_rows(folder)
             if r["kind"] == "form" and r["page"] in {str(p) for p in CHECKBOX_PAGES} and float(r["dpi"]) == 300]
    if len(files) < big:
        raise RuntimeError(f"only {len(files)} checkbox pages at 300 dpi were generated, {big} needed")
    runs = {}
    for n in THROUGHPUT_PAGES:
        sub = work / f"checkbox-{n}"
        sub.mkdir(exist_ok=True)
        for f in files[:n]:
            if not (sub / f.name).exists():
                os.link(f, sub / f.name)
        for jobs in sorted({1, cores}):
            log = work / f"scan-cb-{n}-{jobs}.log"
            runs[f"{n}-{jobs}"] = min((scan([sub], work / f"ws-checkbox-{n}-{jobs}", jobs, log)
                                       for _ in range(SPEED_REPEATS)), key=lambda m: m.seconds)
    small, large = THROUGHPUT_PAGES
    out: dict[str, Any] = {"pages": [small, large]}
    for jobs in sorted({1, cores}):
        a, b = runs[f"{small}-{jobs}"], runs[f"{large}-{jobs}"]
        out[f"pages_per_s_{jobs}_jobs"] = (large - small) / max(b.seconds - a.seconds, 1e-6)
        out[f"wall_s_{large}_pages_{jobs}_jobs"] = b.seconds
        out[f"peak_memory_mb_{jobs}_jobs"] = [a.peak_tree_mb, b.peak_tree_mb]
        out[f"max_process_mb_{jobs}_jobs"] = [a.max_process_mb, b.max_process_mb]
    out["scaling"] = out[f"pages_per_s_{cores}_jobs"] / (out["pages_per_s_1_jobs"] * cores)
    out["jobs_ratio"] = out[f"pages_per_s_{cores}_jobs"] / out["pages_per_s_1_jobs"]
    out["load_average"] = [load_before, os.getloadavg()[0]]
    try:
        out["decode_floor"] = _decode_floor(work, files, cores)
    except Exception as exc:  # noqa: BLE001 - the other speed figures stand
        out["decode_floor"] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def _decode_floor(work: Path, jpeg_files: list[Path], cores: int) -> dict[str, Any]:
    """Per-page CPU of ``sipas scan --jobs 1`` ÷ OpenCV's full decode, for JPEG, TIFF G4 and PDF input
    (:mod:`tools.bench_throughput`); the PDF set holds the same forms as the JPEG one."""
    folder = work / "set-checkbox-pdf"
    generate(SynthOptions(template=TEMPLATE, count=max(THROUGHPUT_PAGES) // 2 + 5, seed=SEED + 1, quality="clean",
                          format="pdf", out=folder, jobs=cores, force=True, batches=BatchProfile(0.0, 0.0),
                          families=THROUGHPUT_FAMILIES, pages=CHECKBOX_PAGES))
    rows = [r for r in page_rows(folder) if r["kind"] == "form"]
    if any(float(r["dpi"]) != 300 for r in rows):
        raise RuntimeError("the PDF set holds pages not at 300 dpi")
    names = list(dict.fromkeys(r["file"] for r in rows))
    counts = [sum(r["file"] == n for r in rows) for n in names]
    return decode_floor_figures(jpeg_files, [folder / n for n in names], counts, THROUGHPUT_PAGES, work,
                                repeats=SPEED_REPEATS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the set sizes (default 1)")
    parser.add_argument("--quality", action="append", choices=list(SETS), help="only these qualities")
    parser.add_argument("--no-throughput", action="store_true", help="skip the checkbox-only speed runs")
    parser.add_argument("--no-dates", action="store_true", help="skip the date-page sets")
    parser.add_argument("--date-forms", type=int, default=DATE_FORMS,
                        help=f"forms in each date-page set (default {DATE_FORMS}; not scaled by --scale)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="'all cores' (default: cpu count)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "last.json", help="where to write the JSON")
    parser.add_argument("--keep", action="store_true", help="keep bench/work.tmp (sets, workspaces, logs)")
    args = parser.parse_args(argv)
    cores = max(1, args.jobs)
    work = ROOT / "bench" / "work.tmp"
    work.mkdir(parents=True, exist_ok=True)
    console = Console(width=None if sys.stdout.isatty() else 160)
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": cores, "python": platform.python_version(),
        "template": TEMPLATE, "seed": SEED, "scale": args.scale, "families": FAMILIES, "qualities": {},
        "bars": {"by_quality": BARS, "circled_right_or_review": BAR_CIRCLED, "hesitate_auto_wrong": BAR_HESITATE_WRONG,
                 "digit_accuracy": BAR_DIGITS, "digit_review_share": BAR_DIGIT_REVIEW,
                 "checkbox_pages_per_s_one_core": BAR_PAGES_PER_S, "scaling": BAR_SCALING,
                 "memory_growth": BAR_MEMORY_GROWTH},
    }
    calibration = default_calibration()
    result["calibration"] = asdict(calibration.provenance) if calibration is not None else None
    result["calibration_stale"] = calibration is not None and calibration.provenance.config_hash != config_hash()
    load = os.getloadavg()[0]
    result["load_average_at_start"] = load
    if load > 0.5:
        console.print(f"[yellow]warning[/yellow]: load average {load:.1f} before the bench: other processes use the "
                      "CPU, so the speed and scaling figures will be low and noisy")
    failed = False
    start = time.monotonic()
    for quality in args.quality or list(SETS):
        forms, fmt = SETS[quality]
        console.print(f"[bold]{quality}[/bold]: {max(1, round(forms * args.scale))} forms as {fmt} …")
        try:
            result["qualities"][quality] = bench_quality(quality, max(1, round(forms * args.scale)), fmt, work, cores)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next quality
            failed = True
            result["qualities"][quality] = {"error": f"{type(exc).__name__}: {exc}"}
    result["dates"] = {}
    for quality in [] if args.no_dates else args.quality or list(SETS):
        forms = max(1, args.date_forms)
        console.print(f"[bold]dates {quality}[/bold]: the date page of {forms} forms …")
        try:
            result["dates"][quality] = bench_dates(quality, forms, work, cores)
        except Exception as exc:  # noqa: BLE001
            failed = True
            result["dates"][quality] = {"error": f"{type(exc).__name__}: {exc}"}
    if not args.no_throughput:
        console.print("[bold]checkbox-only throughput[/bold] …")
        try:
            result["throughput"] = bench_throughput(work, cores)
        except Exception as exc:  # noqa: BLE001
            failed = True
            result["throughput"] = {"error": f"{type(exc).__name__}: {exc}"}
    result["digits_date_sets"] = digits_overall(result["dates"])
    bins = [r["reliability"] for r in result["qualities"].values() if r.get("reliability")]
    result["reliability"] = pooled_reliability(bins) if bins else []
    result["seconds"] = time.monotonic() - start
    result["load_average_at_end"] = os.getloadavg()[0]
    render(result, console)
    render_floor(result, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out} ({result['seconds']:.0f} s)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

