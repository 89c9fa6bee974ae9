"""Stage 2b: fit the page's homography on its corner markers, check it and warp the page.

The corner markers found by :mod:`omr.reader.fiducials` are matched to the template by id, so the
homography includes the page's rotation, upside-down too. It is fitted to all marker corners with
RANSAC, then checked (reprojection residual, plausible scale); three markers of four suffice. When
too few markers are found, :mod:`omr.reader.features` matches the page against a rendered blank
instead and is checked and warped here too (:func:`finish_alignment`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import ALIGNED_DPI, DEFAULT_CONFIG, ReaderConfig
from omr.reader.fiducials import MarkerScan, marker_corners_mm
from omr.template.layout import PAGE_H, PAGE_W

MM_PER_INCH = 25.4
ALIGNED_SHAPE = (round(PAGE_H * ALIGNED_DPI / MM_PER_INCH), round(PAGE_W * ALIGNED_DPI / MM_PER_INCH))
"""(rows, columns) of the aligned page: 1754 × 1240 for A4 at 150 dpi."""

_ALIGNED_PX_PER_MM = ALIGNED_DPI / MM_PER_INCH
# Below this resolution of the page on the reduced image, the warp samples the full image instead.
MIN_WARP_SOURCE_DPI = 140.0
# A homography whose perspective part moves no page corner by more than this is warped affinely.
_AFFINE_TOLERANCE_PX = 0.5
_MARKER_MM = marker_corners_mm()


FitMethod = Literal["markers", "features", "reviewer", "marks", "page", "image"]
"""Our corner markers; a blank page's features; a reviewer's clicks; a form's own corner marks, the paper's
edges, or the image as the page (forms we did not print, :mod:`omr.reader.frame`)."""


@dataclass(frozen=True)
class Alignment:
    """A page located on its image: the homography, its quality and the warped page."""

    homography: NDArray[np.float64]
    """3×3, template mm → input-image pixels."""
    residual_px: float
    residual_mm: float
    rotation: int
    method: FitMethod
    markers: tuple[int, ...]
    aligned: NDArray[np.uint8]

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class AlignmentFailure:
    """Why a page could not be aligned (falsy, so ``if not fit:`` reads naturally)."""

    reason: str
    markers: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return False


def rotation_of(homography: NDArray[np.float64]) -> int:
    """Clockwise quarter-turn (0, 90, 180, 270) of the page on the image."""
    centre = np.array([[[PAGE_W / 2, PAGE_H / 2], [PAGE_W / 2 + 10.0, PAGE_H / 2]]], np.float64)
    (a, b) = cv2.perspectiveTransform(centre, homography)[0]
    angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    return int(round(angle / 90.0)) % 4 * 90


def local_scale(homography: NDArray[np.float64]) -> tuple[float, float]:
    """Pixels per mm along the template's x and y axes at the page centre."""
    cx, cy = PAGE_W / 2, PAGE_H / 2
    pts = np.array([[[cx, cy], [cx + 1.0, cy], [cx, cy + 1.0]]], np.float64)
    a, bx, by = cv2.perspectiveTransform(pts, homography)[0]
    return float(np.hypot(*(bx - a))), float(np.hypot(*(by - a)))


def plausible(homography: NDArray[np.float64], *, config: ReaderConfig = DEFAULT_CONFIG) -> str | None:
    """None when a homography looks like a page seen by a scanner or camera, else why not."""
    if not np.all(np.isfinite(homography)):
        return "degenerate fit"
    sx, sy = local_scale(homography)
    if min(sx, sy) < 1.0:
        return f"page too small on the image ({25.4 * min(sx, sy):.0f} dpi)"
    if abs(sx - sy) / ((sx + sy) / 2) > config.max_scale_spread:
        return f"page stretched {sx / sy:.2f}:1"
    if np.linalg.det(homography[:2, :2]) * homography[2, 2] < 0:
        return "page mirrored"
    return None


def align_by_markers(
    image: NDArray[np.uint8], scan: MarkerScan, *, config: ReaderConfig = DEFAULT_CONFIG
) -> Alignment | AlignmentFailure:
    """Fit the template-to-image homography on the marker corners and warp the page.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned (the warp samples it when the reduced copy is too coarse).
    scan : MarkerScan
        From :func:`find_markers` on the same image.
    config : ReaderConfig, optional
        ``min_markers``, ``max_residual_mm`` and ``max_scale_spread`` are used.

    Returns
    -------
    Alignment or AlignmentFailure
    """
    if len(scan.found) < config.min_markers:
        return AlignmentFailure(f"only {len(scan.found)} of 4 corner markers found", scan.ids)
    src: list[NDArray[np.float64]] = []
    dst: list[NDArray[np.float64]] = []
    owner: list[int] = []
    for marker_id, candidates in scan.found.items():
        for quad in candidates:
            src.append(_MARKER_MM[marker_id])
            dst.append(quad)
            owner.extend([marker_id] * 4)
    src_a, dst_a = np.concatenate(src), np.concatenate(dst)
    side_px = float(np.median([np.hypot(*(q[1] - q[0])) for qs in scan.found.values() for q in qs]))
    px_per_mm = side_px / 12.0
    h, mask = cv2.findHomography(src_a, dst_a, cv2.RANSAC, 1.5 * px_per_mm)
    if h is None:
        return AlignmentFailure("the corner markers do not fit one page", scan.ids)
    inl = mask.ravel().astype(bool)
    ids_in = tuple(sorted({owner[i] for i in np.flatnonzero(inl)}))
    if len(ids_in) < config.min_markers or inl.sum() < 4 * config.min_markers:
        return AlignmentFailure(f"only {len(ids_in)} of 4 corner markers agree", scan.ids)
    h, _ = cv2.findHomography(src_a[inl], dst_a[inl], 0)
    if h is None:
        return AlignmentFailure("the corner markers do not fit one page", scan.ids)
    return finish_alignment(image, scan, h, src_a[inl], dst_a[inl], "markers", ids_in, config=config)


