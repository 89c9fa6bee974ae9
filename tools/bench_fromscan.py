"""Does a from-scan template read filled forms like our own engine? (issue #16's must-show)

Usage (from the project root)::

    .venv/bin/python -m tools.bench_fromscan                      # 20 forms, clean and office, pages 1-5
    .venv/bin/python -m tools.bench_fromscan --forms 4 --quality clean --pages 2,3   # a quick look

What it does:

1. Renders the blank pages of the built-in SIPAS 2023 form (``omr.render.render_pdf``, ``pdftoppm``
   at ``--dpi``) with the corner markers, the QR and the printed form id painted white: a form "we did
   not print". ``sipas template from-scan`` (``template_from_scan``, no OCR) proposes a template from
   it. Every built-in box is paired with the proposed box at the same place (each edge within 1 mm,
   :mod:`tools.fromscan_codes`) and the proposal is recoded with the built-in codes, values, kinds and
   marking rule, as a survey manager would correct it; box positions, blank images and alignment stay
   as proposed. Unpaired boxes and fields that could not be recoded are reported.
2. For each scan quality, ``samples.synth`` fills and scans ``--forms`` forms (evaluation families,
   fixed seed). Each page is read twice: (a) as scanned, with the built-in template (our engine:
   markers, QR); (b) with the markers, QR and printed id painted over in the paper's colour (where
   reading (a)'s homography puts them) and only the recoded from-scan template loaded (the reader of
   forms we did not print: identified by its blank pages, aligned by features).
3. Compares the two readings answer code by answer code — both auto-accepted and equal, both
   auto-accepted and *different* (the key figure), flagged by one or both — and each with the synthetic
   truth (``sipas eval``'s measures: wrong among auto-accepted, share sent to review). Prints tables and
   writes ``bench/fromscan.json``; work files go to ``bench/fromscan.tmp/`` (removed unless ``--keep``).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from omr.ingest import load_page, open_scan_file, page_refs  # noqa: E402
from omr.reader.context import ReaderContext  # noqa: E402
from omr.reader.evaluate import EvalResult, Tally, evaluate, load_marks, normalise_value  # noqa: E402
from omr.reader.page import read_page  # noqa: E402
from omr.render import FormCopy, render_pdf  # noqa: E402
from omr.template.fromscan import template_from_scan  # noqa: E402
from omr.template.layout import FormLayout, Rect, layout_template  # noqa: E402
from omr.template.load import load_template, parse_template  # noqa: E402
from omr.template.model import GridField, MultiField, SingleField, Template  # noqa: E402
from omr.template.yamlout import template_yaml  # noqa: E402
from omr.types import FieldReading, PageError, PageImage, PageReading  # noqa: E402
from samples.synth.families import FamilyChoice  # noqa: E402
from samples.synth.generate import BatchProfile, SynthOptions, generate  # noqa: E402
from samples.synth.scan import QUALITIES, Quality  # noqa: E402
from tools.fromscan_codes import BoxMatch, Recoded, match_boxes, recode  # noqa: E402

TEMPLATE = "sipas-2023"
FAMILIES: FamilyChoice = "evaluation"
SEED = 20260116
FORMS = 20
QUALITIES_DEFAULT: tuple[Quality, ...] = ("clean", "office")
BLANK_DPI = 300
PAINT_MARGIN_MM = 1.0
"""Painted beyond each marker, QR and id rect (the QR's quiet zone, blur of the scan)."""
STEM = "unmarked"


# --- 1. the blank form without markers, QR and id, and its from-scan template -----------------------------


def printed_rects(layout: FormLayout, number: int) -> list[Rect]:
    """What only our own printing puts on a page: the corner markers, the QR and the printed form id."""
    page = layout.page(number)
    return [f.rect for f in page.fiducials] + [page.printed_qr, page.printed_id]


def render_unmarked(template: Template, pages: Sequence[int], dpi: int, folder: Path) -> Path:
    """The blank ``pages`` rendered at ``dpi``, painted white over markers, QR and id, as one TIFF file."""
    layout = layout_template(template)
    pdf = folder / "printed.pdf"
    pdf.write_bytes(render_pdf(template, [FormCopy("K7M2Q9X0")]))
    k = dpi / 25.4
    images: list[NDArray[np.uint8]] = []
    for n in pages:
        stem = folder / f"printed-p{n}"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(n), "-l", str(n), "-singlefile", str(pdf),
                        str(stem)], check=True)
        image = np.asarray(cv2.imread(f"{stem}.pgm", cv2.IMREAD_GRAYSCALE), dtype=np.uint8)
        pad = round(PAINT_MARGIN_MM * k)
        for r in printed_rects(layout, n):
            image[max(0, int(r.y * k) - pad): int(r.bottom * k) + pad + 1,
                  max(0, int(r.x * k) - pad): int(r.right * k) + pad + 1] = 255
        images.append(image)
    out = folder / f"{STEM}.tif"
    if not cv2.imwritemulti(str(out), images):
        raise OSError(f"{out}: cannot write the blank pages")
    return out


