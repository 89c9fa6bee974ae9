"""Propose a template for a form we did not print from the boxes found on its blank pages.

:func:`propose_template` groups the boxes :func:`omr.template.detect.detect_page` found into
fields, in reading order (top to bottom):

* boxes on one line with printed text beside them → a ``single`` field (consecutive lines belong
  to the same question unless question text starts between them at the left);
* lines of boxes without text between them, sharing the same columns → a ``grid`` (the text left
  of each line is the row label, the text above each column a scale label);
* a comb (combs side by side on one line are one field with ``groups``) → a ``digits`` field;
* a writing area → a ``text`` field, or the write-in of the last option when it follows a
  single-choice field directly.

Codes are proposed as Q1, Q2, … (grid rows Q5_1, …; a write-in Q2_other), values 1..n in reading
order unless every option label starts with a printed number or letter ("1.", "a)"), which then
becomes the value. Labels are read by a :data:`TextReader` (Tesseract by default,
:func:`tesseract_reader`); without one they are placeholders. Everything proposed is for the
survey manager to check on the overlay (:mod:`omr.template.overlay`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.template.detect import FoundBox, PageScan, page_size_for
from omr.template.layout import Rect
from omr.template.model import (
    AnyField,
    DigitsField,
    FixedLayout,
    FrameMarks,
    GridField,
    GridRow,
    Label,
    MarkingRule,
    Option,
    Page,
    PageSize,
    PlacedBox,
    PlacedPage,
    Rect4,
    SingleField,
    Template,
    TextField,
)

TextReader = Callable[[NDArray[np.uint8]], str]
"""Reads the printed text of a grayscale crop (about 300 dpi), one string, whitespace collapsed."""

_LINE_TOL_MM = 1.5
_COLUMN_TOL_MM = 1.5
_MAX_PITCH_MM = 16.0
_WRITE_IN_GAP_MM = 10.0
_VALUE_RE = re.compile(r"^\(?([0-9]{1,2}|[A-Za-z])[.)]\s+(\S.*)$")
_HEAD_RE = re.compile(r"^[0-9A-Za-z]{1,2}$")


def tesseract_reader(lang: str = "vie+eng") -> TextReader:
    """A :data:`TextReader` backed by Tesseract (``lang`` like ``vie``, ``eng`` or ``vie+eng``)."""
    import tesserocr
    from PIL import Image

    from omr._tools import tessdata_dir

    api = tesserocr.PyTessBaseAPI(path=str(tessdata_dir(tuple(lang.split("+")))) + "/", lang=lang, psm=6)

    def read(image: NDArray[np.uint8]) -> str:
        api.SetImage(Image.fromarray(np.ascontiguousarray(image)))
        return " ".join((api.GetUTF8Text() or "").split())

    return read


@dataclass
class _Line:
    """Small boxes (checkboxes or bubbles) on one printed line, left to right."""

    boxes: list[FoundBox]

    @property
    def top(self) -> float:
        return min(b.rect.y for b in self.boxes)

    @property
    def bottom(self) -> float:
        return max(b.rect.bottom for b in self.boxes)

    @property
    def left(self) -> float:
        return min(b.rect.x for b in self.boxes)

    @property
    def xs(self) -> list[float]:
        return [b.rect.centre[0] for b in self.boxes]


@dataclass
class _Group:
    """One proposed field: its kind and boxes (grid: one line per row; digits: cells)."""

    kind: Literal["single", "grid", "digits", "text"]
    lines: list[_Line] = field(default_factory=list)
    cells: list[FoundBox] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    area: FoundBox | None = None
    write_in: FoundBox | None = None

    @property
    def rects(self) -> list[Rect]:
        out = [b.rect for line in self.lines for b in line.boxes] + [c.rect for c in self.cells]
        return out + [a.rect for a in (self.area, self.write_in) if a is not None]

    @property
    def top(self) -> float:
        return min(r.y for r in self.rects)

    @property
    def bottom(self) -> float:
        return max(r.bottom for r in self.rects)

    @property
    def left(self) -> float:
        return min(r.x for r in self.rects)


class _Page:
    """A scanned page with the boxes blanked out of its ink, to look for printed text."""

    def __init__(self, scan: PageScan, read: TextReader | None) -> None:
        self.scan = scan
        self.read = read
        self.k = scan.px_per_mm
        text = scan.ink.copy()
        pad = max(1, int(round(0.3 * self.k)))
        for b in scan.boxes:
            ys, xs = scan.px_slice(b.rect)
            text[max(0, ys.start - pad) : ys.stop + pad, max(0, xs.start - pad) : xs.stop + pad] = False
        self.text = text

    def ink_box(self, region: Rect) -> Rect | None:
        """The bounding box of the printed text inside ``region`` (specks ignored), or None."""
        ys, xs = self.scan.px_slice(region)
        part = self.text[ys, xs]
        if part.size == 0 or int(part.sum()) < max(4, int(0.05 * self.k * self.k)):
            return None
        rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
        return Rect((xs.start + cols[0]) / self.k, (ys.start + rows[0]) / self.k,
                      (cols[-1] - cols[0] + 1) / self.k, (rows[-1] - rows[0] + 1) / self.k)

    def has_text(self, region: Rect, min_height: float = 0.0) -> bool:
        found = self.ink_box(region)
        return found is not None and found.h >= min_height

    def bands(self, region: Rect, gap_mm: float = 0.6) -> list[tuple[float, float]]:
        """Text lines inside ``region`` as (top, bottom) in mm, top to bottom."""
        ys, xs = self.scan.px_slice(region)
        rows = self.text[ys, xs].sum(axis=1) > 0
        out: list[tuple[float, float]] = []
        start: int | None = None
        gap = int(gap_mm * self.k)
        last = -gap - 1
        for i, on in enumerate(rows):
            if on:
                if start is None or i - last > gap:
                    if start is not None:
                        out.append(((ys.start + start) / self.k, (ys.start + last + 1) / self.k))
                    start = i
                last = i
        if start is not None:
            out.append(((ys.start + start) / self.k, (ys.start + last + 1) / self.k))
        return [b for b in out if b[1] - b[0] >= 0.8]

    def text_in(self, region: Rect | None) -> str:
        """The printed text inside ``region``, read by the text reader ('' without one)."""
        if region is None or self.read is None:
            return ""
        grow = 0.8
        crop = self.scan.crop(Rect(region.x - grow, region.y - grow, region.w + 2 * grow, region.h + 2 * grow))
        if crop.size == 0:
            return ""
        if self.scan.dpi < 280:
            f = 300.0 / self.scan.dpi
            crop = np.asarray(cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
        return self.read(np.asarray(crop, dtype=np.uint8)).strip(" |_—-")

    def block_above(self, top: float, floor: float, left: float = 0.0, right: float | None = None,
                    max_lines: int = 3) -> Rect | None:
        """The block of text lines directly above ``top`` (down from ``floor``), lines at most 3 mm apart."""
        width = self.scan.size_mm[0] if right is None else right
        if top - floor < 1.0:
            return None
        bands = self.bands(Rect(left, floor, width - left, top - 0.3 - floor))
        chosen: list[tuple[float, float]] = []
        edge = top
        for b in reversed(bands):
            if edge - b[1] > (3.0 if chosen else 6.0) or len(chosen) >= max_lines:
                break
            chosen.append(b)
            edge = b[0]
        if not chosen:
            return None
        return self.ink_box(Rect(left, chosen[-1][0] - 0.1, width - left, chosen[0][1] - chosen[-1][0] + 0.2))


def _lines(boxes: Sequence[FoundBox]) -> list[_Line]:
    lines: list[_Line] = []
    for b in sorted(boxes, key=lambda b: b.rect.centre[1]):
        if lines and abs(np.mean([x.rect.centre[1] for x in lines[-1].boxes]) - b.rect.centre[1]) <= _LINE_TOL_MM:
            lines[-1].boxes.append(b)
        else:
            lines.append(_Line([b]))
    for line in lines:
        line.boxes.sort(key=lambda b: b.rect.x)
    return lines


def _labelled(page: _Page, line: _Line) -> bool:
    """True when printed text follows a box of the line (option labels), not a grid row."""
    for b in line.boxes:
        r = b.rect
        if page.has_text(Rect(r.right + 0.3, r.y, 4.0, r.h), min_height=0.35 * r.h):
            return True
    return False


def _same_columns(a: _Line, b: _Line) -> bool:
    return len(a.boxes) == len(b.boxes) and all(abs(x - y) <= _COLUMN_TOL_MM for x, y in zip(a.xs, b.xs, strict=True))


def _separated(page: _Page, upper: float, lower: float, left: float) -> bool:
    """Question text starts between two lines of boxes (at or left of their first box)."""
    if lower - upper < 1.0:
        return False
    return page.has_text(Rect(0.0, upper + 0.3, left + 1.0, lower - upper - 0.6), min_height=1.0)


def _group_page(page: _Page) -> list[_Group]:
    boxes = page.scan.boxes
    lines = _lines([b for b in boxes if b.kind in ("square", "circle")])
    groups: list[_Group] = []
    for line in lines:
        grid_like = len(line.boxes) >= 2 and not _labelled(page, line)
        prev = groups[-1] if groups else None
        joined = False
        if prev is not None and prev.kind in ("grid", "single"):
            last = prev.lines[-1]
            near = line.top - last.bottom <= _MAX_PITCH_MM
            apart = _separated(page, last.bottom, line.top, min(last.left, line.left))
            if near and prev.kind == "grid" and grid_like and _same_columns(last, line):
                # a new grid's column headings would stand between the rows, over the columns
                span = Rect(last.left - 1.0, last.bottom + 0.3, last.boxes[-1].rect.right - last.left + 2.0,
                              max(0.1, line.top - last.bottom - 0.6))
                if line.top - last.bottom < 1.0 or not page.has_text(span, min_height=1.0):
                    prev.lines.append(line)
                    joined = True
            elif near and not apart and prev.kind == "single" and not grid_like:
                prev.lines.append(line)
                joined = True
        if not joined:
            groups.append(_Group("grid" if grid_like else "single", lines=[line]))
    groups += _comb_groups([b for b in boxes if b.kind == "cell"])
    groups.sort(key=lambda g: (g.top, g.left))
    out: list[_Group] = []
    for area in sorted((b for b in boxes if b.kind == "area"), key=lambda b: b.rect.y):
        host = _write_in_host(page, groups, area)
        if host is not None:
            host.write_in = area
        else:
            out.append(_Group("text", area=area))
    return sorted(groups + out, key=lambda g: (g.top, g.left))


def _write_in_host(page: _Page, groups: list[_Group], area: FoundBox) -> _Group | None:
    """The single-choice field a writing area belongs to ("other, please specify"), if any."""
    r = area.rect
    above = [g for g in groups if g.kind == "single" and g.write_in is None and g.top <= r.centre[1]]
    if not above:
        return None
    host = max(above, key=lambda g: g.bottom)
    last = host.lines[-1]
    if last.top - 1.0 <= r.centre[1] <= last.bottom + 1.0 and r.x > last.boxes[-1].rect.right:
        return host  # on the line of the last option
    later = [g for g in groups if host.bottom < g.top < r.y]
    if later or r.y - host.bottom > _WRITE_IN_GAP_MM or _separated(page, host.bottom, r.y, min(host.left, r.x)):
        return None
    return host


def _comb_groups(cells: Sequence[FoundBox]) -> list[_Group]:
    combs: dict[int, list[FoundBox]] = {}
    for c in cells:
        combs.setdefault(c.comb, []).append(c)
    ordered = sorted(combs.values(), key=lambda cs: (round(cs[0].rect.centre[1]), cs[0].rect.x))
    groups: list[_Group] = []
    for comb in ordered:
        comb.sort(key=lambda c: c.rect.x)
        prev = groups[-1] if groups else None
        if prev is not None:
            end = prev.cells[-1].rect
            first = comb[0].rect
            if (abs(end.centre[1] - first.centre[1]) <= 1.0 and abs(end.h - first.h) <= 1.0
                    and 0 < first.x - end.right <= 8.0 and sum(prev.groups) + len(comb) <= 20):
                prev.cells += comb
                prev.groups.append(len(comb))
                continue
        groups.append(_Group("digits", cells=list(comb[:20]), groups=[min(20, len(comb))]))
    return groups


@dataclass(frozen=True)
class Proposal:
    """A proposed template and what the survey manager should check."""

    template: Template
    counts: dict[str, int]
    checks: tuple[str, ...]


def _label(text: str, fallback: str) -> Label:
    text = text.strip() or fallback
    return Label(vi=text, en=text)


def _option_label_rect(page: _Page, line: _Line, i: int) -> Rect | None:
    """Where the label of box ``i`` of a line is printed: right of it, else left of it."""
    b = line.boxes[i].rect
    width = page.scan.size_mm[0]
    right_end = line.boxes[i + 1].rect.x - 0.5 if i + 1 < len(line.boxes) else width - 5.0
    found = page.ink_box(Rect(b.right + 0.3, b.y - 1.0, max(0.5, right_end - b.right - 0.3), b.h + 2.0))
    if found is not None:
        return found
    left_end = line.boxes[i - 1].rect.right + 0.5 if i > 0 else max(0.0, b.x - 60.0)
    return page.ink_box(Rect(left_end, b.y - 1.0, max(0.5, b.x - 0.3 - left_end), b.h + 2.0))


def _values(labels: list[str]) -> tuple[list[str], list[str]]:
    """Values 1..n, or the printed number/letter every label starts with (then dropped from it)."""
    parsed = [_VALUE_RE.match(s) for s in labels]
    tokens = [m.group(1) for m in parsed if m]
    if len(tokens) == len(labels) and len(set(tokens)) == len(tokens):
        return tokens, [m.group(2) for m in parsed if m]
    return [str(i) for i in range(1, len(labels) + 1)], labels


def _build_fields(page: _Page, groups: list[_Group], first: int) -> tuple[list[AnyField], list[PlacedBox]]:
    fields: list[AnyField] = []
    placed: list[PlacedBox] = []
    floor = 0.0
    for n, g in enumerate(groups, start=first):
        code = f"Q{n}"
        if g.kind == "single":
            fields_, boxes = _single(page, g, code, floor)
        elif g.kind == "grid":
            fields_, boxes = _grid(page, g, code, floor)
        elif g.kind == "digits":
            fields_, boxes = _digits(page, g, code, floor)
        else:
            fields_, boxes = _text(page, g, code, floor)
        fields.append(fields_)
        placed += boxes
        floor = g.bottom
    return fields, placed


def _question(page: _Page, g: _Group, top: float, floor: float, code: str) -> Label:
    return _label(page.text_in(page.block_above(top, floor)), f"Question {code}")


def _single(page: _Page, g: _Group, code: str, floor: float) -> tuple[AnyField, list[PlacedBox]]:
    items = [(line, i) for line in g.lines for i in range(len(line.boxes))]
    rects = [_option_label_rect(page, line, i) for line, i in items]
    texts = [page.text_in(r) for r in rects]
    values, texts = _values(texts)
    other = f"{code}_other" if g.write_in is not None else None
    options = [Option(value=v, label=_label(t, f"Option {v}"), other=other if k == len(items) - 1 else None)
               for k, (v, t) in enumerate(zip(values, texts, strict=True))]
    boxes = [PlacedBox(field=code, value=v, rect=_mm4(line.boxes[i].rect), shape=_shape(line.boxes[i]),
                       label=_mm4(r) if r is not None else None)
             for (line, i), v, r in zip(items, values, rects, strict=True)]
    if g.write_in is not None and other is not None:
        boxes.append(PlacedBox(field=other, rect=_mm4(g.write_in.rect)))
    label = _question(page, g, g.top, floor, code)
    return SingleField(kind="single", code=code, label=label, options=options), boxes


def _shape(b: FoundBox) -> Literal["square", "circle"]:
    return "circle" if b.kind == "circle" else "square"


def _mm4(rect: Rect) -> Rect4:
    """A found rectangle as a template's ``[x, y, w, h]``, to 0.1 mm."""
    return (round(rect.x, 1), round(rect.y, 1), round(rect.w, 1), round(rect.h, 1))


