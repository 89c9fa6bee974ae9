"""The questionnaire template: a pydantic model of the YAML files in ``templates/``.

A template is data, not code: a survey manager writes a new year's questionnaire as YAML and the
layout engine (:mod:`omr.template.layout`) computes every box position from it. The model is the
schema; :func:`template_json_schema` publishes it as JSON Schema.

Field kinds
-----------
``single``  one box per option, one answer (``options``)
``multi``   one box per option, any number of answers (``options``)
``grid``    rows sharing one answer scale; each row is a ``single`` field with its own code
``digits``  comb boxes, one handwritten digit each (``length``, optional ``groups``)
``text``    a free handwriting area (``lines``)

Answer coding (the ``answers`` export and ``truth.csv``): a ``single`` field or grid row holds one
option value; a ``multi`` field joins the chosen values with ``;`` in template order; ``digits``
holds the digit string; ``text`` holds the transcription; blank is the empty string.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from omr.errors import TemplateError

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
_CODE_RE = re.compile(CODE_PATTERN)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """A text in Vietnamese (printed on the form) and English (for analysts)."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Option(_Strict):
    """One answer box: its value code and label.

    ``other`` names the write-in text field ("Khác, xin ghi rõ") printed after this option.
    """

    value: str = Field(pattern=r"^[0-9A-Za-z]+$", description="value code stored in exports")
    label: Label
    other: str | None = Field(default=None, pattern=CODE_PATTERN, description="code of the write-in field")

    @field_validator("value", mode="before")
    @classmethod
    def _value_as_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class GridRow(_Strict):
    """One row of a grid: its own field code and label."""

    code: str = Field(pattern=CODE_PATTERN)
    label: Label
    provisional: bool = False


class _FieldBase(_Strict):
    code: str = Field(pattern=CODE_PATTERN, description="stable field code, e.g. Q9 or A1")
    label: Label = Field(description="the question text")
    section: str | None = Field(default=None, description="section code; a heading is printed when it changes")
    number: str | None = Field(default=None, description="printed question number, e.g. 'Câu 9'")
    hint: Label | None = Field(default=None, description="a short instruction printed under the question")
    required: bool = False
    provisional: bool = Field(default=False, description="true when not confirmed by an official text")
    note: str | None = Field(default=None, description="why it is provisional, or where it comes from")


class SingleField(_FieldBase):
    kind: Literal["single"]
    options: list[Option] = Field(min_length=2)
    columns: int | None = Field(default=None, ge=1, le=8, description="options per printed line")


class MultiField(_FieldBase):
    kind: Literal["multi"]
    options: list[Option] = Field(min_length=2)
    columns: int | None = Field(default=None, ge=1, le=8)
    max_choices: int | None = Field(default=None, ge=1)


class GridField(_FieldBase):
    kind: Literal["grid"]
    scale: list[Option] = Field(min_length=2, max_length=9)
    rows: list[GridRow] = Field(min_length=1)
    continues: str | None = Field(
        default=None, pattern=CODE_PATTERN,
        description="code of an earlier grid this one continues on a later page (same scale; its rows "
        "are numbered on from that grid's)",
    )


class DigitsField(_FieldBase):
    kind: Literal["digits"]
    length: int = Field(ge=1, le=20)
    groups: list[int] | None = Field(default=None, description="digit groups printed apart, e.g. [2, 2, 4]")
    separator: str = Field(default="/", max_length=1)

    @model_validator(mode="after")
    def _groups_sum(self) -> DigitsField:
        if self.groups is not None and sum(self.groups) != self.length:
            raise ValueError(f"groups {self.groups} add up to {sum(self.groups)}, not length {self.length}")
        return self


class TextField(_FieldBase):
    kind: Literal["text"]
    lines: int = Field(default=3, ge=1, le=20)


AnyField = Annotated[
    SingleField | MultiField | GridField | DigitsField | TextField, Field(discriminator="kind")
]


class Page(_Strict):
    """One printed page and the fields on it, top to bottom."""

    fields: list[AnyField] = Field(min_length=1)
    title: Label | None = Field(default=None, description="printed at the top of the page")


