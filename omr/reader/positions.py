"""Where each box really is on the aligned page: local outline search and a smooth shift field.

The page homography places boxes to about 0.1 mm on flat scans, but a curled phone photo, a
slightly stretched print or a sheet that slipped in the feeder leaves local offsets of up to about
1 mm. As SDAPS does, every checkbox outline is searched around its expected place (normalised
correlation with the printed outline). Because a mark can pull a single box's match, each box takes
the median shift of its confident neighbours, and keeps its own shift only when it agrees with them
(the "k nearest shifts" idea of OMRChecker v2). Comb cells and writing areas, whose outlines touch,
take the shift of the checkboxes around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omr.reader.config import ALIGNED_DPI, DEFAULT_CONFIG, ReaderConfig
from omr.template.layout import BOX, Box

PX_PER_MM = ALIGNED_DPI / 25.4
_NEIGHBOURS = 6
_NEIGHBOUR_RADIUS_MM = 60.0
_AGREE_PX = 2.0
_OUTSIDE_PX = 3  # paper reference this far outside each edge


@dataclass(frozen=True)
class BoxPositions:
    """Pixel offsets (row, column) of every box from its expected place, and the outline scores."""

    shifts: NDArray[np.int64]
    """(N, 2) integer offsets in aligned pixels."""
    scores: NDArray[np.float64]
    """(N,) outline contrast of checkboxes, share of the window's contrast (NaN for comb cells and
    writing areas)."""


def expected_origin(box: Box) -> tuple[int, int]:
    """(row, column) of the aligned pixel holding a box's top-left outer corner."""
    return round(box.rect.y * PX_PER_MM), round(box.rect.x * PX_PER_MM)


def box_windows(
    image: NDArray[np.float32], origins: NDArray[np.int64], size: int, pad: int
) -> NDArray[np.float32]:
    """Stack of (size × size) crops whose top-left is ``origins - pad`` (edges replicated)."""
    rows = np.clip(origins[:, 0, None] - pad + np.arange(size), 0, image.shape[0] - 1)
    cols = np.clip(origins[:, 1, None] - pad + np.arange(size), 0, image.shape[1] - 1)
    return np.asarray(image[rows[:, :, None], cols[:, None, :]], np.float32)


def locate_boxes(
    image: NDArray[np.float32],
    boxes: Sequence[Box],
    *,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> BoxPositions:
    """Search every checkbox outline near its expected place and derive a smooth shift field.

    The outline is found from the darkness profiles of each box's window (columns for the left and
    right sides, rows for the top and bottom): the shift whose two edges are darkest relative to the
    paper just outside them wins. Marks inside a box barely move that balance; a box filled over
    (no edge contrast left) gets a low score and takes its neighbours' shift.

    Parameters
    ----------
    image : (M, N) ndarray of float32
        The aligned page (:data:`ALIGNED_DPI`, template frame), smoothed
        (:func:`omr.reader.boxes.smooth_page`); paper light, ink dark.
    boxes : sequence of Box
        The boxes of the page layout, all kinds.
    config : ReaderConfig, optional
        ``box_search_mm`` and ``outline_match_min`` are used.

    Returns
    -------
    BoxPositions
    """
    n = len(boxes)
    own = np.zeros((n, 2), np.float64)
    scores = np.full(n, np.nan)
    check = np.array([i for i, b in enumerate(boxes) if b.kind == "box"], np.int64)
    if check.size:
        r = max(1, round(config.box_search_mm * PX_PER_MM))
        side = round(BOX * PX_PER_MM)
        m = r + _OUTSIDE_PX
        origins = np.array([expected_origin(boxes[i]) for i in check], np.int64)
        dark = 255.0 - box_windows(image, origins, side + 2 * m, m)
        span = np.percentile(dark.reshape(len(check), -1), 98, axis=1) - np.percentile(
            dark.reshape(len(check), -1), 2, axis=1)
        body = slice(m, m + side)
        cols = dark[:, body, :].mean(axis=1)
        rows = dark[:, :, body].mean(axis=2)
        shift_c, score_c = _edge_search(cols, m, side, r)
        shift_r, score_r = _edge_search(rows, m, side, r)
        own[check] = np.stack([shift_r, shift_c], axis=1)
        scores[check] = np.minimum(score_r, score_c) / np.maximum(span, 1.0)
    return BoxPositions(_smooth(boxes, own, scores, config.outline_match_min), scores)


def _edge_search(
    profile: NDArray[np.float64], m: int, side: int, r: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Best shift of a pair of edges ``side`` apart in darkness profiles (N, L), and its contrast."""
    shifts = np.arange(-r, r + 1)
    base = m + shifts
    edge = (profile[:, base] + profile[:, base + 1] + profile[:, base + side - 2] + profile[:, base + side - 1]) / 4
    paper = (profile[:, base - _OUTSIDE_PX] + profile[:, base + side - 1 + _OUTSIDE_PX]) / 2
    contrast = edge - paper
    best = np.argmax(contrast, axis=1)
    return shifts[best].astype(np.int64), contrast[np.arange(len(best)), best]


def _smooth(
    boxes: Sequence[Box], own: NDArray[np.float64], scores: NDArray[np.float64], min_score: float
) -> NDArray[np.int64]:
    """Each box's shift: the median of its confident neighbours', or its own when they agree."""
    n = len(boxes)
    if n == 0:
        return np.zeros((0, 2), np.int64)
    centres = np.array([b.rect.centre for b in boxes], np.float64)
    confident = np.flatnonzero(np.nan_to_num(scores, nan=0.0) >= min_score)
    out = np.zeros((n, 2), np.float64)
    if confident.size == 0:
        return out.astype(np.int64)
    d = np.hypot(*(centres[:, None, :] - centres[None, confident, :]).transpose(2, 0, 1))
    order = np.argsort(d, axis=1)[:, :_NEIGHBOURS]
    near = np.take_along_axis(d, order, axis=1) <= _NEIGHBOUR_RADIUS_MM
    values = own[confident[order]]  # (n, k, 2)
    values[~near] = np.nan
    has = near.any(axis=1)
    median = np.zeros((n, 2))
    median[has] = np.nanmedian(values[has], axis=1)
    trusted = np.zeros(n, bool)
    trusted[confident] = True
    agree = np.abs(own - median).max(axis=1) <= _AGREE_PX
    out = np.where((trusted & agree)[:, None], own, median)
    return np.rint(out).astype(np.int64)
