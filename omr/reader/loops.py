"""Loops: respondent strokes that go round a checkbox or an option's printed label (a circled answer).

Seen from the point a loop goes round, its ink lies in (nearly) every direction; seen from any
point outside it, a convex loop fills less than half of the directions. So a stroke is a loop
around a point when ``loop_coverage`` of the directions (in :data:`BINS` sectors) hold its ink,
farther from the point than a clearance (a loop leaves the box it goes round, or the middle of the
label, free of ink).

Around a box, a loop often runs along the printed outlines of the boxes above and below (a tight
grid) and is cut there when the print is taken away, so the pieces of ink around a box centre are
taken together, less the ink inside the other boxes around (a cross in the row below that touches
the loop is that box's), and less any stroke that marks the box itself (more than
``loop_max_inside`` of its interior: a cross that is also circled is read by the box measures).
Around a label (text all over), only one connected stroke counts, so that the remains of
misregistered print never make a loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.positions import PX_PER_MM
from omr.reader.respondent_ink import InkStrokes
from omr.template.layout import BOX, Box

BINS = 24
"""Directions around a point in which a loop's ink is looked for."""
BROKEN = -1
"""Key of :func:`find_loops`' answer holding the boxes a faint or broken loop may go round."""
_BOX_REACH_MM = 7.0
_MAX_GAP = BINS * 100 // 360
"""Widest gap (in direction bins, 100°) the box outline may close in a loop round it..."""
_MIN_ARC = BINS * 45 // 360
"""...between arcs of at least this many bins (45°) on both sides."""
"""A loop around a box lies within this of its centre."""


def coverage(ys: NDArray[np.float64], xs: NDArray[np.float64], point: tuple[float, float], r_min: float) -> float:
    """Share of the directions around ``point`` (row, column) holding ink farther than ``r_min``.

    Examples
    --------
    >>> t = np.linspace(0, 2 * np.pi, 200)
    >>> round(coverage(10 * np.sin(t), 10 * np.cos(t), (0.0, 0.0), 3.0), 2)
    1.0
    >>> round(coverage(10 * np.sin(t), 10 * np.cos(t), (0.0, 30.0), 3.0), 2) < 0.5
    True
    """
    dy, dx = ys - point[0], xs - point[1]
    far = np.hypot(dy, dx) >= r_min
    if not far.any():
        return 0.0
    bins = ((np.arctan2(dy[far], dx[far]) + np.pi) * (BINS / (2 * np.pi))).astype(np.int64) % BINS
    return float(np.unique(bins).size) / BINS


def bridged_coverage(ys: NDArray[np.float64], xs: NDArray[np.float64], point: tuple[float, float], r_min: float,
                     half: float, tol: float, tight: float, max_gap: int) -> float:
    """:func:`coverage` of ink round a box, counting the gaps the box's own outline closes.

    A loop drawn tight round a box runs along the printed outline for a stretch, and there it is
    taken away with the print: what is left are arcs that end on the outline. Among the ink within
    ``tight`` of the outline (a square of half-side ``half`` round ``point``), a gap of at most
    ``max_gap`` direction bins between two arcs of at least 45° whose ends lie within ``tol`` of the
    outline is counted as covered. A wider loop with its top and bottom missing is a faint one: its
    gaps stay open.

    Examples
    --------
    >>> t = np.linspace(0, 2 * np.pi, 400)
    >>> y, x = 12 * np.sin(t), 12 * np.cos(t)
    >>> arcs = np.abs(x) >= 8.5  # the top and bottom of the loop lie on the outline, gone with the print
    >>> round(coverage(y[arcs], x[arcs], (0.0, 0.0), 3.0), 2)
    0.5
    >>> bridged_coverage(y[arcs], x[arcs], (0.0, 0.0), 3.0, half=10.0, tol=2.5, tight=3.0, max_gap=8)
    1.0
    >>> bridged_coverage(y[arcs] * 1.5, x[arcs] * 1.5, (0.0, 0.0), 3.0, half=10.0, tol=2.5, tight=3.0, max_gap=8)
    0.5
    """
    dy, dx = ys - point[0], xs - point[1]
    far = np.hypot(dy, dx) >= r_min
    if not far.any():
        return 0.0
    bins = ((np.arctan2(dy[far], dx[far]) + np.pi) * (BINS / (2 * np.pi))).astype(np.int64) % BINS
    plain = float(np.unique(bins).size) / BINS
    off = np.abs(np.maximum(np.abs(dy[far]), np.abs(dx[far])) - half)
    band = off <= tight  # the tight loop's own ink (not a wider loop, nor the next row's)
    covered = np.zeros(BINS, dtype=bool)
    covered[bins[band]] = True
    edge = np.zeros(BINS, dtype=bool)
    edge[bins[off <= tol]] = True
    if not covered.any():
        return plain
    if covered.all():
        return 1.0
    # runs of covered and open direction bins, going round from the start of a covered run
    start = next(b for b in range(BINS) if covered[b] and not covered[b - 1])
    runs: list[tuple[bool, int, int]] = []  # (covered, first bin, length)
    k = 0
    while k < BINS:
        b, n = (start + k) % BINS, 1
        while k + n < BINS and covered[(start + k + n) % BINS] == covered[b]:
            n += 1
        runs.append((bool(covered[b]), b, n))
        k += n
    total = covered.copy()
    hidden = _hidden_bins(dy[far][band], dx[far][band], half, 2 * tol)
    for j, (is_ink, b, n) in enumerate(runs):
        if is_ink or n > max_gap:
            continue
        prev, nxt = runs[j - 1], runs[(j + 1) % len(runs)]
        gap = [(b + i) % BINS for i in range(n)]
        if (min(prev[2], nxt[2]) >= _MIN_ARC and edge[(b - 1) % BINS] and edge[(b + n) % BINS]
                and hidden[gap].all()):
            total[gap] = True
    return max(plain, float(total.mean()))