class MarkingRule(_Strict):
    """How a respondent marks and corrects, and how the reader interprets it.

    ``check-correct`` (SIPAS): a cross or tick marks a box; a box filled over is a correction
    (cancelled) when another box of the same question is marked. ``check``: any mark counts.
    ``fill``: only a filled box counts.
    """

    mode: Literal["check", "fill", "check-correct"] = "check-correct"
    filled_alone: Literal["review", "mark", "blank"] = Field(
        default="review", description="a filled-over box with no other mark in its question"
    )
    multiple_in_single: Literal["review", "blank"] = Field(
        default="review", description="two marks in a single-choice question"
    )
    instructions: Label | None = Field(default=None, description="printed on the first page (forms we print)")
    correction: Label | None = Field(
        default=None, description="how to correct, printed on the first page (forms we print)"
    )


class Element(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    label: Label
    items: list[str] = Field(min_length=1, description="grid row or single field codes")


class Aspect(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    label: Label
    elements: list[Element] = Field(min_length=1)


class ShareIndicator(_Strict):
    """An indicator reported as the share of respondents choosing some values of some fields."""

    code: str = Field(pattern=CODE_PATTERN)
    label: Label
    fields: list[str] = Field(min_length=1, description="field or grid-row codes")
    counted: list[str] | None = Field(default=None, description="values counted; None = report every value")
    provisional: bool = False
    note: str | None = None

    @field_validator("counted", mode="before")
    @classmethod
    def _counted_as_str(cls, v: object) -> object:
        return [str(x) for x in v] if isinstance(v, list) else v


class Scoring(_Strict):
    """The scoring map: which items make which element and aspect, and what counts as satisfied."""

    satisfied: list[str] = Field(min_length=1, description="values counted as satisfied, e.g. ['4', '5']")
    aspects: list[Aspect] = Field(min_length=1)
    service_field: str | None = Field(
        default=None, description="single-choice field whose values break the results down by service"
    )
    perception: list[ShareIndicator] = Field(default_factory=list)
    expectation: list[ShareIndicator] = Field(default_factory=list)
    provisional: bool = False
    note: str | None = None

    @field_validator("satisfied", mode="before")
    @classmethod
    def _satisfied_as_str(cls, v: object) -> object:
        return [str(x) for x in v] if isinstance(v, list) else v


class SampleUnit(_Strict):
    """An administrative unit code carried by the form id from the sample list (never handwritten)."""

    code: str = Field(pattern=CODE_PATTERN)
    label: Label


PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0), "A5": (148.0, 210.0), "A3": (297.0, 420.0), "Letter": (215.9, 279.4), "Legal": (215.9, 355.6),
}
"""Named paper sizes, width × height in mm (portrait)."""

Rect4 = tuple[float, float, float, float]


class PageSize(_Strict):
    """A page size in mm."""

    width: float = Field(gt=20, le=2000)
    height: float = Field(gt=20, le=2000)


class PlacedBox(_Strict):
    """Where one box of a form we did not print is: an option, grid cell, comb cell or writing area.

    ``field`` is the answer code (a grid row's code for a grid cell, the write-in code for an "other"
    text); ``value`` the option value, the 1-based position of a comb cell, or empty for a writing area.
    ``rect`` is x, y, width, height in mm from the page's top-left corner, the outer edge of the
    printed box or bubble. ``label`` optionally says where the option's label is printed.
    """

    field: str = Field(pattern=CODE_PATTERN)
    value: str = Field(default="", pattern=r"^[0-9A-Za-z]*$")
    rect: Rect4
    shape: Literal["square", "circle"] = "square"
    label: Rect4 | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _value_as_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v

    @field_validator("rect", "label")
    @classmethod
    def _positive(cls, v: Rect4 | None) -> Rect4 | None:
        if v is not None and (v[2] <= 0 or v[3] <= 0):
            raise ValueError(f"width and height must be positive, not {v[2]} × {v[3]}")
        return v


class PlacedPage(_Strict):
    """The boxes of one page of a form we did not print, and what identifies the page."""

    boxes: list[PlacedBox] = Field(min_length=1)
    blank: str | None = Field(
        default=None,
        description="an image of the blank page (PNG, JPEG, TIFF, or 'file.pdf#N'), relative to the template "
        "file: aligns filled pages by matching it and tells printed ink from respondents' ink",
    )
    barcode: str | None = Field(
        default=None, description="regular expression a barcode on the page matches (identifies the page)"
    )


