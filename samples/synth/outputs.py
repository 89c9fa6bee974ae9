"""The text files of a synthetic set: truth.csv, marks.csv, pages.csv, the manifest and synth.json."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

from omr.render import FormCopy, write_manifest
from omr.template.model import Template
from samples.synth.answers import FormAnswers
from samples.synth.habits import field_marks
from samples.synth.respondents import Respondent
from samples.synth.scan import Quality

if TYPE_CHECKING:
    from samples.synth.generate import SynthOptions

PageKind = Literal["form", "blank_back", "foreign"]
PAGES_COLUMNS = ("file", "index_in_file", "kind", "form_id", "page", "rotation", "quality", "dpi",
                 "respondent_family", "scanner_family")
TRUTH_COLUMNS = ("form_id", "field", "value")
MARKS_COLUMNS = ("form_id", "field", "value", "marks", "hesitate", "family")
OUTPUT_NAMES = ("truth.csv", "marks.csv", "pages.csv", "forms.manifest.csv", "synth.json")


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
    respondent_family: str = ""
    scanner_family: str = ""


@dataclass(frozen=True)
class FormRecord:
    """A generated form: its copy (id, units), answers and respondent."""

    copy: FormCopy
    answers: FormAnswers
    respondent: Respondent


def write_outputs(template: Template, forms: list[FormRecord], rows: list[PageRow], options: SynthOptions,
                  codes: set[str] | None) -> None:
    """Write truth.csv, marks.csv, pages.csv, the manifest and synth.json into ``options.out``.

    ``codes`` limits truth and marks rows to the answer codes on the pages that were written
    (``None``: every code).
    """
    out = options.out
    with (out / "truth.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(TRUTH_COLUMNS)
        for f in forms:
            w.writerows((f.copy.form_id, code, value) for code, value in f.answers.truth
                        if codes is None or code in codes)
    with (out / "marks.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MARKS_COLUMNS)
        for f in forms:
            w.writerows((f.copy.form_id, m.field, m.value, ";".join(m.marks), int(m.hesitate), f.respondent.family)
                        for m in field_marks(template, f.answers, f.respondent) if codes is None or m.field in codes)
    with (out / "pages.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PAGES_COLUMNS)
        for r in rows:
            w.writerow([r.file, r.index_in_file, r.kind, r.form_id, "" if r.page is None else r.page,
                        r.rotation, r.quality, f"{r.dpi:g}", r.respondent_family, r.scanner_family])
    write_manifest(template, [f.copy for f in forms], out / "forms.manifest.csv")
    (out / "synth.json").write_text(describe(template, forms, rows, options), encoding="utf-8")


def describe(template: Template, forms: list[FormRecord], rows: list[PageRow], options: SynthOptions) -> str:
    """synth.json: the options, the counts and the families of the run."""
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
        "families": options.families,
        "page_numbers": list(options.pages),
        "answers": asdict(options.answers),
        "batches": asdict(options.batches),
        "pages": len(rows),
        "pages_by_kind": {k: sum(r.kind == k for r in rows) for k in ("form", "blank_back", "foreign")},
        "files": len(files),
        "respondent_families": dict(sorted(Counter(f.respondent.family for f in forms).items())),
        "circle_all_respondents": sum(f.respondent.circles_all for f in forms),
        "scanner_families": dict(sorted(Counter(r.scanner_family for r in rows if r.scanner_family).items())),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
