"""The quality-bar benchmark (``make bench``): accuracy, review share, digits, speed and memory.

Usage (from the project root)::

    .venv/bin/python -m tools.bench                # the full bench (< 10 min on 2 cores)
    .venv/bin/python -m tools.bench --scale 0.25   # a quick look (smaller sets)
    .venv/bin/python -m tools.bench --scale 4      # tighter error-rate bounds, ~4× longer

What it does (see docs/benchmark.md for how to read the results):

1. For each scan quality it generates a fixed-seed synthetic set of the SIPAS 2023 household form
   (``samples.synth``), scans it into a fresh workspace with ``sipas scan --jobs 1`` and again with
   ``--jobs <cores>``, exports the answers (``sipas export --format answers``) and scores them with
   ``sipas eval``; the per-digit figures of the date come from the reasons recorded in the workspace.
2. For each quality it scans only the date pages (page 4) of a set of its own (other respondents than
   the main sets', different in every quality): the handwritten-date figures, per field and per digit.
3. On a checkbox-only set (pages 2 and 3 of the form, clean JPEG at 300 dpi) it times ``sipas scan``
   with one job and with all cores at two batch sizes: marginal pages/s and peak memory.
4. It prints a table, compares each figure with the design's quality bar, and writes
   ``bench/last.json``. Work files go to ``bench/work.tmp/`` (removed unless ``--keep``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samples.synth.generate import BatchProfile, SynthOptions, generate  # noqa: E402
from samples.synth.scan import Quality  # noqa: E402
from samples.synth.writers import Format  # noqa: E402

TEMPLATE = "sipas-2023"
SEED = 20260101
SETS: dict[Quality, tuple[int, Format]] = {"clean": (30, "pdf"), "office": (30, "pdf"), "fax": (16, "tiff"),
                                           "photo": (16, "jpeg")}
THROUGHPUT_PAGES = (20, 60)
DATE_FORMS, DATE_PAGE, DATE_SEED_OFFSET = 60, "4", 1000
BARS: dict[str, dict[str, float]] = {
    "clean": {"error": 1e-4, "review": 0.02}, "office": {"error": 1e-4, "review": 0.02},
    "fax": {"error": 1e-3, "review": 0.10}, "photo": {"error": 1e-3, "review": 0.10},
}
BAR_DIGITS, BAR_DIGIT_REVIEW, BAR_PAGES_PER_S, BAR_SCALING, BAR_MEMORY_GROWTH = 0.99, 0.10, 10.0, 0.8, 1.25


@dataclass(frozen=True)
class Measured:
    """One command run: wall time, exit code and memory (peak of the whole process tree, sampled)."""

    seconds: float
    returncode: int
    peak_tree_mb: float
    max_process_mb: float


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run_measured(cmd: list[str], log: Path) -> Measured:
    """Run ``cmd`` with output to ``log``; sample the tree's memory every 20 ms."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        peak = 0
        while True:
            peak = max(peak, _tree_rss_kb(proc.pid))
            waited, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if waited:
                break
            time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(time.monotonic() - start, proc.returncode, peak / 1024, usage.ru_maxrss / 1024)


def sipas(*args: str) -> list[str]:
    return [sys.executable, "-m", "omr.cli", *args]


def _scan(paths: list[Path], workspace: Path, jobs: int, log: Path, manifest: Path | None = None) -> Measured:
    if workspace.exists():
        shutil.rmtree(workspace)
    extra = ["--manifest", str(manifest)] if manifest else []
    m = run_measured(sipas("scan", *map(str, paths), "--workspace", str(workspace), "--jobs", str(jobs), "--quiet",
                           *extra), log)
    if m.returncode not in (0, 5):  # 5: some pages rejected (the foreign pages are meant to be)
        raise RuntimeError(f"sipas scan failed with exit code {m.returncode}; see {log}")
    return m


def _checked(cmd: list[str], log: Path) -> None:
    m = run_measured(cmd, log)
    if m.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:4])} failed with exit code {m.returncode}; see {log}")


def _pages(folder: Path) -> int:
    return sum(1 for _ in (folder / "pages.csv").open(encoding="utf-8")) - 1