class FrameMarks(_Strict):
    """The form's own corner marks, found by matching an image of one mark in each quarter of the page."""

    image: str = Field(description="image file of one mark, relative to the template file")
    width: float = Field(gt=0, description="printed width of the mark in mm")
    centres: list[tuple[float, float]] = Field(
        min_length=4, max_length=4, description="the marks' centres in mm: top-left, top-right, bottom-right, "
        "bottom-left"
    )


AlignMethod = Literal["marks", "page", "features", "image"]
_DEFAULT_ALIGN: tuple[AlignMethod, ...] = ("features", "page")


class FixedLayout(_Strict):
    """The stated geometry of a form we did not print: its page size, how to align it, every box.

    ``align`` lists the ways to find the page on a scan, tried in order: ``marks`` (the form's own
    corner marks, :class:`FrameMarks`), ``page`` (the paper's edges against a darker background),
    ``features`` (matching the blank page image), ``image`` (the image is the page, already cropped).
    """

    page_size: Literal["A4", "A5", "A3", "Letter", "Legal"] | PageSize = "A4"
    align: list[AlignMethod] = Field(default_factory=lambda: list(_DEFAULT_ALIGN), min_length=1)
    marks: FrameMarks | None = None
    pages: list[PlacedPage] = Field(min_length=1)
    source: str | None = Field(default=None, description="where the layout came from (importer, blank scan)")

    @property
    def size_mm(self) -> tuple[float, float]:
        if isinstance(self.page_size, PageSize):
            return (self.page_size.width, self.page_size.height)
        return PAGE_SIZES[self.page_size]

    @model_validator(mode="after")
    def _methods_have_data(self) -> FixedLayout:
        if "marks" in self.align and self.marks is None:
            raise ValueError("align: 'marks' needs a 'marks' section (the mark image and the marks' centres)")
        if "features" in self.align and not any(p.blank for p in self.pages):
            raise ValueError("align: 'features' needs the blank image of the pages ('blank' on each page)")
        return self


DEFAULT_LEGAL_BASIS = Label(
    vi="Phiếu khảo sát được thực hiện theo kế hoạch khảo sát đã được cấp có thẩm quyền phê duyệt.",
    en="The survey is carried out under a survey plan approved by the competent authority.",
)
DEFAULT_CONFIDENTIALITY = Label(
    vi="Phiếu không ghi họ tên người trả lời. Thông tin trên phiếu được giữ bí mật và chỉ dùng để tổng hợp "
    "thống kê.",
    en="The form does not ask for the respondent's name. Its answers are kept confidential and used only "
    "for statistics.",
)


