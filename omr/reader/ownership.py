"""Which box owns a respondent stroke, and what that says about the other boxes it touches.

Helpers of :mod:`omr.reader.around`: whether a stroke runs far out of its box, whether a lone
piece of ink is the rest of a mark cut off by a printed line, whether one stroke is two loops drawn
touching, and which ink inside a box belongs to another box's stroke (foreign ink, spills).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import ReaderConfig
from omr.reader.positions import PX_PER_MM
from omr.reader.respondent_ink import InkStrokes
from omr.template.layout import BOX

NO_OWNER = -1
"""Owner of a stroke that belongs to no single box."""


def waist(strokes: InkStrokes, c: int, a: NDArray[np.int64], b: NDArray[np.int64]) -> bool:
    """Whether stroke ``c`` passes between the boxes at ``a`` and ``b`` (it is two loops that touch,
    not one loop around both): ink within 4 pixels of the middle fifth of the line joining them."""
    half = BOX * PX_PER_MM / 2
    pa = a.astype(np.float64) + half - np.array(strokes.origin)
    pb = b.astype(np.float64) + half - np.array(strokes.origin)
    for t in np.linspace(0.4, 0.6, 5):
        r, q = (int(round(v)) for v in pa + t * (pb - pa))
        if (strokes.labels[max(r - 4, 0) : r + 5, max(q - 4, 0) : q + 5] == c).any():
            return True
    return False


TOUCH_PX = 7
"""A piece of ink this close to a mark (1.2 mm: a box outline taken away with its margins) is the
rest of it, cut off by the printed line it crosses or runs along."""
TOUCH_LONG_PX = 10
"""...and this close to a stroke that leaves its box (1.7 mm: a box corner taken away)."""


def continues(strokes: InkStrokes, c: int, marks: NDArray[np.int64], t: int) -> NDArray[np.int64]:
    """The strokes ``marks`` that stroke ``c`` comes within ``t`` pixels of (empty: none)."""
    none = np.zeros(0, np.int64)
    if marks.size == 0:
        return none
    x, y, w, h = (int(v) for v in strokes.stats[c, :4])
    st = strokes.stats[marks]
    if not ((st[:, 0] <= x + w + t) & (st[:, 0] + st[:, 2] + t >= x) & (st[:, 1] <= y + h + t)
            & (st[:, 1] + st[:, 3] + t >= y)).any():
        return none  # no mark's box comes that close
    a, b = max(y - t, 0), max(x - t, 0)
    crop = strokes.labels[a : y + h + t, b : x + w + t]
    own = cv2.dilate((crop == c).astype(np.uint8), np.ones((2 * t + 1, 2 * t + 1), np.uint8)) > 0
    return np.intersect1d(crop[own], marks).astype(np.int64)


LINE_PX = 2.0
"""A long piece whose line, extended, runs along the ink of the stroke it continues (within 0.3 mm,
:data:`LINE_MIN_PX` pixels of it) carries that stroke on across the printed line that cut it (a long
tick running up through a grid)."""
LINE_MIN_PX = 8


def in_line(strokes: InkStrokes, c: int, others: NDArray[np.int64]) -> bool:
    """Whether stroke ``c`` is a long piece (half as long again as wide) whose line, extended, runs
    along the ink of one of the strokes ``others`` (:data:`LINE_PX`, :data:`LINE_MIN_PX`)."""
    x, y, w, h = (int(v) for v in strokes.stats[c, :4])
    ys, xs = np.nonzero(strokes.labels[y : y + h, x : x + w] == c)
    if ys.size < 3 or others.size == 0:
        return False
    pts = np.stack([ys + y, xs + x], axis=1).astype(np.float64)
    centre = pts.mean(axis=0)
    _, sd, vt = np.linalg.svd(pts - centre, full_matrices=False)
    if sd[0] < 1.5 * sd[1]:
        return False
    for o, s in zip(others.tolist(), strokes.stats[others], strict=True):
        off = np.argwhere(strokes.labels[s[1] : s[1] + s[3], s[0] : s[0] + s[2]] == o) + (s[1], s[0]) - centre
        if int((np.abs(off[:, 0] * vt[0, 1] - off[:, 1] * vt[0, 0]) <= LINE_PX).sum()) >= LINE_MIN_PX:
            return True
    return False


def runs_out(strokes: InkStrokes, c: int, origin: NDArray[np.int64], outer: int, config: ReaderConfig) -> bool:
    """Whether stroke ``c`` runs on ``cross_out_mm`` or more beyond the box at ``origin``."""
    x, y, w, h = (int(v) for v in strokes.stats[c, :4])
    top, left = origin[0] - strokes.origin[0], origin[1] - strokes.origin[1]
    out = config.cross_out_mm * PX_PER_MM
    return bool(max(top - y, left - x, y + h - (top + outer), x + w - (left + outer)) >= out)


def foreign_ink(
    strokes: InkStrokes, inside: NDArray[np.int64], owner: NDArray[np.int64], origins: NDArray[np.int64],
    inset: int, inner: int,
) -> NDArray[np.int64]:
    """(N, K) pixels of each stroke inside each box that belong to another box.

    A stroke's ink counts as foreign in a box only where it stays in the half of the box facing the
    box that owns it (an arc or a spill cutting in); a stroke that reaches past the middle (a cross
    in the row below drawn up into a circle, a cross touching a box filled over) is a mark of this
    box joined to the other one, and stays this box's.
    """
    n = inside.shape[0]
    alien = np.where((owner[None, :] != np.arange(n)[:, None]) & (owner[None, :] != NO_OWNER), inside, 0)
    half = inner / 2
    for i, c in zip(*np.nonzero(alien), strict=True):
        j = int(owner[c])
        u = (origins[j] - origins[i]).astype(np.float64)
        u /= max(float(np.hypot(*u)), 1.0)
        top, left = origins[i, 0] + inset - strokes.origin[0], origins[i, 1] + inset - strokes.origin[1]
        ys, xs = np.nonzero(strokes.labels[max(top, 0) : top + inner, max(left, 0) : left + inner] == c)
        proj = (ys + max(top, 0) - top - half) * u[0] + (xs + max(left, 0) - left - half) * u[1]
        if ys.size and float(proj.min()) < 0.0:
            alien[i, c] = 0
    return alien


def spills(
    inside: NDArray[np.int64], alien: NDArray[np.int64], owner: NDArray[np.int64], is_loop: NDArray[np.bool_]
) -> NDArray[np.int64]:
    """Per box: the box whose (non-loop) stroke holds most of the box's foreign ink, if that stroke
    holds at least twice as much ink in its owner's interior; else -1."""
    n = inside.shape[0]
    spilt = alien * ~is_loop[None, :]
    c = np.argmax(spilt, axis=1)
    rows = np.arange(n)
    has = spilt[rows, c] > 0
    source = np.where(has, owner[c], NO_OWNER)
    enough = inside[np.maximum(source, 0), c] >= 2 * inside[rows, c]
    out = np.where(has & enough, source, NO_OWNER).astype(np.int64)
    return out