def _grid(page: _Page, g: _Group, code: str, floor: float) -> tuple[AnyField, list[PlacedBox]]:
    first = g.lines[0]
    xs = first.xs
    pitch = float(np.median(np.diff(xs))) if len(xs) > 1 else 10.0
    left_edge = xs[0] - pitch / 2
    head_top = first.top
    for top, bottom in reversed(page.bands(Rect(0.0, max(floor, first.top - 15.0), page.scan.size_mm[0],
                                                  max(0.1, first.top - 0.3 - max(floor, first.top - 15.0))))):
        if head_top - bottom > 3.0 or page.has_text(Rect(0.0, top, max(0.5, left_edge - 1.0), bottom - top)):
            break  # column headings stand over the columns only; a line reaching left is the question
        head_top = top
    heads = [page.ink_box(Rect(x - pitch / 2, head_top, pitch, first.top - 0.3 - head_top))
             if head_top < first.top else None for x in xs]
    head_texts = [page.text_in(r) for r in heads]
    if all(_HEAD_RE.match(t) for t in head_texts) and len(set(head_texts)) == len(head_texts):
        values = head_texts
    else:
        values = [str(i) for i in range(1, len(xs) + 1)]
    scale = [Option(value=v, label=_label(t, v)) for v, t in zip(values, head_texts, strict=True)]
    rows: list[GridRow] = []
    boxes: list[PlacedBox] = []
    for r, line in enumerate(g.lines, start=1):
        row_code = f"{code}_{r}"
        region = page.ink_box(Rect(0.0, line.top - 1.0, max(0.5, min(left_edge, line.left - 0.5)), line.bottom
                                     - line.top + 2.0))
        rows.append(GridRow(code=row_code, label=_label(page.text_in(region), f"Row {r}")))
        boxes += [PlacedBox(field=row_code, value=v, rect=_mm4(b.rect), shape=_shape(b))
                  for v, b in zip(values, line.boxes, strict=True)]
    label = _question(page, g, head_top, floor, code)
    return GridField(kind="grid", code=code, label=label, scale=scale, rows=rows), boxes