@dataclass(frozen=True)
class FromScan:
    """The from-scan template as proposed, its pairing with the built-in boxes and the recoded YAML."""

    proposed: Path
    recoded_yaml: Path
    match: BoxMatch
    recoded: Recoded
    pages: tuple[int, ...]
    """The built-in page number of each template page."""
    counts: dict[str, int]
    seconds: float


def make_fromscan(known: Template, pages: Sequence[int], folder: Path, dpi: int = BLANK_DPI,
                  overlay: bool = True) -> FromScan:
    """Render the unmarked blank, run from-scan on it, pair its boxes and write the recoded template."""
    folder.mkdir(parents=True, exist_ok=True)
    blank = render_unmarked(known, pages, dpi, folder)
    start = time.monotonic()
    proposed = folder / f"{STEM}.yaml"
    result = template_from_scan(blank, proposed, dpi=float(dpi), lang=None, overlay=overlay)
    seconds = time.monotonic() - start
    template = result.proposal.template
    match = match_boxes(layout_template(known), pages, template)
    recoded = recode(template, known, match)
    header = (f"{proposed.name} (proposed by `sipas template from-scan {blank.name}` on the blank {known.name} "
              f"pages {', '.join(map(str, pages))}\nwithout corner markers, QR or printed id), recoded by "
              f"tools/bench_fromscan.py with the codes, values,\nkinds and marking rule of {known.name}: each "
              f"{known.name} box paired with the proposed box at the same place\n(every edge within 1 mm). "
              "Box positions, blank images and alignment are as proposed.")
    text = template_yaml(recoded.template, header)
    target = folder / f"{STEM}-recoded.yaml"
    parse_template(text, str(target))
    target.write_text(text, encoding="utf-8")
    return FromScan(proposed, target, match, recoded, tuple(pages), dict(result.proposal.counts), seconds)


# --- 2. filled scans read twice ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What one reader made of one page: outcome, the page it said (built-in numbering), fields."""

    outcome: str
    page: int | None
    form_id: str | None
    fields: tuple[FieldReading, ...]
    reason: str
    seconds: float


@dataclass(frozen=True)
class PagePair:
    """One scanned page of the synthetic set read by both readers."""

    file: str
    index: int
    form_id: str
    page: int
    builtin: Reading
    fromscan: Reading | None
    """None when reading (a) gave no homography to paint the markers over."""


def paint_printed(image: NDArray[np.uint8], homography: NDArray[np.float64], rects: Sequence[Rect],
                  margin_mm: float = PAINT_MARGIN_MM) -> NDArray[np.uint8]:
    """A copy of the scan with each rect (template mm) painted in the paper's colour where ``homography``
    (template mm → image pixels) puts it."""
    out = image.copy()
    paper = int(np.percentile(image, 90))
    for r in rects:
        m = margin_mm
        corners = np.array([[[r.x - m, r.y - m], [r.right + m, r.y - m], [r.right + m, r.bottom + m],
                             [r.x - m, r.bottom + m]]], np.float64)
        quad = cv2.perspectiveTransform(corners, homography)[0]
        cv2.fillConvexPoly(out, np.round(quad).astype(np.int32), paper)
    return out