class Template(_Strict):
    """A questionnaire: identity, marking rule, pages of fields and the scoring map."""

    schema_version: Literal[1] = 1
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="e.g. sipas-2023")
    version: str = Field(min_length=1, description="printed in the QR; bump when the layout changes")
    instrument: Literal["household", "service-user", "other"] = Field(
        default="other", description="which SIPAS questionnaire it is; 'other' for any other form"
    )
    title: Label
    subtitle: Label | None = None
    issuer: Label | None = Field(default=None, description="printed above the title, e.g. BỘ NỘI VỤ (forms we print)")
    form_code: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9./-]*$",
        description="printed under the issuer as 'Mẫu phiếu <code>'; default: the template name in capitals",
    )
    legal_basis: Label = Field(
        default=DEFAULT_LEGAL_BASIS,
        description="the decision that approved the survey, printed under the title (a generic wording by default)",
    )
    confidentiality: Label = Field(
        default=DEFAULT_CONFIDENTIALITY, description="the confidentiality statement, printed boxed on the first page"
    )
    introduction: Label | None = Field(default=None, description="printed on the first page (forms we print)")
    closing: Label | None = Field(default=None, description="printed after the last field")
    page_size: Literal["A4"] = Field(default="A4", description="of forms we print (fixed layouts state their own)")
    marking: MarkingRule
    sample_units: list[SampleUnit] = Field(default_factory=list)
    sections: dict[str, Label] = Field(default_factory=dict)
    pages: list[Page] = Field(min_length=1)
    layout: FixedLayout | None = Field(
        default=None,
        description="where every box is on a form we did not print (positions stated in mm); absent for "
        "forms we print, whose layout is computed",
    )
    scoring: Scoring | None = Field(default=None, description="the scoring map; required to compute indices")
    provisional: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _check_printed(self) -> Template:
        if self.layout is None:
            missing = [name for name in ("issuer", "introduction") if getattr(self, name) is None]
            missing += [f"marking.{name}" for name in ("instructions", "correction")
                        if getattr(self.marking, name) is None]
            if missing:
                raise ValueError(f"{', '.join(missing)}: required for a form we print (a template without "
                                 "'layout')")
        else:
            _check_fixed_layout(self)
        return self

    @model_validator(mode="after")
    def _check_references(self) -> Template:
        codes = self.answer_codes()
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise ValueError(f"field code {code!r} is used twice; every field code must be unique")
            seen.add(code)
        for p, page in enumerate(self.pages):
            for f, field in enumerate(page.fields):
                if field.section is not None and field.section not in self.sections:
                    raise ValueError(
                        f"pages[{p}].fields[{f}].section: {field.section!r} is not one of the "
                        f"sections {sorted(self.sections)}"
                    )
                if isinstance(field, SingleField | MultiField):
                    _check_unique_values(field.options, f"pages[{p}].fields[{f}].options")
                if isinstance(field, GridField):
                    _check_unique_values(field.scale, f"pages[{p}].fields[{f}].scale")
        _check_continued_grids(self.fields())
        if self.scoring is not None:
            _check_scoring(self, self.scoring)
        return self

    def require_scoring(self) -> Scoring:
        """The scoring map, or an error saying the template has none."""
        if self.scoring is None:
            raise TemplateError(
                f"template {self.name} {self.version} has no scoring map: add a 'scoring' section to its YAML "
                "(its format: 'Template format' in the README and docs/scoring.md) before computing indices"
            )
        return self.scoring

    # -- derived views -------------------------------------------------------------------------
    def answer_kinds(self) -> dict[str, str]:
        """Every answer code in print order with its kind (grid rows are ``grid``; write-ins ``text``)."""
        out: dict[str, str] = {}
        for page in self.pages:
            for field in page.fields:
                if isinstance(field, GridField):
                    for row in field.rows:
                        out[row.code] = "grid"
                else:
                    out[field.code] = field.kind
                    if isinstance(field, SingleField | MultiField):
                        for opt in field.options:
                            if opt.other:
                                out[opt.other] = "text"
        return out

    def answer_codes(self) -> list[str]:
        """Every answer code (the columns of the analyst dataset), in print order, duplicates kept."""
        out: list[str] = []
        for page in self.pages:
            for field in page.fields:
                if isinstance(field, GridField):
                    out.extend(row.code for row in field.rows)
                else:
                    out.append(field.code)
                    if isinstance(field, SingleField | MultiField):
                        out.extend(opt.other for opt in field.options if opt.other)
        return out

    def fields(self) -> list[AnyField]:
        return [f for page in self.pages for f in page.fields]

    def field(self, code: str) -> AnyField:
        for f in self.fields():
            if f.code == code:
                return f
        raise KeyError(code)

    def question_of(self, answer_code: str) -> AnyField:
        """The printed question an answer code belongs to (a grid for its rows, a field for its write-in)."""
        for f in self.fields():
            if f.code == answer_code:
                return f
            if isinstance(f, GridField) and any(r.code == answer_code for r in f.rows):
                return f
            if isinstance(f, SingleField | MultiField) and any(o.other == answer_code for o in f.options):
                return f
        raise KeyError(answer_code)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def printed_form_code(self) -> str:
        """The form code printed under the issuer ("Mẫu phiếu SIPAS-2023")."""
        return self.form_code or self.name.upper()


