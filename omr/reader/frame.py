"""Align a page of a form we did not print: its own corner marks, the paper's edges, the blank page's
features, or the image as given.

Our own forms carry ArUco corner markers (:mod:`omr.reader.align`); other forms carry whatever their
designer printed. A fixed-layout template (:class:`omr.template.model.FixedLayout`) lists the ways to
find its page frame, tried in order until one gives a plausible page:

``marks``     four copies of the form's own corner mark, one per quarter of the image, found by
              normalised cross-correlation over a range of scales (as OMRChecker's ``CropOnMarkers``);
              their centres are where the template says;
``page``      the sheet's outline against a darker background (a phone photo): the largest convex
              quadrilateral, its corners the page corners (OMRChecker's ``CropPage``);
``features``  ORB features matched against the blank page image (:mod:`omr.reader.features`), with
              the same inlier and residual checks as for our own forms;
``image``     the image is the page frame already (cropped scans, OMRChecker without preprocessing).

Whatever the method, the result is an :class:`~omr.reader.align.Alignment` like our own pages', with the
page warped to :data:`~omr.reader.config.ALIGNED_DPI` on the template's page size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.align import Alignment, AlignmentFailure, FitMethod, finish_alignment, warp_to_template
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.features import Reference, align_by_features
from omr.reader.fiducials import MarkerScan, reduce_image
from omr.template.model import AlignMethod

_WORK_LONG_SIDE = 900
_MARK_MIN_SCORE = 0.35  # normalised correlation a mark must reach in its quarter
_MARK_SCALES = np.geomspace(0.45, 1.6, 16)
_MIN_PAGE_SHARE = 0.08  # of the image a paper outline must cover
_MAX_QUAD_SKEW = 0.25  # relative difference of opposite sides of a paper outline


@dataclass(frozen=True)
class MarkImage:
    """The form's own corner mark: its image, printed width and the four centres (mm; TL, TR, BR, BL)."""

    image: NDArray[np.uint8]
    width_mm: float
    centres_mm: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Frame:
    """How to find one template page on a scan: its size and the methods, with what they need."""

    size_mm: tuple[float, float]
    methods: tuple[AlignMethod, ...]
    reference: Reference | None = None
    mark: MarkImage | None = None


def align_frame(image: NDArray[np.uint8], scan: MarkerScan, frame: Frame, *,
                config: ReaderConfig = DEFAULT_CONFIG) -> Alignment | AlignmentFailure:
    """Try the frame's methods in order; the first plausible page wins.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned.
    scan : MarkerScan
        The reduced working copy of the image (:func:`omr.reader.fiducials.find_markers`).
    frame : Frame
        The template page's size and alignment methods.
    config : ReaderConfig, optional

    Returns
    -------
    Alignment or AlignmentFailure
        The failure lists why each method failed.
    """
    reasons: list[str] = []
    for method in frame.methods:
        if method == "image":
            fit: Alignment | AlignmentFailure = _by_image(image, scan, frame)
        elif method == "page":
            fit = _by_page(image, scan, frame, config)
        elif method == "marks":
            fit = _by_marks(image, scan, frame, config) if frame.mark else AlignmentFailure("no mark image")
        elif frame.reference is None:
            fit = AlignmentFailure("no blank page image to match")
        else:
            fit = _by_features(image, scan, frame, frame.reference, config)
        if isinstance(fit, Alignment):
            return fit
        reasons.append(f"{method}: {fit.reason}")
    return AlignmentFailure("; ".join(reasons))


def _corners_mm(size_mm: tuple[float, float]) -> NDArray[np.float64]:
    w, h = size_mm
    return np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]], np.float64)


def _by_image(image: NDArray[np.uint8], scan: MarkerScan, frame: Frame) -> Alignment:
    """The image is the page: its corners are the page corners (each axis scaled on its own)."""
    rows, cols = image.shape
    w, h = frame.size_mm
    hmat = np.array([[cols / w, 0.0, -0.5], [0.0, rows / h, -0.5], [0.0, 0.0, 1.0]])
    aligned = warp_to_template(image, hmat, small=scan.small, factor=scan.factor, size_mm=frame.size_mm)
    return Alignment(hmat, 0.0, 0.0, 0, "image", (), aligned)


def _by_features(image: NDArray[np.uint8], scan: MarkerScan, frame: Frame, reference: Reference,
                 config: ReaderConfig) -> Alignment | AlignmentFailure:
    """The blank page's features, matched on a copy with the light flattened (photos are shaded)."""
    flat = MarkerScan(_flatten(scan.small), scan.factor, scan.found)
    fit = align_by_features(image, flat, reference, config=config, size_mm=frame.size_mm)
    if isinstance(fit, Alignment) and scan.factor > 1:  # the warp sampled the flattened copy: warp the page
        aligned = warp_to_template(image, fit.homography, small=scan.small, factor=scan.factor, size_mm=frame.size_mm)
        fit = replace(fit, aligned=aligned)
    return fit


def _flatten(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The image divided by its local paper level (a closing wider than print strokes)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (31, 31))
    background = cv2.morphologyEx(image, cv2.MORPH_CLOSE, kernel)
    return np.asarray(cv2.divide(image, background, scale=255), np.uint8)


