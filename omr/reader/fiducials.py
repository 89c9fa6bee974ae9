"""Stage 2a: find the four corner markers of a page on its image.

Every page of every template carries the same four ArUco markers (DICT_4X4_50, ids 0 top-left,
1 top-right, 2 bottom-right, 3 bottom-left). They are detected on a copy reduced to about 75 dpi
(a few ms) with their corners refined on a working copy of about 150 dpi (about 0.1 mm of error),
and reported in the marker's own printed order, which is what lets :mod:`omr.reader.align` fit
the page's rotation too. The working copy is kept for the warp and the feature-matching fallback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.template.layout import frame_fiducials


def marker_corners_mm() -> dict[int, NDArray[np.float64]]:
    """Template-frame corners (mm) of each marker in ArUco order: top-left, top-right, bottom-right,
    bottom-left of the printed marker."""
    out: dict[int, NDArray[np.float64]] = {}
    for fid in frame_fiducials():
        r = fid.rect
        out[fid.marker_id] = np.array(
            [[r.x, r.y], [r.right, r.y], [r.right, r.bottom], [r.x, r.bottom]], dtype=np.float64
        )
    return out


_MARKER_MM = marker_corners_mm()


def make_marker_detector() -> cv2.aruco.ArucoDetector:
    """The ArUco detector, tuned for large markers on a reduced page (toolchain.md §3a)."""
    params = cv2.aruco.DetectorParameters()
    params.minMarkerPerimeterRate = 0.04
    params.adaptiveThreshWinSizeMin = 13
    params.adaptiveThreshWinSizeMax = 33
    params.adaptiveThreshWinSizeStep = 10
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    return cv2.aruco.ArucoDetector(dictionary, params)


@dataclass(frozen=True)
class MarkerScan:
    """The reduced working copy of a page and the corner markers found on it.

    ``found`` maps a marker id to its candidates' corners in *input-image* pixels, (4, 2) each.
    """

    small: NDArray[np.uint8]
    factor: int
    """``small`` is the image reduced by this integer factor."""
    found: dict[int, tuple[NDArray[np.float64], ...]]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.found))


def reduce_image(image: NDArray[np.uint8], long_side: int) -> tuple[NDArray[np.uint8], int]:
    """A copy reduced by the smallest integer factor that brings its long side to ``long_side`` or
    less (integer factors take OpenCV's fast area-averaging path), and that factor."""
    k = max(1, math.ceil(max(image.shape) / long_side))
    if k == 1:
        return image, 1
    return np.asarray(cv2.resize(image, None, fx=1.0 / k, fy=1.0 / k, interpolation=cv2.INTER_AREA), np.uint8), k


def _detect(
    image: NDArray[np.uint8],
    k: int,
    detector: cv2.aruco.ArucoDetector,
    refine_on: NDArray[np.uint8] | None,
    k_refine: int,
) -> dict[int, list[NDArray[np.float64]]]:
    """Markers 0-3 on ``image`` (reduced by ``k``), corners in full-resolution pixel coordinates."""
    corners, ids, _ = detector.detectMarkers(image)
    found: dict[int, list[NDArray[np.float64]]] = {}
    if ids is None:
        return found
    ratio = k // k_refine
    for quad, marker_id in zip(corners, ids.ravel(), strict=True):
        if int(marker_id) not in _MARKER_MM:
            continue
        pts: NDArray[np.float32] = np.asarray(quad, np.float32).reshape(4, 2)
        if refine_on is not None and ratio > 1:
            start = (pts * ratio + (ratio - 1) / 2).astype(np.float32).reshape(-1, 1, 2)
            win = (ratio + 2, ratio + 2)
            pts = np.asarray(cv2.cornerSubPix(refine_on, start, win, (-1, -1), _SUBPIX), np.float32).reshape(4, 2)
            scale = k_refine
        else:
            scale = k
        found.setdefault(int(marker_id), []).append(pts.astype(np.float64) * scale + (scale - 1) / 2)
    return found


_SUBPIX = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.02)
_DETECT_LONG_SIDE = 900


def find_markers(
    image: NDArray[np.uint8], *, detector: cv2.aruco.ArucoDetector, config: ReaderConfig = DEFAULT_CONFIG
) -> MarkerScan:
    """Detect the corner markers of a page image.

    Detection runs on a copy reduced to about 75 dpi (a few ms) with corners refined on the
    working copy (about 150 dpi); when it misses a marker it is repeated on the working copy
    (small pages on phone photos).

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned, any rotation and resolution.
    detector : cv2.aruco.ArucoDetector
        From :func:`make_marker_detector`.
    config : ReaderConfig, optional
        ``detect_long_side_px`` sets the working resolution.

    Returns
    -------
    MarkerScan
        The working copy, its reduction factor and the markers of ids 0-3 found, in full-resolution
        pixel coordinates (pixel centres at integers).
    """
    small, k = reduce_image(image, config.detect_long_side_px)
    coarse, k2 = reduce_image(small, _DETECT_LONG_SIDE)
    found = _detect(coarse, k * k2, detector, small, k)
    if len(found) < 4 and k2 > 1:
        finer = _detect(small, k, detector, None, k)
        if len(finer) > len(found):
            found = finer
    return MarkerScan(small, k, {key: tuple(v) for key, v in found.items()})