def _digits(page: _Page, g: _Group, code: str, floor: float) -> tuple[AnyField, list[PlacedBox]]:
    first = g.cells[0].rect
    beside = page.ink_box(Rect(max(0.0, first.x - 60.0), first.y, 59.5, first.h))
    above = page.block_above(g.top, floor)
    label = (_question(page, g, g.top, floor, code) if above is not None or beside is None
             else _label(page.text_in(beside), f"Question {code}"))
    boxes = [PlacedBox(field=code, value=str(i), rect=_mm4(c.rect)) for i, c in enumerate(g.cells, start=1)]
    groups = g.groups if len(g.groups) > 1 else None
    return DigitsField(kind="digits", code=code, label=label, length=len(g.cells), groups=groups), boxes


def _text(page: _Page, g: _Group, code: str, floor: float) -> tuple[AnyField, list[PlacedBox]]:
    assert g.area is not None
    r = g.area.rect
    lines = g.area.lines or max(1, min(20, round(r.h / 7.5)))
    beside = page.ink_box(Rect(max(0.0, r.x - 60.0), r.y, max(0.5, r.x - 0.5 - max(0.0, r.x - 60.0)), min(r.h, 8.0)))
    label = (_label(page.text_in(beside), f"Question {code}") if beside is not None
             else _question(page, g, r.y, floor, code))
    return TextField(kind="text", code=code, label=label, lines=lines), [PlacedBox(field=code, rect=_mm4(r))]