def _hidden_bins(dy: NDArray[np.float64], dx: NDArray[np.float64], half: float, tol: float) -> NDArray[np.bool_]:
    """Direction bins where the ellipse through the arcs ``(dy, dx)`` (offsets from the box centre)
    runs within ``tol`` of the box outline: where the loop would lie on the print and vanish with it."""
    out = np.zeros(BINS, dtype=bool)
    if dy.size < 5:
        return out
    pts = np.column_stack([dx, dy]).astype(np.float32)
    try:
        (ex, ey), (w, h), angle = cv2.fitEllipse(pts)
    except cv2.error:
        return out
    t = np.linspace(0.0, 2 * np.pi, 4 * BINS, endpoint=False)
    a, b, r = w / 2, h / 2, np.deg2rad(angle)
    x = ex + a * np.cos(t) * np.cos(r) - b * np.sin(t) * np.sin(r)
    y = ey + a * np.cos(t) * np.sin(r) + b * np.sin(t) * np.cos(r)
    bins = ((np.arctan2(y, x) + np.pi) * (BINS / (2 * np.pi))).astype(np.int64) % BINS
    near = np.abs(np.maximum(np.abs(x), np.abs(y)) - half) <= tol
    out[bins[near]] = True
    out[bins[~near]] = False
    return out


def _both_sides(ys: NDArray[np.float64], xs: NDArray[np.float64], cy: float, cx: float, half: float) -> bool:
    """Whether ink stands left and right of a box like brackets: level with it and spanning most
    of its height on both sides (the tips of a cross in the row below reach only its corners)."""
    level = np.abs(ys - cy) <= 1.3 * half

    def bracket(side: NDArray[np.bool_]) -> bool:
        rows = ys[level & side]
        return bool(rows.size > 0 and float(np.ptp(rows)) >= 1.2 * half)

    return bracket(xs < cx - 0.9 * half) and bracket(xs > cx + 0.9 * half)


def _label_points(box: Box, origin: NDArray[np.int64]) -> list[tuple[float, float, float]]:
    """Points along an option's label (row, column, clearance), every 4 mm, 2 mm in from its ends."""
    if box.label is None:
        return []
    dy, dx = origin[0] - box.rect.y * PX_PER_MM, origin[1] - box.rect.x * PX_PER_MM
    lab = box.label
    cy = (lab.y + lab.h / 2) * PX_PER_MM + dy
    inset = min(2.0, lab.w / 2)
    xs = np.linspace(lab.x + inset, lab.right - inset, max(1, round((lab.w - 2 * inset) / 4.0)) + 1)
    return [(cy, float(x * PX_PER_MM + dx), 0.4 * lab.h * PX_PER_MM) for x in xs]