def joined_area(strokes: InkStrokes, c: int, among: NDArray[np.bool_], t: int) -> int:
    """Pixels of stroke ``c`` and of the strokes ``among`` that come within ``t`` pixels of it."""
    x, y, w, h = (int(v) for v in strokes.stats[c, :4])
    a, b = max(y - t, 0), max(x - t, 0)
    crop = strokes.labels[a : y + h + t, b : x + w + t]
    grown = cv2.dilate((crop == c).astype(np.uint8), np.ones((2 * t + 1, 2 * t + 1), np.uint8)) > 0
    found = np.unique(crop[grown])
    found = found[(found != c) & (found != 0) & among[found]]
    return int(strokes.stats[c, 4]) + int(strokes.stats[found, 4].sum())


def level_with(strokes: InkStrokes, c: int, origin: NDArray[np.int64], outer: int) -> bool:
    """Whether the centre of stroke ``c``'s box lies level with the box at ``origin`` (within its
    rows or its columns, a quarter of a side more either way)."""
    x, y, w, h = (float(v) for v in strokes.stats[c, :4])
    cy, cx = y + h / 2 + strokes.origin[0], x + w / 2 + strokes.origin[1]
    m = outer / 4
    return bool(origin[0] - m <= cy <= origin[0] + outer + m or origin[1] - m <= cx <= origin[1] + outer + m)