_WORKER: dict[str, Any] = {}


def _init_worker(known: str, recoded: str, pages: tuple[int, ...]) -> None:
    _WORKER["builtin"] = ReaderContext.load([known])
    _WORKER["fromscan"] = ReaderContext.load([recoded])
    _WORKER["layout"] = layout_template(load_template(known))
    _WORKER["pages"] = pages


def _reading(result: PageReading, seconds: float, pages: tuple[int, ...] | None = None) -> Reading:
    ident = result.identity
    number = None if ident is None else (pages[ident.page - 1] if pages else ident.page)
    return Reading(result.outcome, number, ident.form_id if ident else None, result.fields, result.reason or "",
                   round(seconds, 3))


def read_pair(page: PageImage, form_id: str, number: int, builtin: ReaderContext, fromscan: ReaderContext,
              layout: FormLayout, pages: tuple[int, ...]) -> PagePair:
    """Read ``page`` with the built-in template, paint our printing over, read it with the from-scan one."""
    start = time.monotonic()
    a = read_page(page, builtin)
    ra = _reading(a, time.monotonic() - start)
    if a.homography is None:
        return PagePair(page.source, page.index, form_id, number, ra, None)
    h = np.array(a.homography, np.float64).reshape(3, 3)
    painted = paint_printed(page.image, h, printed_rects(layout, a.identity.page if a.identity else number))
    start = time.monotonic()
    b = read_page(PageImage(page.source, page.index, painted, page.dpi), fromscan)
    return PagePair(page.source, page.index, form_id, number, ra, _reading(b, time.monotonic() - start, pages))


def _read_task(task: tuple[str, int, str, int]) -> PagePair:
    path, index, form_id, number = task
    scan_file = open_scan_file(Path(path))
    if isinstance(scan_file, PageError):
        raise OSError(f"{path}: {scan_file.reason}")
    page = load_page(list(page_refs(scan_file))[index])
    if not isinstance(page, PageImage):
        raise OSError(f"{path}#{index + 1}: {page.reason}")
    return read_pair(page, form_id, number, _WORKER["builtin"], _WORKER["fromscan"], _WORKER["layout"],
                     _WORKER["pages"])


def read_set(folder: Path, setup: FromScan, known: str, jobs: int) -> list[PagePair]:
    """Read every form page of a synthetic set with both readers (``jobs`` processes)."""
    with (folder / "pages.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "form"]
    tasks = [(str(folder / r["file"]), int(r["index_in_file"]), r["form_id"], int(r["page"])) for r in rows]
    args = (known, str(setup.recoded_yaml), setup.pages)
    if jobs <= 1:
        _init_worker(*args)
        return [_read_task(t) for t in tasks]
    # spawned, not forked: a fork of a process that already ran OpenCV and Tesseract threads can hang
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=args) as pool:
        return list(pool.map(_read_task, tasks))


# --- 3. comparing the readings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """Answer codes of the truth compared between the two readings."""

    codes: int = 0
    both_auto_equal: int = 0
    both_auto_different: int = 0
    builtin_flagged_only: int = 0
    fromscan_flagged_only: int = 0
    both_flagged: int = 0
    missing_builtin: int = 0
    missing_fromscan: int = 0

    def add(self, name: str) -> Agreement:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["codes"] += 1
        data[name] += 1
        return Agreement(**data)

    @property
    def agree_share(self) -> float | None:
        """Both auto-accepted and equal, among codes both read."""
        both = self.codes - self.missing_builtin - self.missing_fromscan
        return self.both_auto_equal / both if both > 0 else None


