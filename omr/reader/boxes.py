"""Stage 4a: measure the ink in every checkbox of an aligned page.

Levels are calibrated per page and per box: the page's print black (markers, QR) and pixel noise
are measured once, the paper level just outside each box is measured per box (so a shaded grid
row, a grey photocopy and a white office scan give the same numbers). Inside each box, away from
the printed outline, five measures are taken, all vectorised over the boxes of the page:

``coverage``      share of the interior covered by the box's own solid ink (darker than half its
                  strokes' core darkness);
``line_free``     share of the interior that is (possibly faint) ink, after removing straight
                  full-length lines along the sides (an outline residue when the box is shifted);
``centre``        coverage of the central half (a fill covers it, a cross only crosses it);
``white``         radius of the largest blank disc, as a share of the half side (a cross leaves four
                  white triangles, a fill leaves nothing, an empty box is all white);
``extent``        size of the largest ink stroke as a share of the side (a dot is small);
``strength``      mean normalised darkness of the ink (light pencil is faint);
``spread``        size of the largest cluster of line-free ink once gaps of up to two pixels are
                  bridged (a light pencil cross that a fax broke into dots spreads over the box);
``surround``      share of the paper ring around the box that passes the same ink threshold (a
                  dithered fax shading has as many dots around a box as inside it).

:mod:`omr.reader.marks` turns them into a state and a confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.light import flatten_windows
from omr.reader.positions import PX_PER_MM, box_windows, expected_origin
from omr.template.layout import BOX, Box

_RING_GAP, _RING_OUT = 2, 5  # paper ring: this many pixels outside the outline
_BG_STEP = 8  # the page background map has one value per 8 × 8 aligned pixels (1.35 mm)


@dataclass(frozen=True)
class PageCalibration:
    """Grey levels of one aligned page."""

    paper: float
    black: float
    noise: float
    """Pixel noise sigma (grey levels) of the smoothed page."""
    background: NDArray[np.float32] = field(repr=False, default_factory=lambda: np.zeros((1, 1), np.float32))
    """Smooth paper level of the page (lighting), sampled every ``_BG_STEP`` aligned pixels."""
    light: NDArray[np.float32] | None = field(repr=False, default=None)
    """Local paper level (:func:`omr.reader.light.light_map`): measured windows are divided by it."""

    @property
    def contrast(self) -> float:
        return max(self.paper - self.black, 20.0)


def smooth_page(image: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The aligned page as float32, lightly smoothed (3×3 Gaussian) against pixel noise."""
    return np.asarray(cv2.GaussianBlur(image, (3, 3), 0).astype(np.float32), np.float32)


def calibrate_page(smoothed: NDArray[np.float32]) -> PageCalibration:
    """Paper level, print black and noise of a smoothed aligned page.

    Parameters
    ----------
    smoothed : (M, N) ndarray of float32
        From :func:`smooth_page`.

    Returns
    -------
    PageCalibration
        ``paper`` is the 90th percentile, ``black`` the 0.3th (every page carries solid black
        markers and a QR code), ``noise`` a robust sigma of the difference to a 3×3 median, and
        ``background`` a smooth map of the paper level (uneven lighting on photos).
    """
    sample = smoothed[::5, ::5]
    paper = float(np.percentile(sample, 90))
    black = float(np.percentile(sample, 0.3))
    band = smoothed[smoothed.shape[0] // 3 : smoothed.shape[0] // 3 + 300, :]
    resid = np.abs(band - cv2.medianBlur(band, 3))
    noise = 1.4826 * float(np.median(resid)) * 1.5
    # Lighting: a closing wider than a box, a grid row or a line of text keeps only the paper.
    coarse = np.ascontiguousarray(smoothed[::_BG_STEP, ::_BG_STEP])
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    background = cv2.GaussianBlur(cv2.morphologyEx(coarse, cv2.MORPH_CLOSE, kernel), (9, 9), 0)
    return PageCalibration(paper, black, noise, np.asarray(background, np.float32))


def is_bilevel(image: NDArray[np.uint8], *, share: float = 0.995) -> bool:
    """Whether a page image is black and white only (a fax, a 1-bit scan).

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned (not the aligned page: resampling makes grey edges).
    share : float, optional
        Share of the (sampled) pixels that must be 0 or 255.

    Returns
    -------
    bool
    """
    sample = image[::7, ::7]
    extreme = np.count_nonzero((sample == 0) | (sample == 255))
    return bool(sample.size > 0 and extreme >= share * sample.size)


@dataclass(frozen=True)
class BoxMeasures:
    """The measures of N checkboxes (arrays of shape (N,))."""

    coverage: NDArray[np.float64]
    line_free: NDArray[np.float64]
    centre: NDArray[np.float64]
    white: NDArray[np.float64]
    extent: NDArray[np.float64]
    strength: NDArray[np.float64]
    spread: NDArray[np.float64]
    surround: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.coverage)


