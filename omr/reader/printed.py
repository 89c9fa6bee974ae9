"""The template's printed ink of a page, at the aligned page's resolution.

The blank page is rendered once per template page and process (:func:`omr.reader.features.render_page`
at :data:`omr.reader.config.ALIGNED_DPI`) and kept as a darkness map (0 paper, 255 print black),
grey-dilated by ``printed_grow_px`` so that a print slightly misregistered on the scan (alignment
residual, scanner blur) still covers its own ink. What is dark on a scan and not in this map is
the respondent's ink (:mod:`omr.reader.respondent_ink`).
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import ALIGNED_DPI
from omr.reader.features import render_page
from omr.template.model import Template

_CACHE: dict[tuple[str, str, int, int], NDArray[np.uint8]] = {}
_LOCK = threading.Lock()


def printed_darkness(rendered: NDArray[np.uint8], grow_px: int) -> NDArray[np.uint8]:
    """Darkness of a rendered blank page (0 paper, 255 black), grey-dilated by ``grow_px`` pixels.

    Parameters
    ----------
    rendered : (M, N) ndarray of uint8
        The blank page as printed (paper light, ink dark).
    grow_px : int
        Every printed pixel's darkness spreads this far (a square neighbourhood).

    Returns
    -------
    (M, N) ndarray of uint8

    Examples
    --------
    >>> page = np.full((9, 9), 255, np.uint8)
    >>> page[4, 4] = 0
    >>> int(printed_darkness(page, 1)[3:6, 3:6].min()), int(printed_darkness(page, 1)[1, 1])
    (255, 0)
    """
    dark = cv2.subtract(np.full_like(rendered, 255), rendered)
    if grow_px <= 0:
        return np.asarray(dark, np.uint8)
    kernel = np.ones((2 * grow_px + 1, 2 * grow_px + 1), np.uint8)
    return np.asarray(cv2.dilate(dark, kernel), np.uint8)


def printed_map(template: Template, page: int, grow_px: int) -> NDArray[np.uint8]:
    """The printed darkness of one template page at :data:`ALIGNED_DPI` (rendered on first use).

    Parameters
    ----------
    template : Template
        The identified template.
    page : int
        1-based page number.
    grow_px : int
        See :func:`printed_darkness`.

    Returns
    -------
    (M, N) ndarray of uint8
        A shared array: do not modify it.
    """
    key = (template.name, template.version, page, grow_px)
    with _LOCK:
        found = _CACHE.get(key)
    if found is None:
        found = printed_darkness(render_page(template, page, ALIGNED_DPI), grow_px)
        found.setflags(write=False)
        with _LOCK:
            _CACHE[key] = found
    return found
