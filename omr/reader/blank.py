"""Stage 1: recognise a blank page (the empty back of a duplex scan).

A printed page of ours always carries four corner markers and a QR code (about 1.4 % of the page
in solid black) besides its text; a blank back carries at most specks, show-through from the
front and scanner shading. The test therefore measures the share of clearly dark pixels against
a locally estimated paper level, away from the page edges (scanner borders, punched holes).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import DEFAULT_CONFIG, ReaderConfig

_WORK_LONG_SIDE = 600
_EDGE_SHARE = 0.06
_MIN_PAPER_LEVEL = 90.0


@dataclass(frozen=True)
class BlankCheck:
    """Whether a page is blank, and the ink share the decision was made on."""

    blank: bool
    ink_share: float


def check_blank(image: NDArray[np.uint8], *, config: ReaderConfig = DEFAULT_CONFIG) -> BlankCheck:
    """Decide whether a page image is a blank back.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page, grayscale, paper light and ink dark, any resolution.
    config : ReaderConfig, optional
        ``blank_max_ink`` and ``blank_ink_darkness`` are used.

    Returns
    -------
    BlankCheck
        ``blank`` is true when the share of ink pixels is below ``config.blank_max_ink``.

    Examples
    --------
    >>> import numpy as np
    >>> check_blank(np.full((700, 500), 235, np.uint8)).blank
    True
    """
    rows, cols = image.shape
    scale = min(1.0, _WORK_LONG_SIDE / max(rows, cols))
    small = image if scale >= 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    r0, c0 = int(small.shape[0] * _EDGE_SHARE), int(small.shape[1] * _EDGE_SHARE)
    core = small[r0 : small.shape[0] - r0, c0 : small.shape[1] - c0]
    if core.size == 0:
        return BlankCheck(False, 1.0)
    # Paper level: a closing removes dark detail up to ~1/15 of the page and keeps the step from
    # the sheet to a table or scanner lid behind it (phone photos), which is not ink.
    k = max(3, (min(core.shape) // 15) | 1)
    closed = cv2.morphologyEx(core, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = closed.astype(np.float32)
    sheet = background >= 0.75 * float(np.percentile(background, 95))
    darker = background - core.astype(np.float32)
    ink = ((darker > config.blank_ink_darkness * np.maximum(background, 40.0)) & sheet).astype(np.uint8)
    # Dark regions reaching the edge of the picture are what lies around the sheet, not ink on it.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    rows, cols = ink.shape
    x, y, w, h = (stats[:, i] for i in range(4))
    border = (x == 0) | (y == 0) | (x + w >= cols) | (y + h >= rows)
    border[0] = True  # the background label
    kept = int(stats[~border, cv2.CC_STAT_AREA].sum()) if count > 1 else 0
    share = kept / max(int(sheet.sum()), 1)
    # A dark or black image (lid open, wrong exposure) is not a blank sheet of paper.
    light = float(np.median(background[sheet])) >= _MIN_PAPER_LEVEL if sheet.any() else False
    return BlankCheck(light and share < config.blank_max_ink, share)