def _by_page(image: NDArray[np.uint8], scan: MarkerScan, frame: Frame,
             config: ReaderConfig) -> Alignment | AlignmentFailure:
    """The paper's outline: the largest convex quadrilateral of light paper on a darker background."""
    work, k2 = reduce_image(scan.small, _WORK_LONG_SIDE)
    k = scan.factor * k2
    area_img = float(work.shape[0] * work.shape[1])
    best: NDArray[np.float64] | None = None
    for mask in _paper_masks(work):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            if cv2.contourArea(c) < _MIN_PAGE_SHARE * area_img:
                break
            hull = cv2.convexHull(c)
            quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            if len(quad) == 4 and cv2.contourArea(quad) < 0.985 * area_img:
                best = quad.reshape(4, 2).astype(np.float64)
                break
        if best is not None:
            break
    if best is None:
        return AlignmentFailure("no paper outline found (the sheet must lie on a darker background)")
    corners = _order_corners(best)
    sides = np.hypot(*(np.roll(corners, -1, axis=0) - corners).T)
    if abs(sides[0] - sides[2]) / max(sides[0], sides[2]) > _MAX_QUAD_SKEW or \
            abs(sides[1] - sides[3]) / max(sides[1], sides[3]) > _MAX_QUAD_SKEW:
        return AlignmentFailure("the paper outline is not a sheet seen from above")
    dst = corners * k + (k - 1) / 2
    return _fit_four(image, scan, frame, _corners_mm(frame.size_mm), dst, "page", config)


def _paper_masks(work: NDArray[np.uint8]) -> list[NDArray[np.uint8]]:
    """Candidate masks of the sheet: light against a darker table (Otsu), then closed outlines (edges)."""
    blur = cv2.GaussianBlur(work, (5, 5), 0)
    _, light = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = cv2.morphologyEx(light, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    edges = cv2.dilate(cv2.Canny(blur, 40, 120), np.ones((3, 3), np.uint8))
    filled = np.zeros_like(edges)
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(filled, contours, -1, 255, -1)
    return [np.asarray(light, np.uint8), np.asarray(filled, np.uint8)]


def _by_marks(image: NDArray[np.uint8], scan: MarkerScan, frame: Frame,
              config: ReaderConfig) -> Alignment | AlignmentFailure:
    """Four copies of the form's corner mark, one per quarter, at the scale that matches best."""
    mark = frame.mark
    assert mark is not None
    work, k2 = reduce_image(scan.small, _WORK_LONG_SIDE)
    k = scan.factor * k2
    work_f = cv2.GaussianBlur(work, (3, 3), 0)
    rows, cols = work.shape
    centres = np.array(mark.centres_mm, np.float64)
    span_mm = float(np.ptp(centres[:, 0])) + 2.0 * mark.width_mm
    nominal = mark.width_mm * cols / max(span_mm, 1.0)  # mark width in work pixels if the marks span the image
    halves = [(slice(0, rows // 2), slice(0, cols // 2)), (slice(0, rows // 2), slice(cols // 2, cols)),
              (slice(rows // 2, rows), slice(cols // 2, cols)), (slice(rows // 2, rows), slice(0, cols // 2))]
    best: tuple[float, list[tuple[float, float]], list[float]] | None = None
    for scale in _MARK_SCALES:
        width = nominal * scale
        height = width * mark.image.shape[0] / mark.image.shape[1]
        if width < 6 or height < 6 or width > cols / 2 or height > rows / 2:
            continue
        templ = cv2.resize(mark.image, (round(width), round(height)), interpolation=cv2.INTER_AREA)
        templ = cv2.GaussianBlur(templ, (3, 3), 0)
        if float(templ.std()) < 1.0:
            continue
        found: list[tuple[float, float]] = []
        scores: list[float] = []
        for rs, cs in halves:
            res = cv2.matchTemplate(work_f[rs, cs], templ, cv2.TM_CCOEFF_NORMED)
            _, top, _, loc = cv2.minMaxLoc(res)
            scores.append(float(top))
            found.append((cs.start + loc[0] + (templ.shape[1] - 1) / 2, rs.start + loc[1] + (templ.shape[0] - 1) / 2))
        total = float(np.sum(scores))
        if best is None or total > best[0]:
            best = (total, found, scores)
    if best is None:
        return AlignmentFailure("the mark image does not fit the page at any scale")
    _, found, scores = best
    if min(scores) < _MARK_MIN_SCORE:
        weakest = int(np.argmin(scores))
        corner = ("top-left", "top-right", "bottom-right", "bottom-left")[weakest]
        return AlignmentFailure(f"no corner mark found in the {corner} quarter (match {min(scores):.2f})")
    dst = np.array(found, np.float64) * k + (k - 1) / 2
    return _fit_four(image, scan, frame, centres, dst, "marks", config)


def _fit_four(image: NDArray[np.uint8], scan: MarkerScan, frame: Frame, src_mm: NDArray[np.float64],
              dst_px: NDArray[np.float64], method: FitMethod, config: ReaderConfig) -> Alignment | AlignmentFailure:
    """The homography through four point pairs, checked like any page fit."""
    hmat = cv2.getPerspectiveTransform(src_mm.astype(np.float32), dst_px.astype(np.float32)).astype(np.float64)
    return finish_alignment(image, scan, hmat, src_mm, dst_px, method, (), config=config, size_mm=frame.size_mm)


def _order_corners(quad: NDArray[np.float64]) -> NDArray[np.float64]:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    s = quad.sum(axis=1)
    d = quad[:, 0] - quad[:, 1]
    return np.array([quad[np.argmin(s)], quad[np.argmax(d)], quad[np.argmax(s)], quad[np.argmin(d)]], np.float64)