def digit_figures(workspace: Path, truth: Path) -> dict[str, Any]:
    """Comb-field figures read from the store (the answers export has no reasons): per field, dates read
    right among those accepted automatically and dates sent to review; per digit, the cells a reviewer
    must read and the digits right among the fields accepted automatically.

    A field counts when the truth holds digits, or when it went to review though the respondent left it
    blank (a review that costs a reviewer's time); a blank accepted as blank has nothing to read."""
    import csv

    from sqlalchemy import select

    from omr.reader.digitfields import cells_to_review
    from omr.store.db import open_store
    from omr.store.schema import AnswerRow

    with truth.open(encoding="utf-8", newline="") as fh:
        truths = {(r["form_id"], r["field"]): r["value"] for r in csv.DictReader(fh)}
    store = open_store(workspace, create=False)
    try:
        with store.session() as s:
            rows = s.execute(select(AnswerRow.form_id, AnswerRow.field, AnswerRow.value, AnswerRow.status,
                                    AnswerRow.reason).where(AnswerRow.kind == "digits")).all()
    finally:
        store.engine.dispose()
    fields = auto = wrong = cells = review = auto_cells = auto_right = 0
    for form_id, field, value, status, reason in rows:
        expected = truths.get((form_id, field))
        if expected is None or (not expected and status == "auto"):
            continue  # not in the truth, or a blank read as blank: no digit to read
        fields += 1
        cells += len(expected)
        if status == "auto":
            auto += 1
            wrong += value != expected
            auto_cells += len(expected)
            auto_right += sum(a == b for a, b in zip(value, expected, strict=False))
        else:
            review += cells_to_review(reason, len(expected)) if expected else 0
    return {"digit_fields": fields, "digit_auto": auto, "digit_wrong": wrong,
            "digit_accuracy": (auto - wrong) / auto if auto else None,
            "digit_review_share": (fields - auto) / fields if fields else None,
            "digit_cells": cells, "digit_cell_review_share": review / cells if cells else None,
            "digit_auto_cells": auto_cells, "digit_right_cells": auto_right,
            "digit_cell_accuracy": auto_right / auto_cells if auto_cells else None}


def bench_quality(quality: Quality, forms: int, fmt: Format, work: Path, cores: int) -> dict[str, Any]:
    """Generate, scan (1 job, all cores), export and evaluate one quality."""
    folder = work / f"set-{quality}"
    start = time.monotonic()
    generate(SynthOptions(template=TEMPLATE, count=forms, seed=SEED, quality=quality, format=fmt, out=folder,
                          jobs=cores, force=True))
    gen_seconds = time.monotonic() - start
    pages = _pages(folder)
    manifest = folder / "forms.manifest.csv"
    one = _scan([folder], work / f"ws-{quality}-1", 1, work / f"scan-{quality}-1.log", manifest)
    ws = work / f"ws-{quality}-{cores}"
    many = _scan([folder], ws, cores, work / f"scan-{quality}-{cores}.log", manifest)
    answers = work / f"answers-{quality}.csv"
    _checked(sipas("export", "--format", "answers", "--out", str(answers), "--workspace", str(ws),
                   "--template", TEMPLATE, "--include-unverified"), work / f"export-{quality}.log")
    report = work / f"eval-{quality}.json"
    _checked(sipas("eval", "--truth", str(folder / "truth.csv"), "--answers", str(answers), "--pages",
                   str(folder / "pages.csv"), "--template", TEMPLATE, "--json", str(report)),
             work / f"eval-{quality}.log")
    ev = json.loads(report.read_text(encoding="utf-8"))
    marks = ev["marks"]
    return {
        "forms": forms, "pages": pages, "format": fmt,
        "generation_s_per_page": gen_seconds / pages,
        "mark_fields": marks["fields"], "mark_auto": marks["auto"], "mark_wrong": marks["wrong"],
        "mark_error_rate": marks["error_rate"],
        "mark_error_upper95": 3.0 / marks["auto"] if marks["auto"] and not marks["wrong"] else None,
        "review_share": marks["review_share"],
        **digit_figures(ws, folder / "truth.csv"),
        "all_fields_review_share": ev["overall"]["review_share"], "missing_fields": ev["missing_count"],
        "pages_per_s_1_job": pages / one.seconds, f"pages_per_s_{cores}_jobs": pages / many.seconds,
        "peak_memory_mb": max(one.peak_tree_mb, many.peak_tree_mb),
        "mismatches": ev["mismatches"][:20],
    }


def bench_dates(quality: Quality, forms: int, work: Path, cores: int) -> dict[str, Any]:
    """Handwritten dates: only the date page (page 4) of a set of its own, with respondents of its own.

    The main sets share one seed, so their 16–30 dates are the same respondents' in every quality; this
    set's seed differs per quality, and it is written as single-page files so that only the date pages
    are scanned (PNG, JPEG for photos)."""
    folder = work / f"dates-{quality}"
    seed = SEED + DATE_SEED_OFFSET + list(SETS).index(quality)
    generate(SynthOptions(template=TEMPLATE, count=forms, seed=seed, quality=quality,
                          format="jpeg" if quality == "photo" else "png", out=folder, jobs=cores, force=True,
                          batches=BatchProfile(0.0, 0.0)))
    rows = [line.split(",") for line in (folder / "pages.csv").read_text(encoding="utf-8").splitlines()[1:]]
    sub = work / f"dates-{quality}-pages"
    sub.mkdir(exist_ok=True)
    for r in rows:
        if r[2] == "form" and r[4] == DATE_PAGE and not (sub / r[0]).exists():
            os.link(folder / r[0], sub / r[0])
    ws = work / f"ws-dates-{quality}"
    _scan([sub], ws, cores, work / f"scan-dates-{quality}.log")
    return {"forms": forms, "seed": seed, **digit_figures(ws, folder / "truth.csv")}