@dataclass(frozen=True)
class Difference:
    """A code both readers auto-accepted with different values."""

    form_id: str
    field: str
    builtin: str
    fromscan: str
    truth: str


@dataclass
class QualityResult:
    """Everything measured on one scan quality."""

    quality: str
    pages: int
    agreement: Agreement
    by_kind: dict[str, Agreement]
    builtin_eval: EvalResult
    fromscan_eval: EvalResult
    differences: list[Difference]
    fromscan_only_flags: Counter[str]
    """Answer code → times only the from-scan reading flagged it."""
    flag_reasons: Counter[str]
    """Reason (without the box value) → times only the from-scan reading flagged a code for it."""
    page_problems: list[str]
    seconds_builtin: float
    seconds_fromscan: float
    wrong_page: dict[str, int] = field(default_factory=dict)


def _answers(pairs: Sequence[PagePair], which: str) -> dict[tuple[str, str], FieldReading]:
    """The fields of the pages a reader placed right (form id from the set: (b) has no printed id)."""
    out: dict[tuple[str, str], FieldReading] = {}
    for p in pairs:
        r = p.builtin if which == "builtin" else p.fromscan
        if r is None or r.page != p.page or (which == "builtin" and r.form_id != p.form_id):
            continue
        for f in r.fields:
            out[(p.form_id, f.field)] = f
    return out


def _rows(answers: dict[tuple[str, str], FieldReading]) -> list[dict[str, str]]:
    return [{"form_id": k[0], "field": k[1], "value": f.value, "status": f.status, "confidence": str(f.confidence)}
            for k, f in answers.items()]


def _reason_kind(reason: str | None) -> str:
    """A flag reason without the values it names (``unclear mark at 2`` → ``unclear mark``)."""
    text = (reason or "").split(" at ")[0].split(" (")[0]
    return "".join(c for c in text if not c.isdigit()).strip() or "?"


def compare(quality: str, pairs: Sequence[PagePair], truth: Sequence[dict[str, str]], kinds: dict[str, str],
            marks: dict[tuple[str, str], Any] | None = None) -> QualityResult:
    """The agreement of the two readings and each one's figures against the truth."""
    a, b = _answers(pairs, "builtin"), _answers(pairs, "fromscan")
    total = Agreement()
    by_kind: dict[str, Agreement] = {}
    diffs: list[Difference] = []
    only: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for row in truth:
        key = (row["form_id"], row["field"])
        kind = kinds.get(row["field"], "single")
        fa, fb = a.get(key), b.get(key)
        if fa is None:
            name = "missing_builtin"
        elif fb is None:
            name = "missing_fromscan"
        elif fa.status == "auto" and fb.status == "auto":
            same = normalise_value(fa.value, kind) == normalise_value(fb.value, kind)
            name = "both_auto_equal" if same else "both_auto_different"
            if not same:
                diffs.append(Difference(key[0], key[1], fa.value, fb.value, row.get("value") or ""))
        elif fa.status == "auto":
            name = "fromscan_flagged_only"
            only[key[1]] += 1
            reasons[_reason_kind(fb.reason)] += 1
        elif fb.status == "auto":
            name = "builtin_flagged_only"
        else:
            name = "both_flagged"
        total = total.add(name)
        by_kind[kind] = by_kind.get(kind, Agreement()).add(name)
    problems: list[str] = []
    wrong: Counter[str] = Counter()
    for p in pairs:
        where = f"{Path(p.file).name}#{p.index + 1} (form {p.form_id} page {p.page})"
        if p.builtin.page != p.page or p.builtin.form_id != p.form_id:
            wrong["builtin"] += 1
            problems.append(f"{where}: built-in {p.builtin.outcome}, page {p.builtin.page}: {p.builtin.reason}")
        if p.fromscan is None:
            wrong["fromscan"] += 1
            problems.append(f"{where}: not painted (the built-in reading has no homography)")
        elif p.fromscan.page != p.page:
            wrong["fromscan"] += 1
            problems.append(f"{where}: from-scan {p.fromscan.outcome}, page {p.fromscan.page}: {p.fromscan.reason}")
    return QualityResult(
        quality, len(pairs), total, dict(sorted(by_kind.items())),
        evaluate(truth, _rows(a), kinds, marks=marks), evaluate(truth, _rows(b), kinds, marks=marks),
        diffs, only, reasons, problems,
        sum(p.builtin.seconds for p in pairs), sum(p.fromscan.seconds for p in pairs if p.fromscan is not None),
        dict(wrong))


