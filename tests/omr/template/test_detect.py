"""Finding checkboxes, bubbles, combs, writing areas and corner marks on a blank page."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from omr.template.detect import detect_page, page_size_for, straighten
from omr.template.layout import FormLayout
from omr.template.model import PageSize

DPI = 150.0  # the resolution of the unmarked_pages fixture

K = DPI / 25.4


def _paper(w_mm: float = 120, h_mm: float = 80) -> NDArray[np.uint8]:
    return np.full((round(h_mm * K), round(w_mm * K)), 255, np.uint8)


def _box(img: NDArray[np.uint8], x: float, y: float, w: float, h: float, t: int = 1) -> None:
    cv2.rectangle(img, (round(x * K), round(y * K)), (round((x + w) * K) - 1, round((y + h) * K) - 1), 0, t)


def test_square_found_at_its_outer_edge() -> None:
    img = _paper()
    _box(img, 20, 30, 5, 5)
    (found,) = detect_page(img, DPI).boxes
    assert found.kind == "square"
    assert found.rect.x == pytest.approx(20, abs=0.2) and found.rect.w == pytest.approx(5, abs=0.3)


def test_bubbles_need_a_sibling_and_letters_are_not_bubbles() -> None:
    img = _paper()
    for x in (20, 30, 40):
        cv2.circle(img, (round(x * K), round(20 * K)), round(2.2 * K), 0, 1)
    cv2.putText(img, "OOPS OK", (round(20 * K), round(60 * K)), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
    kinds = [(b.kind, round(b.rect.centre[1])) for b in detect_page(img, DPI).boxes]
    assert kinds == [("circle", 20)] * 3


def test_filled_or_written_box_is_not_a_blank_box() -> None:
    img = _paper()
    _box(img, 20, 30, 5, 5)
    cv2.rectangle(img, (round(21 * K), round(31 * K)), (round(24 * K), round(34 * K)), 0, -1)
    assert detect_page(img, DPI).boxes == ()


def test_comb_cells_and_writing_area() -> None:
    img = _paper()
    for i in range(4):
        _box(img, 20 + 6 * i, 10, 6.2, 8)
    _box(img, 10, 40, 90, 20)
    found = detect_page(img, DPI).boxes
    cells = [b for b in found if b.kind == "cell"]
    assert len(cells) == 4 and {b.comb for b in cells} == {0}
    assert [round(b.rect.x) for b in cells] == [20, 26, 32, 38]
    assert [b.kind for b in found if b.kind != "cell"] == ["area"]


def test_skewed_page_is_straightened() -> None:
    img = _paper(200, 150)
    for row in range(4):
        for col in range(5):
            _box(img, 60 + 15 * col, 20 + 12 * row, 5, 5)
        cv2.putText(img, "Question text line", (round(10 * K), round((24 + 12 * row) * K)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)
    scan = detect_page(straighten(img, -1.5), DPI)
    assert scan.skew == pytest.approx(1.5, abs=0.1)
    assert sum(b.kind == "square" for b in scan.boxes) == 20


def test_corner_marks() -> None:
    img = _paper(150, 200)
    for x, y in ((10, 10), (130, 10), (130, 180), (10, 180)):
        cv2.rectangle(img, (round(x * K), round(y * K)), (round((x + 8) * K), round((y + 8) * K)), 0, -1)
    marks = detect_page(img, DPI).marks
    assert [m.corner for m in marks] == ["top-left", "top-right", "bottom-right", "bottom-left"]
    assert marks[0].centre == pytest.approx((14, 14), abs=0.3) and marks[0].width == pytest.approx(8, abs=0.3)


def test_page_size_snaps_to_paper() -> None:
    assert page_size_for(209.0, 296.0) == "A4"
    assert page_size_for(216.5, 279.0) == "Letter"
    assert page_size_for(100.0, 150.0) == PageSize(width=100.0, height=150.0)


@pytest.mark.parametrize("number", [2, 3, 5])
def test_every_box_of_our_form_without_markers(
    unmarked_pages: tuple[FormLayout, dict[int, NDArray[np.uint8]]], number: int,
) -> None:
    """Every checkbox, comb cell and writing area of sipas-2023 within 0.5 mm, and nothing else."""
    layout, images = unmarked_pages
    found = list(detect_page(images[number], DPI).boxes)
    truth = layout.page(number).boxes
    for box in truth:
        r = box.rect
        near = [f for f in found if max(abs(f.rect.x - r.x), abs(f.rect.y - r.y), abs(f.rect.right - r.right),
                                        abs(f.rect.bottom - r.bottom)) <= 0.5]
        assert near, f"{box.field} {box.value}: not found"
        found.remove(near[0])
    assert found == []
