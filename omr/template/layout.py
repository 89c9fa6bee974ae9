"""Compute the printed layout of a template: every box, fiducial, QR and line of text, in mm.

Nobody writes coordinates by hand: the layout is derived from the template's structure with the
metrics of the shipped fonts, deterministically. The PDF renderer paints this layout and the reader
looks where it says, so both agree by construction.

Coordinates are millimetres from the top-left corner of the page, ``x`` to the right and ``y``
down. A box rectangle is the *outer edge of its printed outline*.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from omr.errors import TemplateError
from omr.fonts import FontName, text_width_pt, wrap
from omr.template.model import (
    AnyField,
    DigitsField,
    GridField,
    Label,
    MultiField,
    SingleField,
    Template,
    TextField,
    grid_first_row_number,
    page_box_keys,
)

MM_PER_PT = 25.4 / 72.0

# The page frame, shared by every template so that a page can be aligned and identified before
# its template is known.
PAGE_W, PAGE_H = 210.0, 297.0
MARKER_SIZE = 12.0
MARKER_MARGIN = 7.0
QR_SIZE = 18.0
QR_X, QR_Y = PAGE_W - MARKER_MARGIN - MARKER_SIZE - 3.0 - QR_SIZE, MARKER_MARGIN
ID_RECT_Y = QR_Y + QR_SIZE + 1.0
CONTENT_LEFT, CONTENT_RIGHT = 14.0, 196.0
CONTENT_TOP, CONTENT_BOTTOM = 31.0, PAGE_H - MARKER_MARGIN - MARKER_SIZE - 2.5
HEADER_LEFT = MARKER_MARGIN + MARKER_SIZE + 3.0
HEADER_RIGHT = QR_X - 4.0

BOX = 5.0  # checkbox side
BOX_LINE_PT = 0.6  # outline width of boxes and cells
DIGIT_W, DIGIT_H = 6.0, 8.0
TEXT_LINE_H = 7.5  # writing-space height per line of a text field

# Type sizes in points (DejaVu Sans Condensed, full Vietnamese coverage). Body text — the
# introduction, statements, questions, hints and grid items — is at least BODY_PT; option labels
# and grid column heads at least OPTION_PT (docs/forms.md; tests/omr/test_form_look.py measures
# them on the 300-dpi raster).
BODY_PT = 10.0
QUESTION_PT = 10.5
OPTION_PT = 10.0
GRID_HEAD_PT = 9.0
SECTION_PT = 11.0
TITLE_PT = 13.0
HEADING_PT = 10.5  # national heading, motto and issuing agency
FURNITURE_PT = 9.0  # running head and page footer

NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"

# ArUco DICT_4X4_50 marker ids by corner; the id found in a corner tells the page's orientation.
MARKER_IDS = {"top-left": 0, "top-right": 1, "bottom-right": 2, "bottom-left": 3}

Corner = Literal["top-left", "top-right", "bottom-right", "bottom-left"]


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in mm: top-left corner, width, height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def to_px(self, dpi: float) -> tuple[float, float, float, float]:
        k = dpi / 25.4
        return (self.x * k, self.y * k, self.w * k, self.h * k)


@dataclass(frozen=True)
class Box:
    """A place the reader looks at.

    ``kind`` is ``box`` (a checkbox: ``value`` is the option value), ``digit`` (a comb cell:
    ``value`` is the 1-based position) or ``text`` (a writing area: ``value`` is empty).
    ``field`` is the answer code (a grid row code for grids, the write-in code for "other").
    ``label`` is where the option's label is printed (single and multiple choice; ``None`` for grid
    boxes, comb cells and writing areas): a respondent may circle it instead of marking the box.
    """

    field: str
    value: str
    kind: Literal["box", "digit", "text"]
    rect: Rect
    label: Rect | None = None
    shape: Literal["square", "circle"] = "square"
    """``circle``: a printed bubble (forms we did not print); our own boxes are square."""


@dataclass(frozen=True)
class Fiducial:
    marker_id: int
    corner: Corner
    rect: Rect


TextRole = Literal["heading", "body", "option", "furniture"]


@dataclass(frozen=True)
class TextOp:
    """A line of text; ``y`` is the baseline.

    ``role`` says what the line is for the respondent: ``heading`` (national heading, agency,
    title, section heads), ``body`` (introduction, statements, questions, hints, grid items: at
    least :data:`BODY_PT`), ``option`` (option labels and grid column heads: at least
    :data:`OPTION_PT`/:data:`GRID_HEAD_PT`) or ``furniture`` (running head and footer).
    """

    x: float
    y: float
    text: str
    font: FontName
    size: float
    anchor: Literal["start", "middle", "end"] = "start"
    gray: float = 0.0
    role: TextRole = "body"


@dataclass(frozen=True)
class RuleOp:
    x1: float
    y1: float
    x2: float
    y2: float
    width_pt: float = 0.5
    gray: float = 0.0


@dataclass(frozen=True)
class ShadeOp:
    rect: Rect
    gray: float


@dataclass(frozen=True)
class SampleMarkOp:
    """An example box in the printed instructions (not read): crossed, ticked or filled."""

    rect: Rect
    mark: Literal["cross", "tick", "fill"]


DrawOp = TextOp | RuleOp | ShadeOp | SampleMarkOp


@dataclass(frozen=True)
class PageLayout:
    """One page's boxes and drawing; ``qr`` and ``id_text`` are None on forms we did not print."""

    number: int
    fiducials: tuple[Fiducial, ...]
    qr: Rect | None
    id_text: Rect | None
    boxes: tuple[Box, ...]
    drawing: tuple[DrawOp, ...]
    used_bottom: float

    @property
    def printed_qr(self) -> Rect:
        """Where our QR is printed (forms we print only)."""
        if self.qr is None:
            raise TemplateError(f"page {self.number} is of a form we did not print: it has no QR of ours")
        return self.qr

    @property
    def printed_id(self) -> Rect:
        """Where the form id is printed under the QR (forms we print only)."""
        if self.id_text is None:
            raise TemplateError(f"page {self.number} is of a form we did not print: it has no printed form id")
        return self.id_text