def finish_alignment(
    image: NDArray[np.uint8],
    scan: MarkerScan,
    homography: NDArray[np.float64],
    src_mm: NDArray[np.float64],
    dst_px: NDArray[np.float64],
    method: FitMethod,
    markers: tuple[int, ...],
    *,
    config: ReaderConfig = DEFAULT_CONFIG,
    max_residual_mm: float | None = None,
    size_mm: tuple[float, float] | None = None,
) -> Alignment | AlignmentFailure:
    """Check a fitted homography (residual, plausibility) and warp the page with it.

    ``size_mm``: the page size of a form we did not print (default: A4, our forms).
    """
    h = np.asarray(homography, np.float64) / homography[2, 2]
    why = plausible(h, config=config)
    if why is not None:
        return AlignmentFailure(why, scan.ids)
    proj = cv2.perspectiveTransform(src_mm.reshape(-1, 1, 2), h).reshape(-1, 2)
    err = np.hypot(*(proj - dst_px).T)
    residual_px = float(np.sqrt(np.mean(err**2))) if method == "markers" else float(np.median(err))
    sx, sy = local_scale(h)
    residual_mm = residual_px / ((sx + sy) / 2)
    limit = config.max_residual_mm if max_residual_mm is None else max_residual_mm
    if residual_mm > limit:
        return AlignmentFailure(f"corner residual {residual_mm:.2f} mm exceeds {limit:.2f} mm", scan.ids)
    aligned = warp_to_template(image, h, small=scan.small, factor=scan.factor, size_mm=size_mm)
    return Alignment(h, residual_px, residual_mm, rotation_of(h), method, markers, aligned)


def aligned_shape(size_mm: tuple[float, float]) -> tuple[int, int]:
    """(rows, columns) of an aligned page of ``size_mm`` (width, height) at :data:`ALIGNED_DPI`."""
    return (round(size_mm[1] * _ALIGNED_PX_PER_MM), round(size_mm[0] * _ALIGNED_PX_PER_MM))


def aligned_to_mm() -> NDArray[np.float64]:
    """3×3 matrix from aligned-page pixel coordinates (pixel centres at integers) to template mm."""
    k = _ALIGNED_PX_PER_MM
    return np.array([[1.0 / k, 0.0, 0.5 / k], [0.0, 1.0 / k, 0.5 / k], [0.0, 0.0, 1.0]])


def warp_to_template(
    image: NDArray[np.uint8],
    homography: NDArray[np.float64],
    *,
    small: NDArray[np.uint8] | None = None,
    factor: int = 1,
    size_mm: tuple[float, float] | None = None,
) -> NDArray[np.uint8]:
    """Resample a page onto the template frame at :data:`ALIGNED_DPI`.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned.
    homography : (3, 3) ndarray
        Template mm → ``image`` pixel coordinates (pixel centres at integers).
    small : (P, Q) ndarray of uint8, optional
        ``image`` reduced by the integer ``factor`` (area averaging); sampled instead when it still
        holds the page at 140 dpi or more, which anti-aliases the downsampling for free.
    factor : int, optional
        Reduction factor of ``small``.
    size_mm : (width, height), optional
        The page size in mm (default A4, the size of every form we print).

    Returns
    -------
    (1754, 1240) ndarray of uint8
        The aligned page; outside the image it is white. A page seen without perspective (any
        flatbed or sheet-fed scan) is warped with the cheaper affine warp.
    """
    source = image
    to_source = np.eye(3)
    if small is not None and factor > 1:
        sx, sy = local_scale(homography)
        if min(sx, sy) / factor * MM_PER_INCH >= MIN_WARP_SOURCE_DPI:
            source = small
            to_source = np.array([[1.0 / factor, 0.0, -(factor - 1) / (2 * factor)],
                                  [0.0, 1.0 / factor, -(factor - 1) / (2 * factor)], [0.0, 0.0, 1.0]])
    m = to_source @ homography @ aligned_to_mm()
    m = m / m[2, 2]
    rows, cols = ALIGNED_SHAPE if size_mm is None else aligned_shape(size_mm)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    corners = np.array([[[0.0, 0.0], [cols, 0.0], [cols, rows], [0.0, rows]]])
    exact = cv2.perspectiveTransform(corners, m)[0]
    affine = corners[0] @ m[:2, :2].T + m[:2, 2]
    if float(np.abs(exact - affine).max()) < _AFFINE_TOLERANCE_PX:
        out = cv2.warpAffine(source, m[:2], (cols, rows), flags=flags, borderMode=cv2.BORDER_CONSTANT,
                             borderValue=255)
    else:
        out = cv2.warpPerspective(source, m, (cols, rows), flags=flags, borderMode=cv2.BORDER_CONSTANT,
                                  borderValue=255)
    return np.asarray(out, dtype=np.uint8)
