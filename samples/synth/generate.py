"""Generate a synthetic scan set: filled, scanned-looking pages and their ground truth.

Output folder::

    batch-001.pdf …          the scans (pdf/tiff: one file per scanner batch; jpeg/png: one file a page)
    truth.csv                form_id,field,value — one row per form and answer code (answers-export coding)
    pages.csv                file,index_in_file,kind,form_id,page,rotation,quality,dpi — every page written
    forms.manifest.csv       the manifest `sipas template render` writes (form ids, unit codes)
    synth.json               the options and counts of the run

Everything is a function of the options: the same seed gives the same bytes. Answers, handwriting
and batch composition depend on the seed only, so the sets of different qualities hold the same
forms with the same marks, scanned differently.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from omr.errors import BadArgumentsError
from omr.formid import new_form_id
from omr.render import FormCopy, new_copies, write_manifest
from omr.template.load import builtin_templates, load_template
from omr.template.model import Template
from samples.synth.answers import FormAnswers, draw_answers
from samples.synth.fill import blank_back, fill_page, random_hand
from samples.synth.ink import U8, Rng
from samples.synth.paper import foreign_document
from samples.synth.profile import AnswerProfile
from samples.synth.scan import PROFILES, QUALITIES, Quality, ScannedPage, draw_dpi, draw_turns, scan_page
from samples.synth.units import assign_units
from samples.synth.writers import EXTENSIONS, FORMATS, BatchWriter, Format

PageKind = Literal["form", "blank_back", "foreign"]
PAGES_COLUMNS = ("file", "index_in_file", "kind", "form_id", "page", "rotation", "quality", "dpi")
TRUTH_COLUMNS = ("form_id", "field", "value")
OUTPUT_NAMES = ("truth.csv", "pages.csv", "forms.manifest.csv", "synth.json")

# Independent random streams, so that changing one aspect never shifts another.
_ANSWERS, _HAND, _BATCH, _TURNS, _SCAN, _UNITS, _PAGE, _FOREIGN = range(1, 9)


@dataclass(frozen=True)
class BatchProfile:
    """How scanner batches are put together."""

    duplex_share: float = 0.2
    """Batches scanned duplex: every sheet is followed by its (blank) back."""
    foreign_share: float = 0.15
    """Batches holding one page that is not part of the set (another template's page or a letter)."""
    shuffle: bool = True
    """Sheets of a batch are fed in random order."""


@dataclass(frozen=True)
class SynthOptions:
    """What to generate (see :func:`generate`)."""

    template: str
    count: int
    seed: int
    quality: Quality
    format: Format
    out: Path
    batch_size: int = 10
    answers: AnswerProfile = field(default_factory=AnswerProfile)
    batches: BatchProfile = field(default_factory=BatchProfile)
    jobs: int = 1
    force: bool = False


@dataclass(frozen=True)
class PageRow:
    """One line of pages.csv: where a generated page is and what it is."""

    file: str
    index_in_file: int
    kind: PageKind
    form_id: str
    page: int | None
    rotation: int
    quality: Quality
    dpi: float


@dataclass(frozen=True)
class SynthSummary:
    forms: int
    pages: int
    files: int
    seconds: float
    out: Path


@dataclass(frozen=True)
class _Sheet:
    kind: Literal["form", "foreign-template", "foreign-document"]
    form: int  # index of the form (or of the foreign sheet's seed)
    page: int


def _rng(*key: int) -> Rng:
    return np.random.default_rng(np.random.SeedSequence([int(k) & 0xFFFFFFFF for k in key]))


def _check(options: SynthOptions) -> None:
    if options.count < 1:
        raise BadArgumentsError("--count must be at least 1")
    if options.quality not in QUALITIES:
        raise BadArgumentsError(f"--quality must be one of {', '.join(QUALITIES)}, not {options.quality!r}")
    if options.format not in FORMATS:
        raise BadArgumentsError(f"--format must be one of {', '.join(FORMATS)}, not {options.format!r}")
    if options.batch_size < 1:
        raise BadArgumentsError("--batch-size must be at least 1")
    if options.jobs < 1:
        raise BadArgumentsError("--jobs must be at least 1")
    if not 0 <= options.seed < 2**32:
        raise BadArgumentsError("--seed must be between 0 and 4294967295")


def _prepare_out(options: SynthOptions) -> None:
    out = options.out
    if out.exists() and not out.is_dir():
        raise BadArgumentsError(f"--out {out} is a file; give a folder")
    out.mkdir(parents=True, exist_ok=True)
    ours = [p for p in out.iterdir() if p.name in OUTPUT_NAMES or p.name.startswith("batch-")]
    others = [p for p in out.iterdir() if p not in ours]
    if others:
        raise BadArgumentsError(f"--out {out} holds files that sipas synth did not write "
                                f"(e.g. {others[0].name}); give an empty or new folder")
    if ours and not options.force:
        raise BadArgumentsError(f"--out {out} already holds a synthetic set; add --force to replace it")
    for p in ours:
        p.unlink()


def _forms(template: Template, options: SynthOptions) -> tuple[list[FormCopy], list[FormAnswers]]:
    copies = new_copies(options.count, options.seed)
    units = assign_units(template, options.count, _rng(options.seed, _UNITS))
    copies = [FormCopy(c.form_id, u) for c, u in zip(copies, units, strict=True)]
    answers = [draw_answers(template, options.answers, _rng(options.seed, _ANSWERS, i))
               for i in range(options.count)]
    return copies, answers


def _other_template(template: Template) -> Template | None:
    others = [name for name in builtin_templates() if name != template.name]
    return load_template(others[0]) if others else None


def _batches(template: Template, answers: list[FormAnswers], options: SynthOptions) -> list[list[_Sheet]]:
    sheets = [_Sheet("form", i, p) for i, a in enumerate(answers)
              for p in range(1, template.page_count + 1) if p not in a.missing_pages]
    out: list[list[_Sheet]] = []
    for b, start in enumerate(range(0, len(sheets), options.batch_size)):
        batch = sheets[start : start + options.batch_size]
        rng = _rng(options.seed, _BATCH, b)
        if options.batches.shuffle:
            batch = [batch[int(k)] for k in rng.permutation(len(batch))]
        if rng.random() < options.batches.foreign_share:
            kind: Literal["foreign-template", "foreign-document"] = (
                "foreign-template" if rng.random() < 0.6 else "foreign-document")
            batch.insert(int(rng.integers(0, len(batch) + 1)), _Sheet(kind, b, 0))
        out.append(batch)
    return out


def _duplex(options: SynthOptions, b: int) -> bool:
    rng = _rng(options.seed, _BATCH, b, 1)
    return bool(rng.random() < options.batches.duplex_share)


def _paper(sheet: _Sheet, template: Template, forms: dict[int, tuple[FormCopy, FormAnswers]],
           options: SynthOptions) -> tuple[U8, str, int | None]:
    """The filled paper of a sheet, its form id and page number."""
    if sheet.kind == "form":
        hand = random_hand(_rng(options.seed, _HAND, sheet.form))
        rng = _rng(options.seed, _PAGE, sheet.form, sheet.page)
        copy, answers = forms[sheet.form]
        return fill_page(template, copy.form_id, sheet.page, answers, hand=hand, rng=rng), copy.form_id, sheet.page
    rng = _rng(options.seed, _FOREIGN, sheet.form)
    other = _other_template(template)
    if sheet.kind == "foreign-document" or other is None:
        return foreign_document(rng), "", None
    fid = new_form_id(random.Random(int(rng.integers(2**32))))
    page = int(rng.integers(1, other.page_count + 1))
    filled = draw_answers(other, options.answers, rng)
    return fill_page(other, fid, page, filled, hand=random_hand(rng), rng=rng), fid, page


_Job = tuple[SynthOptions, int, list[_Sheet], dict[int, tuple[FormCopy, FormAnswers]]]


def _make_batch(job: _Job) -> list[PageRow]:
    options, b, sheets, forms = job
    template = load_template(options.template)
    profile = PROFILES[options.quality]
    qidx = QUALITIES.index(options.quality)
    duplex = _duplex(options, b)
    batch_dpi = None if profile.perspective > 0 else draw_dpi(profile, _rng(options.seed, _BATCH, b, 2))
    rows: list[PageRow] = []
    path = options.out / f"batch-{b + 1:03d}{EXTENSIONS[options.format]}"
    with BatchWriter(path, options.format) as writer:
        for pos, sheet in enumerate(sheets):
            paper, fid, page = _paper(sheet, template, forms, options)
            turns = draw_turns(profile, _rng(options.seed, _TURNS, qidx, b, pos))
            kind: PageKind = "form" if sheet.kind == "form" else "foreign"
            sides: list[tuple[U8, PageKind, str, int | None]] = [(paper, kind, fid, page)]
            if duplex:
                back = blank_back(paper, rng=_rng(options.seed, _SCAN, qidx, b, pos, 1))
                sides.append((back, "blank_back", "", None))
            for side, (image, k, f, p) in enumerate(sides):
                rng = _rng(options.seed, _SCAN, qidx, b, pos, side + 2)
                scanned: ScannedPage = scan_page(image, profile=profile, rng=rng, turns=turns, dpi=batch_dpi)
                name, index = writer.add(scanned)
                rows.append(PageRow(name, index, k, f, p, 90 * scanned.turns, options.quality, scanned.dpi))
    return rows


def _write_csvs(template: Template, copies: list[FormCopy], answers: list[FormAnswers], rows: list[PageRow],
                options: SynthOptions) -> None:
    with (options.out / "truth.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(TRUTH_COLUMNS)
        for copy, a in zip(copies, answers, strict=True):
            w.writerows((copy.form_id, code, value) for code, value in a.truth)
    with (options.out / "pages.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PAGES_COLUMNS)
        for r in rows:
            w.writerow([r.file, r.index_in_file, r.kind, r.form_id, "" if r.page is None else r.page,
                        r.rotation, r.quality, f"{r.dpi:g}"])
    write_manifest(template, copies, options.out / "forms.manifest.csv")


def _describe(template: Template, options: SynthOptions, rows: list[PageRow]) -> str:
    files = sorted({r.file for r in rows})
    doc = {
        "generator": "sipas synth",
        "template": template.name,
        "version": template.version,
        "count": options.count,
        "seed": options.seed,
        "quality": options.quality,
        "format": options.format,
        "batch_size": options.batch_size,
        "answers": asdict(options.answers),
        "batches": asdict(options.batches),
        "pages": len(rows),
        "pages_by_kind": {k: sum(r.kind == k for r in rows) for k in ("form", "blank_back", "foreign")},
        "files": len(files),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def iter_batches(options: SynthOptions) -> Iterator[list[PageRow]]:
    """Generate batch after batch (in parallel with ``options.jobs`` > 1), yielding their pages."""
    template = load_template(options.template)
    copies, answers = _forms(template, options)
    jobs: list[_Job] = [
        (options, b, sheets, {s.form: (copies[s.form], answers[s.form]) for s in sheets if s.kind == "form"})
        for b, sheets in enumerate(_batches(template, answers, options))
    ]
    if options.jobs == 1 or len(jobs) == 1:
        for job in jobs:
            yield _make_batch(job)
        return
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        yield from pool.map(_make_batch, jobs)


def generate(options: SynthOptions) -> SynthSummary:
    """Write a synthetic scan set into ``options.out`` (see the module docstring for the layout)."""
    _check(options)
    start = time.monotonic()
    template = load_template(options.template)
    _prepare_out(options)
    copies, answers = _forms(template, options)
    rows = [row for batch in iter_batches(options) for row in batch]
    _write_csvs(template, copies, answers, rows, options)
    (options.out / "synth.json").write_text(_describe(template, options, rows), encoding="utf-8")
    files = len({r.file for r in rows})
    return SynthSummary(options.count, len(rows), files, time.monotonic() - start, options.out)