@dataclass(frozen=True)
class FormLayout:
    template: str
    version: str
    width: float
    height: float
    pages: tuple[PageLayout, ...]

    def page(self, number: int) -> PageLayout:
        return self.pages[number - 1]


def _lh(size: float) -> float:
    """Line height in mm for a font size in points."""
    return size * 1.22 * MM_PER_PT


def _wrap_mm(text: str, font: FontName, size: float, width_mm: float) -> list[str]:
    return wrap(text, font, size, width_mm / MM_PER_PT)


def _width_mm(text: str, font: FontName, size: float) -> float:
    return text_width_pt(text, font, size) * MM_PER_PT


def _balanced_wrap(text: str, font: FontName, size: float, width_mm: float) -> list[str]:
    """Wrap into as few lines as :func:`_wrap_mm` needs, but with lines of even length, so that a
    heading never leaves one word alone on its last line."""
    lines = _wrap_mm(text, font, size, width_mm)
    if len(lines) < 2:
        return lines
    lo, hi = 0.0, width_mm
    for _ in range(14):
        mid = (lo + hi) / 2
        if len(_wrap_mm(text, font, size, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return _wrap_mm(text, font, size, hi)


def _label_rect(x: float, baseline: float, lines: list[str], size: float) -> Rect:
    """The printed extent of an option's label: cap height above the first baseline to the
    descenders of the last line, as wide as its widest line."""
    top = baseline - 0.72 * size * MM_PER_PT
    bottom = baseline + (len(lines) - 1) * _lh(size) + 0.22 * size * MM_PER_PT
    width = max(_width_mm(line, "regular", size) for line in lines)
    return Rect(x, top, width, bottom - top)


def frame_fiducials() -> tuple[Fiducial, ...]:
    """The four corner markers of every page."""
    lo, hi_x, hi_y = MARKER_MARGIN, PAGE_W - MARKER_MARGIN - MARKER_SIZE, PAGE_H - MARKER_MARGIN - MARKER_SIZE
    pos: dict[Corner, tuple[float, float]] = {
        "top-left": (lo, lo),
        "top-right": (hi_x, lo),
        "bottom-right": (hi_x, hi_y),
        "bottom-left": (lo, hi_y),
    }
    return tuple(
        Fiducial(MARKER_IDS[c], c, Rect(x, y, MARKER_SIZE, MARKER_SIZE)) for c, (x, y) in pos.items()
    )


QR_RECT = Rect(QR_X, QR_Y, QR_SIZE, QR_SIZE)
ID_TEXT_RECT = Rect(QR_X - 14.0, ID_RECT_Y, PAGE_W - MARKER_MARGIN - (QR_X - 14.0), 4.5)
ID_TEXT_SIZE = 8.0


@dataclass
class _Page:
    """Mutable state while one page is laid out."""

    number: int
    y: float
    ops: list[DrawOp] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    def text(self, x: float, y: float, s: str, font: FontName, size: float, **kw: object) -> None:
        self.ops.append(TextOp(x, y, s, font, size, **kw))  # type: ignore[arg-type]

    def paragraph(
        self, s: str, font: FontName, size: float, x: float = CONTENT_LEFT, width: float | None = None,
        gray: float = 0.0, role: TextRole = "body",
    ) -> None:
        width = (CONTENT_RIGHT - x) if width is None else width
        for line in _wrap_mm(s, font, size, width):
            self.y += _lh(size)
            self.text(x, self.y - 0.25 * _lh(size), line, font, size, gray=gray, role=role)

    def centred(self, s: str, font: FontName, size: float, mid: float, width: float, role: TextRole) -> None:
        """A centred block of balanced lines."""
        for line in _balanced_wrap(s, font, size, width):
            self.y += _lh(size)
            self.text(mid, self.y - 0.25 * _lh(size), line, font, size, anchor="middle", role=role)

    def frame(self, rect: Rect, width_pt: float) -> None:
        """A rectangle outline (a set-apart statement)."""
        x0, y0, x1, y1 = rect.x, rect.y, rect.right, rect.bottom
        for a, b, c, d in ((x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)):
            self.ops.append(RuleOp(a, b, c, d, width_pt))


def _printed(label: Label | None, what: str, template: Template) -> Label:
    """A text every form we print carries (the model requires it when the template has no fixed layout)."""
    if label is None:
        raise TemplateError(f"template {template.name}: {what} is required to print the form")
    return label


class _Layouter:
    def __init__(self, template: Template) -> None:
        self.t = template
        self.width = CONTENT_RIGHT - CONTENT_LEFT

    # -- page furniture --------------------------------------------------------------------------
    def _national_heading(self, page: _Page) -> float:
        """Issuing agency and form code (left), national heading and motto (right), as on an
        official document; returns where the block ends."""
        t = self.t
        left_w = 54.0
        left_mid = HEADER_LEFT + left_w / 2
        right_l = HEADER_LEFT + left_w + 2.0
        right_mid = (right_l + HEADER_RIGHT) / 2
        right_w = HEADER_RIGHT - right_l
        page.y = MARKER_MARGIN + 0.5
        issuer = _printed(t.issuer, "issuer", t).vi
        page.centred(issuer, "bold", HEADING_PT, left_mid, left_w, "heading")
        rule_w = min(_width_mm(issuer, "bold", HEADING_PT), left_w) / 3
        page.ops.append(RuleOp(left_mid - rule_w / 2, page.y + 0.3, left_mid + rule_w / 2, page.y + 0.3, 0.6))
        page.y += 1.2
        page.centred(f"Mẫu phiếu {t.printed_form_code}", "regular", BODY_PT, left_mid, left_w, "body")
        left_end = page.y
        page.y = MARKER_MARGIN + 0.5
        page.centred(NATIONAL_HEADING, "bold", HEADING_PT, right_mid, right_w, "heading")
        page.centred(NATIONAL_MOTTO, "bold", HEADING_PT + 0.5, right_mid, right_w, "heading")
        motto_w = _width_mm(NATIONAL_MOTTO, "bold", HEADING_PT + 0.5)
        page.ops.append(RuleOp(right_mid - motto_w / 2, page.y + 0.3, right_mid + motto_w / 2, page.y + 0.3, 0.6))
        return max(left_end, page.y + 0.3)

    def _first_page_header(self, page: _Page) -> None:
        t = self.t
        mid = (CONTENT_LEFT + CONTENT_RIGHT) / 2
        end = self._national_heading(page)
        page.y = max(end + 2.0, CONTENT_TOP)
        page.centred(t.title.vi, "bold", TITLE_PT, mid, self.width, "heading")
        if t.subtitle:
            page.centred(t.subtitle.vi, "italic", BODY_PT + 0.5, mid, self.width, "body")
        page.y += 0.8
        page.centred(t.legal_basis.vi, "italic", BODY_PT, mid, self.width - 10.0, "body")
        page.y += 1.8
        page.paragraph(_printed(t.introduction, "introduction", t).vi, "regular", BODY_PT)
        page.y += 1.5
        self._confidentiality(page)
        page.y += 1.5
        self._instructions(page)

    def _confidentiality(self, page: _Page) -> None:
        """The confidentiality statement, framed apart from the introduction."""
        top = page.y
        page.y += 0.6
        pad = 2.5
        page.paragraph(self.t.confidentiality.vi, "bold", BODY_PT, x=CONTENT_LEFT + pad, width=self.width - 2 * pad)
        page.y += 1.4
        page.frame(Rect(CONTENT_LEFT, top, self.width, page.y - top), 0.9)

    def _instructions(self, page: _Page) -> None:
        m = self.t.marking
        top = page.y
        x = CONTENT_LEFT + 2.0
        page.y += 1.0
        page.paragraph("CÁCH ĐÁNH DẤU", "bold", BODY_PT, x=x, role="heading")
        # Example boxes: marked with a cross, with a tick, and a filled (cancelled) box.
        ex_y = page.y + 1.2
        cursor = x
        for mark, label in (("cross", "đánh dấu"), ("tick", "đánh dấu"), ("fill", "hủy (sửa lại)")):
            page.ops.append(SampleMarkOp(Rect(cursor, ex_y, BOX, BOX), mark))  # type: ignore[arg-type]
            page.text(cursor + BOX + 1.5, ex_y + BOX - 1.1, label, "regular", OPTION_PT, role="option")
            cursor += BOX + 4.0 + _width_mm(label, "regular", OPTION_PT)
        text_x = cursor + 2.0
        width = CONTENT_RIGHT - 2.0 - text_x
        saved = page.y
        page.y = ex_y - 1.5
        page.paragraph(_printed(m.instructions, "marking.instructions", self.t).vi, "regular", BODY_PT, x=text_x,
                       width=width)
        page.paragraph(_printed(m.correction, "marking.correction", self.t).vi, "regular", BODY_PT, x=text_x,
                       width=width)
        page.y = max(page.y, saved + BOX + 2.0) + 1.5
        page.ops.insert(0, ShadeOp(Rect(CONTENT_LEFT, top, self.width, page.y - top), 0.95))
        page.y += 1.0

    def _running_header(self, page: _Page) -> None:
        t = self.t
        y = MARKER_MARGIN + 4.5
        head = f"{_printed(t.issuer, 'issuer', t).vi} · Mẫu phiếu {t.printed_form_code}"
        page.text(HEADER_LEFT, y, head, "bold", FURNITURE_PT, gray=0.25, role="furniture")
        width = HEADER_RIGHT - HEADER_LEFT
        size = FURNITURE_PT - 0.5
        # One line when it fits, else two balanced lines (never a lone word on the second line).
        for line in _balanced_wrap(t.title.vi, "regular", size, width)[:2]:
            y += _lh(size)
            page.text(HEADER_LEFT, y, line, "regular", size, gray=0.25, role="furniture")
        page.y = CONTENT_TOP

    def _footer(self, page: _Page, count: int) -> None:
        y = PAGE_H - MARKER_MARGIN - MARKER_SIZE / 2 + 1.2
        s = f"Trang {page.number}/{count}"
        if page.number < count:
            s += " — xin xem tiếp trang sau"
        page.text(PAGE_W / 2, y, s, "regular", FURNITURE_PT, anchor="middle", gray=0.2, role="furniture")

    # -- fields ----------------------------------------------------------------------------------
    def _question(self, page: _Page, f: AnyField) -> None:
        number = f"{f.number}. " if f.number else ""
        lines = _wrap_mm(number + f.label.vi, "bold", QUESTION_PT, self.width)
        for line in lines:
            page.y += _lh(QUESTION_PT)
            page.text(CONTENT_LEFT, page.y - 0.6, line, "bold", QUESTION_PT)
        if f.hint:
            page.paragraph(f"({f.hint.vi})", "italic", BODY_PT, gray=0.25)
        page.y += 0.8

    def _choices(self, page: _Page, f: SingleField | MultiField) -> None:
        size = OPTION_PT
        n = len(f.options)
        labels = [o.label.vi for o in f.options]
        cols = f.columns
        if cols is None:
            cols = 1
            for c in range(min(n, 5), 0, -1):
                col_w = self.width / c
                if all(_width_mm(s, "regular", size) <= col_w - BOX - 3.0 for s in labels):
                    cols = c
                    break
        needed = max(_width_mm(s, "regular", size) for s in labels) + BOX + 5.0
        col_w = min(self.width / cols, max(self.width / 4, needed))
        rows = [f.options[i : i + cols] for i in range(0, n, cols)]
        inline: set[str] = set()
        for row in rows:
            wrapped = [_wrap_mm(o.label.vi, "regular", size, col_w - BOX - 3.0) for o in row]
            height = max(BOX, max(len(w) for w in wrapped) * _lh(size)) + 1.6
            # A write-in after the last option of a row goes on the same line when there is room.
            last, k_last = row[-1], len(row) - 1
            end = CONTENT_LEFT + k_last * col_w + BOX + 1.8 + _width_mm(wrapped[-1][-1], "regular", size) + 2.0
            write_in = last.other if last.other and len(wrapped[-1]) == 1 and CONTENT_RIGHT - end >= 35.0 else None
            if write_in:
                page.y += 1.0
                height += 1.0
            top = page.y + 0.8
            for k, (opt, lines) in enumerate(zip(row, wrapped, strict=True)):
                x = CONTENT_LEFT + k * col_w
                label = _label_rect(x + BOX + 1.8, top + BOX - 1.1, lines, size)
                page.boxes.append(Box(f.code, opt.value, "box", Rect(x, top, BOX, BOX), label))
                for j, line in enumerate(lines):
                    page.text(x + BOX + 1.8, top + BOX - 1.1 + j * _lh(size), line, "regular", size, role="option")
            if write_in:
                page.boxes.append(Box(write_in, "", "text", Rect(end, top - 1.0, CONTENT_RIGHT - end, 7.0)))
                inline.add(write_in)
            page.y += height
        for opt in f.options:
            if opt.other and opt.other not in inline:
                self._write_in(page, opt.other, opt.label)

    def _write_in(self, page: _Page, code: str, option: Label) -> None:
        size = BODY_PT
        label = f"Nếu chọn “{option.vi}”, xin ghi rõ:"
        w = min(_width_mm(label, "italic", size), 90.0)
        top = page.y + 0.6
        page.text(CONTENT_LEFT + BOX + 1.8, top + 5.0, label, "italic", size)
        x = CONTENT_LEFT + BOX + 1.8 + w + 2.0
        page.boxes.append(Box(code, "", "text", Rect(x, top, CONTENT_RIGHT - x, 7.0)))
        page.y = top + 7.0 + 0.8

    def _grid(self, page: _Page, f: GridField) -> None:
        n = len(f.scale)
        col_w = {2: 19.0, 3: 18.5, 4: 18.0}.get(n, 16.5)
        label_w = self.width - n * col_w
        head_size, row_size = GRID_HEAD_PT, BODY_PT
        heads = [_wrap_mm(o.label.vi, "bold", head_size, col_w - 1.0) for o in f.scale]
        head_h = max(len(h) for h in heads) * _lh(head_size) + 1.6
        top = page.y
        page.ops.append(ShadeOp(Rect(CONTENT_LEFT, top, self.width, head_h), 0.88))
        for k, lines in enumerate(heads):
            cx = CONTENT_LEFT + label_w + (k + 0.5) * col_w
            y0 = top + (head_h - len(lines) * _lh(head_size)) / 2
            for j, line in enumerate(lines):
                page.text(cx, y0 + (j + 0.78) * _lh(head_size), line, "bold", head_size, anchor="middle",
                          role="option")
        page.y = top + head_h
        for i, row in enumerate(f.rows, start=grid_first_row_number(self.t.fields(), f)):
            lines = _wrap_mm(f"{i}. {row.label.vi}", "regular", row_size, label_w - 2.0)
            height = max(len(lines) * _lh(row_size) + 0.9, BOX + 0.8)
            rtop = page.y
            if i % 2 == 0:
                page.ops.append(ShadeOp(Rect(CONTENT_LEFT, rtop, self.width, height), 0.93))
            y0 = rtop + (height - len(lines) * _lh(row_size)) / 2
            for j, line in enumerate(lines):
                page.text(CONTENT_LEFT + 1.0, y0 + (j + 0.78) * _lh(row_size), line, "regular", row_size)
            by = rtop + (height - BOX) / 2
            for k, opt in enumerate(f.scale):
                cx = CONTENT_LEFT + label_w + (k + 0.5) * col_w
                page.boxes.append(Box(row.code, opt.value, "box", Rect(cx - BOX / 2, by, BOX, BOX)))
            page.y += height
        page.ops.append(RuleOp(CONTENT_LEFT, page.y, CONTENT_RIGHT, page.y, 0.4, 0.5))

    def _digits(self, page: _Page, f: DigitsField) -> None:
        groups = f.groups or [f.length]
        gap = 4.0
        x = CONTENT_LEFT + 2.0
        top = page.y + 0.5
        pos = 1
        for g, count in enumerate(groups):
            if g:
                page.text(x + gap / 2, top + DIGIT_H - 2.0, f.separator, "regular", 11.0, anchor="middle",
                          role="option")
                x += gap
            for _ in range(count):
                page.boxes.append(Box(f.code, str(pos), "digit", Rect(x, top, DIGIT_W, DIGIT_H)))
                x += DIGIT_W
                pos += 1
        page.y = top + DIGIT_H + 0.5

    def _text(self, page: _Page, f: TextField) -> None:
        top = page.y + 0.5
        h = f.lines * TEXT_LINE_H
        page.boxes.append(Box(f.code, "", "text", Rect(CONTENT_LEFT, top, self.width, h)))
        page.y = top + h

    def _field(self, page: _Page, f: AnyField) -> None:
        self._question(page, f)
        if isinstance(f, SingleField | MultiField):
            self._choices(page, f)
        elif isinstance(f, GridField):
            self._grid(page, f)
        elif isinstance(f, DigitsField):
            self._digits(page, f)
        else:
            self._text(page, f)
        page.y += 2.6

    def _section(self, page: _Page, code: str) -> None:
        label = self.t.sections[code]
        page.y += 0.6
        h = _lh(SECTION_PT) + 1.6
        page.ops.append(ShadeOp(Rect(CONTENT_LEFT, page.y, self.width, h), 0.80))
        page.text(CONTENT_LEFT + 1.5, page.y + h - 1.6, label.vi.upper(), "bold", SECTION_PT, role="heading")
        page.y += h + 1.2

    def layout(self) -> FormLayout:
        t = self.t
        count = len(t.pages)
        pages: list[PageLayout] = []
        section: str | None = None
        for p, spec in enumerate(t.pages):
            page = _Page(number=p + 1, y=CONTENT_TOP)
            if p == 0:
                self._first_page_header(page)
            else:
                self._running_header(page)
            if spec.title:
                page.paragraph(spec.title.vi, "bold", SECTION_PT, role="heading")
            overflow: str | None = None
            for f in spec.fields:
                if f.section is not None and f.section != section:
                    self._section(page, f.section)
                    section = f.section
                self._field(page, f)
                if overflow is None and page.y > CONTENT_BOTTOM:
                    overflow = f.code
            if p == count - 1 and t.closing:
                page.y += 1.0
                page.paragraph(t.closing.vi, "italic", BODY_PT)
            if page.y > CONTENT_BOTTOM:
                raise TemplateError(
                    f"template {t.name}: pages[{p}] does not fit on one A4 page: its content needs "
                    f"{page.y - CONTENT_TOP:.0f} mm but {CONTENT_BOTTOM - CONTENT_TOP:.0f} mm are available; "
                    f"(it overflows at field {overflow or 'the closing text'}); move fields to another page, "
                    "continue a long grid on the next page (`continues:`) or shorten labels"
                )
            self._footer(page, count)
            pages.append(
                PageLayout(
                    number=page.number,
                    fiducials=frame_fiducials(),
                    qr=QR_RECT,
                    id_text=ID_TEXT_RECT,
                    boxes=tuple(page.boxes),
                    drawing=tuple(page.ops),
                    used_bottom=page.y,
                )
            )
        return FormLayout(t.name, t.version, PAGE_W, PAGE_H, tuple(pages))


_CACHE: dict[str, FormLayout] = {}


def layout_template(template: Template) -> FormLayout:
    """The layout of a template (computed once per template content; stated for a fixed layout)."""
    key = hashlib.sha256(template.model_dump_json().encode()).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = _Layouter(template).layout() if template.layout is None else _stated_layout(template)
    return _CACHE[key]


def _stated_layout(template: Template) -> FormLayout:
    """The layout of a form we did not print: its boxes where the template's ``layout`` says they are."""
    fixed = template.layout
    assert fixed is not None
    width, height = fixed.size_mm
    pages: list[PageLayout] = []
    for number, (spec, placed) in enumerate(zip(template.pages, fixed.pages, strict=True), start=1):
        kinds: dict[str, Literal["box", "digit", "text"]] = {}
        for f in spec.fields:
            if isinstance(f, GridField):
                kinds.update({r.code: "box" for r in f.rows})
            elif isinstance(f, SingleField | MultiField):
                kinds[f.code] = "box"
                kinds.update({o.other: "text" for o in f.options if o.other})
            else:
                kinds[f.code] = "digit" if isinstance(f, DigitsField) else "text"
        order = {key: i for i, key in enumerate(page_box_keys(spec))}
        boxes = sorted(placed.boxes, key=lambda b: order.get((b.field, b.value), len(order)))
        pages.append(PageLayout(
            number=number, fiducials=(), qr=None, id_text=None,
            boxes=tuple(Box(b.field, b.value, kinds[b.field], Rect(*b.rect),
                            Rect(*b.label) if b.label else None, b.shape) for b in boxes),
            drawing=(), used_bottom=height,
        ))
    return FormLayout(template.name, template.version, width, height, tuple(pages))
