"""Read the boxes and bubbles of a form we did not print, on its aligned page.

Our own forms are read by the full engine (:mod:`omr.reader.content`), which knows every printed stroke
of the page. A form we did not print has only its stated box positions, perhaps a blank page image,
and boxes or bubbles of any size. This reader is the one every OMR tool converges on, made safe:

1. **Ink, not gray.** The page's own paper level is estimated everywhere (a wide grey-scale closing:
   shadows and uneven light of phone photos cancel out), and ink is the darkening relative to it.
   When the template has a blank page image, the blank is aligned the same way and its printed ink
   (box outlines, letters printed inside bubbles) is subtracted.
2. **Each box found where it is printed.** A field's boxes move together: the shift (within a
   third of a box) that best centres their printed outlines on the stated positions is searched
   per field, which absorbs templates whose positions are a few pixels off.
3. **Page-level threshold with an absolute floor.** The interiors' ink shares of the whole page fall
   in two groups (empty and marked); their split is found by Otsu's criterion and accepted only when
   the groups are far apart and the marked one is really dark. A page without marks is therefore not
   read as "all marked" (OMRChecker's "Xeroxed OMR" failure), and a lone faint mark is not an answer.
4. **Confidence from the margin.** A box near the split is ``ambiguous``; its field goes to review,
   as does a single-choice field with two marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.config import ALIGNED_DPI
from omr.template.layout import Box
from omr.template.model import MarkingRule, MultiField, Template
from omr.types import MULTIPLE, BoxReading, BoxState, FieldReading

PX_PER_MM = ALIGNED_DPI / 25.4
_SEARCH = 0.34  # of the box size: how far a field's boxes may sit from their stated place
_INNER = 0.62  # of the box size: the interior measured (inside the printed outline)
_MIN_SPLIT = 0.18  # ink-share difference between the empty and marked groups of a page
_MARKED_FLOOR = {"fill": 0.42, "check": 0.16, "check-correct": 0.16}
_EMPTY_CEILING = 0.12  # a page whose boxes all stay below this is read as unmarked
_MARGIN = 0.25  # of the split: boxes closer to it than this share are ambiguous


@dataclass(frozen=True)
class BoxInk:
    """The ink share of one box interior (0 = paper, 1 = black) and where it was found."""

    box: Box
    ink: float
    shift: tuple[int, int]


def paper_level(aligned: NDArray[np.uint8], box_px: float) -> NDArray[np.float32]:
    """The local paper brightness: a grey-scale closing wider than any box or stroke, smoothed."""
    size = int(max(15, round(box_px * 2.5))) | 1
    closed = cv2.morphologyEx(aligned, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    smooth = cv2.blur(closed, (size, size))
    return np.maximum(smooth.astype(np.float32), 40.0)


def ink_image(aligned: NDArray[np.uint8], box_px: float, blank: NDArray[np.uint8] | None) -> NDArray[np.float32]:
    """Darkening relative to the local paper (0..1); the blank page's own ink removed when given."""
    ink = np.clip(1.0 - aligned.astype(np.float32) / paper_level(aligned, box_px), 0.0, 1.0)
    if blank is not None and blank.shape == aligned.shape:
        printed = np.clip(1.0 - blank.astype(np.float32) / paper_level(blank, box_px), 0.0, 1.0)
        printed = cv2.dilate(printed, np.ones((3, 3), np.uint8))
        ink = np.clip(ink - printed, 0.0, 1.0)
    return np.asarray(ink, np.float32)


def measure(aligned: NDArray[np.uint8], boxes: Sequence[Box], blank: NDArray[np.uint8] | None) -> list[BoxInk]:
    """The interior ink of every checkbox/bubble, each field's boxes moved together onto their outlines."""
    if not boxes:
        return []
    size_px = float(np.median([min(b.rect.w, b.rect.h) for b in boxes])) * PX_PER_MM
    raw = np.clip(1.0 - aligned.astype(np.float32) / paper_level(aligned, size_px), 0.0, 1.0)
    ink = ink_image(aligned, size_px, blank) if blank is not None else raw
    out: list[BoxInk] = []
    by_field: dict[str, list[Box]] = {}
    for b in boxes:
        by_field.setdefault(b.field, []).append(b)
    for group in by_field.values():
        dy, dx = _field_shift(raw, group)
        for b in group:
            out.append(BoxInk(b, _interior(ink, b, dy, dx), (dy, dx)))
    return out


def _masks(box: Box) -> tuple[NDArray[np.float32], NDArray[np.float32], int, int]:
    """The outline ring and interior masks of a box on the aligned page, and their top-left pixel."""
    x0, y0 = box.rect.x * PX_PER_MM, box.rect.y * PX_PER_MM
    w, h = max(3, round(box.rect.w * PX_PER_MM)), max(3, round(box.rect.h * PX_PER_MM))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    if box.shape == "circle":
        d = np.hypot((yy - cy) / (h / 2), (xx - cx) / (w / 2))
    else:
        d = np.maximum(np.abs(yy - cy) / (h / 2), np.abs(xx - cx) / (w / 2))
    ring = ((d > 0.78) & (d <= 1.05)).astype(np.float32)
    inner = (d <= _INNER).astype(np.float32)
    return ring, inner, round(y0), round(x0)


def _window(image: NDArray[np.float32], r0: int, c0: int, h: int, w: int) -> NDArray[np.float32] | None:
    rows, cols = image.shape
    if r0 < 0 or c0 < 0 or r0 + h > rows or c0 + w > cols:
        return None
    return image[r0 : r0 + h, c0 : c0 + w]


