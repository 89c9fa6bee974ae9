"""Stage 4d: the respondent's ink around the checkboxes, as connected strokes.

The aligned page, its darkness taken against the local paper level (:mod:`omr.reader.light`),
less the template's printed ink (:mod:`omr.reader.printed`, grown by a pixel or two and moved by
the boxes' median shift), is what the respondent wrote. Printed lines cut every stroke that
crosses them (ink over ink is invisible once the print is taken away), so the pieces are joined
again through the printed pixels next to them before connected strokes are labelled. Only a
window around the checkboxes is looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.boxes import PageCalibration
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.light import light_area
from omr.reader.positions import PX_PER_MM
from omr.template.layout import BOX

_JOIN = np.ones((7, 7), np.uint8)
"""Reach (3 pixels, 0.5 mm) over which printed pixels next to respondent ink join its pieces."""


@dataclass(frozen=True)
class InkStrokes:
    """Connected respondent strokes in a window of the aligned page.

    Attributes
    ----------
    origin : (row, column)
        Top-left aligned pixel of the window.
    labels : (M, N) ndarray of int32
        0 off ink, else the stroke's number.
    stats : (K, 5) ndarray of int32
        (left, top, width, height, area) of each stroke, as ``cv2.connectedComponentsWithStats``
        gives them; row 0 (the background) is zero.
    kept : (K,) ndarray of bool
        Strokes large enough to mean something (``respondent_min_span_mm``).
    """

    origin: tuple[int, int]
    labels: NDArray[np.int32]
    stats: NDArray[np.int32]
    kept: NDArray[np.bool_]


def _crop(image: NDArray[np.uint8], top: int, left: int, h: int, w: int) -> NDArray[np.uint8]:
    """``image[top:top+h, left:left+w]``, zero where the window leaves the image."""
    out = np.zeros((h, w), np.uint8)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + h, image.shape[0]), min(left + w, image.shape[1])
    if r1 > r0 and c1 > c0:
        out[r0 - top : r1 - top, c0 - left : c1 - left] = image[r0:r1, c0:c1]
    return out


def _above(image: NDArray[np.integer[Any] | np.floating[Any]], level: int) -> NDArray[np.uint8]:
    """255 where ``image`` is above ``level``, else 0."""
    return np.asarray(cv2.threshold(image, level, 255, cv2.THRESH_BINARY)[1], np.uint8)


def _clear_outlines(mask: NDArray[np.uint8], corners: NDArray[np.int64], grow: int) -> None:
    """Zero the four sides of each checkbox outline (and ``grow`` pixels either side) in ``mask``."""
    outer = int(np.ceil(BOX * PX_PER_MM))
    line = 2 + 2 * grow
    for r, c in corners.tolist():
        r0, c0 = max(r - grow, 0), max(c - grow, 0)
        r1, c1 = max(r + outer + grow, 0), max(c + outer + grow, 0)
        mask[r0 : r0 + line, c0:c1] = 0
        mask[max(r1 - line, 0) : r1, c0:c1] = 0
        mask[r0:r1, c0 : c0 + line] = 0
        mask[r0:r1, max(c1 - line, 0) : c1] = 0


def _stats(labels: NDArray[np.int32], mask: NDArray[np.uint8], count: int) -> NDArray[np.int32]:
    """(left, top, width, height, area) of every label of ``mask`` (row 0, the background, left at
    zero): what ``cv2.connectedComponentsWithStats`` gives, computed on the ink pixels only (faster)."""
    out = np.zeros((count, 5), np.int32)
    found = cv2.findNonZero(mask)
    if found is None:
        return out
    cols, rows = found[:, 0, 0], found[:, 0, 1]
    lab = labels[rows, cols]
    order = np.argsort(lab, kind="stable")
    lab, rows, cols = lab[order], rows[order], cols[order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    ids = lab[starts]
    left, right = np.minimum.reduceat(cols, starts), np.maximum.reduceat(cols, starts)
    top, bottom = np.minimum.reduceat(rows, starts), np.maximum.reduceat(rows, starts)
    out[ids] = np.stack([left, top, right - left + 1, bottom - top + 1, np.diff(np.r_[starts, lab.size])], axis=1)
    return out


def respondent_ink(
    aligned: NDArray[np.uint8],
    calibration: PageCalibration,
    printed: NDArray[np.uint8],
    window: tuple[int, int, int, int],
    shift: tuple[int, int],
    *,
    outlines: NDArray[np.int64] | None = None,
    bilevel: bool = False,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> InkStrokes:
    """Label the respondent's strokes in a window of the page.

    Parameters
    ----------
    aligned : (M, N) ndarray of uint8
        The aligned page.
    calibration : PageCalibration
        Its paper level and print black, and its light map when there is one
        (:func:`omr.reader.light.normalise_light`): darkness is measured against the local paper.
    printed : (M', N') ndarray of uint8
        The template's printed darkness at the same resolution (:func:`omr.reader.printed.printed_map`).
    window : (top, left, bottom, right)
        Aligned pixels to look at (clipped to the page).
    shift : (row, column)
        Where the print lies on the scan relative to the template (the boxes' median shift).
    outlines : (N, 2) ndarray of int64, optional
        Aligned pixel of the top-left outer corner of every checkbox, where its outline was found
        (:mod:`omr.reader.positions`): the outline is taken away there too, whatever the page's
        median shift (a curled photo, a fax whose dither thickens the outlines in shaded rows).
    bilevel : bool, optional
        The page was scanned in black and white (a fax): ink pixels with fewer than two ink
        neighbours go first, so the dots of a dithered shading are not strokes (a pen line one
        pixel wide has two neighbours and stays).
    config : ReaderConfig, optional
        ``respondent_ink``, ``respondent_min_span_mm`` and ``printed_grow_px``.

    Returns
    -------
    InkStrokes
    """
    top, left = max(window[0], 0), max(window[1], 0)
    bottom, right = min(window[2], aligned.shape[0]), min(window[3], aligned.shape[1])
    h, w = max(bottom - top, 1), max(right - left, 1)
    scan = _crop(aligned, top, left, h, w)
    if calibration.light is not None:
        paper = light_area(calibration.light, top, left, h, w)
    else:
        paper = np.full((h, w), round(min(max(calibration.paper, 1.0), 255.0)), np.uint8)
    # Darkness in 0..255 of the page contrast, against the local paper: (paper - scan) / paper × P / C.
    scale = 255.0 * calibration.paper / calibration.contrast
    dark = cv2.divide(cv2.subtract(paper, scan), paper, scale=scale)
    ink_print = _crop(printed, top - shift[0], left - shift[1], h, w)
    level = round(255 * config.respondent_ink)
    own = _above(cv2.subtract(dark, ink_print), level)
    if bilevel:  # isolated dots (a dithered shading) go; a one-pixel pen line has two neighbours
        neighbours = cv2.boxFilter(own // 255, -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)
        own = np.asarray(cv2.bitwise_and(own, _above(neighbours, 2)), np.uint8)
    if outlines is not None:
        _clear_outlines(own, outlines - np.array([top, left]), config.printed_grow_px)
    printed_dark = cv2.bitwise_and(_above(ink_print, level), _above(dark, level))
    joined = np.asarray(cv2.bitwise_or(own, cv2.bitwise_and(printed_dark, cv2.dilate(own, _JOIN))), np.uint8)
    count, found = cv2.connectedComponents(joined, connectivity=8)
    labels: NDArray[np.int32] = np.asarray(found, np.int32)
    stats = _stats(labels, joined, int(count))
    span = np.maximum(stats[:, 2], stats[:, 3])
    kept = span >= config.respondent_min_span_mm * PX_PER_MM
    kept[0] = False
    return InkStrokes((top, left), labels, stats, np.asarray(kept))