def _check_scoring(template: Template, scoring: Scoring) -> None:
    singles = {c for c, kind in template.answer_kinds().items() if kind in ("single", "grid")}
    all_codes = set(template.answer_codes())
    for a, aspect in enumerate(scoring.aspects):
        for e, element in enumerate(aspect.elements):
            for item in element.items:
                if item not in singles:
                    raise ValueError(
                        f"scoring.aspects[{a}].elements[{e}].items: {item!r} is not a single-choice "
                        "field or grid row of this template"
                    )
    service = scoring.service_field
    if service is not None and template.answer_kinds().get(service) != "single":
        raise ValueError(f"scoring.service_field: {service!r} is not a single-choice field of this template")
    for group in ("perception", "expectation"):
        for i, ind in enumerate(getattr(scoring, group)):
            for code in ind.fields:
                if code not in all_codes:
                    raise ValueError(f"scoring.{group}[{i}].fields: {code!r} is not a field of this template")


def _check_fixed_layout(template: Template) -> None:
    """Every box of a fixed layout names an answer of its page, and every answer has its boxes."""
    layout = template.layout
    assert layout is not None
    if len(layout.pages) != len(template.pages):
        raise ValueError(f"layout.pages: {len(layout.pages)} page(s), but the template has {len(template.pages)}")
    width, height = layout.size_mm
    for p, (page, placed) in enumerate(zip(template.pages, layout.pages, strict=True)):
        wanted = page_box_keys(page)
        seen: set[tuple[str, str]] = set()
        for i, box in enumerate(placed.boxes):
            where = f"layout.pages[{p}].boxes[{i}]"
            key = (box.field, box.value)
            if key not in wanted:
                raise ValueError(f"{where}: {box.field} {box.value!r} is not an answer box of page {p + 1} "
                                 f"(expected one of {_describe(wanted)})")
            if key in seen:
                raise ValueError(f"{where}: {box.field} {box.value!r} is placed twice")
            seen.add(key)
            x, y, w, h = box.rect
            if x < 0 or y < 0 or x + w > width + 1e-6 or y + h > height + 1e-6:
                raise ValueError(f"{where}: rect {list(box.rect)} lies outside the {width:g} × {height:g} mm page")
        missing = sorted(set(wanted) - seen)
        if missing:
            raise ValueError(f"layout.pages[{p}]: no box placed for {_describe(missing)}")


def page_box_keys(page: Page) -> list[tuple[str, str]]:
    """(answer code, value) of every box a page's fields need: options, grid cells, comb cells, text areas."""
    out: list[tuple[str, str]] = []
    for f in page.fields:
        if isinstance(f, SingleField | MultiField):
            out += [(f.code, o.value) for o in f.options]
            out += [(o.other, "") for o in f.options if o.other]
        elif isinstance(f, GridField):
            out += [(r.code, o.value) for r in f.rows for o in f.scale]
        elif isinstance(f, DigitsField):
            out += [(f.code, str(i)) for i in range(1, f.length + 1)]
        else:
            out.append((f.code, ""))
    return out


def _describe(keys: list[tuple[str, str]], limit: int = 6) -> str:
    shown = [f"{c} {v!r}" if v else c for c, v in keys[:limit]]
    return ", ".join(shown) + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _check_continued_grids(fields: list[AnyField]) -> None:
    grids: dict[str, GridField] = {}
    for f in fields:
        if not isinstance(f, GridField):
            continue
        if f.continues is not None:
            first = grids.get(f.continues)
            if first is None:
                raise ValueError(f"grid {f.code}: continues {f.continues!r}, which is not an earlier grid")
            if [o.value for o in first.scale] != [o.value for o in f.scale]:
                raise ValueError(f"grid {f.code}: its scale differs from that of {f.continues}, which it continues")
        grids[f.code] = f


def grid_first_row_number(fields: list[AnyField], grid: GridField) -> int:
    """The printed number of a grid's first row: 1, or one past the rows of the grids it continues."""
    by_code = {f.code: f for f in fields if isinstance(f, GridField)}
    before, current = 0, grid
    while current.continues is not None and current.continues in by_code:
        current = by_code[current.continues]
        before += len(current.rows)
    return before + 1


def _check_unique_values(options: list[Option], where: str) -> None:
    values = [o.value for o in options]
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"{where}: value codes {dupes} are used twice")


def template_json_schema() -> dict[str, object]:
    """The JSON Schema of the template format (published as ``templates/template.schema.json``)."""
    schema = Template.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "SIPAS questionnaire template"
    return schema