def _field_shift(ink: NDArray[np.float32], group: Sequence[Box]) -> tuple[int, int]:
    """The shift (rows, columns) that puts the field's box outlines on the most ink."""
    reach = max(1, round(_SEARCH * min(min(b.rect.w, b.rect.h) for b in group) * PX_PER_MM))
    n = 2 * reach + 1
    total = np.zeros((n, n), np.float32)
    for b in group:
        ring, _, r0, c0 = _masks(b)
        region = _window(ink, r0 - reach, c0 - reach, ring.shape[0] + 2 * reach, ring.shape[1] + 2 * reach)
        if region is None:
            continue
        total += np.asarray(cv2.matchTemplate(region, ring, cv2.TM_CCORR), np.float32) / float(ring.sum())
    yy, xx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    total -= 1e-3 * (np.abs(yy) + np.abs(xx)).astype(np.float32)  # the stated place when outlines are flat
    dy, dx = np.unravel_index(int(np.argmax(total)), total.shape)
    return int(dy) - reach, int(dx) - reach


def _interior(ink: NDArray[np.float32], box: Box, dy: int, dx: int) -> float:
    _, inner, r0, c0 = _masks(box)
    win = _window(ink, r0 + dy, c0 + dx, *inner.shape)
    if win is None:
        return 0.0
    return float((win * inner).sum() / inner.sum())


@dataclass(frozen=True)
class Split:
    """The page's empty/marked split: ``None`` threshold when the page holds no (or only) marks."""

    threshold: float | None
    spread: float


def split_page(inks: Sequence[float], mode: str) -> Split:
    """Where the page's box interiors divide into empty and marked (Otsu, with absolute floors)."""
    values = np.sort(np.asarray(inks, np.float64))
    floor = _MARKED_FLOOR.get(mode, 0.16)
    if values.size == 0 or values[-1] < max(_EMPTY_CEILING, floor * 0.6):
        return Split(None, 0.0)
    best_t, best_between = None, -1.0
    for i in range(1, values.size):
        lo, hi = values[:i], values[i:]
        between = lo.size * hi.size * (hi.mean() - lo.mean()) ** 2
        if between > best_between:
            best_between, best_t = between, (values[i - 1] + values[i]) / 2
    assert best_t is not None
    lo, hi = values[values <= best_t], values[values > best_t]
    spread = float(hi.mean() - lo.mean()) if lo.size and hi.size else 0.0
    if spread < _MIN_SPLIT or hi.mean() < floor:
        # one group only: all empty unless every box is dark
        return Split(None, spread) if values[0] < floor else Split(-1.0, spread)
    t = max(float(best_t), floor * 0.7)
    return Split(t, spread)


def box_state(ink: float, split: Split) -> tuple[BoxState, float]:
    """A box's state and the confidence of it under the page's split."""
    if split.threshold is None:
        return "empty", float(np.clip(1.0 - ink / 0.25, 0.0, 1.0))
    if split.threshold < 0:
        return "marked", 1.0
    margin = max(split.spread, _MIN_SPLIT) * _MARGIN
    d = ink - split.threshold
    conf = float(np.clip(abs(d) / (2 * margin), 0.0, 1.0))
    if abs(d) < margin:
        return "ambiguous", conf
    return ("marked" if d > 0 else "empty"), conf


def read_marks(template: Template, inks: Sequence[BoxInk]) -> tuple[list[BoxReading], list[FieldReading]]:
    """Box readings and the value of every choice field and grid row of the page."""
    rule: MarkingRule = template.marking
    split = split_page([b.ink for b in inks], rule.mode)
    readings: list[BoxReading] = []
    by_field: dict[str, list[BoxReading]] = {}
    for b in inks:
        state, conf = box_state(b.ink, split)
        r = BoxReading(b.box.field, b.box.value, state, round(conf, 4), round(b.ink, 4))
        readings.append(r)
        by_field.setdefault(b.box.field, []).append(r)
    kinds = template.answer_kinds()
    fields = [_decide(code, kinds.get(code, "single"), group, template, rule) for code, group in by_field.items()]
    return readings, fields


def _decide(code: str, kind: str, group: list[BoxReading], template: Template, rule: MarkingRule) -> FieldReading:
    marked = [r for r in group if r.state == "marked"]
    unsure = [r for r in group if r.state == "ambiguous"]
    confidence = round(min(r.confidence for r in group), 4)
    if kind == "multi":
        field = template.question_of(code)
        value = ";".join(r.value for r in marked)
        if unsure:
            return FieldReading(code, kind, value, "flagged", confidence, f"unclear mark at {unsure[0].value}")
        too_many = isinstance(field, MultiField) and field.max_choices is not None and len(marked) > field.max_choices
        if too_many:
            return FieldReading(code, kind, value, "flagged", confidence, "more marks than allowed")
        return FieldReading(code, kind, value, "auto", confidence)
    if unsure:
        value = marked[0].value if len(marked) == 1 else ""
        return FieldReading(code, kind, value, "flagged", confidence, f"unclear mark at {unsure[0].value}")
    if len(marked) > 1:
        if rule.multiple_in_single == "blank":
            return FieldReading(code, kind, "", "auto", confidence, "several marks: left blank by the marking rule")
        return FieldReading(code, kind, MULTIPLE, "flagged", confidence,
                            f"{len(marked)} marks ({', '.join(r.value for r in marked)})")
    return FieldReading(code, kind, marked[0].value if marked else "", "auto", confidence)
