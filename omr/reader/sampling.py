"""Cut a template rectangle out of a page image at any resolution, through the page homography.

The aligned page (150 dpi) is enough for checkboxes and comb digits; OCR of the printed form id and
of handwriting works better from the original scan at 300 dpi, so those crops are resampled from
the input image directly instead of upsampling the aligned page.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.template.layout import Rect

MM_PER_INCH = 25.4


def sample_rect(
    image: NDArray[np.uint8], homography: NDArray[np.float64], rect: Rect, *, dpi: float, margin_mm: float = 0.0
) -> NDArray[np.uint8]:
    """Resample a template rectangle from a page image.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned.
    homography : (3, 3) ndarray
        Template mm → ``image`` pixel coordinates.
    rect : Rect
        The rectangle in template mm.
    dpi : float
        Resolution of the crop.
    margin_mm : float, optional
        Grow (positive) or shrink (negative) the rectangle on every side.

    Returns
    -------
    ndarray of uint8
        The crop, upright in the template frame; white outside the image.
    """
    x, y = rect.x - margin_mm, rect.y - margin_mm
    w, h = rect.w + 2 * margin_mm, rect.h + 2 * margin_mm
    k = dpi / MM_PER_INCH
    cols, rows = max(1, round(w * k)), max(1, round(h * k))
    crop_to_mm = np.array([[1.0 / k, 0.0, x + 0.5 / k], [0.0, 1.0 / k, y + 0.5 / k], [0.0, 0.0, 1.0]])
    m = homography @ crop_to_mm
    out = cv2.warpPerspective(
        image, m / m[2, 2], (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT, borderValue=255,
    )
    return np.asarray(out, np.uint8)


def image_dpi(homography: NDArray[np.float64]) -> float:
    """Resolution of the page on its image (dots per inch along the template's x axis, at the centre)."""
    from omr.reader.align import local_scale

    sx, sy = local_scale(homography)
    return (sx + sy) / 2 * MM_PER_INCH
