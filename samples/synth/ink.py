"""Pens, anti-aliased pen strokes and the sheet they are drawn on (300 dpi, grayscale).

A :class:`Sheet` is a mutable drawing surface, like a PIL ``ImageDraw``: the mark, digit and text
painters add ink to it in place. Ink is applied multiplicatively (``paper × (1 − α·(1 − r))``
with ``r`` the ink's reflectance), so printed lines stay dark under ink and crossing strokes of
a pencil get darker, as on paper.

Strokes are rasterised at 4× supersampling and reduced by area averaging, which gives
fractional stroke widths and clean anti-aliasing at the scale of a 4.5 mm checkbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

Rng = np.random.Generator
F32 = NDArray[np.float32]
U8 = NDArray[np.uint8]

PAPER_DPI = 300.0
PX_PER_MM = PAPER_DPI / 25.4
_SS = 4  # supersampling factor of stroke rasterisation

PenKind = Literal["ballpoint-black", "ballpoint-blue", "felt-tip", "pencil", "gel"]


@dataclass(frozen=True)
class Pen:
    """A writing instrument as a grayscale scanner sees it.

    ``reflectance`` is the gray of a fully inked pixel (0 black, 1 paper); ``width_mm`` the
    stroke width; ``grain`` how much the ink breaks up on the paper grain (pencil: high).
    """

    kind: PenKind
    reflectance: float
    width_mm: float
    grain: float = 0.0
    spread: float = 0.0
    """How far the ink of a felt pen spreads around a mark's strokes (× the width; 0 = not at all)."""

    @property
    def width_px(self) -> float:
        return self.width_mm * PX_PER_MM


def random_pen(rng: Rng, *, pencil_share: float = 0.06) -> Pen:
    """The pen one respondent uses for a whole form: mostly ballpoints, sometimes a pencil."""
    u = rng.random()
    if u < pencil_share:
        return Pen("pencil", float(rng.uniform(0.42, 0.62)), float(rng.uniform(0.30, 0.50)), 0.4)
    if u < pencil_share + 0.07:
        return Pen("felt-tip", float(rng.uniform(0.04, 0.15)), float(rng.uniform(0.55, 0.85)), 0.0)
    if u < 0.55:
        return Pen("ballpoint-blue", float(rng.uniform(0.25, 0.45)), float(rng.uniform(0.30, 0.45)), 0.08)
    return Pen("ballpoint-black", float(rng.uniform(0.08, 0.22)), float(rng.uniform(0.30, 0.45)), 0.05)


def bezier(p0: tuple[float, float], p1: tuple[float, float], bulge: float, n: int = 14) -> F32:
    """Points of a quadratic curve from ``p0`` to ``p1`` bowed sideways by ``bulge`` × its length.

    Points are (column, row) pairs in pixels, shape (n, 2).
    """
    a, b = np.asarray(p0, np.float32), np.asarray(p1, np.float32)
    d = b - a
    normal = np.array([-d[1], d[0]], np.float32)
    ctrl = (a + b) / 2 + normal * np.float32(bulge)
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
    pts: F32 = ((1 - t) ** 2 * a + 2 * (1 - t) * t * ctrl + t**2 * b).astype(np.float32)
    return pts


def strokes_alpha(
    strokes: list[F32], *, width: float, shape: tuple[int, int], taper: float = 0.25
) -> F32:
    """Rasterise pen strokes into an ink coverage map.

    Parameters
    ----------
    strokes : list of (N, 2) ndarray of float32
        Polylines as (column, row) pixel coordinates relative to the map's top-left corner.
    width : float
        Stroke width in pixels (fractions are honoured).
    shape : (rows, cols)
        Size of the map.
    taper : float
        How much thinner the stroke gets at its two ends (0 = none, 0.5 = half width).

    Returns
    -------
    alpha : (rows, cols) ndarray of float32
        Ink coverage 0..1.
    """
    rows, cols = shape
    big = np.zeros((rows * _SS, cols * _SS), np.uint8)
    for pts in strokes:
        n = len(pts)
        scaled = (pts * _SS + (_SS - 1) / 2).astype(np.float32)
        for i in range(n - 1):
            t = (i + 0.5) / max(n - 1, 1)
            factor = 1.0 - taper * (abs(2 * t - 1) ** 2)
            thick = max(1, int(round(width * _SS * factor - 1.5)))  # LINE_AA adds ~1.5 px
            a = (int(round(scaled[i, 0] * 16)), int(round(scaled[i, 1] * 16)))
            b = (int(round(scaled[i + 1, 0] * 16)), int(round(scaled[i + 1, 1] * 16)))
            cv2.line(big, a, b, 255, thick, cv2.LINE_AA, shift=4)
    small = cv2.resize(big, (cols, rows), interpolation=cv2.INTER_AREA)
    alpha: F32 = small.astype(np.float32) / np.float32(255.0)
    return alpha