def bench_throughput(work: Path, cores: int) -> dict[str, Any]:
    """Checkbox-only JPEG pages at 300 dpi: marginal pages/s (1 job, all cores) and memory at two sizes."""
    folder = work / "set-checkbox"
    big = max(THROUGHPUT_PAGES)
    generate(SynthOptions(template=TEMPLATE, count=(big + 1) // 2, seed=SEED + 1, quality="clean", format="jpeg",
                          out=folder, jobs=cores, force=True, batches=BatchProfile(0.0, 0.0)))
    rows = [line.split(",") for line in (folder / "pages.csv").read_text(encoding="utf-8").splitlines()[1:]]
    files = [folder / r[0] for r in rows if r[2] == "form" and r[4] in ("2", "3") and r[7] == "300"]
    runs: dict[str, Measured] = {}
    for n in THROUGHPUT_PAGES:
        sub = work / f"checkbox-{n}"
        sub.mkdir(exist_ok=True)
        for f in files[:n]:
            if not (sub / f.name).exists():
                os.link(f, sub / f.name)
        for jobs in sorted({1, cores}):
            runs[f"{n}-{jobs}"] = _scan([sub], work / f"ws-checkbox-{n}-{jobs}", jobs, work / f"scan-cb-{n}-{jobs}.log")
    small, large = THROUGHPUT_PAGES
    out: dict[str, Any] = {"pages": [small, large]}
    for jobs in sorted({1, cores}):
        a, b = runs[f"{small}-{jobs}"], runs[f"{large}-{jobs}"]
        out[f"pages_per_s_{jobs}_jobs"] = (large - small) / max(b.seconds - a.seconds, 1e-6)
        out[f"wall_s_{large}_pages_{jobs}_jobs"] = b.seconds
        out[f"peak_memory_mb_{jobs}_jobs"] = [a.peak_tree_mb, b.peak_tree_mb]
        out[f"max_process_mb_{jobs}_jobs"] = [a.max_process_mb, b.max_process_mb]
    out["scaling"] = out[f"pages_per_s_{cores}_jobs"] / (out["pages_per_s_1_jobs"] * cores)
    return out


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "–"
    if x == 0:
        return "0"
    return f"{x:.2%}" if pct else (f"{x:.1e}" if x < 0.01 else f"{x:.2f}")


def _ok(ok: bool | None) -> str:
    return "–" if ok is None else ("[green]✓[/green]" if ok else "[red]✗[/red]")