def load_truth(folder: Path, codes: set[str]) -> list[dict[str, str]]:
    """The set's truth rows for ``codes``."""
    with (folder / "truth.csv").open(newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["field"] in codes]


def answer_kinds(template: Template) -> dict[str, str]:
    """Answer code → kind (a grid row is ``grid``, a write-in ``text``)."""
    out: dict[str, str] = {}
    for f in template.fields():
        if isinstance(f, GridField):
            out.update((r.code, "grid") for r in f.rows)
            continue
        out[f.code] = f.kind
        if isinstance(f, SingleField | MultiField):
            out.update((o.other, "text") for o in f.options if o.other)
    return out


# --- the bench ----------------------------------------------------------------------------------------------


def run_quality(quality: Quality, setup: FromScan, forms: int, seed: int, work: Path, jobs: int) -> QualityResult:
    """Generate, read twice and compare one scan quality."""
    folder = work / quality
    generate(SynthOptions(template=TEMPLATE, count=forms, seed=seed, quality=quality, format="png", out=folder,
                          jobs=jobs, force=True, batches=BatchProfile(0.0, 0.0, shuffle=False), families=FAMILIES,
                          pages=setup.pages))
    known = load_template(TEMPLATE)
    kinds = answer_kinds(known)
    codes = {c for n in setup.pages for c in page_codes(known, n)}
    pairs = read_set(folder, setup, TEMPLATE, jobs)
    marks = load_marks(folder / "marks.csv")
    return compare(quality, pairs, load_truth(folder, codes), kinds, marks)


def page_codes(template: Template, number: int) -> list[str]:
    """The answer codes printed on page ``number``, in order."""
    page_only = template.model_copy(update={"pages": [template.pages[number - 1]]})
    return page_only.answer_codes()


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f} %"


def _tally_json(t: Tally) -> dict[str, object]:
    return t.as_json()


def result_json(setup: FromScan, results: Sequence[QualityResult], args: dict[str, Any]) -> dict[str, Any]:
    """The bench's JSON (bench/fromscan.json)."""
    match = setup.match
    out: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "template": TEMPLATE, **args,
        "fromscan": {
            "pages": list(setup.pages), "seconds": round(setup.seconds, 2), "found": setup.counts,
            "boxes_paired": len(match.pairs), "max_offset_mm": match.max_offset_mm,
            "unmatched_builtin": [list(u) for u in match.unmatched_known],
            "unmatched_proposed": [list(u) for u in match.unmatched_proposed],
            "codes_recoded": len(setup.recoded.codes), "kinds_changed": list(setup.recoded.kinds_changed),
            "kept_as_proposed": list(setup.recoded.kept),
        },
        "qualities": {},
    }
    for r in results:
        out["qualities"][r.quality] = {
            "pages": r.pages, "pages_misplaced": r.wrong_page, "page_problems": r.page_problems[:20],
            "agreement": {**r.agreement.__dict__, "agree_share": r.agreement.agree_share},
            "agreement_by_kind": {k: v.__dict__ for k, v in r.by_kind.items()},
            "builtin": {"marks": _tally_json(r.builtin_eval.marks), "all": _tally_json(r.builtin_eval.overall),
                        "by_kind": {k: _tally_json(v) for k, v in r.builtin_eval.by_kind.items()}},
            "fromscan": {"marks": _tally_json(r.fromscan_eval.marks), "all": _tally_json(r.fromscan_eval.overall),
                         "by_kind": {k: _tally_json(v) for k, v in r.fromscan_eval.by_kind.items()}},
            "by_mark": _by_mark_json(r),
            "differences": [d.__dict__ for d in r.differences[:50]],
            "fromscan_only_flagged": dict(r.fromscan_only_flags.most_common(20)),
            "fromscan_only_flag_reasons": dict(r.flag_reasons.most_common()),
            "seconds_per_page": {"builtin": round(r.seconds_builtin / max(1, r.pages), 3),
                                 "fromscan": round(r.seconds_fromscan / max(1, r.pages), 3)},
        }
    return out


