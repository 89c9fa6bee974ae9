"""Stage 3b: normalise the light of an aligned page before anything is measured.

A phone photo is lit unevenly (a shadow of the hand or the phone, vignetting towards the corners),
and coloured or greyed paper moves the paper level. Ink and paper are both scaled by the light that
falls on them, so every pixel that is measured is divided by a local estimate of the paper level:
a grey *closing* (a maximum, then a minimum filter) wider than a checkbox, a filled box, a grid row
or a line of text keeps only the paper, and dividing by it makes shadows, vignetting and coloured
paper cancel. An empty box in a shadow then measures as paper, never darker than a marked box in
the light.

The estimate is made once per page on a copy sampled every :data:`LIGHT_STEP` pixels (cheap, and
smooth by construction) and is held within ``light_floor`` of the page's coarse background
(:attr:`PageCalibration.background`), so a large blot of ink (felt pen spilling over several
boxes) is not taken for a shadow and lightened away. Only the windows that are measured are
divided (:func:`flatten_windows`, :func:`flatten_area`), never the whole page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import ALIGNED_DPI, DEFAULT_CONFIG, ReaderConfig

if TYPE_CHECKING:
    from omr.reader.boxes import PageCalibration

LIGHT_STEP = 4
"""The light map holds one paper level per 4 × 4 aligned pixels (0.68 mm)."""


def light_map(
    smoothed: NDArray[np.float32], calibration: PageCalibration, *, config: ReaderConfig = DEFAULT_CONFIG
) -> NDArray[np.float32]:
    """The local paper level of a smoothed aligned page, one value per :data:`LIGHT_STEP` pixels.

    Parameters
    ----------
    smoothed : (M, N) ndarray of float32
        The aligned page (:func:`omr.reader.boxes.smooth_page`).
    calibration : PageCalibration
        Its calibration (:func:`omr.reader.boxes.calibrate_page`): the paper level, print black and
        coarse background.
    config : ReaderConfig, optional
        ``light_window_mm`` and ``light_floor`` are used.

    Returns
    -------
    (ceil(M / 4), ceil(N / 4)) ndarray of float32
        Never below the print black plus half the contrast.
    """
    small = np.ascontiguousarray(smoothed[::LIGHT_STEP, ::LIGHT_STEP])
    k = max(3, round(config.light_window_mm * ALIGNED_DPI / 25.4 / LIGHT_STEP) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    paper = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (0, 0), k / 4)
    bg = cv2.resize(calibration.background, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
    floor = np.maximum(bg - config.light_floor * calibration.contrast, calibration.black + 0.5 * calibration.contrast)
    return np.asarray(np.maximum(paper, floor), np.float32)


def normalise_light(
    smoothed: NDArray[np.float32], calibration: PageCalibration, *, config: ReaderConfig = DEFAULT_CONFIG
) -> PageCalibration:
    """The page's calibration with its light map (:func:`light_map`) attached."""
    return replace(calibration, light=light_map(smoothed, calibration, config=config))


def sample_light(light: NDArray[np.float32], rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
    """The light map, bilinearly interpolated at aligned pixels (arrays of the same shape)."""
    y = np.clip(rows / LIGHT_STEP, 0, light.shape[0] - 1)
    x = np.clip(cols / LIGHT_STEP, 0, light.shape[1] - 1)
    y0 = np.clip(y.astype(np.int64), 0, max(light.shape[0] - 2, 0))
    x0 = np.clip(x.astype(np.int64), 0, max(light.shape[1] - 2, 0))
    y1, x1 = np.minimum(y0 + 1, light.shape[0] - 1), np.minimum(x0 + 1, light.shape[1] - 1)
    fy, fx = y - y0, x - x0
    top = light[y0, x0] * (1 - fx) + light[y0, x1] * fx
    bottom = light[y1, x0] * (1 - fx) + light[y1, x1] * fx
    return np.asarray(top * (1 - fy) + bottom * fy, np.float64)


def flatten_windows(
    windows: NDArray[np.float32], light: NDArray[np.float32], corners: NDArray[np.int64], paper: float
) -> NDArray[np.float32]:
    """Square windows of the page (N, S, S) divided by the light under them, back at ``paper``.

    Parameters
    ----------
    windows : (N, S, S) ndarray of float32
        Crops of the aligned page.
    light : ndarray of float32
        The page's light map (:func:`light_map`).
    corners : (N, 2) ndarray of int64
        Aligned pixel (row, column) of each window's top-left corner.
    paper : float
        The page's paper level.

    Returns
    -------
    (N, S, S) ndarray of float32

    Examples
    --------
    >>> light = np.full((10, 10), 120.0, np.float32)
    >>> win = np.full((1, 3, 3), 60.0, np.float32)
    >>> float(flatten_windows(win, light, np.array([[8, 8]]), 240.0)[0, 1, 1])
    120.0
    """
    n, size = windows.shape[0], windows.shape[1]
    # The light is smooth over a window: sampled at its four corners, interpolated in between.
    far = size - 1
    r, c = corners[:, 0], corners[:, 1]
    tl, tr = sample_light(light, r, c), sample_light(light, r, c + far)
    bl, br = sample_light(light, r + far, c), sample_light(light, r + far, c + far)
    t = (np.arange(size) / max(far, 1)).astype(np.float32)
    top = tl[:, None] + (tr - tl)[:, None] * t[None, :]
    bottom = bl[:, None] + (br - bl)[:, None] * t[None, :]
    level = top[:, None, :] + (bottom - top)[:, None, :] * t[None, :, None]
    gain = (np.float32(paper) / level.reshape(n, size, size)).astype(np.float32)
    return np.asarray(np.clip(windows * gain, 0.0, 255.0), np.float32)


def light_area(light: NDArray[np.float32], top: int, left: int, h: int, w: int) -> NDArray[np.uint8]:
    """The light map over an area of the aligned page, one grey level (uint8) per pixel (h × w)."""
    r0 = min(max(top // LIGHT_STEP, 0), light.shape[0] - 1)
    c0 = min(max(left // LIGHT_STEP, 0), light.shape[1] - 1)
    r1 = min(light.shape[0], max((top + h) // LIGHT_STEP + 2, r0 + 1))
    c1 = min(light.shape[1], max((left + w) // LIGHT_STEP + 2, c0 + 1))
    part = np.clip(light[r0:r1, c0:c1], 1, 255).astype(np.uint8)
    up = cv2.resize(part, (part.shape[1] * LIGHT_STEP, part.shape[0] * LIGHT_STEP), interpolation=cv2.INTER_LINEAR)
    dy, dx = top - r0 * LIGHT_STEP, left - c0 * LIGHT_STEP
    got = up[max(dy, 0) : max(dy, 0) + h, max(dx, 0) : max(dx, 0) + w]
    if got.shape == (h, w):
        return np.ascontiguousarray(got)
    out = np.full((h, w), int(np.median(part)), np.uint8)
    out[: got.shape[0], : got.shape[1]] = got
    return out
