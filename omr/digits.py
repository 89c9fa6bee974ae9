"""Read one handwritten digit per comb box.

The reader works on grayscale crops of single comb boxes (dark ink on light paper). Each crop
goes through :func:`normalise_cell`, which calibrates paper and ink levels locally, removes the
printed box border and specks, decides blank against written and turns the ink into a 28x28
MNIST-style image. A small CNN (``omr/models/digits.onnx``, trained by
``tools/train_digits.py``) then classifies the batch with OpenCV's DNN module, so torch is not
needed at runtime.

Routing rule: accept a reading automatically only when
``reading.confidence >= DIGIT_ACCEPT_CONFIDENCE``; send everything else to review. This holds
for blank cells too, whose confidence is the confidence that the cell is blank.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.errors import MissingDependencyError

__all__ = [
    "DIGIT_ACCEPT_CONFIDENCE",
    "DEFAULT_MODEL_PATH",
    "DigitReading",
    "DigitReader",
    "normalise_cell",
]

DEFAULT_MODEL_PATH: Final = Path(__file__).parent / "models" / "digits.onnx"

#: Accept a reading without review only at or above this confidence (see module docstring).
#: Chosen on validation digits (training writers) as the lowest threshold giving >= 99.6 %
#: correct among accepted (``tools/train_digits.py --validate`` printed 0.895); on held-out
#: writers it accepts about 95 % of digits at 99.6 % correct (see omr/models/DIGITS_MODEL.md).
DIGIT_ACCEPT_CONFIDENCE: Final = 0.9

# Working scale: every cell is resized to this height before analysis, so that all pixel
# sizes below are in a fixed unit whatever the scan resolution (about 7 working px per mm).
_WORK_HEIGHT: Final = 64
_MIN_CELL_SIDE: Final = 8
# Ink: "strong" pixels are darker than paper by max(18 grey levels, 4.5 noise sigmas); they grow
# into "weak" neighbours (12 levels, 3 sigmas) so that faint pencil strokes stay connected.
_MIN_INK_DELTA: Final = 18.0
_NOISE_SIGMAS: Final = 4.5
_WEAK_INK_DELTA: Final = 12.0
_WEAK_NOISE_SIGMAS: Final = 3.0
# Median |pixel - 3x3 median| underestimates the (smoothed) noise sigma by about this factor.
_MEDIAN_RESIDUAL_GAIN: Final = 2.1
# Border lines are searched in the outer 15 % of each side, over slopes of up to about 3 degrees.
# A line must cover 50 % of the side (60 % when deeper than the outer 8 %), be at most 10 working
# px thick, have clean paper on its inner side, and it is erased with everything outside it.
_BORDER_BAND: Final = 0.15
_BORDER_OUTER: Final = 0.08
_BORDER_COVER_OUTER: Final = 0.5
_BORDER_COVER_INNER: Final = 0.6
_BORDER_SLOPES: Final = np.linspace(-0.055, 0.055, 7)
_BORDER_MAX_THICK: Final = 10
_BORDER_INNER_RATIO: Final = 0.65
# A printed line runs to both ends of the cell (the comb's lines continue into the neighbours and a
# side line meets the top and bottom lines): it must hold ink in 40 % of the outer 15 % at each end,
# which the bar of a 7 or the stem of a 9 near a side rarely does.
_BORDER_END: Final = 0.15
_BORDER_END_COVER: Final = 0.4
# Components: specks are smaller than 10 % of the cell height; remnants of the box (partial
# lines, comb ticks, corners) hug a side within 13 % of the width; pieces of the digit are kept
# when they hold 30 % of the largest piece's ink, or 8 % and lie within 10 % of the height of it.
_SPECK_SIZE: Final = 0.1
_REMNANT_BAND: Final = 0.13
_STUB_SHARE: Final = 0.35
_REMNANT_END: Final = 0.12
_UPRIGHT_DEGREES: Final = 6.0
_CORNER_SHARE: Final = 0.4
_BIG_FRAGMENT_SHARE: Final = 0.3
_FRAGMENT_SHARE: Final = 0.08
_FRAGMENT_REACH: Final = 0.1
# Written (not blank): the kept ink spans >= 22 % of the cell height and covers >= 0.6 % of it.
_WRITTEN_HEIGHT: Final = 0.22
_WRITTEN_AREA: Final = 0.006
# MNIST geometry: the digit is fitted into 20x20 and centred by mass in 28x28.
_SIDE: Final = 28
_BOX: Final = 20


@dataclass(frozen=True)
class DigitReading:
    """Result of reading one comb box.

    Attributes
    ----------
    value
        The digit 0-9, or ``None`` when the cell is blank.
    confidence
        0..1. For a written cell, the probability of ``value``; for a blank cell, the
        confidence that it is blank.
    blank
        ``True`` when no digit was found in the cell.
    ink
        Share of ink pixels in the cell after the box border and specks were removed.
    """

    value: int | None
    confidence: float
    blank: bool
    ink: float


@dataclass(frozen=True)
class _CellAnalysis:
    """What :func:`_analyse_cell` found in one cell."""

    image: NDArray[np.float32] | None
    ink: float
    evidence: float


def normalise_cell(cell: NDArray[np.uint8]) -> NDArray[np.float32] | None:
    """Turn one comb-box crop into an MNIST-style digit image.

    Parameters
    ----------
    cell
        Grayscale crop (H, W) of one comb box, dark ink on light paper, uint8.

    Returns
    -------
    NDArray[np.float32] | None
        (28, 28) array in 0..1 with ink = 1 (the digit fitted into 20x20 and centred by its
        centre of mass), or ``None`` when the cell is blank.

    Raises
    ------
    ValueError
        If ``cell`` is not a 2-D uint8 array of at least 8 pixels on a side.
    """
    return _analyse_cell(cell).image


def _analyse_cell(cell: NDArray[np.uint8]) -> _CellAnalysis:
    """Calibrate, clean and normalise one cell; see :func:`normalise_cell`."""
    grey = _to_work_scale(_check_cell(cell))
    paper, sigma = _paper_level(grey)
    support = _ink_support(grey, paper, sigma)
    if not support.any():
        return _CellAnalysis(None, 0.0, 0.0)
    support, zone = _remove_border_lines(support)
    keep = _keep_digit_components(support, zone)
    ink = float(keep.mean())
    evidence = _written_evidence(keep)
    if evidence < 1.0:
        return _CellAnalysis(None, ink, evidence)
    intensity = _ink_intensity(grey, keep, paper)
    return _CellAnalysis(_to_mnist(intensity), ink, evidence)


def _check_cell(cell: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Validate the crop's shape and type."""
    arr = np.asarray(cell)
    if arr.ndim != 2 or min(arr.shape) < _MIN_CELL_SIDE or arr.dtype != np.uint8:
        raise ValueError(
            f"a digit cell must be a 2-D uint8 grayscale crop of at least 8x8 px, got {arr.dtype} {arr.shape}"
        )
    return arr