def _geometry(config: ReaderConfig) -> tuple[int, int, int, NDArray[np.bool_]]:
    """Outer size, interior inset and size, and the paper ring mask of the measuring window."""
    outer = int(np.ceil(BOX * PX_PER_MM))
    inset = max(1, round(config.box_inset_mm * PX_PER_MM))
    inner = int(np.floor(BOX * PX_PER_MM)) - 2 * inset
    size = outer + 2 * _RING_OUT
    idx = np.arange(size) - _RING_OUT
    dist = np.maximum(np.maximum(-idx, idx - (outer - 1)), 0)
    d2 = np.maximum(dist[:, None], dist[None, :])
    ring = (d2 >= _RING_GAP) & (d2 <= _RING_OUT)
    return outer, inset, inner, ring


def measure_boxes(
    smoothed: NDArray[np.float32],
    boxes: Sequence[Box],
    shifts: NDArray[np.int64],
    calibration: PageCalibration,
    *,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> BoxMeasures:
    """Measure the ink in checkboxes of an aligned page.

    Parameters
    ----------
    smoothed : (M, N) ndarray of float32
        The aligned page from :func:`smooth_page`.
    boxes : sequence of Box
        Checkboxes (kind ``box``), all of the template's box size.
    shifts : (len(boxes), 2) ndarray of int64
        Row and column offsets from :func:`omr.reader.positions.locate_boxes`.
    calibration : PageCalibration
        From :func:`calibrate_page`.
    config : ReaderConfig, optional
        ``box_inset_mm``, ``ink_weak``, ``ink_noise_sigmas``, ``line_band``, ``line_fill``.

    Returns
    -------
    BoxMeasures
    """
    n = len(boxes)
    if n == 0:
        z = np.zeros(0)
        return BoxMeasures(z, z, z, z, z, z, z, z)
    outer, inset, inner, ring = _geometry(config)
    origins = np.array([expected_origin(b) for b in boxes], np.int64) + shifts
    size = outer + 2 * _RING_OUT
    win = box_windows(smoothed, origins, size, _RING_OUT)
    if calibration.light is not None:  # light normalised: shadows, vignetting, colour paper cancel
        win = flatten_windows(win, calibration.light, origins - _RING_OUT, calibration.paper)
    contrast = calibration.contrast
    a = _RING_OUT + inset
    # Paper around and inside each box (a shaded row, a shadow on a photo), kept within reach of the
    # page's smooth background so that a box filled over, ink spilling out, does not become paper.
    own = np.percentile(win[:, a : a + inner, a : a + inner].reshape(n, -1), 60, axis=1)
    paper = np.maximum(np.median(win[:, ring], axis=1), own)
    centres = origins + outer // 2
    bg = np.full(n, calibration.paper) if calibration.light is not None else calibration.background[
        np.clip(centres[:, 0] // _BG_STEP, 0, calibration.background.shape[0] - 1),
        np.clip(centres[:, 1] // _BG_STEP, 0, calibration.background.shape[1] - 1),
    ]
    paper = np.clip(paper, bg - config.paper_shade * contrast, bg + 0.05 * contrast)
    span = np.maximum(paper - calibration.black, 0.25 * contrast)
    dark_win = np.clip((paper[:, None, None] - win) / span[:, None, None], 0.0, 1.0).astype(np.float32)
    dark = dark_win[:, a : a + inner, a : a + inner]
    # Ink threshold per box: an absolute floor, the page noise, and the texture of the paper ring
    # (a dithered fax shading or a speckled photocopy is not ink). The texture is measured on the
    # lighter half of the ring, so ink spilling out of a box does not count as texture.
    d10, d50 = np.percentile(dark_win[:, ring], [10, 50], axis=1)
    texture = np.minimum(config.ink_texture_sigmas * (d50 - d10) / 1.2816, config.ink_texture_max)
    weak = np.maximum(max(config.ink_weak, config.ink_noise_sigmas * calibration.noise / contrast), texture)
    surround = (dark_win[:, ring] > weak[:, None]).mean(axis=1)
    weak = weak[:, None, None]
    ink = dark > weak
    lines = _straight_lines(ink, dark_win, a, origins, config)
    ink_lf = ink & ~lines
    # The shape measures use the box's own ink level: half the darkness of its strokes' cores, so a
    # ballpoint's blurred halo does not swell a cross, and a light pencil fill still covers the box.
    core = np.percentile(dark.reshape(n, -1), 98, axis=1)
    solid = (dark > np.maximum(weak, config.ink_core_share * core[:, None, None])) & ~lines
    q = inner // 4
    strength = (dark * ink_lf).sum(axis=(1, 2)) / np.maximum(ink_lf.sum(axis=(1, 2)), 1)
    white, extent, spread = _shape_measures(solid, ink_lf)
    return BoxMeasures(
        coverage=solid.mean(axis=(1, 2)).astype(np.float64),
        line_free=ink_lf.mean(axis=(1, 2)).astype(np.float64),
        centre=solid[:, q : inner - q, q : inner - q].mean(axis=(1, 2)).astype(np.float64),
        white=white,
        extent=extent,
        strength=strength.astype(np.float64),
        spread=spread,
        surround=surround.astype(np.float64),
    )


def _straight_lines(
    ink: NDArray[np.bool_], dark_win: NDArray[np.float32], a: int, origins: NDArray[np.int64], config: ReaderConfig
) -> NDArray[np.bool_]:
    """Pixels of straight lines that are not marks: interior rows and columns that are almost all
    ink and either lie near a side (outline residue of a shifted box) or run on outside the box on
    both ends *and* through other boxes on the same page line (a scanner streak, a fax line),
    however faint. A long pen stroke through one box is kept."""
    m = ink.shape[1]
    band = max(1, round(config.line_band * m))
    near_side = np.zeros(m, bool)
    near_side[:band] = True
    near_side[m - band :] = True
    span = slice(a, a + m)
    inside = dark_win[:, span, span]
    row_fill, col_fill = ink.mean(axis=2), ink.mean(axis=1)
    row_full, col_full = row_fill > config.line_fill, col_fill > config.line_fill

    def runs_on(strip: NDArray[np.float32], axis: int, level: NDArray[np.float32]) -> NDArray[np.bool_]:
        # Darkness of each line beyond the outline, above that strip's own median (shading cancels).
        extra = strip.mean(axis=axis) - np.median(strip, axis=(1, 2))[:, None]
        return np.asarray(extra >= 0.5 * level, bool)

    out_n = _RING_OUT - 1
    col_level, row_level = inside.mean(axis=1), inside.mean(axis=2)
    through_cols = runs_on(dark_win[:, :out_n, span], 1, col_level) & runs_on(dark_win[:, -out_n:, span], 1, col_level)
    through_rows = runs_on(dark_win[:, span, :out_n], 2, row_level) & runs_on(dark_win[:, span, -out_n:], 2, row_level)
    through_cols = _shared(through_cols & col_full, origins[:, 1] + a, config.streak_min_boxes)
    through_rows = _shared(through_rows & row_full, origins[:, 0] + a, config.streak_min_boxes)
    # A box filled over is not a bundle of lines: lines are removed only from mostly open boxes.
    open_rows = (row_full.mean(axis=1) < 0.3)[:, None]
    open_cols = (col_full.mean(axis=1) < 0.3)[:, None]
    side_rows = near_side & (row_fill > config.side_line_fill)
    side_cols = near_side & (col_fill > config.side_line_fill)
    kill_rows = open_rows & (side_rows | (row_full & _grow(through_rows)))
    kill_cols = open_cols & (side_cols | (col_full & _grow(through_cols)))
    out: NDArray[np.bool_] = kill_rows[:, :, None] | kill_cols[:, None, :]
    return out


def _shared(flags: NDArray[np.bool_], starts: NDArray[np.int64], min_boxes: int) -> NDArray[np.bool_]:
    """Keep the line flags (N, m) whose page position (``starts`` + index, ±1 px) is flagged in at
    least ``min_boxes`` boxes."""
    n, m = flags.shape
    pos = starts[:, None] + np.arange(m)[None, :]
    lo = int(pos.min())
    counts = np.bincount((pos[flags] - lo), minlength=int(pos.max()) - lo + 3)
    padded = np.pad(counts, 1)
    near = np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:])
    kept: NDArray[np.bool_] = flags & (near[pos - lo] >= min_boxes)
    return kept


def _grow(flags: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Flags spread to the neighbouring line on each side (the faint edges of a streak)."""
    out = flags.copy()
    out[:, 1:] |= flags[:, :-1]
    out[:, :-1] |= flags[:, 1:]
    return out


def _shape_measures(
    ink: NDArray[np.bool_], ink_lf: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Largest blank disc (share of the half side, on all ink), largest stroke and largest cluster
    with gaps bridged (shares of the side, on line-free ink) per box."""
    n, m, _ = ink.shape
    white = np.ones(n)
    extent = np.zeros(n)
    spread = np.zeros(n)
    for i in np.flatnonzero(ink_lf.any(axis=(1, 2))):
        stroke = ink_lf[i].astype(np.uint8)
        extent[i] = _largest_span(stroke) / m
        spread[i] = _bridged_span(stroke) / m
    for i in np.flatnonzero(ink.any(axis=(1, 2))):
        free = np.pad(1 - ink[i].astype(np.uint8), 1)  # the interior's edge bounds blank areas too
        white[i] = float(cv2.distanceTransform(free, cv2.DIST_L2, 3).max()) / (m / 2 + 1)
    return white, extent, spread


_BRIDGE = np.ones((3, 3), np.uint8)
"""Dilation that joins ink pixels up to two pixels (0.34 mm) apart."""


def _bridged_span(mask: NDArray[np.uint8]) -> float:
    """Width or height (pixels) of the largest group of ink pixels that lie at most two pixels apart
    (measured on the pixels themselves, not on the dilation that groups them)."""
    count, labels = cv2.connectedComponents(cv2.dilate(mask, _BRIDGE), connectivity=8)
    if count <= 1:
        return 0.0
    rows, cols = np.nonzero(mask)
    group = labels[rows, cols]
    best = 0.0
    for k in np.unique(group):
        sel = group == k
        best = max(best, float(np.ptp(rows[sel])) + 1, float(np.ptp(cols[sel])) + 1)
    return best


def _largest_span(mask: NDArray[np.uint8]) -> float:
    """Width or height (pixels), whichever is larger, of the largest 8-connected component."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return float(stats[1:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]].max()) if count > 1 else 0.0
