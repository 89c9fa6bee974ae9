"""Fit the checkbox confidence calibration on the TUNING families: ``omr/models/mark_calibration.json``.

Usage (from the project root)::

    .venv/bin/python -m tools.calibrate               # about 6 minutes on 2 quiet cores
    .venv/bin/python -m tools.calibrate --scale 0.1   # a quick try (the fit is then coarse)

For each scan quality it generates a synthetic set of the SIPAS 2023 form from the *tuning*
respondent and scanner families only (``samples.synth``, ``families="tuning"``, seeds of its own,
never the bench's), scans it with the calibration switched off (``SIPAS_CALIBRATION=off``, so the
answers carry the reader's raw confidences), exports the answers and joins them to ``truth.csv``.
Every checkbox field the reader accepts without the calibration gives one point: its raw confidence,
its kind, and whether its value is right (flagged fields are left out: most are flagged for a reason
that no confidence level changes — two marks, ink beside the boxes, a page left blank). The
points are fitted by isotonic regression (:mod:`omr.reader.calibration`), written with their
provenance, and a reliability table (predicted probability against the share read right, on the
same points) and the acceptance levels are printed. The evaluation families are never generated
here: ``make bench`` checks the calibration on them.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from omr.reader import calibration as cal  # noqa: E402
from omr.reader.evaluate import CHECKBOX_KINDS, normalise_value  # noqa: E402
from omr.template.load import load_template  # noqa: E402
from omr.types import MULTIPLE  # noqa: E402
from samples.synth.families import FamilyChoice  # noqa: E402
from samples.synth.generate import SynthOptions, generate  # noqa: E402
from samples.synth.scan import Quality  # noqa: E402
from samples.synth.writers import Format  # noqa: E402
from tools.bench_run import export_answers, scan  # noqa: E402

TEMPLATE = "sipas-2023"
FAMILIES: FamilyChoice = "tuning"
SEED = 20270101
"""Seed of the first quality's set (the next qualities add 1, 2, 3); the bench's seeds are 2026…."""
SETS: dict[Quality, tuple[int, Format]] = {"clean": (32, "pdf"), "office": (32, "pdf"), "fax": (32, "tiff"),
                                           "photo": (32, "jpeg")}
LEVELS = (0.9, 0.99, 0.995, 0.999)


@dataclass(frozen=True)
class Points:
    """Checkbox fields the reader accepted: raw confidence, kind, value right."""

    raw: tuple[float, ...]
    kinds: tuple[str, ...]
    right: tuple[bool, ...]
    wrong_marks: tuple[str, ...] = ()
    """For each wrong field: ``quality: the marks drawn (marks.csv) @ raw confidence``, for the report."""

    def __add__(self, other: Points) -> Points:
        return Points(self.raw + other.raw, self.kinds + other.kinds, self.right + other.right,
                      self.wrong_marks + other.wrong_marks)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def join(truth: Path, answers: Path, kinds: dict[str, str], label: str = "") -> Points:
    """The calibration points of one set: answers joined to the truth on (form id, code); the marks of
    the wrong ones from ``marks.csv`` beside the truth when it exists."""
    want = {(r["form_id"], r["field"]): r["value"] for r in _rows(truth)}
    marks_csv = truth.parent / "marks.csv"
    drawn = {(r["form_id"], r["field"]): r["marks"] for r in _rows(marks_csv)} if marks_csv.is_file() else {}
    raw: list[float] = []
    kind_of: list[str] = []
    right: list[bool] = []
    wrong: list[str] = []
    for r in _rows(answers):
        kind = kinds.get(r["field"], "")
        expected = want.get((r["form_id"], r["field"]))
        if kind not in CHECKBOX_KINDS or expected is None or r["status"] != "auto":
            continue
        raw.append(float(r["confidence"] or 0.0))
        kind_of.append(kind)
        right.append(expected != MULTIPLE and normalise_value(r["value"], kind) == normalise_value(expected, kind))
        if not right[-1]:
            marks = drawn.get((r["form_id"], r["field"]), "?") or "no ink"
            wrong.append(f"{label}: {marks} @ {raw[-1]:.2f}")
    return Points(tuple(raw), tuple(kind_of), tuple(right), tuple(wrong))


def collect(quality: Quality, forms: int, fmt: Format, seed: int, work: Path, cores: int) -> Points:
    """Generate a tuning-family set of one quality, scan it with raw confidences, join to the truth."""
    folder = work / f"set-{quality}"
    generate(SynthOptions(template=TEMPLATE, count=forms, seed=seed, quality=quality, format=fmt, out=folder,
                          jobs=cores, force=True, families=FAMILIES))
    ws = work / f"ws-{quality}"
    scan([folder], ws, cores, work / f"scan-{quality}.log", folder / "forms.manifest.csv", env={cal.ENV: "off"})
    answers = work / f"answers-{quality}.csv"
    export_answers(ws, answers, TEMPLATE, work / f"export-{quality}.log")
    return join(folder / "truth.csv", answers, load_template(TEMPLATE).answer_kinds(), quality)


def report(c: cal.Calibration, points: Points, console: Console) -> None:
    """Reliability table and acceptance levels of the fitted calibration on its own points."""
    p = c.probabilities(points.raw, points.kinds)
    right = np.asarray(points.right, bool)
    t = Table(title=f"reliability on the tuning points ({len(p)} checkbox fields; in-sample)")
    for col in ("probability", "fields", "mean predicted", "observed right", "wrong", "expected wrong"):
        t.add_column(col, justify="right")
    for b in cal.reliability(p, right):
        t.add_row(f"[{b.low:g}, {b.high:g}{']' if b.high >= 1 else ')'}", str(b.fields),
                  "–" if b.mean_predicted is None else f"{b.mean_predicted:.4f}",
                  "–" if b.observed is None else f"{b.observed:.4f}", str(b.wrong), f"{b.expected_wrong:.1f}")
    console.print(t)
    for level in LEVELS:
        take = p >= level
        n, wrong = int(take.sum()), int((take & ~right).sum())
        console.print(f"accept at p ≥ {level:g}: {n} of {len(p)} fields ({n / max(len(p), 1):.1%}), {wrong} wrong "
                      f"({wrong / n if n else 0:.1e})")
    if points.wrong_marks:
        console.print(f"wrong values (quality: marks drawn @ raw confidence): {', '.join(sorted(points.wrong_marks))}")
    for kind, curve in c.curves.items():
        console.print(f"curve {kind}: {len(curve.lower)} steps, {int(curve.fields.sum())} fields, "
                      f"{int(curve.fields.sum() - curve.right.sum())} wrong, top step p = {curve.probability[-1]:.5f} "
                      f"from raw {curve.lower[-1]:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the set sizes (default 1)")
    parser.add_argument("--quality", action="append", choices=list(SETS), help="only these qualities")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel jobs (default: cpu count)")
    parser.add_argument("--out", type=Path, default=cal.DEFAULT_PATH, help="where to write the calibration")
    parser.add_argument("--keep", action="store_true", help="keep bench/calibrate.tmp (sets, workspaces, logs)")
    args = parser.parse_args(argv)
    cores = max(1, args.jobs)
    work = ROOT / "bench" / "calibrate.tmp"
    work.mkdir(parents=True, exist_ok=True)
    console = Console(width=None if sys.stdout.isatty() else 120)
    start = time.monotonic()
    qualities: list[Quality] = args.quality or list(SETS)
    points, seeds, forms_total = Points((), (), ()), [], 0
    for quality in qualities:
        forms, fmt = SETS[quality]
        forms = max(1, round(forms * args.scale))
        seed = SEED + list(SETS).index(quality)
        console.print(f"[bold]{quality}[/bold]: {forms} forms of the tuning families as {fmt}, seed {seed} …")
        got = collect(quality, forms, fmt, seed, work, cores)
        console.print(f"  {len(got.raw)} checkbox fields, {len(got.raw) - sum(got.right)} wrong values")
        points, forms_total = points + got, forms_total + forms
        seeds.append(seed)
    command = " ".join(["python -m tools.calibrate", *(argv if argv is not None else sys.argv[1:])])
    prov = cal.Provenance(time.strftime("%Y-%m-%d %H:%M:%S"), FAMILIES, tuple(qualities), tuple(seeds), forms_total,
                          len(points.raw), cal.config_hash(), command)
    fitted = cal.fit(points.raw, points.right, points.kinds, prov)
    cal.save(fitted, args.out)
    report(fitted, points, console)
    console.print(f"wrote {args.out} ({time.monotonic() - start:.0f} s; reader config {prov.config_hash})")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
