"""Decode a QR whose finder patterns are damaged, by repainting its fixed patterns where they were printed.

A QR decoder finds a symbol by its three finder patterns; a blot or a tear on one of them makes the
whole symbol unreadable, however much error correction the data has. On an aligned page we know
where the symbol was printed (:data:`~omr.template.layout.QR_RECT`, modules filling it exactly), so
the crop resampled upright from the scan can have its function patterns (finders with their
separators, timing rows, the alignment pattern) painted back in the page's own ink and paper
levels for each symbol size we print (version 2 to 6), and be decoded again. The data modules are
untouched: a wrong guess of the size, or a misplaced grid, fails Reed-Solomon decoding rather than
giving a wrong payload, and the payload's check symbol is verified as for any QR.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from omr.formid import parse_payload
from omr.reader.identify import QrRead, decode_qr
from omr.reader.sampling import sample_rect
from omr.template.layout import QR_RECT

SIZES = (37, 33, 29, 41, 25)
"""Module counts tried: level H (version 5) and level Q (version 4) of our payloads first."""
_DPI = 300.0
_MARGIN_MM = 3.0


@functools.cache
def function_patterns(n: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(which modules are fixed patterns, their colour: True = dark) of an ``n``-module symbol."""
    where = np.zeros((n, n), bool)
    dark = np.zeros((n, n), bool)
    ring = np.ones((7, 7), bool)
    ring[1:6, 1:6] = False
    ring[2:5, 2:5] = True
    for r, c in ((0, 0), (0, n - 7), (n - 7, 0)):
        r0, c0 = max(r - 1, 0), max(c - 1, 0)
        where[r0:r + 8, c0:c + 8] = True  # the finder and its white separator
        dark[r0:r + 8, c0:c + 8] = False
        dark[r:r + 7, c:c + 7] = ring
    idx = np.arange(8, n - 8)
    where[6, idx] = where[idx, 6] = True
    dark[6, idx] = dark[idx, 6] = idx % 2 == 0
    if n >= 25:  # one alignment pattern, centred 7 modules in from the bottom-right corner
        a = n - 7
        where[a - 2:a + 3, a - 2:a + 3] = True
        dark[a - 2:a + 3, a - 2:a + 3] = True
        dark[a - 1:a + 2, a - 1:a + 2] = False
        dark[a, a] = True
    return where, dark


def paint_patterns(crop: NDArray[np.uint8], n: int, origin_px: float, module_px: float) -> NDArray[np.uint8]:
    """``crop`` (square, the symbol's top-left corner at ``origin_px``) with the fixed patterns of an
    ``n``-module symbol painted in its own ink and paper levels, and blank paper all around it."""
    ink, paper = np.percentile(crop, [3, 97])
    where, dark = function_patterns(n)
    side = max(crop.shape)
    edges = np.round(origin_px + np.arange(n + 1) * module_px).astype(int)
    pos = np.arange(side)
    index = np.clip(np.searchsorted(edges, pos, side="right") - 1, 0, n - 1)  # module of each row/column
    inside = (pos >= edges[0]) & (pos < edges[-1])
    r, c = index[: crop.shape[0], None], index[None, : crop.shape[1]]
    symbol = inside[: crop.shape[0], None] & inside[None, : crop.shape[1]]
    fixed = symbol & where[r, c]
    out = np.where(symbol, crop, paper)
    out = np.where(fixed, np.where(dark[r, c], ink, paper), out)
    return out.astype(np.uint8)


def find_qr_repaired(image: NDArray[np.uint8], homography: NDArray[np.float64]) -> QrRead | None:
    """Decode the QR at its printed place with its fixed patterns repainted (None if that fails too)."""
    crop = sample_rect(image, homography, QR_RECT, dpi=_DPI, margin_mm=_MARGIN_MM)
    k = _DPI / 25.4
    for n in SIZES:
        painted = paint_patterns(crop, n, _MARGIN_MM * k, QR_RECT.w * k / n)
        for read in decode_qr(painted):
            if parse_payload(read.text) is not None:
                return read
    return None
