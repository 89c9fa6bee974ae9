"""Alignment fallback: match the page against the rendered blank page of its template.

When too few corner markers are found (a torn or stained corner, a photocopy that cut a marker
off), but the template page is known (from the QR), the page is aligned the way ODK Scan and
OMRChecker's ``FeatureBasedAlignment`` do it: ORB features on the scan and on the blank page as
printed (rendered once per template page by :func:`omr.render.render_pdf` and ``pdftoppm``, cached
in the reader context), ratio-tested matches, and a RANSAC homography. The result is checked like
a marker fit (inliers, median residual, plausible scale); the per-box outline search then absorbs
the remaining sub-millimetre error.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from omr._tools import which_or_raise
from omr.errors import MissingDependencyError
from omr.formid import new_form_id
from omr.reader.align import Alignment, AlignmentFailure, finish_alignment
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.fiducials import MarkerScan, reduce_image
from omr.render import FormCopy, render_pdf
from omr.template.model import Template

_WORK_LONG_SIDE = 1000
_RATIO = 0.8
_RANSAC_PX = 3.0


@dataclass(frozen=True)
class Reference:
    """A rendered blank page and its ORB features."""

    image: NDArray[np.uint8]
    dpi: float
    points: NDArray[np.float32]
    descriptors: NDArray[np.uint8]


def make_orb() -> cv2.Feature2D:
    """The ORB detector used on both the blank page and the scan."""
    orb: cv2.Feature2D = cv2.ORB.create(nfeatures=4000, scaleFactor=1.2, nlevels=8, fastThreshold=12)
    return orb


def render_page(template: Template, page: int, dpi: float) -> NDArray[np.uint8]:
    """One page of the template as printed (with some form id), grayscale at ``dpi``."""
    pdf = render_pdf(template, [FormCopy(new_form_id(random.Random(0)))])
    exe = which_or_raise("pdftoppm", "poppler-utils")
    try:
        out = subprocess.run(
            [str(exe), "-r", f"{dpi:g}", "-gray", "-f", str(page), "-l", str(page), "-"],
            input=pdf, capture_output=True, check=True, timeout=60,
        ).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise MissingDependencyError(f"pdftoppm could not rasterise {template.name} page {page}: {exc}") from exc
    image = cv2.imdecode(np.frombuffer(out, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise MissingDependencyError(f"pdftoppm returned no image for {template.name} page {page}")
    return np.asarray(image, np.uint8)


def make_reference(template: Template, page: int, *, config: ReaderConfig = DEFAULT_CONFIG) -> Reference:
    """Render a blank page at ``config.feature_dpi`` and extract its features."""
    image = render_page(template, page, config.feature_dpi)
    keypoints, descriptors = make_orb().detectAndCompute(image, None)
    points = np.array([k.pt for k in keypoints], np.float32).reshape(-1, 2)
    desc = descriptors if descriptors is not None else np.zeros((0, 32), np.uint8)
    return Reference(image, float(config.feature_dpi), points, np.asarray(desc, np.uint8))


def reference_from_image(blank: NDArray[np.uint8], size_mm: tuple[float, float], *,
                         config: ReaderConfig = DEFAULT_CONFIG) -> Reference:
    """The features of a blank page image that covers the page frame ``size_mm`` (width, height) exactly."""
    k = config.feature_dpi / 25.4
    shape = (max(1, round(size_mm[0] * k)), max(1, round(size_mm[1] * k)))
    image = np.asarray(cv2.resize(blank, shape, interpolation=cv2.INTER_AREA), np.uint8)
    keypoints, descriptors = make_orb().detectAndCompute(image, None)
    points = np.array([kp.pt for kp in keypoints], np.float32).reshape(-1, 2)
    desc = descriptors if descriptors is not None else np.zeros((0, 32), np.uint8)
    return Reference(image, float(config.feature_dpi), points, np.asarray(desc, np.uint8))


def align_by_features(
    image: NDArray[np.uint8], scan: MarkerScan, reference: Reference, *, config: ReaderConfig = DEFAULT_CONFIG,
    size_mm: tuple[float, float] | None = None,
) -> Alignment | AlignmentFailure:
    """Align a page by matching its features against the rendered blank page.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned.
    scan : MarkerScan
        The marker scan of the same image (its working copy is reused).
    reference : Reference
        From :func:`make_reference` for the page's template page.
    config : ReaderConfig, optional
        ``feature_min_inliers`` and ``feature_max_residual_mm`` are used.
    size_mm : (width, height), optional
        The page size of a form we did not print (default: A4).

    Returns
    -------
    Alignment or AlignmentFailure
    """
    work, k2 = reduce_image(scan.small, _WORK_LONG_SIDE)
    k = scan.factor * k2
    keypoints, descriptors = make_orb().detectAndCompute(work, None)
    if descriptors is None or len(keypoints) < config.feature_min_inliers or len(reference.points) == 0:
        return AlignmentFailure("too few features on the page", scan.ids)
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(reference.descriptors, descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]
    if len(good) < config.feature_min_inliers:
        return AlignmentFailure(f"feature matching found {len(good)} matches", scan.ids)
    src = reference.points[[m.queryIdx for m in good]].astype(np.float64)
    dst = np.array([keypoints[m.trainIdx].pt for m in good], np.float64)
    h, mask = cv2.findHomography(src, dst, cv2.RANSAC, _RANSAC_PX, maxIters=4000, confidence=0.999)
    if h is None:
        return AlignmentFailure("feature matching found no consistent page", scan.ids)
    inliers = mask.ravel().astype(bool)
    if int(inliers.sum()) < config.feature_min_inliers:
        return AlignmentFailure(f"feature matching: only {int(inliers.sum())} consistent matches", scan.ids)
    ref_k = reference.dpi / 25.4
    mm_to_ref = np.array([[ref_k, 0.0, -0.5], [0.0, ref_k, -0.5], [0.0, 0.0, 1.0]])
    work_to_input = np.array([[k, 0.0, (k - 1) / 2], [0.0, k, (k - 1) / 2], [0.0, 0.0, 1.0]])
    homography = work_to_input @ h @ mm_to_ref
    src_mm = (src[inliers] + 0.5) / ref_k
    dst_px = dst[inliers] * k + (k - 1) / 2
    return finish_alignment(
        image, scan, homography, src_mm, dst_px, "features", scan.ids,
        config=config, max_residual_mm=config.feature_max_residual_mm, size_mm=size_mm,
    )