def _to_work_scale(cell: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Resize to the working height (keeping aspect) and smooth away pixel noise."""
    height, width = cell.shape
    scale = _WORK_HEIGHT / height
    new_w = max(_MIN_CELL_SIDE, round(width * scale))
    interp = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    resized = cv2.resize(cell, (new_w, _WORK_HEIGHT), interpolation=interp).astype(np.float32)
    return np.asarray(cv2.GaussianBlur(resized, (3, 3), 0.7), dtype=np.float32)


def _paper_level(grey: NDArray[np.float32]) -> tuple[float, float]:
    """Estimate the paper level and the pixel noise sigma of a cell.

    The noise comes from the median absolute difference to a 3x3 median filter (so shading and
    strokes barely count); the paper level is the 90th percentile less the noise it contains,
    which stays on paper even when a bold digit covers most of the cell.
    """
    residual = np.abs(grey - cv2.medianBlur(grey, 3)).ravel()
    sigma = 1.4826 * _quantile(residual, 0.5) * _MEDIAN_RESIDUAL_GAIN
    paper = _quantile(grey.ravel(), 0.9) - 1.28 * sigma
    return paper, sigma


def _quantile(values: NDArray[np.float32], q: float) -> float:
    """Lower ``q``-quantile of a 1-D array (cheaper than np.percentile)."""
    k = int(q * (values.size - 1))
    return float(np.partition(values, k)[k])


def _ink_support(grey: NDArray[np.float32], paper: float, sigma: float) -> NDArray[np.uint8]:
    """Ink mask with hysteresis: clearly dark pixels, grown into fainter neighbours."""
    strong = (grey < paper - max(_MIN_INK_DELTA, _NOISE_SIGMAS * sigma)).astype(np.uint8)
    if not strong.any():
        return strong
    weak = (grey < paper - max(_WEAK_INK_DELTA, _WEAK_NOISE_SIGMAS * sigma)).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    for _ in range(2):
        strong = np.asarray(cv2.dilate(strong, kernel), np.uint8) & weak
    return np.asarray(strong, np.uint8)


def _remove_border_lines(mask: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Remove straight thin lines along the four sides and whatever lies outside them.

    Returns the cleaned mask and the zone cleared above the top line and below the bottom line
    (comb ticks stand on those lines; see :func:`_is_edge_remnant`).
    """
    out, zone = _clear_top_line(np.ascontiguousarray(mask), np.zeros_like(mask))
    out, zone = (a[::-1] for a in _clear_top_line(np.ascontiguousarray(out[::-1]), np.ascontiguousarray(zone[::-1])))
    # Side lines end at the top and bottom lines: their ends are those of the rows left between them.
    live = np.flatnonzero(zone.mean(axis=1) < 0.5)
    span = (int(live[0]), int(live[-1]) + 1) if live.size else (0, out.shape[0])
    unused = np.zeros_like(out.T)
    out = _clear_top_line(np.ascontiguousarray(out.T), unused, span)[0].T
    out = _clear_top_line(np.ascontiguousarray(out.T[::-1]), unused, span)[0][::-1].T
    return np.ascontiguousarray(out), np.ascontiguousarray(zone)


@lru_cache(maxsize=256)
def _line_index(height: int, width: int, depth: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Flat indices (slopes, offsets, columns) of candidate lines in the top ``height`` rows.

    Also returns their row numbers. Points outside the rows index a zero row appended after
    the last one.
    """
    xs = np.arange(width)
    drift = np.round(_BORDER_SLOPES[:, None] * (xs - width / 2)[None, :]).astype(np.intp)
    rows = np.arange(depth, dtype=np.intp)[None, :, None] + drift[:, None, :]
    inside = (rows >= 0) & (rows < height)
    flat = np.where(inside, rows * width + xs, height * width + xs)
    return flat, np.clip(rows, 0, height - 1)


def _clear_top_line(
    mask: NDArray[np.uint8], zone: NDArray[np.uint8], span: tuple[int, int] | None = None
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Find a thin near-horizontal line in the top band; erase it and everything above it.

    ``zone`` marks the cleared area and is returned updated along with the mask. The line must
    reach both ends of the columns ``span`` (default: all columns).
    """
    height, width = mask.shape
    band = max(3, round(_BORDER_BAND * height))
    depth = band + _BORDER_MAX_THICK + 5
    top_rows = min(height, depth + 3)
    flat, rows = _line_index(top_rows, width, depth)
    padded = np.concatenate([mask[:top_rows].ravel(), np.zeros(width, np.uint8)])
    cover = padded[flat].sum(axis=2, dtype=np.int32) / width
    # The true slope concentrates the line into the fewest rows: most energy (sum of squares).
    slope_idx = int(np.argmax((cover[:, : band + 2] ** 2).sum(axis=1)))
    profile = cover[slope_idx]
    offset = int(np.argmax(profile[:band]))
    peak = float(profile[offset])
    if peak < (_BORDER_COVER_OUTER if offset < _BORDER_OUTER * height else _BORDER_COVER_INNER):
        return mask, zone
    strong = profile >= max(0.4 * peak, peak - 0.25)
    bottom = int(offset)
    while bottom + 1 < depth and strong[bottom + 1]:
        bottom += 1
    top = int(offset)
    while top > 0 and strong[top - 1]:
        top -= 1
    inner = profile[bottom + 2 : bottom + 5]
    if bottom - top + 1 > _BORDER_MAX_THICK or (inner.size and inner.mean() > _BORDER_INNER_RATIO * peak):
        return mask, zone
    if not _reaches_ends(padded[flat[slope_idx, top : bottom + 1]].max(axis=0), span or (0, width)):
        return mask, zone
    edge = rows[slope_idx, min(bottom + 2, depth - 1)]
    cleared = np.arange(top_rows)[:, None] <= edge[None, :]
    out, zone = mask.copy(), zone.copy()
    out[:top_rows][cleared] = 0
    zone[:top_rows][cleared] = 1
    return out, zone


def _reaches_ends(present: NDArray[np.uint8], span: tuple[int, int]) -> bool:
    """Whether a line's ink (``present`` per column) holds both ends of the columns ``span``."""
    first, last = span
    end = max(2, round(_BORDER_END * (last - first)))
    head, tail = present[first : first + end], present[last - end : last]
    return bool(head.mean() >= _BORDER_END_COVER and tail.mean() >= _BORDER_END_COVER)


def _keep_digit_components(mask: NDArray[np.uint8], zone: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Keep the digit: the largest component plus big or nearby pieces.

    Border remnants hugging the sides (see :func:`_is_edge_remnant`) and specks (components
    smaller than a pen stroke is long) are dropped. ``zone`` is the area cleared of border lines.
    """
    count, found, found_stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    labels, stats = np.asarray(found, np.int32), np.asarray(found_stats, np.int32)
    height, width = mask.shape
    speck = _SPECK_SIZE * height
    at_zone = np.zeros(count, bool)
    if zone.any():
        at_zone[labels[cv2.dilate(zone, np.ones((7, 7), np.uint8)).view(bool)]] = True
    candidates = [
        i
        for i in range(1, count)
        if max(stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]) > speck
        and not _is_edge_remnant(stats[i], height, width, bool(at_zone[i]), partial(_is_upright, labels, stats[i], i))
    ]
    if not candidates:
        return np.zeros_like(mask)
    candidates.sort(key=lambda i: -int(stats[i, cv2.CC_STAT_AREA]))
    largest = int(stats[candidates[0], cv2.CC_STAT_AREA])
    keep_ids = [candidates[0]]
    box = _box(stats[candidates[0]])
    reach = _FRAGMENT_REACH * height
    for i in candidates[1:]:
        area = int(stats[i, cv2.CC_STAT_AREA])
        big = area >= _BIG_FRAGMENT_SHARE * largest
        near = area >= _FRAGMENT_SHARE * largest and _gap(box, _box(stats[i])) <= reach
        if big or near:
            keep_ids.append(i)
            box = _union(box, _box(stats[i]))
    lut = np.zeros(count, np.uint8)
    lut[keep_ids] = 1
    return np.asarray(lut[labels], np.uint8)


def _is_upright(labels: NDArray[np.int32], stat: NDArray[np.int32], label: int) -> bool:
    """True when component ``label`` is a tall stroke within a few degrees of vertical.

    The slope comes from the median ink column of the upper and lower halves, so a short foot
    (a piece of the bottom line under a comb tick) does not tilt it.
    """
    x, y, w, h = (int(v) for v in stat[:4])
    if h < 2 * w or h < 6:
        return False
    rows, cols = np.nonzero(labels[y : y + h, x : x + w] == label)
    upper, lower = cols[rows < h // 2], cols[rows >= h - h // 2]
    if upper.size == 0 or lower.size == 0:
        return False
    drift = float(np.median(lower) - np.median(upper))
    return bool(abs(np.degrees(np.arctan2(drift, h / 2))) <= _UPRIGHT_DEGREES)


def _box(stat: NDArray[np.int32]) -> tuple[int, int, int, int]:
    """Component bounding box as (x0, y0, x1, y1), end exclusive."""
    x, y, w, h = (int(v) for v in stat[:4])
    return x, y, x + w, y + h


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Bounding box of two boxes."""
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """Chebyshev distance between two boxes (0 when they overlap)."""
    dx = max(0, b[0] - a[2], a[0] - b[2])
    dy = max(0, b[1] - a[3], a[1] - b[3])
    return max(dx, dy)


def _is_edge_remnant(
    stat: NDArray[np.int32], height: int, width: int, at_zone: bool, upright: Callable[[], bool]
) -> bool:
    """True for a thin component in the outer band of a side, running along it.

    Printed lines run to the crop's ends, or to a cleared border line (comb ticks stand on the
    bottom line), so the component must also reach one of those; side lines must also be
    ``upright()`` (within a few degrees of vertical; evaluated only when needed), unlike most
    handwritten ones.
    """
    x, y, w, h = (int(v) for v in stat[:4])
    band_x, band_y = _REMNANT_BAND * width, _REMNANT_BAND * height
    in_side = min(x + w / 2, width - x - w / 2) <= band_x
    in_top = min(y + h / 2, height - y - h / 2) <= band_y
    on_edge_x, on_edge_y = min(x, width - x - w) <= 1, min(y, height - y - h) <= 1
    reaches_ends = at_zone or on_edge_x or min(y, height - y - h) <= _REMNANT_END * height
    reaches_sides = at_zone or on_edge_y or min(x, width - x - w) <= _REMNANT_END * width
    along_side = in_side and reaches_ends and (h < _STUB_SHARE * height or upright())
    along_top = in_top and reaches_sides and w >= 2.5 * h
    corner = on_edge_x and on_edge_y and w <= _CORNER_SHARE * width and h <= _CORNER_SHARE * height
    return along_side or along_top or corner


def _written_evidence(keep: NDArray[np.uint8]) -> float:
    """How clearly the kept ink is a digit: >= 1 means written, 0 means clean paper."""
    if not keep.any():
        return 0.0
    rows = np.flatnonzero(keep.any(axis=1))
    height_share = (rows[-1] - rows[0] + 1) / keep.shape[0]
    area_share = float(keep.mean())
    return float(min(height_share / _WRITTEN_HEIGHT, area_share / _WRITTEN_AREA))


def _ink_intensity(grey: NDArray[np.float32], keep: NDArray[np.uint8], paper: float) -> NDArray[np.float32]:
    """Ink map 0..1 over the kept components, saturating at the digit's own dark level."""
    region = cv2.dilate(keep, np.ones((3, 3), np.uint8))
    dark = _quantile(grey[keep.view(bool)], 0.2)
    inten = np.clip((paper - grey) * np.float32(1.0 / max(paper - dark, 1.0)), 0.0, 1.0)
    return np.asarray(inten * region, dtype=np.float32)


def _to_mnist(intensity: NDArray[np.float32]) -> NDArray[np.float32]:
    """Crop the ink box, fit it into 20x20 keeping aspect and centre by mass in 28x28."""
    x, y, w, h = cv2.boundingRect((intensity > 0.2).astype(np.uint8))
    if w == 0 or h == 0:
        x, y, w, h = cv2.boundingRect((intensity > 0).astype(np.uint8))
    crop = intensity[y : y + h, x : x + w]
    scale = _BOX / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    small = cv2.resize(crop, (new_w, new_h), interpolation=interp)
    moments = cv2.moments(small)
    if moments["m00"] > 0:
        cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    else:
        cx, cy = new_w / 2, new_h / 2
    shift = np.array([[1.0, 0.0, _SIDE / 2 - 0.5 - cx], [0.0, 1.0, _SIDE / 2 - 0.5 - cy]], np.float32)
    out = cv2.warpAffine(small, shift, (_SIDE, _SIDE), flags=cv2.INTER_LINEAR, borderValue=0.0)
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)


def _softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    """Row-wise softmax."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)


class DigitReader:
    """Batch reader for comb-box digits backed by the committed ONNX CNN.

    Create one reader per process and reuse it (loading takes a few milliseconds).

    Parameters
    ----------
    model_path
        ONNX model to load; defaults to ``omr/models/digits.onnx``.

    Raises
    ------
    MissingDependencyError
        If the model file is missing or cannot be loaded.
    """

    def __init__(self, model_path: Path | None = None) -> None:
        path = model_path if model_path is not None else DEFAULT_MODEL_PATH
        hint = "restore omr/models/digits.onnx from the repository or rebuild it with tools/train_digits.py"
        if not path.is_file():
            raise MissingDependencyError(f"digit model not found: {path}; {hint}")
        try:
            self._net = cv2.dnn.readNetFromONNX(str(path))
        except cv2.error as exc:
            raise MissingDependencyError(f"digit model {path} cannot be loaded ({exc}); {hint}") from exc

    def read(self, cells: Sequence[NDArray[np.uint8]]) -> list[DigitReading]:
        """Read a batch of comb-box crops.

        Parameters
        ----------
        cells
            Grayscale uint8 crops (H, W), one comb box each, dark ink on light paper.

        Returns
        -------
        list[DigitReading]
            One reading per cell, in input order.
        """
        analyses = [_analyse_cell(cell) for cell in cells]
        written = [i for i, a in enumerate(analyses) if a.image is not None]
        probs = self.probabilities([a.image for a in analyses if a.image is not None])
        readings = [_blank_reading(a) for a in analyses]
        for row, i in enumerate(written):
            value = int(np.argmax(probs[row]))
            confidence = float(probs[row, value])
            readings[i] = DigitReading(value, confidence, False, analyses[i].ink)
        return readings

    def probabilities(self, images: Sequence[NDArray[np.float32]]) -> NDArray[np.float32]:
        """Class probabilities (N, 10) for normalised 28x28 images from :func:`normalise_cell`."""
        if not images:
            return np.zeros((0, 10), np.float32)
        blob = np.stack(images).astype(np.float32)[:, None, :, :]
        self._net.setInput(blob)
        logits = np.asarray(self._net.forward(), dtype=np.float32).reshape(len(images), -1)
        return _softmax(logits)


def _blank_reading(analysis: _CellAnalysis) -> DigitReading:
    """Reading for a cell judged blank; confidence falls as stray ink approaches a digit."""
    confidence = float(np.clip(1.0 - analysis.evidence, 0.0, 1.0))
    return DigitReading(None, confidence, True, analysis.ink)
