"""The codebook of the analyst dataset: variables, labels, measure levels, value labels, provisional flags.

:func:`variables` lists the dataset's columns from the template, in order, with what SPSS and Stata
need: a clean variable label (the question text without its marking instructions, then the row or
option label), the value labels and the measure level. Besides the answer codes of the template
the dataset carries derived variables: the unit names beside the unit codes, one 0/1 variable per
option of a multi-choice question (the joined codes stay too), and dates as dates with the digits
as read kept in ``<code>_raw``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from omr.template.model import DigitsField, GridField, MultiField, Option, SingleField, Template, TextField
from omr.types import MULTIPLE
from scoring.unitnames import LEVELS

MULTIPLE_LABEL = {"vi": "Đánh dấu nhiều ô (chưa xử lý)", "en": "Several boxes marked (unresolved)"}
TICKED = (("0", "Không chọn", "Not ticked"), ("1", "Có chọn", "Ticked"))
Measure = Literal["nominal", "ordinal", "scale"]
ORDERED_SINGLES: dict[str, tuple[str, ...]] = {"sipas-2023": ("Q5", "Q6")}
"""Single-choice questions whose options are ordered levels the rules below cannot see
(``none / some / many``), by template name."""
MEASURE_RULE = (
    "Measure levels: a grid of three or more scale points (Likert items) is ordinal, as is a single-choice "
    "question with the same options as such a scale, with numbered bands (age groups) or listed in "
    "scoring.codebook.ORDERED_SINGLES; other choices, 0/1 option variables and texts are nominal; digits "
    "(numbers, years) and dates are scale."
)
_INSTRUCTION = re.compile(
    r"\s*\([^()]*?(?:mỗi dòng|chọn một|chọn nhiều|xin ghi|ghi rõ|ghi cụ thể|ngày/tháng/năm|one box|per row|"
    r"please specify|day/month/year|you may choose|tiếp theo|continued)[^()]*\)", re.IGNORECASE)


def clean_text(text: str) -> str:
    """A label without marking instructions in brackets and without doubled spaces."""
    return re.sub(r"\s+", " ", _INSTRUCTION.sub("", text)).strip()


def compose(question: str, part: str) -> str:
    """``question: part`` from a question text and a row or option label, without the artefacts
    of gluing raw texts (``…chọn một ô).: Thông tin``)."""
    stem = clean_text(question).rstrip(" .:;?!,")
    tail = clean_text(part).rstrip(" .:;")
    return f"{stem}: {tail}" if stem else tail


def _fits(text: str, max_chars: int, max_bytes: int | None) -> bool:
    return len(text) <= max_chars and (max_bytes is None or len(text.encode("utf-8")) <= max_bytes)


def shorten(label: str, max_chars: int, max_bytes: int | None = None, prefix: str | None = None) -> str:
    """``label`` cut to ``max_chars`` (and ``max_bytes`` of UTF-8) at word boundaries.

    A ``question: row`` label keeps its row whole and shortens the question first (with ``…``); when
    not even a few words of the question fit, ``prefix`` (the question code) stands for it.
    """
    if _fits(label, max_chars, max_bytes):
        return label
    head, sep, tail = label.rpartition(": ")  # the row or option label comes last
    if sep:
        words = head.split()
        while len(words) >= 3:
            words.pop()
            candidate = " ".join(words) + "…: " + tail
            if _fits(candidate, max_chars, max_bytes):
                return candidate
        for candidate in ([f"{prefix}: {tail}"] if prefix else []) + [tail]:
            if _fits(candidate, max_chars, max_bytes):
                return candidate
        label = f"{prefix}: {tail}" if prefix else tail
    words = label.split()
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words) + "…"
        if _fits(candidate, max_chars, max_bytes):
            return candidate
    cut = label[:max_chars]
    while max_bytes is not None and len(cut.encode("utf-8")) > max_bytes:
        cut = cut[:-1]
    return cut


@dataclass(frozen=True)
class Variable:
    """One column of the analyst dataset."""

    name: str
    kind: str
    """``id``, ``unit``, ``unit-name``, ``status``, ``single``, ``grid``, ``multi`` (joined codes),
    ``option`` (0/1 per option of a multi), ``digits``, ``date``, ``raw`` (digits as read), ``text``."""
    question: str | None
    label_vi: str
    label_en: str
    values: tuple[tuple[str, str, str], ...] = ()
    """(value code, Vietnamese label, English label)."""
    provisional: bool = False
    """The template marks the wording or coding as not confirmed by an official text."""
    note: str | None = None
    measure: Measure = "nominal"
    field: str | None = None
    """The answer code the values come from (a derived variable names its source)."""
    option: str | None = None
    """The option value an ``option`` variable is 1 for."""

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    def short_label(self, lang: str, max_chars: int, max_bytes: int | None = None) -> str:
        return shorten(self.label(lang), max_chars, max_bytes, self.question)

    def value_labels(self, lang: str) -> dict[str, str]:
        return {v: (en if lang == "en" else vi) for v, vi, en in self.values}

    @property
    def numeric_codes(self) -> bool:
        """Choice values that are all whole numbers (exported as numbers to SPSS, Stata and Excel)."""
        codes = [v for v, _, _ in self.values if v != MULTIPLE]
        return self.kind in ("single", "grid", "option") and bool(codes) and all(v.isdigit() for v in codes)


def is_date_field(field: DigitsField) -> bool:
    """A day/month/year comb: eight digits printed as ``dd/mm/yyyy``."""
    return field.length == 8 and field.groups == [2, 2, 4]


def _numbered_bands(options: list[Option]) -> bool:
    firsts = []
    for o in options:
        m = re.search(r"\d+", o.label.vi)
        if m is None:
            return False
        firsts.append(int(m.group()))
    return len(firsts) >= 3 and all(a < b for a, b in zip(firsts, firsts[1:], strict=False))


def _single_measure(field: SingleField, template: Template) -> Measure:
    if field.code in ORDERED_SINGLES.get(template.name, ()):
        return "ordinal"
    if any(o.other for o in field.options):
        return "nominal"
    scales = [g.scale for g in template.fields() if isinstance(g, GridField) and len(g.scale) >= 3]
    if field.options in scales or _numbered_bands(field.options):
        return "ordinal"
    return "nominal"


def option_name(question: str, value: str, taken: set[str]) -> str:
    """``Q2_4`` for option 4 of ``Q2``; ``Q2_opt4`` when ``Q2_4`` is already a column."""
    name = f"{question}_{value}"
    return f"{question}_opt{value}" if name in taken else name


def _unit_variables(template: Template, unit_names: bool) -> list[Variable]:
    out = [Variable(u.code, "unit", None, u.label.vi, u.label.en) for u in template.sample_units]
    for u in template.sample_units:  # the names follow the codes (the codes stay first, as before)
        if unit_names and u.code in LEVELS:
            out.append(Variable(f"{u.code}_name", "unit-name", None, f"{u.label.vi}: tên", f"{u.label.en}: name",
                                note="Official name of the unit code in the scheme of the survey's year "
                                     "(vietnamadminunits data); blank when the scheme has no unit with that code.",
                                field=u.code))
    return out


def variables(template: Template, *, status_column: bool = False, unit_names: bool = True) -> list[Variable]:
    """The dataset's columns in order: form id, unit codes (and names), then every answer code."""
    out = [Variable("form_id", "id", None, "Mã phiếu (không định danh người trả lời)",
                    "Form id (opaque; does not identify the respondent)")]
    out += _unit_variables(template, unit_names)
    if status_column:
        out.append(Variable("status", "status", None, "Tình trạng phiếu", "Form status",
                            (("verified", "Đã xác minh", "Verified"),
                             ("incomplete", "Thiếu trang", "Pages missing"),
                             ("review", "Chờ kiểm tra", "Waiting for review"))))
    taken = set(template.answer_codes()) | {u.code for u in template.sample_units} | {v.name for v in out}
    mult = ((MULTIPLE, MULTIPLE_LABEL["vi"], MULTIPLE_LABEL["en"]),)
    grids = {g.code: g for g in template.fields() if isinstance(g, GridField)}
    for q in template.fields():
        prov = q.provisional or template.provisional
        if isinstance(q, GridField):
            scale = tuple((o.value, o.label.vi, o.label.en) for o in q.scale) + mult
            measure: Measure = "ordinal" if len(q.scale) >= 3 else "nominal"
            first = q  # a grid continued on a later page is labelled with the question it continues
            while getattr(first, "continues", None) in grids and first.continues != first.code:
                first = grids[str(first.continues)]
            for r in q.rows:
                out.append(Variable(r.code, "grid", first.code, compose(first.label.vi, r.label.vi),
                                    compose(first.label.en, r.label.en), scale, prov or r.provisional, q.note,
                                    measure, r.code))
        elif isinstance(q, SingleField):
            vals = tuple((o.value, o.label.vi, o.label.en) for o in q.options) + mult
            out.append(Variable(q.code, q.kind, q.code, clean_text(q.label.vi), clean_text(q.label.en), vals, prov,
                                q.note, _single_measure(q, template), q.code))
        elif isinstance(q, MultiField):
            vals = tuple((o.value, o.label.vi, o.label.en) for o in q.options)
            out.append(Variable(q.code, q.kind, q.code, clean_text(q.label.vi), clean_text(q.label.en), vals, prov,
                                "Codes of the ticked options joined with ';'; the 0/1 variables that follow "
                                "hold the same answer one option each." + (f" {q.note}" if q.note else ""),
                                "nominal", q.code))
            for o in q.options:
                name = option_name(q.code, o.value, taken)
                taken.add(name)
                out.append(Variable(name, "option", q.code, compose(q.label.vi, o.label.vi),
                                    compose(q.label.en, o.label.en), TICKED, prov,
                                    f"1 = option {o.value} ticked, 0 = not ticked, blank = question left blank "
                                    "or its page missing.", "nominal", q.code, o.value))
        elif isinstance(q, DigitsField):
            date = is_date_field(q)
            out.append(Variable(q.code, "date" if date else "digits", q.code, clean_text(q.label.vi),
                                clean_text(q.label.en), (), prov,
                                ("A date; blank when the digits read do not make a valid date (see "
                                 f"{q.code}_raw)." if date else "A number; blank when not all digits were read.")
                                + (f" {q.note}" if q.note else ""), "scale", q.code))
            out.append(Variable(f"{q.code}_raw", "raw", q.code, f"{clean_text(q.label.vi)}: chữ số như đã đọc",
                                f"{clean_text(q.label.en)}: digits as read", (), prov,
                                "The digit string as read or reviewed.", "nominal", q.code))
        elif isinstance(q, TextField):
            out.append(Variable(q.code, q.kind, q.code, clean_text(q.label.vi), clean_text(q.label.en), (), prov,
                                q.note, "nominal", q.code))
        if isinstance(q, SingleField | MultiField):
            for o in q.options:
                if o.other:
                    out.append(Variable(o.other, "text", q.code, compose(q.label.vi, o.label.vi),
                                        compose(q.label.en, o.label.en), (), prov, None, "nominal", o.other))
    return out


