"""The hand behind a form: ink and digit shapes measured on the aligned page images the reader kept.

Per form:

- **ink**: the mean and spread of the reader's darkness over the ticked boxes, and the mean and spread
  of the stroke intensity (how dark the darkest ink of each ticked box is on the aligned image);
- **digits**: every comb cell of the digit fields, cut from the aligned image with the template's
  geometry, its ink cropped to its extent, binarised, scaled into a 32×32 square (aspect kept) and described by
  a histogram of oriented gradients (4×4 cells, 8 directions): a shape vector, labelled with the
  digit the reader read there.

Two forms' digit distance is, for each digit both wrote, the distance of their closest instances
(1 − cosine), averaged over the digits they share (at least two). Everything is per form id; no
image leaves the workspace except the crops of flagged forms in the monitor's report.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from fieldwork.integrity_data import FormData
from omr.reader.config import ALIGNED_DPI
from omr.template.layout import Box, Rect, layout_template
from omr.template.model import DigitsField, Template

F32 = NDArray[np.float32]
U8 = NDArray[np.uint8]
SHAPE_SIDE = 32
HOG_CELLS = 4
HOG_BINS = 8
PX_PER_MM = ALIGNED_DPI / 25.4
MIN_SHARED_DIGITS = 2
"""Two forms' digit distance needs at least this many digits written on both."""


@dataclass(frozen=True)
class DigitShape:
    """One written digit: the digit read there and its normalised shape (unit vector)."""

    digit: str
    vector: F32 = field(compare=False, repr=False)


@dataclass(frozen=True)
class HandFeatures:
    """What a form's hand looks like: ink measures (None when nothing was ticked) and digit shapes."""

    form_id: str
    ink: tuple[float, float, float, float] | None
    digits: tuple[DigitShape, ...]


def crop_mm(image: U8, rect: Rect, *, inset_mm: float = 0.0) -> U8:
    """The aligned-image pixels of a template rectangle (mm), shrunk by ``inset_mm`` on each side."""
    r0 = max(0, round((rect.y + inset_mm) * PX_PER_MM))
    c0 = max(0, round((rect.x + inset_mm) * PX_PER_MM))
    r1 = min(image.shape[0], round((rect.bottom - inset_mm) * PX_PER_MM))
    c1 = min(image.shape[1], round((rect.right - inset_mm) * PX_PER_MM))
    return np.ascontiguousarray(image[r0:max(r0, r1), c0:max(c0, c1)])


def stroke_intensity(crop: U8) -> float | None:
    """How dark the darkest ink of a box interior is, 0 (paper) .. 1 (black); None for an empty crop."""
    if crop.size < 4:
        return None
    return float(1.0 - np.percentile(crop, 5) / 255.0)


def digit_shape(cell: U8, *, side: int = SHAPE_SIDE, cells: int = HOG_CELLS, bins: int = HOG_BINS) -> F32 | None:
    """A comb cell's digit as a unit HOG vector (``cells``² cells × ``bins`` orientations), or None when
    the cell holds too little ink.

    The ink is cut to its extent, binarised at half its contrast (so a blurred scan or a thicker pen
    draws the same shape), scaled into a ``side``² square (aspect kept, size gone: a hand keeps its
    shapes, not its size) and described by the histograms of its stroke directions per cell.

    Parameters
    ----------
    cell : (M, N) ndarray of uint8
        The interior of one comb cell (outline cut away), paper light.
    """
    if cell.size == 0:
        return None
    g = cell.astype(np.float32)
    paper = float(np.percentile(g, 95))
    black = float(g.min())
    if paper - black < 40.0:
        return None
    ink = np.clip((paper - g) / (paper - black), 0.0, 1.0)
    ys, xs = np.nonzero(ink > 0.35)
    if ys.size < 8:
        return None
    box = (ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] > 0.5).astype(np.float32)
    h, w = box.shape
    scale = (side - 4) / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    square = np.zeros((side, side), np.float32)
    top, left = (side - nh) // 2, (side - nw) // 2
    square[top : top + nh, left : left + nw] = cv2.resize(box, (nw, nh), interpolation=cv2.INTER_AREA)
    gx = np.asarray(cv2.Sobel(square, cv2.CV_32F, 1, 0), np.float32)
    gy = np.asarray(cv2.Sobel(square, cv2.CV_32F, 0, 1), np.float32)
    magnitude = np.hypot(gx, gy)
    orientation = ((np.arctan2(gy, gx) % np.pi) / np.pi * bins).astype(np.int64) % bins
    step = side // cells
    hist = [np.bincount(orientation[r : r + step, c : c + step].ravel(),
                        weights=magnitude[r : r + step, c : c + step].ravel(), minlength=bins)
            for r in range(0, step * cells, step) for c in range(0, step * cells, step)]
    vec = np.concatenate(hist).astype(np.float32)
    vec -= float(vec.mean())
    norm = float(np.linalg.norm(vec))
    return None if norm == 0.0 else (vec / norm).astype(np.float32)


