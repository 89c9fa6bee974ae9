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
3. **Marks measured from the empty boxes.** The page's empty level and its noise come from its
   lightest boxes; a mark must stand well above them and above an absolute least ink share for the
   marking rule. A page without marks is therefore not read as "all marked" (OMRChecker's "Xeroxed
   OMR" failure), one dark correction does not lift the bar over thin crosses, and a lone faint dot
   is not an answer. When the boxes fall in two well separated groups (Otsu's split), the bar is not
   set above that split: empties with printed letters are noisy, and their marks may be light.
4. **Confidence from the margin.** A box near the threshold is ``ambiguous``; its field goes to
   review, as does a single-choice field with two marks. Under the check-correct rule a box filled
   over is a cancelled answer when another box of the question is marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.reader.positions import PX_PER_MM
from omr.template.layout import Box
from omr.template.model import MarkingRule, MultiField, Template
from omr.types import MULTIPLE, BoxReading, BoxState, FieldReading

_SEARCH = 0.34  # of the box size: how far a field's boxes may sit from their neighbours' shift
_WIDE_SEARCH = 0.8  # of the box size: the first, per-field search...
_PITCH_SHARE = 0.4  # ...and of the distance between neighbouring boxes
_NEIGHBOURS = 9  # fields (itself included) whose wide shifts give a field's expected shift
_INNER = 0.62  # of the box size: the interior measured (inside the printed outline)
_MIN_MARK = {"fill": 0.25, "check": 0.09, "check-correct": 0.09}  # least ink share of a mark, by marking rule
_NOISE_FLOOR = 0.01  # least noise (ink share) assumed for the empty boxes
_NOISE_SIGMAS = 8.0  # a mark stands this many noise sigmas above the empty level...
_MIN_RISE = 0.06  # ...and at least this much
_MIN_SPLIT = 0.15  # ink-share gap between the means of two groups of boxes that are told apart
_UNSURE = 0.3  # of (threshold - empty level): boxes this close to the threshold are ambiguous
_FILLED = 0.5  # ink share of a box filled over (a correction under the check-correct rule)


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
    """The interior ink of every checkbox/bubble, each field's boxes moved together onto their outlines.

    The shift of each field is searched twice: widely on its own, then narrowly around the median of its
    neighbours' wide shifts, so a field that snapped onto the next row of bubbles is pulled back by the
    fields round it, while a page bent or seen in perspective still gets a shift per region.
    """
    if not boxes:
        return []
    size_px = float(np.median([min(b.rect.w, b.rect.h) for b in boxes])) * PX_PER_MM
    raw = np.clip(1.0 - aligned.astype(np.float32) / paper_level(aligned, size_px), 0.0, 1.0)
    ink = ink_image(aligned, size_px, blank) if blank is not None else raw
    by_field: dict[str, list[Box]] = {}
    for b in boxes:
        by_field.setdefault(b.field, []).append(b)
    groups = list(by_field.values())
    # never as far as half the distance to the next bubble: a row of bubbles matches itself one step over
    wide = max(1, round(min(_WIDE_SEARCH * size_px, _PITCH_SHARE * _pitch_px(boxes))))
    narrow = max(1, round(_SEARCH * size_px))
    first = np.array([_field_shift(raw, g, wide, (0, 0)) for g in groups], np.float64)
    centres = np.array([[np.mean([b.rect.centre[0] for b in g]), np.mean([b.rect.centre[1] for b in g])]
                        for g in groups], np.float64)
    out: list[BoxInk] = []
    for i, group in enumerate(groups):
        near = np.argsort(np.hypot(*(centres - centres[i]).T))[:_NEIGHBOURS]
        prior = (int(round(float(np.median(first[near, 0])))), int(round(float(np.median(first[near, 1])))))
        dy, dx = _field_shift(raw, group, narrow, prior)
        out += [BoxInk(b, _interior(ink, b, dy, dx), (dy, dx)) for b in group]
    return out


def _pitch_px(boxes: Sequence[Box]) -> float:
    """The median distance from a box to its nearest neighbour, in aligned pixels."""
    centres = np.array([b.rect.centre for b in boxes], np.float64)
    if len(centres) < 2:
        return float("inf")
    d = np.hypot(centres[:, None, 0] - centres[None, :, 0], centres[:, None, 1] - centres[None, :, 1])
    np.fill_diagonal(d, np.inf)
    return float(np.median(d.min(axis=1))) * PX_PER_MM


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


def _field_shift(ink: NDArray[np.float32], group: Sequence[Box], reach: int,
                 around: tuple[int, int]) -> tuple[int, int]:
    """The shift (rows, columns) within ``reach`` of ``around`` that puts the field's outlines on the most ink."""
    n = 2 * reach + 1
    total = np.zeros((n, n), np.float32)
    oy, ox = around
    for b in group:
        ring, _, r0, c0 = _masks(b)
        region = _window(ink, r0 + oy - reach, c0 + ox - reach, ring.shape[0] + 2 * reach, ring.shape[1] + 2 * reach)
        if region is None:
            continue
        total += np.asarray(cv2.matchTemplate(region, ring, cv2.TM_CCORR), np.float32) / float(ring.sum())
    yy, xx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    total -= 1e-3 * (np.abs(yy + oy) + np.abs(xx + ox)).astype(np.float32)  # the stated place when outlines are flat
    dy, dx = np.unravel_index(int(np.argmax(total)), total.shape)
    return int(dy) - reach + oy, int(dx) - reach + ox


def _interior(ink: NDArray[np.float32], box: Box, dy: int, dx: int) -> float:
    _, inner, r0, c0 = _masks(box)
    win = _window(ink, r0 + dy, c0 + dx, *inner.shape)
    if win is None:
        return 0.0
    return float((win * inner).sum() / inner.sum())


@dataclass(frozen=True)
class Split:
    """The page's empty level and the ink a box needs to count as marked, with the unsure band round it."""

    empty: float
    threshold: float
    margin: float


def split_page(inks: Sequence[float], mode: str) -> Split:
    """Where marked boxes begin on this page: above the empty boxes' level by many times their noise.

    The empty level and noise are taken from the lightest third of the page's boxes (on any form most
    boxes are empty: a page of yes/no questions all answered is half empty), so one dark correction
    does not raise the bar over thin crosses, and a page without marks is not read as all marked.
    """
    values = np.sort(np.asarray(inks, np.float64))
    if values.size == 0:
        return Split(0.0, _MIN_MARK.get(mode, 0.09), 0.03)
    lower = values[: max(1, values.size // 3)]
    empty = float(np.median(lower))
    noise = max(_NOISE_FLOOR, 1.4826 * float(np.median(np.abs(lower - empty))))
    floor = _MIN_MARK.get(mode, 0.09)
    threshold = max(floor, empty + max(_NOISE_SIGMAS * noise, _MIN_RISE))
    two = _two_groups(values, floor)
    if two is not None and two > empty + _MIN_RISE:  # clearly two groups: empties noisy (printed letters)
        threshold = min(threshold, two)
    return Split(empty, threshold, max(0.02, _UNSURE * (threshold - empty)))


def _two_groups(values: NDArray[np.float64], floor: float) -> float | None:
    """Otsu's split of the page's ink shares when they form two well separated groups, else None."""
    if values.size < 2:
        return None
    best_t, best_between = float(values[0]), -1.0
    for i in range(1, values.size):
        lo, hi = values[:i], values[i:]
        between = lo.size * hi.size * float(hi.mean() - lo.mean()) ** 2
        if between > best_between:
            best_between, best_t = between, float(values[i - 1] + values[i]) / 2
    lo, hi = values[values <= best_t], values[values > best_t]
    if lo.size == 0 or hi.size == 0 or float(hi.mean() - lo.mean()) < _MIN_SPLIT or float(hi.min()) < floor:
        return None
    return best_t


def box_state(ink: float, split: Split, mode: str = "check") -> tuple[BoxState, float]:
    """A box's state and the confidence of it under the page's split."""
    d = ink - split.threshold
    conf = float(np.clip(abs(d) / (2 * split.margin), 0.0, 1.0))
    if abs(d) < split.margin:
        return "ambiguous", conf
    if d < 0:
        return "empty", conf
    if mode == "check-correct" and ink >= _FILLED:
        return "filled", conf
    return "marked", conf


def read_marks(template: Template, inks: Sequence[BoxInk]) -> tuple[list[BoxReading], list[FieldReading]]:
    """Box readings and the value of every choice field and grid row of the page."""
    rule: MarkingRule = template.marking
    split = split_page([b.ink for b in inks], rule.mode)
    readings: list[BoxReading] = []
    by_field: dict[str, list[BoxReading]] = {}
    for b in inks:
        state, conf = box_state(b.ink, split, rule.mode)
        r = BoxReading(b.box.field, b.box.value, state, round(conf, 4), round(b.ink, 4))
        readings.append(r)
        by_field.setdefault(b.box.field, []).append(r)
    kinds = template.answer_kinds()
    fields = [_decide(code, kinds.get(code, "single"), group, template, rule) for code, group in by_field.items()]
    return readings, fields


def _decide(code: str, kind: str, group: list[BoxReading], template: Template, rule: MarkingRule) -> FieldReading:
    marked = [r for r in group if r.state == "marked"]
    unsure = [r for r in group if r.state == "ambiguous"]
    filled = [r for r in group if r.state == "filled"]
    confidence = round(min(r.confidence for r in group), 4)
    if filled and not marked and not unsure:  # check-correct: filled over, nothing else marked
        if rule.filled_alone == "review":
            return FieldReading(code, kind, "", "flagged", confidence,
                                f"box {filled[0].value} filled over and nothing else marked")
        if rule.filled_alone == "mark":
            marked = filled
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
