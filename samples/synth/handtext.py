"""Handwriting-like text: Vietnamese phrases drawn glyph by glyph with a person's irregularity.

No handwriting font covers Vietnamese, so each glyph of the shipped DejaVu faces is drawn on its
own with a random size, rotation and baseline shift, letters and words are spaced unevenly, the
line gets a slant, and a smooth random displacement makes the strokes wobble. The whole phrase is
always written (the text shrinks until it fits), so the truth is exactly what is on the page.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from omr.fonts import FontName, font_path
from samples.synth.ink import F32, Pen, Rng, Sheet
from samples.synth.marks import PxRect


@functools.cache
def _font(face: FontName, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(face)), size)


def _glyph(ch: str, face: FontName, size: int, angle: float) -> tuple[F32, int]:
    """One glyph as coverage, rotated; returns it and the row of its baseline."""
    font = _font(face, size)
    pad = size // 2
    canvas = Image.new("L", (size * 2 + pad, size * 2), 0)
    ImageDraw.Draw(canvas).text((pad, int(size * 1.3)), ch, font=font, fill=255, anchor="ls")
    if angle:
        canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, center=(pad, int(size * 1.3)))
    return np.asarray(canvas, np.float32) / np.float32(255.0), int(size * 1.3)


def _layout_words(words: list[str], face: FontName, size: int, width: float) -> list[list[str]] | None:
    font = _font(face, size)
    space = font.getlength(" ") * 1.3
    lines: list[list[str]] = [[]]
    used = 0.0
    for word in words:
        w = font.getlength(word) * 1.08
        if lines[-1] and used + space + w > width:
            lines.append([])
            used = 0.0
        if w > width:
            return None
        used += (space if lines[-1] else 0.0) + w
        lines[-1].append(word)
    return lines


def _wobble(alpha: F32, rng: Rng, amplitude: float) -> F32:
    """Displace ``alpha`` by a smooth random field (strokes of a hand, not a printer)."""
    rows, cols = alpha.shape
    coarse = (max(2, rows // 40 + 2), max(2, cols // 40 + 2))
    dx = cv2.resize(rng.normal(0, amplitude, coarse).astype(np.float32), (cols, rows), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(rng.normal(0, amplitude, coarse).astype(np.float32), (cols, rows), interpolation=cv2.INTER_CUBIC)
    gx, gy = np.meshgrid(np.arange(cols, dtype=np.float32), np.arange(rows, dtype=np.float32))
    return np.asarray(cv2.remap(alpha, gx + dx, gy + dy, cv2.INTER_LINEAR, borderValue=0.0), np.float32)


def text_alpha(text: str, *, area: tuple[int, int], line_height: float, rng: Rng) -> F32 | None:
    """Ink coverage of ``text`` handwritten into an area of ``area`` = (rows, cols) pixels.

    Parameters
    ----------
    text : str
        The phrase (NFC).
    area : (rows, cols)
        The writing area, in pixels.
    line_height : float
        Distance between written lines, in pixels (a one-line write-in: its height).
    rng : numpy.random.Generator
        Glyph size, rotation, spacing, slant and wobble.

    Returns
    -------
    alpha : (rows, cols) ndarray of float32, or None
        Ink coverage 0..1; None when the phrase cannot fit even at the smallest size.
    """
    rows, cols = area
    face: FontName = "italic" if rng.random() < 0.6 else "regular"
    size = int(line_height * float(rng.uniform(0.62, 0.75)))
    left = float(rng.uniform(0.02, 0.08)) * cols
    words = text.split()
    lines: list[list[str]] | None = None
    max_lines = max(1, int(rows // line_height))
    while size >= 14:
        lines = _layout_words(words, face, size, cols - left - size)
        if lines is not None and len(lines) <= max_lines:
            break
        size = int(size * 0.9)
        lines = None
    if lines is None:
        return None
    out = np.zeros(area, np.float32)
    font = _font(face, size)
    for li, line in enumerate(lines):
        baseline = (li + 1) * line_height - line_height * float(rng.uniform(0.22, 0.32))
        x = left + float(rng.normal(0, 0.01)) * cols
        drift = float(rng.normal(0, 0.015))
        for wi, word in enumerate(line):
            if wi:
                x += font.getlength(" ") * float(rng.uniform(0.9, 1.6))
            for ch in word:
                angle = float(rng.normal(0, 4.0))
                scale = float(rng.uniform(0.92, 1.08))
                gsize = max(8, int(size * scale))
                glyph, base_row = _glyph(ch, face, gsize, angle)
                top = int(round(baseline + drift * x - base_row + rng.normal(0, size * 0.03)))
                pad = gsize // 2
                c0 = int(round(x)) - pad
                r0, r1 = max(top, 0), min(top + glyph.shape[0], rows)
                cc0, cc1 = max(c0, 0), min(c0 + glyph.shape[1], cols)
                if r1 > r0 and cc1 > cc0:
                    region = out[r0:r1, cc0:cc1]
                    np.maximum(region, glyph[r0 - top : r1 - top, cc0 - c0 : cc1 - c0], out=region)
                x += _font(face, gsize).getlength(ch) * float(rng.uniform(0.97, 1.12))
    slant = math.tan(math.radians(float(rng.uniform(-4.0, 10.0))))
    shear = np.array([[1.0, -slant, slant * rows / 2], [0.0, 1.0, 0.0]], np.float32)
    out = np.asarray(cv2.warpAffine(out, shear, (cols, rows), flags=cv2.INTER_LINEAR, borderValue=0.0), np.float32)
    return _wobble(out, rng, amplitude=size * 0.035)


def draw_text(sheet: Sheet, rect: PxRect, text: str, *, line_height: float, pen: Pen, rng: Rng) -> bool:
    """Write ``text`` inside the writing area ``rect``; False when it could not fit."""
    x, y, w, h = rect
    inset = 3
    area = (int(h) - 2 * inset, int(w) - 2 * inset)
    alpha = text_alpha(text, area=area, line_height=line_height, rng=rng)
    if alpha is None:
        return False
    sheet.ink(alpha, top=int(round(y)) + inset, left=int(round(x)) + inset, pen=pen, rng=rng)
    return True