def frame_marks(scans: Sequence[PageScan], image: str) -> FrameMarks | None:
    """The pages' corner marks as :class:`FrameMarks` (the fourth centre completed from three), or None
    when some page lacks them or they move between pages."""
    order = ("top-left", "top-right", "bottom-right", "bottom-left")
    sets = []
    for scan in scans:
        found: dict[str, tuple[float, float]] = {m.corner: m.centre for m in scan.marks}
        if len(found) < 3:
            return None
        if len(found) == 3:
            missing = next(c for c in order if c not in found)
            i = order.index(missing)
            a, b, c = (found[order[(i + d) % 4]] for d in (1, 2, 3))
            found[missing] = (round(a[0] + c[0] - b[0], 2), round(a[1] + c[1] - b[1], 2))
        sets.append([found[c] for c in order])
    ref = sets[0]
    if any(max(abs(p[0] - q[0]) + abs(p[1] - q[1]) for p, q in zip(s, ref, strict=True)) > 3.0 for s in sets):
        return None
    width = float(np.median([m.width for m in scans[0].marks]))
    return FrameMarks(image=image, width=round(width, 2), centres=[(round(x, 2), round(y, 2)) for x, y in ref])


def propose_template(
    scans: Sequence[PageScan], *, name: str, blanks: Sequence[str], read: TextReader | None = None,
    source: str | None = None, marks_image: str | None = None, page_size: str | PageSize | None = None,
) -> Proposal:
    """Group the boxes found on each page into fields and state them as a fixed-layout template.

    Parameters
    ----------
    scans : sequence of PageScan
        The blank pages, straightened, as :func:`omr.template.detect.detect_page` returns them.
    name : str
        The template name (lower case, digits and hyphens).
    blanks : sequence of str
        For each page, the path of its blank image as the template will state it.
    read : TextReader, optional
        Reads printed labels; without one every label is a placeholder.
    source : str, optional
        Where the layout came from (stated in ``layout.source``).
    marks_image : str, optional
        Where the image of a corner mark will be written; when given and every page has 3–4 corner
        marks, the layout aligns on them first.
    page_size : str or PageSize, optional
        The paper size; by default from the first page's size in mm.

    Returns
    -------
    Proposal
    """
    pages: list[Page] = []
    placed: list[PlacedPage] = []
    counts = {"single": 0, "grid": 0, "digits": 0, "text": 0, "square": 0, "circle": 0, "cell": 0, "area": 0}
    checks: list[str] = []
    number = 1
    for p, scan in enumerate(scans):
        page = _Page(scan, read)
        groups = []
        for g in _group_page(page):
            if g.kind == "single" and sum(len(line.boxes) for line in g.lines) < 2:
                r = g.lines[0].boxes[0].rect
                checks.append(f"page {p + 1}: a lone box at x={r.x:.1f}, y={r.y:.1f} mm was left out (a field "
                              "needs two boxes or more): add it by hand if it is a question")
                continue
            groups.append(g)
        for b in scan.boxes:
            counts[b.kind] += 1
        if not groups:
            checks.append(f"page {p + 1}: no box found; is it a blank page of the form? (remove it or add boxes)")
            fields: list[AnyField] = [TextField(kind="text", code=f"Q{number}", label=_label("", "Empty page"))]
            w, h = scan.size_mm
            boxes = [PlacedBox(field=f"Q{number}", rect=(10.0, 10.0, round(w - 20, 1), round(h - 20, 1)))]
            number += 1
        else:
            fields, boxes = _build_fields(page, groups, number)
            number += len(groups)
        for f in fields:
            counts[f.kind] += 1
        pages.append(Page(fields=fields))
        placed.append(PlacedPage(boxes=boxes, blank=blanks[p]))
    marks = frame_marks(scans, marks_image) if marks_image else None
    align: list[Literal["marks", "page", "features", "image"]] = (
        ["marks", "features", "page"] if marks else ["features", "page"])
    size = page_size if page_size is not None else page_size_for(*scans[0].size_mm)
    layout = FixedLayout(page_size=size, align=align, marks=marks, pages=placed, source=source)
    title = Label(vi=name, en=name)
    template = Template(name=name, version="1", title=title, marking=MarkingRule(mode="check"), pages=pages,
                        layout=layout)
    if read is None:
        checks.append("labels are placeholders (no text reader): type the question and option texts")
    else:
        checks.append("labels were read by OCR: correct them, and translate the 'en' labels")
    checks += ["every field is proposed as single choice: change `kind: multi` where several answers are allowed",
               "codes (Q1, Q2, …) and values (1..n) are proposals: use the form's own numbering if it has one",
               "compare every box on the overlay image; add any box that is not outlined, delete any that is wrong"]
    return Proposal(template, counts, tuple(checks))




