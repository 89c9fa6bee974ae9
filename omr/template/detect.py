"""Find the printed boxes of a blank form on an image of one page.

:func:`detect_page` straightens the page (a blank may be scanned slightly rotated), separates
ink from paper and finds:

``square``  a checkbox: a closed, roughly square outline of 2.5–10 mm with an empty inside
``circle``  a bubble: a closed round or oval outline of 2.5–10 mm
``cell``    one cell of a comb: adjacent equal rectangles sharing their sides (``comb`` numbers
            the comb, cells left to right)
``area``    a free-text area: a large empty rectangle, or long writing lines (``lines`` counts them)

and solid corner marks (squares or L shapes) near the page corners, which a form may carry for
alignment. Letters such as "o" and "O" are not bubbles: a candidate must have an empty or nearly
empty inside, a thin outline, no letters touching it on the same line and, for bubbles, a sibling
of the same size aligned with it.

Positions are in millimetres from the top-left corner of the straightened image, a rectangle being
the outer edge of the printed outline, as in a template's ``layout``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.template.layout import Rect
from omr.template.model import PAGE_SIZES, PageSize

MM_PER_INCH = 25.4
BoxKind = Literal["square", "circle", "cell", "area"]

_SMALL_MM = (2.5, 10.0)
_CELL_MM = (3.0, 15.0)
_AREA_MIN_W, _AREA_MIN_H = 15.0, 4.0
_LINE_MIN_W = 40.0
_MAX_STROKE_MM = 0.9
_SNAP_SHARE = 0.02


@dataclass(frozen=True)
class FoundBox:
    """One printed box found on the page.

    ``comb`` numbers the comb a ``cell`` belongs to (-1 for other kinds); ``lines`` is the number of
    writing lines of an ``area`` drawn as lines (0 for a rectangle).
    """

    kind: BoxKind
    rect: Rect
    comb: int = -1
    lines: int = 0


@dataclass(frozen=True)
class CornerMark:
    """A solid mark near a page corner: its centre and width in mm."""

    corner: Literal["top-left", "top-right", "bottom-right", "bottom-left"]
    centre: tuple[float, float]
    width: float
    rect: Rect


@dataclass(frozen=True)
class PageScan:
    """One straightened page and what was found on it.

    ``image`` is the straightened grayscale page; ``ink`` marks its ink pixels; ``skew`` is the
    rotation removed, in degrees.
    """

    image: NDArray[np.uint8]
    ink: NDArray[np.bool_]
    dpi: float
    skew: float
    boxes: tuple[FoundBox, ...]
    marks: tuple[CornerMark, ...]

    @property
    def px_per_mm(self) -> float:
        return self.dpi / MM_PER_INCH

    @property
    def size_mm(self) -> tuple[float, float]:
        rows, cols = self.image.shape
        return (cols / self.px_per_mm, rows / self.px_per_mm)

    def crop(self, rect: Rect) -> NDArray[np.uint8]:
        """The part of the page inside ``rect`` (clipped to the page)."""
        return self.image[self.px_slice(rect)]

    def px_slice(self, rect: Rect) -> tuple[slice, slice]:
        k = self.px_per_mm
        rows, cols = self.image.shape
        y0, y1 = max(0, int(rect.y * k)), min(rows, int(np.ceil(rect.bottom * k)))
        x0, x1 = max(0, int(rect.x * k)), min(cols, int(np.ceil(rect.right * k)))
        return slice(y0, max(y0, y1)), slice(x0, max(x0, x1))

    def ink_share(self, rect: Rect) -> float:
        """The share of ink pixels inside ``rect`` (0 when it lies off the page)."""
        part = self.ink[self.px_slice(rect)]
        return float(part.mean()) if part.size else 0.0


def page_size_for(width_mm: float, height_mm: float) -> str | PageSize:
    """A named paper size when the page is within 2 % of one (either orientation), else its size."""
    for name, (w, h) in PAGE_SIZES.items():
        if abs(width_mm - w) <= _SNAP_SHARE * w and abs(height_mm - h) <= _SNAP_SHARE * h:
            return name
    return PageSize(width=round(width_mm, 1), height=round(height_mm, 1))


def ink_mask(image: NDArray[np.uint8], level: float = 0.63) -> NDArray[np.bool_]:
    """Ink pixels: darker than ``level`` times the paper level (light shading is not ink).

    The default keeps black print and drops shading; writing areas are often outlined in a faint
    gray that a scan lightens further, so they are also looked for with ``level`` 0.82.
    """
    paper = float(np.percentile(image[:: 4, :: 4], 90))
    return np.asarray(image < max(paper, 120.0) * level)


def estimate_skew(ink: NDArray[np.bool_], limit: float = 3.0) -> float:
    """The rotation in degrees that makes the page's text lines and rules horizontal.

    Maximises the sharpness of the row profile of the ink (projection profile), coarse then fine.
    """
    rows, cols = ink.shape
    scale = min(1.0, 900.0 / cols)
    small = cv2.resize(ink.astype(np.float32), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_LINEAR)
        profile = turned.sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-limit, limit + 1e-9, 0.25), key=score)
    fine = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.025), key=score)
    return round(float(fine), 3)


def straighten(image: NDArray[np.uint8], angle: float) -> NDArray[np.uint8]:
    """``image`` rotated by ``angle`` degrees about its centre, the corners filled with paper."""
    if abs(angle) < 0.03:
        return image
    rows, cols = image.shape
    m = cv2.getRotationMatrix2D((cols / 2, rows / 2), angle, 1.0)
    paper = int(np.percentile(image[:: 4, :: 4], 90))
    return np.asarray(cv2.warpAffine(image, m, (cols, rows), flags=cv2.INTER_LINEAR, borderValue=paper),
                      dtype=np.uint8)


@dataclass(frozen=True)
class _Hole:
    """The inside of a closed outline, in pixels (x0, y0, x1, y1 inclusive of the inner ink ring)."""

    x0: int
    y0: int
    x1: int
    y1: int
    fill: float
    parent: int


def _run(line: NDArray[np.bool_], start: int, step: int) -> int:
    """How many ink pixels follow ``start`` (inclusive) in direction ``step``."""
    n, i = 0, start
    while 0 <= i < line.size and line[i]:
        n += 1
        i += step
    return n


def _ring(line: NDArray[np.bool_], centre: int, step: int) -> tuple[int, int]:
    """From ``centre`` of a hole outwards: where the outline starts and how many ink pixels it has."""
    i = centre
    while 0 <= i < line.size and not line[i]:
        i += step
    return i, _run(line, i, step)


def _outer_px(ink: NDArray[np.bool_], hole: _Hole) -> tuple[int, int, int, int] | None:
    """The outer edge of the outline around a hole (x0, y0, x1, y1 inclusive), measured outwards
    from the middle on three lines per side (the thinnest wins: a rule joining the box is ignored)."""
    w, h = hole.x1 - hole.x0, hole.y1 - hole.y0
    cx, cy = (hole.x0 + hole.x1) // 2, (hole.y0 + hole.y1) // 2
    fractions = (0.4, 0.5, 0.6)
    rows = [ink[hole.y0 + int(f * h)] for f in fractions]
    cols = [ink[:, hole.x0 + int(f * w)] for f in fractions]
    edges = []
    for lines, centre, step in ((rows, cx, -1), (cols, cy, -1), (rows, cx, 1), (cols, cy, 1)):
        runs = [_ring(line, centre, step) for line in lines]
        start, run = min(runs, key=lambda r: (r[1], -step * r[0]))
        if run == 0:
            return None
        edges.append(start + step * (run - 1))
    left, top, right, bottom = edges
    return (left, top, right, bottom)


def _holes(ink: NDArray[np.bool_]) -> tuple[list[_Hole], int]:
    found = cv2.findContours(ink.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    contours, hierarchy = found[-2], found[-1]
    holes: list[_Hole] = []
    if hierarchy is None:
        return holes, len(contours)
    for i, c in enumerate(contours):
        parent = int(hierarchy[0][i][3])
        if parent < 0:
            continue
        x, y, w, h = cv2.boundingRect(c)
        if w < 4 or h < 4:
            continue
        area = cv2.contourArea(c)
        holes.append(_Hole(x, y, x + w - 1, y + h - 1, area / max(1.0, (w - 1) * (h - 1)), parent))
    return holes, len(contours)


def _interior_share(ink: NDArray[np.bool_], hole: _Hole, margin: int) -> float:
    """The ink share of the middle of a hole (a fifth of it in from each side, at least ``margin``)."""
    mx, my = max(margin, (hole.x1 - hole.x0) // 5), max(margin, (hole.y1 - hole.y0) // 5)
    part = ink[hole.y0 + my : hole.y1 - my + 1, hole.x0 + mx : hole.x1 - mx + 1]
    return float(part.mean()) if part.size else 1.0


@dataclass(frozen=True)
class _Candidate:
    kind: BoxKind
    px: tuple[int, int, int, int]
    parent: int
    stroke: float


def _classify(ink: NDArray[np.bool_], holes: list[_Hole], k: float) -> list[_Candidate]:
    out: list[_Candidate] = []
    rows, cols = ink.shape
    for hole in holes:
        outer = _outer_px(ink, hole)
        if outer is None:
            continue
        x0, y0, x1, y1 = outer
        w_mm, h_mm = (x1 - x0 + 1) / k, (y1 - y0 + 1) / k
        stroke = ((hole.x0 - x0) + (x1 - hole.x1) + (hole.y0 - y0) + (y1 - hole.y1)) / 4 + 1
        if stroke / k > _MAX_STROKE_MM or min(hole.x0 - x0, x1 - hole.x1, hole.y0 - y0, y1 - hole.y1) < 0:
            continue
        if w_mm > 0.9 * cols / k or h_mm > 0.9 * rows / k:
            continue  # the page frame or a scanner border
        aspect = w_mm / h_mm
        inside = _interior_share(ink, hole, max(1, int(round(0.25 * k))))
        small = _SMALL_MM[0] <= min(w_mm, h_mm) and max(w_mm, h_mm) <= _SMALL_MM[1]
        thin = stroke <= max(2.0, 0.12 * min(x1 - x0, y1 - y0))
        if small and thin and hole.fill >= 0.86 and 0.8 <= aspect <= 1.25 and inside <= 0.12:
            out.append(_Candidate("square", outer, hole.parent, stroke))
        elif small and thin and 0.62 <= hole.fill < 0.86 and 0.6 <= aspect <= 1.67 and inside <= 0.2:
            out.append(_Candidate("circle", outer, hole.parent, stroke))
        elif (hole.fill >= 0.86 and _CELL_MM[0] <= w_mm <= _CELL_MM[1] and _CELL_MM[0] <= h_mm <= _CELL_MM[1]
              and inside <= 0.05):
            out.append(_Candidate("cell", outer, hole.parent, stroke))
        elif hole.fill >= 0.9 and w_mm >= _AREA_MIN_W and h_mm >= _AREA_MIN_H and inside <= 0.004:
            out.append(_Candidate("area", outer, hole.parent, stroke))
    return out


def _faint_areas(image: NDArray[np.uint8], k: float, known: Sequence[Rect]) -> list[FoundBox]:
    """Writing areas outlined in a light gray, found on a lighter ink threshold."""
    faint = ink_mask(image, 0.82)
    holes, _ = _holes(faint)
    out: list[FoundBox] = []
    for c in _classify(faint, holes, k):
        r = _rect(c.px, k)
        if c.kind == "area" and not any(abs(r.x - b.x) < 1 and abs(r.y - b.y) < 1 for b in known):
            out.append(FoundBox("area", r))
    return out


def _ring_share(ink: NDArray[np.bool_], px: tuple[int, int, int, int], width: int) -> float:
    """The share of ink along the outline of a rectangle ``width`` pixels wide (its four sides)."""
    x0, y0, x1, y1 = px
    ring = np.zeros((y1 - y0 + 1, x1 - x0 + 1), bool)
    ring[:width], ring[-width:], ring[:, :width], ring[:, -width:] = True, True, True, True
    part = ink[y0 : y1 + 1, x0 : x1 + 1]
    # a side counts where any pixel across its width is ink
    sides = [part[:width].any(axis=0), part[-width:].any(axis=0), part[:, :width].any(axis=1),
             part[:, -width:].any(axis=1)]
    return float(np.mean(np.concatenate(sides)))


def _broken_boxes(image: NDArray[np.uint8], ink: NDArray[np.bool_], k: float,
                  known: Sequence[Rect]) -> list[FoundBox]:
    """Checkboxes and bubbles whose thin outline a scan broke, found after bridging gaps up to 2.5 mm
    along rows and columns; at least 80 % of the outline must be ink on the page itself."""
    light = ink_mask(image, 0.75).astype(np.uint8)
    span = max(3, int(2.5 * k))
    rows_closed = np.asarray(cv2.morphologyEx(light, cv2.MORPH_CLOSE, np.ones((1, span), np.uint8))) > 0
    cols_closed = np.asarray(cv2.morphologyEx(light, cv2.MORPH_CLOSE, np.ones((span, 1), np.uint8))) > 0
    bridged = rows_closed | cols_closed
    holes, _ = _holes(bridged)
    cands = [c for c in _classify(bridged, holes, k) if c.kind in ("square", "circle")]
    out: list[FoundBox] = []
    for c in cands:
        r = _rect(c.px, k)
        if any(r.x < b.right and b.x < r.right and r.y < b.bottom and b.y < r.bottom for b in known):
            continue  # overlaps a box found intact (e.g. the gap between two combs)
        if c.kind == "square" and _ring_share(light.astype(bool), c.px, max(2, int(round(c.stroke)) + 1)) < 0.8:
            continue
        if _touching_letters(ink, c, k) or (c.kind == "circle" and not _siblings(c, cands, k)):
            continue
        out.append(FoundBox(c.kind, r))
    return out


def _rect(px: tuple[int, int, int, int], k: float) -> Rect:
    x0, y0, x1, y1 = px
    return Rect(x0 / k, y0 / k, (x1 - x0 + 1) / k, (y1 - y0 + 1) / k)


def _touching_letters(ink: NDArray[np.bool_], c: _Candidate, k: float) -> bool:
    """True when ink lies within 0.6 mm left or right of the candidate on its middle band: a letter
    of a word (an 'O' in 'OK'), not a box with its label set apart."""
    x0, y0, x1, y1 = c.px
    gap = max(2, int(round(0.6 * k)))
    band = slice(y0 + (y1 - y0) // 4, y1 - (y1 - y0) // 4 + 1)
    left = ink[band, max(0, x0 - gap) : max(0, x0 - 1)]
    right = ink[band, x1 + 2 : x1 + 1 + gap]
    tall = 0.5 * (y1 - y0 + 1) / 2  # a mark at least a quarter of the box tall, not a rule or a dotted line
    return any(part.size and float(part.any(axis=1).sum()) >= tall for part in (left, right))


def _siblings(c: _Candidate, others: Sequence[_Candidate], k: float) -> bool:
    """A bubble has a bubble of about its size in line with it (same row or column)."""
    x0, y0, x1, y1 = c.px
    cx, cy, size = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0)
    for o in others:
        if o is c:
            continue
        ox0, oy0, ox1, oy1 = o.px
        osize = max(ox1 - ox0, oy1 - oy0)
        if abs(osize - size) > 0.2 * size:
            continue
        if abs((oy0 + oy1) / 2 - cy) <= 0.8 * k or abs((ox0 + ox1) / 2 - cx) <= 0.8 * k:
            return True
    return False


def _combs(cells: list[_Candidate], k: float) -> list[list[_Candidate]]:
    """Cells of one outline, side by side in a row, of one size: the combs (at least two cells)."""
    by_parent: dict[int, list[_Candidate]] = {}
    for c in cells:
        by_parent.setdefault(c.parent, []).append(c)
    combs: list[list[_Candidate]] = []
    for group in by_parent.values():
        group.sort(key=lambda c: c.px[0])
        run: list[_Candidate] = [group[0]]
        for c in group[1:]:
            prev = run[-1]
            same_row = abs(c.px[1] - prev.px[1]) <= 0.6 * k and abs(c.px[3] - prev.px[3]) <= 0.6 * k
            adjacent = c.px[0] - prev.px[2] <= 0.6 * k
            if same_row and adjacent:
                run.append(c)
            else:
                combs.append(run)
                run = [c]
        combs.append(run)
    return [c for c in combs if len(c) >= 2]


def _comb_rects(comb: list[_Candidate], k: float) -> list[Rect]:
    """Cell rectangles of a comb, a shared side split in its middle."""
    rects = [_rect(c.px, k) for c in comb]
    top = float(np.median([r.y for r in rects]))
    bottom = float(np.median([r.bottom for r in rects]))
    edges = [rects[0].x]
    for a, b in zip(rects, rects[1:], strict=False):
        edges.append((a.right + b.x) / 2 if b.x < a.right else (a.right + b.x) / 2)
    edges.append(rects[-1].right)
    return [Rect(edges[i], top, edges[i + 1] - edges[i], bottom - top) for i in range(len(rects))]


def _writing_lines(ink: NDArray[np.bool_], k: float, boxes: Sequence[Rect]) -> list[FoundBox]:
    """Long horizontal (solid or dotted) lines with empty space above them: places to write."""
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(1.2 * k)), 1)))
    long_ = cv2.morphologyEx(closed, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (int(_LINE_MIN_W * k * 0.8), 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(long_, connectivity=8)
    lines: list[Rect] = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if w / k < _LINE_MIN_W or h / k > 1.0:
            continue
        r = Rect(x / k, y / k, w / k, h / k)
        if any(b.x - 1 <= r.x and r.right <= b.right + 1 and b.y - 1 <= r.y and r.bottom <= b.bottom + 1
               for b in boxes):
            continue  # a side of a box or area
        above = ink[max(0, y - int(5.5 * k)) : max(0, y - int(0.8 * k)), x : x + w]
        if above.size == 0 or float(above.mean()) > 0.003:
            continue  # text above it: a rule under a table or heading, not a writing line
        lines.append(r)
    lines.sort(key=lambda r: (r.x, r.y))
    groups: list[list[Rect]] = []
    for r in sorted(lines, key=lambda r: r.y):
        for g in groups:
            last = g[-1]
            if abs(last.x - r.x) <= 3 and abs(last.right - r.right) <= 3 and 5 <= r.y - last.y <= 14:
                g.append(r)
                break
        else:
            groups.append([r])
    out: list[FoundBox] = []
    for g in groups:
        pitch = float(np.median([b.y - a.y for a, b in zip(g, g[1:], strict=False)])) if len(g) > 1 else 7.0
        top = max(0.0, g[0].y - min(pitch, 8.0))
        left, right = min(r.x for r in g), max(r.right for r in g)
        out.append(FoundBox("area", Rect(left, top, right - left, g[-1].bottom - top), lines=len(g)))
    return out


def find_corner_marks(ink: NDArray[np.bool_], k: float) -> tuple[CornerMark, ...]:
    """Solid squares or L shapes of 3–30 mm near the page corners (at most one per corner)."""
    n, _, stats, centroids = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    rows, cols = ink.shape
    reach = 45 * k
    corners: dict[str, tuple[float, CornerMark]] = {}
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if not (3 * k <= w <= 30 * k and 3 * k <= h <= 30 * k) or max(w, h) > 1.6 * min(w, h):
            continue
        solid = area / (w * h)
        if solid >= 0.85:
            pass  # a solid square
        elif 0.08 <= solid <= 0.5 and _is_l_shape(ink[y : y + h, x : x + w]):
            pass
        else:
            continue
        cx, cy = x + w / 2, y + h / 2
        name = ("top-" if cy < rows / 2 else "bottom-") + ("left" if cx < cols / 2 else "right")
        dx, dy = min(cx, cols - cx), min(cy, rows - cy)
        if dx > reach or dy > reach:
            continue
        dist = float(np.hypot(dx, dy))
        mark = CornerMark(name, (round(cx / k, 2), round(cy / k, 2)), round(w / k, 2),  # type: ignore[arg-type]
                          Rect(x / k, y / k, w / k, h / k))
        if name not in corners or dist < corners[name][0]:
            corners[name] = (dist, mark)
    marks = [m for _, m in corners.values()]
    if len(marks) < 3:
        return ()
    widths = [m.width for m in marks]
    if max(widths) > 1.25 * min(widths):
        return ()
    order = ("top-left", "top-right", "bottom-right", "bottom-left")
    return tuple(sorted(marks, key=lambda m: order.index(m.corner)))


def _is_l_shape(part: NDArray[np.bool_]) -> bool:
    """Ink along two adjacent sides of its box and nowhere else: an L (any rotation)."""
    h, w = part.shape
    bw, bh = max(1, w // 4), max(1, h // 4)
    sides = {"top": part[:bh].mean(), "bottom": part[-bh:].mean(), "left": part[:, :bw].mean(),
             "right": part[:, -bw:].mean()}
    inner = part[bh:-bh, bw:-bw]
    if inner.size and inner.mean() > 0.05:
        return False
    full = [s for s, v in sides.items() if v >= 0.15]
    return len(full) == 2 and set(full) not in ({"top", "bottom"}, {"left", "right"})


def detect_page(image: NDArray[np.uint8], dpi: float, *, deskew: bool = True) -> PageScan:
    """Straighten a blank page and find its boxes, combs, writing areas and corner marks.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page, grayscale, dark ink on light paper, the whole page (any resolution ≥ 100 dpi).
    dpi : float
        Its resolution.
    deskew : bool, optional
        Estimate and remove a small rotation (up to 3°) first.

    Returns
    -------
    PageScan
        The straightened page and the boxes found, top to bottom then left to right.

    Examples
    --------
    >>> import numpy as np, cv2
    >>> page = np.full((400, 400), 255, np.uint8)
    >>> _ = cv2.rectangle(page, (100, 100), (129, 129), 0, 2)
    >>> [b.kind for b in detect_page(page, 150.0).boxes]
    ['square']
    """
    k = dpi / MM_PER_INCH
    ink = ink_mask(image)
    skew = estimate_skew(ink) if deskew else 0.0
    if abs(skew) >= 0.03:
        image = straighten(image, skew)
        ink = ink_mask(image)
    holes, _ = _holes(ink)
    cands = _classify(ink, holes, k)
    circles = [c for c in cands if c.kind == "circle"]
    good = [c for c in cands
            if not (c.kind in ("square", "circle") and _touching_letters(ink, c, k))
            and not (c.kind == "circle" and not _siblings(c, circles, k))]
    combs = _combs([c for c in good if c.kind in ("cell", "square")], k)
    in_comb = {id(c) for comb in combs for c in comb}
    kept = [FoundBox(c.kind, _rect(c.px, k)) for c in good if c.kind != "cell" and id(c) not in in_comb]
    kept += _faint_areas(image, k, [b.rect for b in kept if b.kind == "area"])
    for n, comb in enumerate(sorted(combs, key=lambda c: (c[0].px[1], c[0].px[0]))):
        kept += [FoundBox("cell", r, comb=n) for r in _comb_rects(comb, k)]
    kept += _writing_lines(ink, k, [b.rect for b in kept])
    kept += _broken_boxes(image, ink, k, [b.rect for b in kept])
    kept.sort(key=lambda b: (round(b.rect.centre[1]), b.rect.x))
    return PageScan(image, ink, dpi, skew, tuple(kept), find_corner_marks(ink, k))


__all__ = ["CornerMark", "FoundBox", "PageScan", "detect_page", "estimate_skew", "find_corner_marks",
           "ink_mask", "page_size_for", "straighten"]
