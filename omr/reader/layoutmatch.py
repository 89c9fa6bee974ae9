"""Which template page is this? Score an aligned page against the box pattern of every known page.

Used when the QR code cannot be read: the printed form id (OCR) names the copy and the page number
but not the template. Every page's printed box outlines are known, so the page whose outlines are
dark exactly where the aligned image is dark, and light just inside and outside them, is the one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omr.reader.align import ALIGNED_SHAPE
from omr.reader.positions import PX_PER_MM
from omr.template.layout import BOX_LINE_PT, MM_PER_PT, PageLayout

_OFFSET_PX = 3.0  # the light bands are this far inside and outside the outline
_STEP_PX = 2.0  # spacing of the sample points along each side


@dataclass(frozen=True)
class PageKey:
    """A page of a template: (template name, version, page number, page count)."""

    template: str
    version: str
    page: int
    pages: int


@dataclass(frozen=True)
class _Samples:
    outline: NDArray[np.int64]
    light: NDArray[np.int64]


def _perimeter(x: float, y: float, w: float, h: float) -> NDArray[np.float64]:
    """Points (row, col) every ``_STEP_PX`` along the sides of a rectangle given in pixels."""
    pts = []
    for t in np.arange(0.0, 1.0, _STEP_PX / max(w, 1.0)):
        pts += [(y, x + t * w), (y + h, x + t * w)]
    for t in np.arange(0.0, 1.0, _STEP_PX / max(h, 1.0)):
        pts += [(y + t * h, x), (y + t * h, x + w)]
    return np.array(pts, np.float64)


def _flat(points: NDArray[np.float64]) -> NDArray[np.int64]:
    rows, cols = ALIGNED_SHAPE
    r = np.clip(np.floor(points[:, 0]).astype(np.int64), 0, rows - 1)
    c = np.clip(np.floor(points[:, 1]).astype(np.int64), 0, cols - 1)
    return r * cols + c


def _samples(layout: PageLayout) -> _Samples:
    half = BOX_LINE_PT * MM_PER_PT / 2
    outline, light = [], []
    for b in layout.boxes:
        x, y = (b.rect.x + half) * PX_PER_MM, (b.rect.y + half) * PX_PER_MM
        w, h = (b.rect.w - 2 * half) * PX_PER_MM, (b.rect.h - 2 * half) * PX_PER_MM
        outline.append(_perimeter(x, y, w, h))
        o = _OFFSET_PX
        light.append(_perimeter(x + o, y + o, w - 2 * o, h - 2 * o))
        light.append(_perimeter(x - o, y - o, w + 2 * o, h + 2 * o))
    return _Samples(_flat(np.concatenate(outline)), _flat(np.concatenate(light)))


class LayoutIndex:
    """Sample points of every known page, built once per reader context."""

    def __init__(self, pages: Sequence[tuple[PageKey, PageLayout]]) -> None:
        self._pages = [(key, _samples(layout)) for key, layout in pages if layout.boxes]

    def scores(self, smoothed: NDArray[np.float32], contrast: float) -> list[tuple[PageKey, float]]:
        """How well each known page's outlines fit an aligned page, best first.

        Parameters
        ----------
        smoothed : (1754, 1240) ndarray of float32
            The aligned page, smoothed.
        contrast : float
            Paper minus print black of that page.

        Returns
        -------
        list of (PageKey, float)
            Scores are the darkness of the outlines minus that of the bands beside them, as a share
            of the page contrast: about 0.3-0.6 for the right page, near 0 for a wrong one.
        """
        flat = smoothed.reshape(-1)
        out = []
        for key, s in self._pages:
            score = (float(flat[s.light].mean()) - float(flat[s.outline].mean())) / max(contrast, 1.0)
            out.append((key, score))
        return sorted(out, key=lambda kv: -kv[1])