@dataclass(frozen=True)
class FromScanResult:
    """What :func:`template_from_scan` wrote and found."""

    yaml_path: Path
    blanks: tuple[Path, ...]
    mark_image: Path | None
    overlay: Path | None
    proposal: Proposal
    skews: tuple[float, ...]


BLANK_DPI = 150.0
"""Resolution of the blank images written next to the template."""


def template_from_scan(
    source: Path, out: Path, *, name: str | None = None, dpi: float | None = None, lang: str | None = "vie+eng",
    overlay: bool = True,
) -> FromScanResult:
    """Read a blank form, propose its template and write it with its blank images (and an overlay).

    Writes ``out`` (the YAML), ``<stem>-p<N>.png`` (each straightened blank page at 150 dpi),
    ``<stem>-mark.png`` when the pages carry corner marks, and ``<stem>.overlay.png``.

    Parameters
    ----------
    source : Path
        The blank form: a PDF (rasterised by poppler) or an image file (PNG, JPEG, TIFF).
    out : Path
        The template YAML to write.
    name : str, optional
        The template name; by default from ``out``'s file name.
    dpi : float, optional
        The images' resolution when the file does not state it (or states it wrongly).
    lang : str or None, optional
        Tesseract languages for the labels (``vie``, ``eng``, ``vie+eng``); None: placeholders.
    overlay : bool, optional
        Also write the overlay PNG.
    """
    from omr.template.codes import checked_name, clean_name
    from omr.template.detect import detect_page
    from omr.template.overlay import write_overlay
    from omr.template.scaninput import load_blank_pages
    from omr.template.yamlout import write_template

    pages = load_blank_pages(source, dpi)
    scans = [detect_page(img, d) for img, d in zip(pages.images, pages.dpis, strict=True)]
    stem = out.name.removesuffix(".yaml").removesuffix(".yml")
    name = checked_name(name or clean_name(stem, "form"))
    out.parent.mkdir(parents=True, exist_ok=True)
    blank_names = [f"{stem}-p{n}.png" for n in range(1, len(scans) + 1)]
    size = pages.page_size or page_size_for(*scans[0].size_mm)
    width_mm, height_mm = _size_mm(size)
    blank_paths: list[Path] = []
    for scan, file in zip(scans, blank_names, strict=True):
        k = BLANK_DPI / 25.4
        small = cv2.resize(scan.image, (round(width_mm * k), round(height_mm * k)), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(out.parent / file), small)
        blank_paths.append(out.parent / file)
    mark_name = f"{stem}-mark.png"
    read = tesseract_reader(lang) if lang else None
    proposal = propose_template(scans, name=name, blanks=blank_names, read=read,
                                source=f"sipas template from-scan {source.name}", marks_image=mark_name,
                                page_size=size)
    mark_path: Path | None = None
    if proposal.template.layout is not None and proposal.template.layout.marks is not None:
        first = scans[0].marks[0]
        cv2.imwrite(str(out.parent / mark_name), scans[0].crop(first.rect))
        mark_path = out.parent / mark_name
    write_template(proposal.template, _header(source, scans, proposal, out), out)
    overlay_path: Path | None = None
    if overlay:
        overlay_path = write_overlay(proposal.template, out, out.parent / f"{stem}.overlay.png")
    return FromScanResult(out, tuple(blank_paths), mark_path, overlay_path, proposal, tuple(s.skew for s in scans))


def _size_mm(size: str | PageSize) -> tuple[float, float]:
    from omr.template.model import PAGE_SIZES

    return (size.width, size.height) if isinstance(size, PageSize) else PAGE_SIZES[size]


def _header(source: Path, scans: Sequence[PageScan], proposal: Proposal, out: Path) -> str:
    stem = out.name.removesuffix(".yaml").removesuffix(".yml")
    lines = [
        f"Proposed by `sipas template from-scan {source.name}` from {len(scans)} blank page(s) "
        f"({', '.join(f'{s.dpi:.0f} dpi, turned {s.skew:+.2f}°' for s in scans)}).",
        "Positions are mm from the page's top-left corner; rect = [x, y, width, height], the outer edge of the box.",
        f"Check it on {stem}.overlay.png (`sipas template overlay {out.name}` redraws it after your edits), then:",
    ]
    lines += [f"  - {c}" for c in proposal.checks]
    lines.append(f"Validate with `sipas template validate {out.name}`.")
    return "\n".join(lines)


__all__ = ["BLANK_DPI", "FromScanResult", "Proposal", "TextReader", "frame_marks", "propose_template",
           "template_from_scan", "tesseract_reader"]
