"""Box measures and states on tiny synthetic aligned pages (one 4.5 mm box at 150 dpi)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from omr.reader.boxes import PageCalibration, calibrate_page, measure_boxes, smooth_page
from omr.reader.marks import classify_boxes, ramp
from omr.reader.positions import PX_PER_MM, locate_boxes
from omr.template.layout import BOX, Box, Rect

UP = 8  # drawn at 8× and area-reduced, like a scanner integrating over its pixels
BOX_AT = Box("Q1", "1", "box", Rect(3.0, 3.0, BOX, BOX))
CAL = PageCalibration(paper=240.0, black=15.0, noise=0.6, background=np.full((8, 8), 240.0, np.float32))


def _p(mm: float) -> int:
    return round(mm * PX_PER_MM * UP)


def box_page(mark: str | None, *, shift_px: tuple[int, int] = (0, 0), ink: int = 25, paper: int = 240,
             seed: int = 0) -> NDArray[np.uint8]:
    """A 62×62 px page holding BOX_AT's outline (moved by ``shift_px``) and one mark."""
    size = 62 * UP
    big = np.full((size, size), paper, np.uint8)
    r = BOX_AT.rect
    dy, dx = shift_px[0] * UP, shift_px[1] * UP
    lw = round(0.21 * PX_PER_MM * UP)
    x0, y0, x1, y1 = _p(r.x) + dx, _p(r.y) + dy, _p(r.right) + dx, _p(r.bottom) + dy
    cv2.rectangle(big, (x0 + lw // 2, y0 + lw // 2), (x1 - lw // 2, y1 - lw // 2), 10, lw)
    pen = round(0.45 * PX_PER_MM * UP)
    a, b = _p(r.x + 0.8), _p(r.right - 0.8)
    c, d = _p(r.y + 0.8), _p(r.bottom - 0.8)
    if mark == "cross":
        cv2.line(big, (a, c), (b, d), ink, pen)
        cv2.line(big, (a, d), (b, c), ink, pen)
    elif mark == "thick-cross":
        cv2.line(big, (a, c), (b, d), ink, 2 * pen)
        cv2.line(big, (a, d), (b, c), ink, 2 * pen)
    elif mark == "tick":
        mid = (_p(r.x + 1.9), _p(r.bottom - 0.7))
        cv2.line(big, (a, _p(r.y + 2.4)), mid, ink, pen)
        cv2.line(big, mid, (_p(r.right - 0.4), _p(r.y + 0.4)), ink, pen)
    elif mark == "pencil":
        thin = round(0.3 * PX_PER_MM * UP)
        cv2.line(big, (a, c), (b, d), 175, thin)
        cv2.line(big, (a, d), (b, c), 175, thin)
    elif mark == "fill":
        cv2.rectangle(big, (x0 - UP, y0 - UP), (x1 + UP, y1 + UP), ink, -1)
    elif mark == "light-fill":
        cv2.rectangle(big, (x0, y0), (x1, y1), 150, -1)
    elif mark == "dot":
        cx, cy = _p(r.x + 2.6), _p(r.y + 1.9)
        cv2.circle(big, (cx, cy), _p(0.3), ink, -1)
    img = np.asarray(cv2.resize(big, (62, 62), interpolation=cv2.INTER_AREA), np.float32)
    img += np.random.default_rng(seed).normal(0, 1.5, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def read_box(page: NDArray[np.uint8], *, locate: bool = False) -> tuple[str, float]:
    smoothed = smooth_page(page)
    shifts = locate_boxes(smoothed, [BOX_AT]).shifts if locate else np.zeros((1, 2), np.int64)
    measures = measure_boxes(smoothed, [BOX_AT], shifts, CAL)
    decisions = classify_boxes(measures)
    return decisions.states[0], float(decisions.confidence[0])


@pytest.mark.parametrize(
    ("mark", "state"),
    [(None, "empty"), ("cross", "marked"), ("tick", "marked"), ("thick-cross", "marked"), ("fill", "filled"),
     ("light-fill", "filled"), ("pencil", "marked"), ("dot", "empty")],
)
def test_box_states(mark: str | None, state: str) -> None:
    got, confidence = read_box(box_page(mark))
    assert got == state
    assert confidence >= 0.5


def test_light_pencil_is_a_mark_with_lower_confidence() -> None:
    _, pen = read_box(box_page("cross"))
    _, pencil = read_box(box_page("pencil"))
    assert pencil < pen


@pytest.mark.parametrize("shift", [(2, 0), (0, -2), (-1, 2), (2, 2)])
def test_shifted_outline_is_not_ink(shift: tuple[int, int]) -> None:
    page = box_page(None, shift_px=shift)
    assert read_box(page)[0] == "empty"
    assert read_box(page, locate=True)[0] == "empty"


@pytest.mark.parametrize("mark", [None, "cross", "tick", "fill"])
def test_outline_search_finds_the_shift(mark: str | None) -> None:
    page = box_page(mark, shift_px=(3, -2))
    shifts = locate_boxes(smooth_page(page), [BOX_AT]).shifts
    assert np.abs(shifts[0] - [3, -2]).max() <= 1  # within the interior's inset
    assert read_box(page, locate=True)[0] == read_box(box_page(mark))[0]


def _column_of_boxes(streak: bool) -> tuple[NDArray[np.uint8], list[Box]]:
    """Three boxes above each other (one 62-px tile each), optionally crossed by a scanner streak."""
    page = np.vstack([box_page(None, seed=k) for k in range(3)])
    if streak:
        page[:, 30:32] = (page[:, 30:32] * 0.8).astype(np.uint8)  # faint, full height
    step = 62 / PX_PER_MM
    boxes = [Box("Q", str(k), "box", Rect(BOX_AT.rect.x, BOX_AT.rect.y + k * step, BOX, BOX)) for k in range(3)]
    return page, boxes


def test_scanner_streak_through_a_column_of_boxes_is_not_a_mark() -> None:
    page, boxes = _column_of_boxes(streak=True)
    measures = measure_boxes(smooth_page(page), boxes, np.zeros((3, 2), np.int64), CAL)
    assert classify_boxes(measures).states == ("empty", "empty", "empty")


def test_a_long_stroke_through_one_box_is_a_mark() -> None:
    page, boxes = _column_of_boxes(streak=False)
    page[70:118, 30:32] = 40  # a pen stroke through the middle box, beyond both its sides
    measures = measure_boxes(smooth_page(page), boxes, np.zeros((3, 2), np.int64), CAL)
    assert classify_boxes(measures).states == ("empty", "marked", "empty")


def test_grey_paper_is_calibrated_away() -> None:
    page = box_page("cross", paper=170, ink=20)
    smoothed = smooth_page(page)
    cal = calibrate_page(smoothed)
    assert 160 < cal.paper < 180
    measures = measure_boxes(smoothed, [BOX_AT], np.zeros((1, 2), np.int64), cal)
    assert classify_boxes(measures).states[0] == "marked"


def test_ramp_edges() -> None:
    np.testing.assert_allclose(ramp(np.array([0.1, 0.2, 0.3]), (0.1, 0.3)), [0.0, 0.5, 1.0])