def find_loops(
    strokes: InkStrokes,
    boxes: Sequence[Box],
    origins: NDArray[np.int64],
    inside: NDArray[np.int64],
    *,
    area: int,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> dict[int, dict[int, float]]:
    """The options each loop (or piece of a loop) goes round.

    Parameters
    ----------
    strokes : InkStrokes
        Respondent strokes (:func:`omr.reader.respondent_ink.respondent_ink`).
    boxes : sequence of Box
        The checkboxes of the page.
    origins : (N, 2) ndarray of int64
        Aligned pixel of each box's top-left outer corner.
    inside : (N, K) ndarray of int64
        Pixels of every stroke inside every box's interior.
    area : int
        Pixels of a box interior.
    config : ReaderConfig, optional
        ``loop_min_mm``, ``loop_coverage`` and ``loop_max_inside``.

    Returns
    -------
    dict of int to dict of int to float
        Stroke → {box index: share of the directions covered}. The key :data:`BROKEN` holds the
        boxes with ink round them on both sides but not enough of it (``loop_doubt`` up to
        ``loop_coverage``): a faint or broken loop that cannot be read, only flagged.
    """
    st = strokes.stats
    out: dict[int, dict[int, float]] = {}
    kept = np.flatnonzero(strokes.kept)
    if kept.size == 0:
        return out
    pixels: dict[int, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}

    def pix(c: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if c not in pixels:
            x, y, w, h = (int(v) for v in st[c, :4])
            ys, xs = np.nonzero(strokes.labels[y : y + h, x : x + w] == c)
            pixels[c] = (ys.astype(np.float64) + y, xs.astype(np.float64) + x)
        return pixels[c]

    def note(c: int, i: int, cov: float) -> None:
        found = out.setdefault(int(c), {})
        found[i] = max(found.get(i, 0.0), cov)

    limit = config.loop_max_inside * area
    pieces: dict[int, list[tuple[int, float, float]]] = {}
    half = BOX * PX_PER_MM / 2
    reach = _BOX_REACH_MM * PX_PER_MM
    centres = origins.astype(np.float64) + half - np.array(strokes.origin, np.float64)
    x0, y0 = st[kept, 0], st[kept, 1]
    x1, y1 = x0 + st[kept, 2], y0 + st[kept, 3]
    inner = int(round(np.sqrt(area)))
    cy_all, cx_all = centres[:, 0:1], centres[:, 1:2]
    close = (x0 < cx_all + reach) & (x1 > cx_all - reach) & (y0 < cy_all + reach) & (y1 > cy_all - reach)
    big, small = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    # Ink round a box reaches past it on all four sides: a cheap test before the directions are counted.
    edge = 0.8 * half  # a loop's arcs along the box's own outline are taken away with the print
    surrounded = ((np.where(close, x0, big).min(axis=1) < centres[:, 1] - edge)
                  & (np.where(close, x1, small).max(axis=1) > centres[:, 1] + edge)
                  & (np.where(close, y0, big).min(axis=1) < centres[:, 0] - edge)
                  & (np.where(close, y1, small).max(axis=1) > centres[:, 0] + edge))
    for i in np.flatnonzero(surrounded).tolist():
        cy, cx = centres[i]
        near = kept[close[i]]
        near = near[inside[i, near] <= limit]  # a mark in the box itself is no part of a loop round it
        if near.size == 0:
            continue
        ys = np.concatenate([pix(int(c))[0] for c in near])
        xs = np.concatenate([pix(int(c))[1] for c in near])
        keep = np.hypot(ys - cy, xs - cx) <= reach
        # Ink inside the other boxes around is theirs (a cross in the row below touching the loop).
        for j in np.flatnonzero(np.abs(centres - (cy, cx)).max(axis=1) < reach + half):
            if j != i:
                keep &= (np.abs(ys - centres[j, 0]) > inner / 2) | (np.abs(xs - centres[j, 1]) > inner / 2)
        cov = coverage(ys[keep], xs[keep], (cy, cx), 0.3 * BOX * PX_PER_MM)
        if cov < config.loop_coverage:  # a tight loop's arcs along the outline went with the print
            cov = bridged_coverage(ys[keep], xs[keep], (cy, cx), 0.3 * BOX * PX_PER_MM, half,
                                   config.loop_outline_mm * PX_PER_MM, config.loop_tight_mm * PX_PER_MM, _MAX_GAP)
        if config.loop_doubt <= cov < config.loop_coverage and _both_sides(ys[keep], xs[keep], cy, cx, half):
            out.setdefault(BROKEN, {})[i] = cov
        if cov >= config.loop_coverage:
            for c in near.tolist():
                cys, cxs = pix(c)
                if not (np.hypot(cys - cy, cxs - cx) <= reach).any():
                    continue
                if coverage(cys, cxs, (cy, cx), 0.3 * BOX * PX_PER_MM) >= config.loop_coverage:
                    note(c, i, cov)  # the piece goes round this box by itself
                else:  # a piece of a broken loop: it belongs to the nearest box(es) it helps go round
                    pieces.setdefault(c, []).append((i, float(np.hypot(cys.mean() - cy, cxs.mean() - cx)), cov))
    for c, found in pieces.items():
        if c in out:
            continue
        nearest = min(d for _, d, _ in found)
        for i, d, cov in found:  # a side shared by two loops drawn touching goes to both (then flagged)
            if d <= 1.5 * nearest + 1.0:
                note(c, i, cov)
    lo = config.loop_min_mm * PX_PER_MM
    big = kept[(st[kept, 2] >= lo) & (st[kept, 3] >= lo)]
    for i, b in enumerate(boxes):
        for ly, lx, r_min in _label_points(b, origins[i]):
            ty, tx = ly - strokes.origin[0], lx - strokes.origin[1]
            around = big[(st[big, 0] < tx) & (st[big, 0] + st[big, 2] > tx) & (st[big, 1] < ty)
                         & (st[big, 1] + st[big, 3] > ty)]
            for c in around:
                cov = coverage(*pix(int(c)), (ty, tx), r_min)
                if cov >= config.loop_coverage:
                    note(int(c), i, cov)
    return out
