"""Digits in comb boxes, written by real hands.

The digit images come from ``samples/handwriting`` (held-out MNIST t10k and optdigits writers,
never used to train the reader). Each one is cropped to its ink, scaled to the cell with a
varied size, slant and rotation, thinned or thickened to the pen's stroke, placed with jitter
and inked with the respondent's pen.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.errors import MissingDependencyError
from samples.synth.ink import F32, Pen, Rng, Sheet, restroke
from samples.synth.marks import PxRect


@dataclass(frozen=True)
class DigitBank:
    """Handwritten digit images (N, 28, 28) uint8, white ink on black, and their labels."""

    images: NDArray[np.uint8]
    labels: NDArray[np.int64]

    def pick(self, digit: int, rng: Rng) -> NDArray[np.uint8]:
        """A random image of ``digit``."""
        idx = np.flatnonzero(self.labels == digit)
        if idx.size == 0:
            raise MissingDependencyError(f"the handwriting sample set has no digit {digit}")
        image: NDArray[np.uint8] = self.images[int(idx[int(rng.integers(idx.size))])]
        return image


@functools.cache
def digit_bank() -> DigitBank:
    """The held-out handwritten digits of :mod:`samples.handwriting`."""
    try:
        from samples.handwriting import load_digits
    except ImportError as exc:
        raise MissingDependencyError(
            "samples.handwriting is not installed (the held-out handwritten digits that synthetic "
            "forms are written with); restore samples/handwriting/ from the repository"
        ) from exc
    digits = load_digits()
    return DigitBank(np.asarray(digits.images, np.uint8), np.asarray(digits.labels, np.int64))


def digit_alpha(image: NDArray[np.uint8], *, cell: tuple[int, int], pen: Pen, rng: Rng) -> F32:
    """Turn a 28×28 digit into ink coverage for a comb cell of ``cell`` = (rows, cols) pixels.

    Parameters
    ----------
    image : (28, 28) ndarray of uint8
        White ink on black, MNIST style.
    cell : (rows, cols)
        Size of the comb cell (outer edge of its outline) in pixels.
    pen : Pen
        Sets the stroke thickness.
    rng : numpy.random.Generator
        Size, slant, rotation and position jitter.

    Returns
    -------
    alpha : (rows, cols) ndarray of float32
        Ink coverage 0..1 of the cell; strokes may touch its outline but stay inside the cell.
    """
    rows, cols = cell
    src = image.astype(np.float32) / np.float32(255.0)
    ys, xs = np.nonzero(src > 0.12)
    if ys.size == 0:
        return np.zeros(cell, np.float32)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    crop_h, crop_w = float(y1 - y0), float(x1 - x0)
    target_h = rows * float(rng.uniform(0.52, 0.78))
    scale = target_h / crop_h
    sx = scale * float(rng.uniform(0.85, 1.15))
    if crop_w * sx > cols * 0.8:
        sx = cols * 0.8 / crop_w
    shear = float(rng.normal(0, 0.12))
    angle = np.deg2rad(float(rng.normal(0, 5.0)))
    ca, sa = np.cos(angle), np.sin(angle)
    # Linear part: rotate ∘ shear ∘ scale; then put the crop's centre at a jittered cell centre.
    lin = np.array([[ca, -sa], [sa, ca]]) @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sx, scale])
    centre_src = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    off = np.array([rng.normal(0, 0.06) * cols, rng.normal(0, 0.05) * rows])
    centre_dst = np.array([cols / 2, rows / 2]) + off
    matrix = np.hstack([lin, (centre_dst - lin @ centre_src)[:, None]]).astype(np.float32)
    warped = cv2.warpAffine(src, matrix, (cols, rows), flags=cv2.INTER_CUBIC, borderValue=0.0)
    # One pen writes every digit of a form: bring the sample's stroke to the pen's width.
    width = pen.width_px * float(rng.uniform(1.0, 1.35))
    return restroke(np.clip(warped, 0.0, 1.0).astype(np.float32), width=width)


def draw_digits(
    sheet: Sheet, cells: list[PxRect], text: str, *, pen: Pen, rng: Rng, bank: DigitBank | None = None
) -> None:
    """Write the digit string ``text`` into comb ``cells`` (one digit each, left to right)."""
    bank = bank or digit_bank()
    for (x, y, w, h), ch in zip(cells, text, strict=False):
        if not ch.isdigit():
            continue
        left, top = int(round(x)), int(round(y))
        alpha = digit_alpha(bank.pick(int(ch), rng), cell=(int(round(h)), int(round(w))), pen=pen, rng=rng)
        sheet.ink(alpha, top=top, left=left, pen=pen, rng=rng)