def _breakdowns(r: QualityResult) -> dict[str, tuple[Tally, Tally]]:
    """Checkbox fields by what was drawn (mark kind, clear/hesitate, respondent family): (a) and (b)."""
    a, b = r.builtin_eval.by_mark, r.fromscan_eval.by_mark
    if a is None or b is None:
        return {}
    out: dict[str, tuple[Tally, Tally]] = {}
    for prefix, da, db in (("", a.by_mark, b.by_mark), ("", a.by_hesitate, b.by_hesitate),
                           ("family ", a.by_family, b.by_family)):
        for k, t in da.items():
            out[prefix + k] = (t, db.get(k, Tally()))
    out["circled (box or label)"] = (a.circled, b.circled)
    return out


def _by_mark_json(r: QualityResult) -> dict[str, dict[str, object]]:
    return {k: {"builtin": ta.as_json(), "fromscan": tb.as_json()} for k, (ta, tb) in _breakdowns(r).items()}


def _cell(t: Tally) -> str:
    return f"{t.wrong}/{t.auto} · {t.review}"


def render(console: Console, setup: FromScan, results: Sequence[QualityResult]) -> None:
    """Print the pairing, the agreement table and the comparison with the truth."""
    m = setup.match
    console.print(f"from-scan on pages {', '.join(map(str, setup.pages))}: {len(m.pairs)} boxes paired with the "
                  f"built-in ones (largest edge offset {m.max_offset_mm:.2f} mm), {len(m.unmatched_known)} built-in "
                  f"and {len(m.unmatched_proposed)} proposed boxes unpaired; {len(setup.recoded.codes)} answer "
                  f"codes recoded; kinds corrected: {', '.join(setup.recoded.kinds_changed) or 'none'}; "
                  f"left as proposed: {len(setup.recoded.kept)}")
    for line in [*m.unmatched_known[:10]]:
        console.print(f"  unpaired built-in box: page {line[0]} {line[1]}={line[2]}")
    for text in setup.recoded.kept[:10]:
        console.print(f"  left as proposed: {text}")
    agree = Table(title="Answer codes: built-in reading (a) vs from-scan reading (b)")
    for col in ("quality", "codes", "both auto =", "both auto ≠", "(b) flagged only", "(a) flagged only",
                "both flagged", "missing (a)", "missing (b)", "pages misplaced (a)/(b)"):
        agree.add_column(col, justify="right")
    for r in results:
        g = r.agreement
        agree.add_row(r.quality, str(g.codes), str(g.both_auto_equal), str(g.both_auto_different),
                      str(g.fromscan_flagged_only), str(g.builtin_flagged_only), str(g.both_flagged),
                      str(g.missing_builtin), str(g.missing_fromscan),
                      f"{r.wrong_page.get('builtin', 0)}/{r.wrong_page.get('fromscan', 0)}")
    console.print(agree)
    truth = Table(title="Each reading against the synthetic truth (checkbox fields | all fields)")
    for col in ("quality", "reader", "auto", "wrong among auto", "review share", "wrong (all)", "review (all)",
                "s/page"):
        truth.add_column(col, justify="right")
    for r in results:
        for name, ev, secs in (("built-in (a)", r.builtin_eval, r.seconds_builtin),
                               ("from-scan (b)", r.fromscan_eval, r.seconds_fromscan)):
            truth.add_row(r.quality, name, str(ev.marks.auto), f"{ev.marks.wrong} ({_pct(ev.marks.error_rate)})",
                          _pct(ev.marks.review_share), f"{ev.overall.wrong} ({_pct(ev.overall.error_rate)})",
                          _pct(ev.overall.review_share), f"{secs / max(1, r.pages):.2f}")
    console.print(truth)
    for r in results:
        parts = _breakdowns(r)
        if not parts:
            continue
        table = Table(title=f"{r.quality}: checkbox fields by what was drawn — wrong/auto · review")
        for col in ("drawn", "fields", "built-in (a)", "from-scan (b)"):
            table.add_column(col, justify="right")
        for name, (ta, tb) in parts.items():
            table.add_row(name, str(ta.fields), _cell(ta), _cell(tb))
        console.print(table)
    for r in results:
        if r.differences:
            console.print(f"[bold]{r.quality}[/bold]: both auto-accepted, different values:")
            for d in r.differences[:15]:
                console.print(f"  {d.form_id} {d.field}: built-in {d.builtin!r}, from-scan {d.fromscan!r}, "
                              f"truth {d.truth!r}")
        if r.fromscan_only_flags:
            top = ", ".join(f"{c} {n}" for c, n in r.fromscan_only_flags.most_common(12))
            why = ", ".join(f"{c!r} {n}" for c, n in r.flag_reasons.most_common(5))
            console.print(f"[bold]{r.quality}[/bold]: flagged by (b) only: {top}; reasons: {why}")
        for text in r.page_problems[:8]:
            console.print(f"  {text}")


