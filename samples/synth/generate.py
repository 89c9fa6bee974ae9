"""Generate a synthetic scan set: filled, scanned-looking pages and their ground truth.

Output folder::

    batch-001.pdf …          the scans (pdf/tiff: one file per scanner batch; jpeg/png: one file a page)
    truth.csv                form_id,field,value — one row per form and answer code (answers-export coding)
    marks.csv                form_id,field,value,marks,hesitate,family — what ink each checkbox answer got
    pages.csv                file,index_in_file,kind,form_id,page,rotation,quality,dpi,respondent_family,
                             scanner_family — every page written
    forms.manifest.csv       the manifest `sipas template render` writes (form ids, unit codes)
    synth.json               the options and counts of the run

Everything is a function of the options: the same seed gives the same bytes. Answers, handwriting
and batch composition depend on the seed (and the family group) only, so the sets of different
qualities hold the same forms with the same marks, scanned differently. Each form's respondent
comes from a respondent family and each batch (each photo) from a scanner family of the chosen
group (``families``: tuning, evaluation or all; see families.py and scanners.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from omr.errors import BadArgumentsError
from omr.formid import new_form_id
from omr.render import FormCopy, new_copies
from omr.template.load import builtin_templates, load_template
from omr.template.model import GridField, MultiField, SingleField, Template
from samples.synth.answers import FormAnswers, draw_answers
from samples.synth.families import FAMILY_CHOICES, FamilyChoice
from samples.synth.fill import blank_back, fill_page
from samples.synth.fraud import OneHand, one_hand_forms, writer_digits
from samples.synth.habits import apply_habits
from samples.synth.ink import U8, Rng
from samples.synth.outputs import OUTPUT_NAMES, FormRecord, PageKind, PageRow, write_outputs
from samples.synth.paper import foreign_document
from samples.synth.profile import AnswerProfile
from samples.synth.respondents import draw_family, draw_respondent, random_hand
from samples.synth.scan import QUALITIES, Quality, ScannedPage, draw_dpi, draw_turns, scan_page
from samples.synth.scanners import draw_scanner
from samples.synth.units import assign_units
from samples.synth.writers import EXTENSIONS, FORMATS, BatchWriter, Format

__all__ = ["OUTPUT_NAMES", "BatchProfile", "PageRow", "SynthOptions", "SynthSummary", "generate", "iter_batches"]

# Independent random streams, so that changing one aspect never shifts another.
_ANSWERS, _HAND, _BATCH, _TURNS, _SCAN, _UNITS, _PAGE, _FOREIGN, _FAMILY, _HABITS, _SCANNER = range(1, 12)
_ONE_HAND = 12


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
    families: FamilyChoice = "all"
    """Respondent and scanner families drawn from: ``tuning``, ``evaluation`` or ``all``."""
    pages: tuple[int, ...] = ()
    """Only these page numbers of each form are written (truth and marks rows only for their codes);
    empty = every page."""
    copies: tuple[FormCopy, ...] = ()
    """Fill these forms (ids and unit codes, e.g. from a manifest) instead of ``count`` new ones."""
    one_hand: OneHand | None = None
    """The last ``one_hand.count`` forms filled by one hand with one answer pattern (samples/synth/fraud.py)."""


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
    if options.copies and len(options.copies) != options.count:
        raise BadArgumentsError(f"{len(options.copies)} forms given for --count {options.count}")
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
    if options.families not in FAMILY_CHOICES:
        raise BadArgumentsError(f"--families must be one of {', '.join(FAMILY_CHOICES)}, not {options.families!r}")


def _check_pages(template: Template, options: SynthOptions) -> None:
    wrong = [p for p in options.pages if not 1 <= p <= template.page_count]
    if wrong:
        raise BadArgumentsError(f"--pages: {template.name} has pages 1-{template.page_count}, not {wrong[0]}")


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


def _forms(template: Template, options: SynthOptions) -> list[FormRecord]:
    copies = list(options.copies) or new_copies(options.count, options.seed)
    units = ([c.units for c in options.copies] if options.copies
             else assign_units(template, options.count, _rng(options.seed, _UNITS)))
    forms: list[FormRecord] = []
    for i, (c, u) in enumerate(zip(copies, units, strict=True)):
        answers = draw_answers(template, options.answers, _rng(options.seed, _ANSWERS, i))
        family = draw_family(options.families, _rng(options.seed, _FAMILY, i))
        respondent = draw_respondent(family, options.answers, _rng(options.seed, _HAND, i))
        answers = apply_habits(template, answers, respondent, family, options.answers,
                               _rng(options.seed, _HABITS, i))
        forms.append(FormRecord(FormCopy(c.form_id, u), answers, respondent))
    if options.one_hand is not None:
        forms = one_hand_forms(template, forms, options.one_hand, options.answers, _rng(options.seed, _ONE_HAND))
    return forms


def _page_codes(template: Template, pages: tuple[int, ...]) -> set[str] | None:
    """The answer codes printed on ``pages`` (None: all pages)."""
    if not pages:
        return None
    codes: set[str] = set()
    for f in (f for p in pages for f in template.pages[p - 1].fields):
        if isinstance(f, GridField):
            codes.update(r.code for r in f.rows)
            continue
        codes.add(f.code)
        if isinstance(f, SingleField | MultiField):
            codes.update(o.other for o in f.options if o.other)
    return codes


def _other_template(template: Template) -> Template | None:
    others = [name for name in builtin_templates() if name != template.name]
    return load_template(others[0]) if others else None


def _batches(template: Template, answers: list[FormAnswers], options: SynthOptions) -> list[list[_Sheet]]:
    wanted = options.pages or tuple(range(1, template.page_count + 1))
    sheets = [_Sheet("form", i, p) for i, a in enumerate(answers)
              for p in range(1, template.page_count + 1) if p not in a.missing_pages and p in wanted]
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


def _paper(sheet: _Sheet, template: Template, forms: dict[int, FormRecord],
           options: SynthOptions) -> tuple[U8, str, int | None, str]:
    """The filled paper of a sheet, its form id, page number and respondent family."""
    if sheet.kind == "form":
        rng = _rng(options.seed, _PAGE, sheet.form, sheet.page)
        f = forms[sheet.form]
        paper = fill_page(template, f.copy.form_id, sheet.page, f.answers, hand=f.respondent.hand, rng=rng,
                          bank=writer_digits(f.respondent.hand))
        return paper, f.copy.form_id, sheet.page, f.respondent.family
    rng = _rng(options.seed, _FOREIGN, sheet.form)
    other = _other_template(template)
    if sheet.kind == "foreign-document" or other is None:
        return foreign_document(rng), "", None, ""
    fid = new_form_id(random.Random(int(rng.integers(2**32))))
    page = int(rng.integers(1, other.page_count + 1))
    filled = draw_answers(other, options.answers, rng)
    return fill_page(other, fid, page, filled, hand=random_hand(rng), rng=rng), fid, page, ""


_Job = tuple[SynthOptions, int, list[_Sheet], dict[int, FormRecord]]


def _make_batch(job: _Job) -> list[PageRow]:
    options, b, sheets, forms = job
    template = load_template(options.template)
    qidx = QUALITIES.index(options.quality)
    scanner = draw_scanner(options.quality, options.families, _rng(options.seed, _SCANNER, qidx, b))
    duplex = _duplex(options, b)
    photos = scanner.profile.perspective > 0
    batch_dpi = None if photos else draw_dpi(scanner.profile, _rng(options.seed, _BATCH, b, 2))
    rows: list[PageRow] = []
    path = options.out / f"batch-{b + 1:03d}{EXTENSIONS[options.format]}"
    with BatchWriter(path, options.format) as writer:
        for pos, sheet in enumerate(sheets):
            paper, fid, page, family = _paper(sheet, template, forms, options)
            if photos:  # every photo may come from another phone
                scanner = draw_scanner(options.quality, options.families, _rng(options.seed, _SCANNER, qidx, b, pos))
            profile = scanner.profile
            turns = draw_turns(profile, _rng(options.seed, _TURNS, qidx, b, pos))
            kind: PageKind = "form" if sheet.kind == "form" else "foreign"
            sides: list[tuple[U8, PageKind, str, int | None, str]] = [(paper, kind, fid, page, family)]
            if duplex:
                back = blank_back(paper, rng=_rng(options.seed, _SCAN, qidx, b, pos, 1))
                sides.append((back, "blank_back", "", None, ""))
            for side, (image, k, f, p, fam) in enumerate(sides):
                rng = _rng(options.seed, _SCAN, qidx, b, pos, side + 2)
                scanned: ScannedPage = scan_page(image, profile=profile, rng=rng, turns=turns, dpi=batch_dpi)
                name, index = writer.add(scanned)
                rows.append(PageRow(name, index, k, f, p, 90 * scanned.turns, options.quality, scanned.dpi,
                                    fam, scanner.name))
    return rows


def iter_batches(options: SynthOptions) -> Iterator[list[PageRow]]:
    """Generate batch after batch (in parallel with ``options.jobs`` > 1), yielding their pages."""
    template = load_template(options.template)
    forms = _forms(template, options)
    jobs: list[_Job] = [
        (options, b, sheets, {s.form: forms[s.form] for s in sheets if s.kind == "form"})
        for b, sheets in enumerate(_batches(template, [f.answers for f in forms], options))
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
    _check_pages(template, options)
    _prepare_out(options)
    forms = _forms(template, options)
    rows = [row for batch in iter_batches(options) for row in batch]
    write_outputs(template, forms, rows, options, _page_codes(template, options.pages))
    files = len({r.file for r in rows})
    return SynthSummary(options.count, len(rows), files, time.monotonic() - start, options.out)