def digit_distance(a: Sequence[DigitShape], b: Sequence[DigitShape]) -> float | None:
    """Mean over shared digits of the closest instances' distance (1 − cosine); None with < 2 shared."""
    by_a: dict[str, list[F32]] = {}
    by_b: dict[str, list[F32]] = {}
    for s in a:
        by_a.setdefault(s.digit, []).append(s.vector)
    for s in b:
        by_b.setdefault(s.digit, []).append(s.vector)
    shared = sorted(set(by_a) & set(by_b))
    if len(shared) < MIN_SHARED_DIGITS:
        return None
    dists = [1.0 - float((np.stack(by_a[d]) @ np.stack(by_b[d]).T).max()) for d in shared]
    return float(np.mean(dists))


def ink_distance(a: tuple[float, ...], b: tuple[float, ...], scale: Sequence[float]) -> float:
    """Euclidean distance of two ink measures, each measure divided by its survey scale."""
    va, vb, s = np.asarray(a), np.asarray(b), np.maximum(np.asarray(scale), 1e-6)
    return float(np.linalg.norm((va - vb) / s))


class PageImages:
    """Aligned page images of the workspace, read once each (grayscale)."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace

    @functools.lru_cache(maxsize=16)  # noqa: B019 - one instance per screen run; a form has a few pages
    def get(self, rel: str) -> U8 | None:
        path = (self.workspace / rel).resolve()
        if not path.is_relative_to(self.workspace.resolve()) or not path.is_file():
            return None
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        return None if image is None else np.asarray(image, np.uint8)


def _boxes(template: Template) -> dict[tuple[int, str, str], Box]:
    layout = layout_template(template)
    return {(p.number, b.field, b.value): b for p in layout.pages for b in p.boxes}


def hand_features(forms: Sequence[FormData], template: Template, images: PageImages) -> list[HandFeatures]:
    """The ink and digit features of every form (same order)."""
    boxes = _boxes(template)
    digit_fields = [f for f in template.fields() if isinstance(f, DigitsField)]
    out: list[HandFeatures] = []
    for form in forms:
        number_of = {p.page_id: p.number for p in form.pages}
        image_of = {p.number: p.image_path for p in form.pages}
        darkness = [t.darkness for t in form.ticked]
        strokes: list[float] = []
        for t in form.ticked:
            box = boxes.get((number_of.get(t.page_id, 0), t.field, t.value))
            rel = image_of.get(number_of.get(t.page_id, 0))
            image = images.get(rel) if rel else None
            if box is None or image is None or box.kind != "box":
                continue
            s = stroke_intensity(crop_mm(image, box.rect, inset_mm=0.6))
            if s is not None:
                strokes.append(s)
        ink = ((float(np.mean(darkness)), float(np.std(darkness)), float(np.mean(strokes)), float(np.std(strokes)))
               if darkness and strokes else None)
        shapes: list[DigitShape] = []
        for f in digit_fields:
            value = form.answer(f.code)
            for (number, code, pos), box in boxes.items():
                if code != f.code or box.kind != "digit" or number not in image_of:
                    continue
                k = int(pos) - 1
                if k >= len(value) or not value[k].isdigit():
                    continue
                rel = image_of[number]
                image = images.get(rel) if rel else None
                if image is None:
                    continue
                vec = digit_shape(crop_mm(image, box.rect, inset_mm=0.7))
                if vec is not None:
                    shapes.append(DigitShape(value[k], vec))
        out.append(HandFeatures(form.form_id, ink, tuple(shapes)))
    return out