def _pages(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return tuple(out)


def run(pages: tuple[int, ...], qualities: Sequence[Quality], forms: int, seed: int, work: Path, jobs: int,
        dpi: int = BLANK_DPI, overlay: bool = True) -> tuple[FromScan, list[QualityResult]]:
    """The whole bench; returns the from-scan setup and one result per quality."""
    setup = make_fromscan(load_template(TEMPLATE), pages, work / "template", dpi=dpi, overlay=overlay)
    return setup, [run_quality(q, setup, forms, seed, work, jobs) for q in qualities]


def iter_qualities(values: Sequence[str] | None) -> Iterator[Quality]:
    for v in values or QUALITIES_DEFAULT:
        if v not in QUALITIES:
            raise SystemExit(f"--quality must be one of {', '.join(QUALITIES)}, not {v!r}")
        yield next(q for q in QUALITIES if q == v)


def main(argv: list[str] | None = None) -> int:
    import json

    parser = argparse.ArgumentParser(prog="python -m tools.bench_fromscan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, default=FORMS, help=f"forms per quality (default {FORMS})")
    parser.add_argument("--quality", action="append", help="scan quality (repeat; default clean and office)")
    parser.add_argument("--pages", default="1-5", help="pages of the form, e.g. 2,3 or 1-5 (default 1-5)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"synthetic set seed (default {SEED})")
    parser.add_argument("--dpi", type=int, default=BLANK_DPI, help=f"blank rendering dpi (default {BLANK_DPI})")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "fromscan.json", help="the JSON to write")
    parser.add_argument("--keep", action="store_true", help="keep bench/fromscan.tmp (template, sets)")
    args = parser.parse_args(argv)
    qualities = list(iter_qualities(args.quality))
    pages = _pages(args.pages)
    work = ROOT / "bench" / "fromscan.tmp"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    console = Console(width=None if sys.stdout.isatty() else 160)
    start = time.monotonic()
    setup, results = run(pages, qualities, max(1, args.forms), args.seed, work, max(1, args.jobs), dpi=args.dpi)
    render(console, setup, results)
    data = result_json(setup, results, {"forms": args.forms, "seed": args.seed, "families": FAMILIES,
                                        "blank_dpi": args.dpi, "jobs": args.jobs})
    data["seconds"] = round(time.monotonic() - start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out} in {data['seconds']:.0f} s")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