def _digits_overall(*groups: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The date fields of several sets together."""
    done = [r for g in groups for r in g.values() if "error" not in r and r.get("digit_fields")]
    if not done:
        return None
    fields = sum(r["digit_fields"] for r in done)
    auto = sum(r["digit_auto"] for r in done)
    wrong = sum(r["digit_wrong"] for r in done)
    cells = sum(r["digit_cells"] for r in done)
    review_cells = sum(r["digit_cell_review_share"] * r["digit_cells"] for r in done if r["digit_cells"])
    auto_cells = sum(r["digit_auto_cells"] for r in done)
    right_cells = sum(r["digit_right_cells"] for r in done)
    return {"fields": fields, "auto": auto, "wrong": wrong, "accuracy": (auto - wrong) / auto if auto else None,
            "review_share": (fields - auto) / fields, "cells": cells,
            "cell_review_share": review_cells / cells if cells else None,
            "cell_accuracy": right_cells / auto_cells if auto_cells else None}


def _digit_line(name: str, digits: dict[str, Any]) -> str:
    """One line of date figures, each checked against its bar (accuracy per date and per digit)."""
    acc, cell_acc = digits["accuracy"], digits["cell_accuracy"]
    share, cell_share = digits["review_share"], digits["cell_review_share"]
    return (f"{name}: {digits['fields']} dates, {digits['auto']} accepted, {digits['wrong']} wrong → right "
            f"{_fmt(acc, True)} of dates {_ok(None if acc is None else acc >= BAR_DIGITS)}, {_fmt(cell_acc, True)} of "
            f"digits {_ok(None if cell_acc is None else cell_acc >= BAR_DIGITS)} (bar ≥ {BAR_DIGITS:.0%}); to review "
            f"{_fmt(share, True)} of dates {_ok(share <= BAR_DIGIT_REVIEW)}, {_fmt(cell_share, True)} of digits "
            f"{_ok(None if cell_share is None else cell_share <= BAR_DIGIT_REVIEW)} (bar ≤ {BAR_DIGIT_REVIEW:.0%})")


def render(result: dict[str, Any], console: Console) -> None:
    """Print the results as a table with each figure checked against its bar."""
    cores = result["cores"]
    t = Table(title=f"sipas bench ({TEMPLATE}, seed {SEED}, {cores} cores)")
    for col in ("quality", "pages", "auto / wrong marks", "mark error rate", "marks to review", "digit accuracy",
                "digits to review (fields / digits)", "pages/s 1 job", f"pages/s {cores} jobs", "peak MB"):
        t.add_column(col, justify="right")
    errors = []
    for q, r in result["qualities"].items():
        if "error" in r:
            t.add_row(q, *["–"] * 9)
            errors.append(f"{q}: {r['error']}")
            continue
        bar = BARS[q]
        err, review = r["mark_error_rate"], r["review_share"]
        bound = "" if r["mark_error_upper95"] is None else f" (<{r['mark_error_upper95']:.0e})"
        digits_ok = None if r["digit_accuracy"] is None else r["digit_accuracy"] >= BAR_DIGITS
        digit_review_ok = None if r["digit_review_share"] is None else r["digit_review_share"] <= BAR_DIGIT_REVIEW
        cell_share = r.get("digit_cell_review_share")
        cell_ok = None if cell_share is None else cell_share <= BAR_DIGIT_REVIEW
        t.add_row(q, str(r["pages"]), f"{r['mark_auto']} / {r['mark_wrong']}",
                  f"{_fmt(err)}{bound} {_ok(None if err is None else err <= bar['error'])}",
                  f"{_fmt(review, True)} {_ok(None if review is None else review <= bar['review'])}",
                  f"{_fmt(r['digit_accuracy'], True)} {_ok(digits_ok)}",
                  f"{_fmt(r['digit_review_share'], True)} {_ok(digit_review_ok)} / "
                  f"{_fmt(cell_share, True)} {_ok(cell_ok)}",
                  f"{r['pages_per_s_1_job']:.2f}", f"{r[f'pages_per_s_{cores}_jobs']:.2f}",
                  f"{r['peak_memory_mb']:.0f}")
    console.print(t)
    for q, r in result.get("dates", {}).items():
        if "error" in r:
            errors.append(f"dates {q}: {r['error']}")
        elif r.get("digit_fields"):
            console.print(_digit_line(f"date set {q} ({r['forms']} forms, seed {r['seed']})",
                                      _digits_overall({q: r}) or {}))
    digits = _digits_overall(result.get("dates", {}))
    if digits:
        console.print(_digit_line("handwritten dates, the date sets together", digits))
    for line in errors:
        console.print(f"[red]failed[/red] {line}")
    tp = result.get("throughput")
    if tp and "error" not in tp:
        one, mem = tp["pages_per_s_1_jobs"], tp["peak_memory_mb_1_jobs"]
        console.print(f"checkbox-only JPEG 300 dpi: {one:.2f} pages/s on one core {_ok(one >= BAR_PAGES_PER_S)} "
                      f"(bar ≥ {BAR_PAGES_PER_S:g}); {tp[f'pages_per_s_{cores}_jobs']:.2f} pages/s with {cores} jobs, "
                      f"scaling {tp['scaling']:.0%} of linear {_ok(tp['scaling'] >= BAR_SCALING)}")
        console.print(f"peak memory, {tp['pages'][0]} vs {tp['pages'][1]} pages: {mem[0]:.0f} vs {mem[1]:.0f} MB "
                      f"(1 job) {_ok(mem[1] <= mem[0] * BAR_MEMORY_GROWTH)}")
    elif tp:
        console.print(f"[red]failed[/red] throughput: {tp['error']}")


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
        "template": TEMPLATE, "seed": SEED, "scale": args.scale, "qualities": {},
        "bars": {"by_quality": BARS, "digit_accuracy": BAR_DIGITS, "digit_review_share": BAR_DIGIT_REVIEW,
                 "checkbox_pages_per_s_one_core": BAR_PAGES_PER_S, "scaling": BAR_SCALING,
                 "memory_growth": BAR_MEMORY_GROWTH},
    }
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
    result["digits_date_sets"] = _digits_overall(result["dates"])
    result["seconds"] = time.monotonic() - start
    result["load_average_at_end"] = os.getloadavg()[0]
    render(result, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out} ({result['seconds']:.0f} s)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