@dataclass(frozen=True)
class CodebookContext:
    """What the export knows beyond the template: flagged values, left-out identity columns, unit scheme."""

    status_column: bool = False
    dropped: tuple[str, ...] = ()
    flagged: tuple[tuple[str, int], ...] = ()
    """(variable, number of its exported values still flagged for review)."""
    scheme_note: str | None = None
    extra_notes: tuple[str, ...] = ()


CODING = ("Value codes of the template. Blank = no answer. A multi-choice answer joins its codes with ';' in "
          "the column named by the question code, and each option also has a 0/1 variable <code>_<value> "
          "(1 = ticked, 0 = not ticked, blank = question left blank or its page missing). "
          f"'{MULTIPLE}' = several boxes marked in a single-choice question and not resolved (SPSS: -1, "
          "declared missing; Stata: .a). A date field is a date (blank when unreadable) with the digits as "
          "read in <code>_raw.")


def write_codebook(template: Template, columns: list[str], out: Path,
                   context: CodebookContext | None = None) -> tuple[Path, Path]:
    """``<out>.codebook.md`` and ``<out>.codebook.json`` describing ``columns`` of the dataset."""
    ctx = context or CodebookContext()
    by_name = {v.name: v for v in variables(template, status_column=ctx.status_column)}
    chosen = [by_name[c] for c in columns if c in by_name]
    flagged = {name: n for name, n in ctx.flagged if n}
    json_path = out.with_name(out.name + ".codebook.json")
    md_path = out.with_name(out.name + ".codebook.md")
    doc = {
        "dataset": out.name, "template": template.name, "version": template.version,
        "instrument": template.instrument, "provisional": template.provisional,
        "coding": CODING, "measure_levels": MEASURE_RULE, "unit_names": ctx.scheme_note,
        "left_out_identity_columns": list(ctx.dropped),
        "provisional_values": {c: flagged[c] for c in columns if c in flagged},
        "notes": list(ctx.extra_notes),
        "variables": [asdict(v) | {"flagged_values": flagged.get(v.name, 0)} for v in chosen],
    }
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = [f"# Codebook: {out.name}", "",
             f"Template **{template.name}** version {template.version} ({template.instrument}); "
             f"{len(chosen)} variables. {CODING}", "", MEASURE_RULE, ""]
    if ctx.scheme_note:
        lines += [f"Unit names: {ctx.scheme_note}", ""]
    lines += [*(f"{n}" for n in ctx.extra_notes), *([""] if ctx.extra_notes else [])]
    if flagged:
        listing = ", ".join(f"{c} ({flagged[c]})" for c in columns if c in flagged)
        lines += [f"**Provisional values**: these variables hold values still flagged for review at export "
                  f"time (number of forms in brackets); they may change once reviewed: {listing}.", ""]
    else:
        lines += ["No exported value was still flagged for review at export time.", ""]
    if template.provisional:
        lines += ["> The questionnaire is **provisional**: wording and coding are not confirmed by an official "
                  "text. Variables marked *provisional wording* below are the least certain.", ""]
    if ctx.dropped:
        lines += [f"Left out because the column name looks like respondent identity: {', '.join(ctx.dropped)}.", ""]
    lines += ["| variable | kind | measure | question | label (vi) | label (en) | values | provisional wording "
              "| values flagged for review |", "|---|---|---|---|---|---|---|---|---|"]
    for v in chosen:
        values = "; ".join(f"{c} = {vi}" for c, vi, _ in v.values)
        cells = [v.name, v.kind, v.measure, v.question or "", v.label_vi, v.label_en, values,
                 "yes" if v.provisional else "", str(flagged.get(v.name, "")) or ""]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return md_path, json_path