def stroke_width(alpha: F32) -> float:
    """Mean stroke width in pixels of the ink in ``alpha`` (twice area over perimeter).

    Parameters
    ----------
    alpha : (rows, cols) ndarray of float32
        Ink coverage 0..1.

    Returns
    -------
    width : float
        0.0 when there is no ink.
    """
    mask = (alpha >= 0.5).astype(np.uint8)
    area = float(mask.sum())
    if area == 0:
        return 0.0
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * area / max(perimeter, 1.0)


def restroke(alpha: F32, *, width: float) -> F32:
    """Thin or thicken the strokes in ``alpha`` to about ``width`` pixels, with soft edges.

    Parameters
    ----------
    alpha : (rows, cols) ndarray of float32
        Ink coverage 0..1.
    width : float
        Wanted stroke width in pixels.

    Returns
    -------
    alpha : (rows, cols) ndarray of float32
        A new coverage map whose edges are moved by half the width difference (signed distance).
    """
    current = stroke_width(alpha)
    if current == 0.0:
        return alpha.copy()
    mask = (alpha >= 0.5).astype(np.uint8)
    inside = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    outside = cv2.distanceTransform(1 - mask, cv2.DIST_L2, 3)
    signed = inside - outside
    delta = np.float32((current - width) / 2.0)
    out: F32 = np.clip(signed - delta + np.float32(0.5), 0.0, 1.0).astype(np.float32)
    return out


class Sheet:
    """A 300-dpi grayscale page that ink is added to (mutable, owned by its painter)."""

    def __init__(self, image: U8) -> None:
        self.image: U8 = image.copy()

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.image.shape[0]), int(self.image.shape[1]))

    def ink(self, alpha: F32, *, top: int, left: int, pen: Pen, rng: Rng | None = None) -> None:
        """Add ink with coverage ``alpha`` whose top-left corner lands at (``top``, ``left``)."""
        h, w = alpha.shape
        r0, c0 = max(top, 0), max(left, 0)
        r1, c1 = min(top + h, self.shape[0]), min(left + w, self.shape[1])
        if r1 <= r0 or c1 <= c0:
            return
        a = alpha[r0 - top : r1 - top, c0 - left : c1 - left]
        if pen.grain > 0 and rng is not None:
            grain = rng.random(a.shape, dtype=np.float32)
            a = a * (np.float32(1.0) - np.float32(pen.grain) * grain)
        roi = self.image[r0:r1, c0:c1].astype(np.float32)
        roi *= np.float32(1.0) - a * np.float32(1.0 - pen.reflectance)
        self.image[r0:r1, c0:c1] = np.clip(roi + 0.5, 0, 255).astype(np.uint8)

    def draw_strokes(
        self, strokes: list[F32], *, pen: Pen, rng: Rng, width_scale: float = 1.0, taper: float = 0.25
    ) -> None:
        """Draw polylines given in page pixels (column, row) with ``pen``."""
        if not strokes:
            return
        allpts = np.concatenate(strokes)
        pad = pen.width_px * width_scale * (1 + pen.spread) + 3
        c0, r0 = np.floor(allpts.min(axis=0) - pad).astype(int)
        c1, r1 = np.ceil(allpts.max(axis=0) + pad).astype(int)
        local = [(s - np.array([c0, r0], np.float32)).astype(np.float32) for s in strokes]
        shape = (int(r1 - r0), int(c1 - c0))
        alpha = strokes_alpha(local, width=pen.width_px * width_scale, shape=shape, taper=taper)
        if pen.spread > 0:
            # Spreading ink: a lighter halo around the stroke, as a felt pen on soft paper leaves.
            halo = strokes_alpha(local, width=pen.width_px * width_scale * (1 + pen.spread), shape=shape, taper=0.0)
            alpha = np.maximum(alpha, halo * np.float32(0.45))
        self.ink(alpha, top=int(r0), left=int(c0), pen=pen, rng=rng)
