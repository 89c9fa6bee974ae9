"""Tests of the comb-box digit reader (omr/digits.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from omr.digits import DIGIT_ACCEPT_CONFIDENCE, DigitReader, normalise_cell
from omr.errors import MissingDependencyError
from samples.handwriting import load_digits

PAPER = 228.0


@pytest.fixture(scope="module")
def reader() -> DigitReader:
    return DigitReader()


def paper_cell(rng: np.random.Generator, shape: tuple[int, int] = (64, 48), noise: float = 4.0) -> NDArray[np.float32]:
    return (PAPER + rng.normal(0.0, noise, shape)).astype(np.float32)


def with_border(cell: NDArray[np.float32], inset: int = 3, thick: int = 2, level: float = 70.0) -> NDArray[np.float32]:
    out = cell.copy()
    h, w = out.shape
    cv2.rectangle(out, (inset, inset), (w - 1 - inset, h - 1 - inset), level, thick)
    return out


def to_u8(cell: NDArray[np.float32]) -> NDArray[np.uint8]:
    return np.clip(cell, 0, 255).astype(np.uint8)


def render(image: NDArray[np.uint8], rng: np.random.Generator) -> NDArray[np.uint8]:
    """A white-on-black 28x28 digit written into a bordered, noisy comb box of about 200 dpi."""
    ys, xs = np.nonzero(image > 30)
    ink = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32) / 255.0
    height = int(rng.integers(32, 42))
    width = max(2, min(36, round(ink.shape[1] * height / ink.shape[0])))
    alpha = cv2.resize(ink, (width, height), interpolation=cv2.INTER_LINEAR)
    cell = paper_cell(rng, (64, 48), noise=5.0)
    top = int(rng.integers(8, 64 - height - 7))
    left = int(rng.integers(6, max(7, 48 - width - 5)))
    region = cell[top : top + height, left : left + width]
    cell[top : top + height, left : left + width] = region - alpha * (region - 40.0)
    return to_u8(with_border(cell, inset=int(rng.integers(1, 5))))


def test_blank_cell_is_none() -> None:
    rng = np.random.default_rng(1)
    assert normalise_cell(to_u8(paper_cell(rng))) is None


def test_cell_with_only_border_lines_is_none() -> None:
    rng = np.random.default_rng(2)
    assert normalise_cell(to_u8(with_border(paper_cell(rng)))) is None
    comb = paper_cell(rng)
    cv2.line(comb, (0, 60), (47, 60), 60.0, 2)
    cv2.line(comb, (3, 45), (3, 60), 60.0, 2)
    cv2.line(comb, (44, 45), (44, 60), 60.0, 2)
    assert normalise_cell(to_u8(comb)) is None
    for degrees in (-2.0, 2.0):
        skew = cv2.getRotationMatrix2D((24.0, 32.0), degrees, 1.0)
        tilted = cv2.warpAffine(with_border(paper_cell(rng)), skew, (48, 64), borderMode=cv2.BORDER_REPLICATE)
        assert normalise_cell(to_u8(tilted)) is None


def test_drawn_stroke_is_normalised_and_centred() -> None:
    rng = np.random.default_rng(3)
    cell = with_border(paper_cell(rng))
    cv2.ellipse(cell, (20, 30), (9, 16), 0, 0, 360, 30.0, 4)
    image = normalise_cell(to_u8(cell))
    assert image is not None
    assert image.shape == (28, 28)
    assert image.dtype == np.float32
    assert float(image.min()) >= 0.0 and float(image.max()) <= 1.0
    assert float(image.max()) > 0.9
    moments = cv2.moments(image)
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    assert abs(cx - 13.5) < 1.0 and abs(cy - 13.5) < 1.0
    rows = np.flatnonzero(image.max(axis=1) > 0.2)
    assert 17 <= rows[-1] - rows[0] + 1 <= 21


def comb_cell(rng: np.random.Generator) -> NDArray[np.float32]:
    """A comb box: the bottom line across the cell and short ticks up the sides, no top line."""
    cell = paper_cell(rng)
    cv2.line(cell, (0, 61), (47, 61), 60.0, 2)
    cv2.line(cell, (1, 48), (1, 61), 60.0, 2)
    cv2.line(cell, (46, 48), (46, 61), 60.0, 2)
    return cell


def test_strokes_near_a_side_are_not_taken_for_box_lines() -> None:
    """The bar of a 7 in the top band and the stem of a 9 near the right side stop short of the cell's
    ends, unlike printed lines, so they are kept while the box around them is removed."""
    rng = np.random.default_rng(7)
    seven = comb_cell(rng)
    cv2.line(seven, (8, 6), (40, 6), 30.0, 3)  # the bar: 6 of 64 rows from the top, 2/3 of the width
    cv2.line(seven, (40, 6), (24, 52), 30.0, 3)
    image = normalise_cell(to_u8(seven))
    assert image is not None
    top = np.flatnonzero(image.max(axis=1) > 0.2)[0]
    assert (image[top : top + 3] > 0.2).any(axis=0).sum() >= 12  # the bar spans the digit's top
    nine = comb_cell(rng)
    cv2.ellipse(nine, (32, 20), (8, 8), 0, 0, 360, 30.0, 3)
    cv2.line(nine, (41, 12), (41, 55), 30.0, 3)  # the stem: 6 px from the right side, 2/3 of the height
    image = normalise_cell(to_u8(nine))
    assert image is not None
    rows = np.flatnonzero(image.max(axis=1) > 0.2)
    assert rows[-1] - rows[0] + 1 >= 18  # loop and stem: the whole digit height, not the loop alone


def test_reads_held_out_digits(reader: DigitReader) -> None:
    images, labels = load_digits()
    rng = np.random.default_rng(4)
    pick = rng.choice(len(labels), 300, replace=False)
    cells = [render(images[i], rng) for i in pick]
    readings = reader.read(cells)
    values = np.array([-1 if r.value is None else r.value for r in readings])
    accuracy = float((values == labels[pick]).mean())
    assert accuracy >= 0.97
    assert all(0.0 <= r.confidence <= 1.0 for r in readings)
    assert all(0.0 <= r.ink <= 1.0 for r in readings)
    accepted = [
        r.value == y for r, y in zip(readings, labels[pick], strict=True) if r.confidence >= DIGIT_ACCEPT_CONFIDENCE
    ]
    assert len(accepted) >= 0.8 * len(readings)
    assert np.mean(accepted) >= 0.99


def test_batch_of_one_equals_batch_of_many(reader: DigitReader) -> None:
    images, _ = load_digits()
    rng = np.random.default_rng(5)
    cells = [render(images[i], rng) for i in range(12)]
    cells.insert(5, to_u8(paper_cell(rng)))
    batch = reader.read(cells)
    single = [reader.read([cell])[0] for cell in cells]
    assert [r.value for r in batch] == [r.value for r in single]
    assert np.allclose([r.confidence for r in batch], [r.confidence for r in single], atol=1e-5)
    assert batch[5].blank and batch[5].value is None
    assert all(0.0 <= r.confidence <= 1.0 for r in batch)


def test_blank_reading_is_confident(reader: DigitReader) -> None:
    rng = np.random.default_rng(6)
    (reading,) = reader.read([to_u8(with_border(paper_cell(rng)))])
    assert reading.blank and reading.value is None
    assert reading.confidence >= DIGIT_ACCEPT_CONFIDENCE
    assert reading.ink == 0.0


def test_missing_model_is_reported(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError):
        DigitReader(tmp_path / "absent.onnx")


def test_empty_batch_and_bad_input(reader: DigitReader) -> None:
    assert reader.read([]) == []
    with pytest.raises(ValueError):
        normalise_cell(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError):
        normalise_cell(np.zeros((40, 30, 3), np.uint8))