def nearest_box(
    strokes: InkStrokes, c: int, near: NDArray[np.int64], origins: NDArray[np.int64], outer: int
) -> int:
    """The box holding most of stroke ``c``'s ink close to it (``near``: pixels per box); between
    boxes holding about as much (a tick 2-3 mm beside a grid box reaches as far into the windows of
    the rows above and below), the one nearest the stroke's centre of ink."""
    cand = np.flatnonzero(near >= 0.8 * near.max())
    if cand.size <= 1:
        return int(np.argmax(near))
    x, y, w, h = (int(v) for v in strokes.stats[c, :4])
    ys, xs = np.nonzero(strokes.labels[y : y + h, x : x + w] == c)
    cy, cx = float(ys.mean()) + y + strokes.origin[0], float(xs.mean()) + x + strokes.origin[1]
    top, left = origins[cand, 0].astype(np.float64), origins[cand, 1].astype(np.float64)
    dy = np.maximum(np.maximum(top - cy, cy - (top + outer - 1)), 0.0)
    dx = np.maximum(np.maximum(left - cx, cx - (left + outer - 1)), 0.0)
    return int(cand[np.argmin(np.hypot(dy, dx))])


def loops_touching(strokes: InkStrokes, c: int, chosen: Sequence[int], origins: NDArray[np.int64]) -> bool:
    """Whether one stroke round several boxes of one column is loops drawn touching: it passes
    between every two boxes next to each other (one loop round them all leaves that free)."""
    order = sorted(chosen, key=lambda i: int(origins[i, 0]))
    same_column = len({int(origins[i, 1]) // 6 for i in order}) == 1
    pairs = zip(order, order[1:], strict=False)
    return same_column and all(waist(strokes, c, origins[a], origins[b]) for a, b in pairs)


def rest_of_marks(
    strokes: InkStrokes, pieces: NDArray[np.int64], inside: NDArray[np.int64], outside: NDArray[np.bool_],
    origins: NDArray[np.int64], outer: int, config: ReaderConfig,
) -> NDArray[np.bool_]:
    """Per stroke: a piece that is the rest of a mark, cut off by printed lines: within
    :data:`TOUCH_PX` of a mark, or :data:`TOUCH_LONG_PX` of a stroke that leaves its box, or of a
    sliver that is (a long tick running along a box outline is cut into several); a piece big
    enough to be a mark of its own passes nothing on (a cross beside a box stays beside it) unless it
    lies in line with the mark it continues (:func:`in_line`: a long tick cut by the rows it runs across)."""
    rest = np.zeros(len(strokes.stats), bool)
    small = config.beside_min_area_mm2 * PX_PER_MM**2
    near_marks = [int(c) for c in np.flatnonzero(strokes.kept & ~outside)]
    far_marks = [c for c in near_marks if runs_out(strokes, c, origins[int(np.argmax(inside[:, c]))], outer, config)]
    for _ in range(3):
        found = False
        for c in pieces.tolist():
            if rest[c]:
                continue
            link = strokes.stats[c, 4] < small  # only slivers pass the chain on, never a stroke of its own
            touched = continues(strokes, c, np.array(far_marks, np.int64), TOUCH_LONG_PX)
            if touched.size:
                far_marks += [c] if link else []
            else:
                touched = continues(strokes, c, np.array(near_marks, np.int64), TOUCH_PX)
                if touched.size == 0:
                    continue
                near_marks += [c] if link else []
            if not link and in_line(strokes, c, touched):
                far_marks.append(c)  # a piece in line with the mark it continues: the long stroke runs on
            rest[c] = found = True
        if not found:
            break
    return rest
