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

BOX = 4.5  # checkbox side
BOX_LINE_PT = 0.6  # outline width of boxes and cells
DIGIT_W, DIGIT_H = 6.0, 8.0
TEXT_LINE_H = 7.5  # writing-space height per line of a text field

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


@dataclass(frozen=True)
class Fiducial:
    marker_id: int
    corner: Corner
    rect: Rect


@dataclass(frozen=True)
class TextOp:
    """A line of text; ``y`` is the baseline."""

    x: float
    y: float
    text: str
    font: FontName
    size: float
    anchor: Literal["start", "middle", "end"] = "start"
    gray: float = 0.0


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
    number: int
    fiducials: tuple[Fiducial, ...]
    qr: Rect
    id_text: Rect
    boxes: tuple[Box, ...]
    drawing: tuple[DrawOp, ...]
    used_bottom: float


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
        gray: float = 0.0,
    ) -> None:
        width = (CONTENT_RIGHT - x) if width is None else width
        for line in _wrap_mm(s, font, size, width):
            self.y += _lh(size)
            self.text(x, self.y - 0.25 * _lh(size), line, font, size, gray=gray)


class _Layouter:
    def __init__(self, template: Template) -> None:
        self.t = template
        self.width = CONTENT_RIGHT - CONTENT_LEFT

    # -- page furniture --------------------------------------------------------------------------
    def _first_page_header(self, page: _Page) -> None:
        t = self.t
        mid = (HEADER_LEFT + HEADER_RIGHT) / 2
        w = HEADER_RIGHT - HEADER_LEFT
        page.y = MARKER_MARGIN
        for line in _wrap_mm(t.issuer.vi, "bold", 9.0, w):
            page.y += _lh(9.0)
            page.text(mid, page.y, line, "bold", 9.0, anchor="middle")
        page.ops.append(RuleOp(mid - 15, page.y + 1.2, mid + 15, page.y + 1.2, 0.6))
        page.y += 2.5
        for line in _wrap_mm(t.title.vi, "bold", 11.0, w):
            page.y += _lh(11.0)
            page.text(mid, page.y, line, "bold", 11.0, anchor="middle")
        if t.subtitle:
            for line in _wrap_mm(t.subtitle.vi, "italic", 8.5, w):
                page.y += _lh(8.5)
                page.text(mid, page.y, line, "italic", 8.5, anchor="middle")
        page.y = max(page.y + 1.5, CONTENT_TOP)
        page.paragraph(t.introduction.vi, "regular", 8.0)
        page.y += 1.2
        self._instructions(page)

    def _instructions(self, page: _Page) -> None:
        m = self.t.marking
        top = page.y
        x = CONTENT_LEFT + 2.0
        page.y += 1.0
        page.paragraph("CÁCH ĐÁNH DẤU", "bold", 8.5, x=x)
        # Example boxes: marked with a cross, with a tick, and a filled (cancelled) box.
        ex_y = page.y + 1.2
        cursor = x
        for mark, label in (("cross", "đánh dấu"), ("tick", "đánh dấu"), ("fill", "huỷ (sửa lại)")):
            page.ops.append(SampleMarkOp(Rect(cursor, ex_y, BOX, BOX), mark))  # type: ignore[arg-type]
            page.text(cursor + BOX + 1.5, ex_y + BOX - 1.0, label, "regular", 8.0)
            cursor += BOX + 4.0 + _width_mm(label, "regular", 8.0)
        text_x = cursor + 2.0
        width = CONTENT_RIGHT - 2.0 - text_x
        saved = page.y
        page.y = ex_y - 1.5
        page.paragraph(m.instructions.vi, "regular", 8.0, x=text_x, width=width)
        page.paragraph(m.correction.vi, "regular", 8.0, x=text_x, width=width)
        page.y = max(page.y, saved + BOX + 2.0) + 1.5
        page.ops.insert(0, ShadeOp(Rect(CONTENT_LEFT, top, self.width, page.y - top), 0.95))
        page.y += 1.0

    def _running_header(self, page: _Page) -> None:
        t = self.t
        y = MARKER_MARGIN + 5.0
        page.text(HEADER_LEFT, y, f"{t.issuer.vi} · SIPAS", "bold", 8.0, gray=0.25)
        for line in _wrap_mm(t.title.vi, "regular", 7.5, HEADER_RIGHT - HEADER_LEFT)[:2]:
            y += _lh(7.5)
            page.text(HEADER_LEFT, y, line, "regular", 7.5, gray=0.25)
        page.y = CONTENT_TOP

    def _footer(self, page: _Page, count: int) -> None:
        y = PAGE_H - MARKER_MARGIN - MARKER_SIZE / 2 + 1.2
        s = f"Trang {page.number}/{count}"
        if page.number < count:
            s += " — xin xem tiếp trang sau"
        page.text(PAGE_W / 2, y, s, "regular", 8.0, anchor="middle", gray=0.2)

    # -- fields ----------------------------------------------------------------------------------
    def _question(self, page: _Page, f: AnyField) -> None:
        number = f"{f.number}. " if f.number else ""
        lines = _wrap_mm(number + f.label.vi, "bold", 9.0, self.width)
        for line in lines:
            page.y += _lh(9.0)
            page.text(CONTENT_LEFT, page.y - 0.6, line, "bold", 9.0)
        if f.hint:
            page.paragraph(f"({f.hint.vi})", "italic", 7.5, gray=0.3)
        page.y += 0.7

    def _choices(self, page: _Page, f: SingleField | MultiField) -> None:
        size = 8.5
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
            height = max(BOX, max(len(w) for w in wrapped) * _lh(size)) + 1.3
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
                    page.text(x + BOX + 1.8, top + BOX - 1.1 + j * _lh(size), line, "regular", size)
            if write_in:
                page.boxes.append(Box(write_in, "", "text", Rect(end, top - 1.0, CONTENT_RIGHT - end, 6.5)))
                inline.add(write_in)
            page.y += height
        for opt in f.options:
            if opt.other and opt.other not in inline:
                self._write_in(page, opt.other, opt.label)

    def _write_in(self, page: _Page, code: str, option: Label) -> None:
        size = 8.0
        label = f"Nếu chọn “{option.vi}”, xin ghi rõ:"
        w = min(_width_mm(label, "italic", size), 80.0)
        top = page.y + 0.6
        page.text(CONTENT_LEFT + BOX + 1.8, top + 4.6, label, "italic", size)
        x = CONTENT_LEFT + BOX + 1.8 + w + 2.0
        page.boxes.append(Box(code, "", "text", Rect(x, top, CONTENT_RIGHT - x, 6.5)))
        page.y = top + 6.5 + 0.8

    def _grid(self, page: _Page, f: GridField) -> None:
        n = len(f.scale)
        col_w = {2: 18.0, 3: 17.0, 4: 16.5}.get(n, 15.0)
        label_w = self.width - n * col_w
        head_size, row_size = 6.8, 8.0
        heads = [_wrap_mm(o.label.vi, "bold", head_size, col_w - 1.0) for o in f.scale]
        head_h = max(len(h) for h in heads) * _lh(head_size) + 1.6
        top = page.y
        page.ops.append(ShadeOp(Rect(CONTENT_LEFT, top, self.width, head_h), 0.88))
        for k, lines in enumerate(heads):
            cx = CONTENT_LEFT + label_w + (k + 0.5) * col_w
            y0 = top + (head_h - len(lines) * _lh(head_size)) / 2
            for j, line in enumerate(lines):
                page.text(cx, y0 + (j + 0.78) * _lh(head_size), line, "bold", head_size, anchor="middle")
        page.y = top + head_h
        for i, row in enumerate(f.rows, start=1):
            lines = _wrap_mm(f"{i}. {row.label.vi}", "regular", row_size, label_w - 2.0)
            height = max(len(lines) * _lh(row_size) + 1.3, BOX + 1.0)
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
                page.text(x + gap / 2, top + DIGIT_H - 2.0, f.separator, "regular", 11.0, anchor="middle")
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
        page.y += 2.2

    def _section(self, page: _Page, code: str) -> None:
        label = self.t.sections[code]
        page.y += 0.6
        h = _lh(9.0) + 1.4
        page.ops.append(ShadeOp(Rect(CONTENT_LEFT, page.y, self.width, h), 0.80))
        page.text(CONTENT_LEFT + 1.5, page.y + h - 1.4, label.vi.upper(), "bold", 9.0)
        page.y += h + 1.0

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
                page.paragraph(spec.title.vi, "bold", 10.0)
            for f in spec.fields:
                if f.section is not None and f.section != section:
                    self._section(page, f.section)
                    section = f.section
                self._field(page, f)
            if p == count - 1 and t.closing:
                page.y += 1.0
                page.paragraph(t.closing.vi, "italic", 8.5)
            if page.y > CONTENT_BOTTOM:
                raise TemplateError(
                    f"template {t.name}: pages[{p}] does not fit on one A4 page: its content needs "
                    f"{page.y - CONTENT_TOP:.0f} mm but {CONTENT_BOTTOM - CONTENT_TOP:.0f} mm are available; "
                    "move fields to another page or shorten labels"
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
    """The layout of a template (computed once per template content)."""
    key = hashlib.sha256(template.model_dump_json().encode()).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = _Layouter(template).layout()
    return _CACHE[key]
