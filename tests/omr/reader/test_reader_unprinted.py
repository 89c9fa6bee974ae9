"""Reading pages of a form we did not print: a fixed-layout template, aligned by the form's own corner
marks, by the paper's edges, by the blank page's features or as given, and its bubbles read.

The form is drawn here (circles, corner marks and some text on a 120 × 160 mm page); filled copies are
warped, shaded and put on a dark table the way a phone photo or a scanner would see them.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from omr.reader import read_page
from omr.reader.bubbles import box_state, split_page
from omr.reader.context import ReaderContext
from omr.types import MULTIPLE, PageImage

W_MM, H_MM, DPI = 120.0, 160.0, 200.0
K = DPI / 25.4
MARK_MM = 8.0
CENTRES = [(10.0, 10.0), (110.0, 10.0), (110.0, 150.0), (10.0, 150.0)]
OPTIONS = "ABCD"
QUESTIONS = 6


def bubble_rect(q: int, o: int) -> tuple[float, float, float, float]:
    return (40.0 + 12.0 * o, 40.0 + 14.0 * q, 6.0, 6.0)


def draw_blank() -> NDArray[np.uint8]:
    img = np.full((round(H_MM * K), round(W_MM * K)), 255, np.uint8)
    for cx, cy in CENTRES:
        half = MARK_MM / 2 * K
        cv2.rectangle(img, (round(cx * K - half), round(cy * K - half)), (round(cx * K + half), round(cy * K + half)),
                      0, -1)
        cv2.rectangle(img, (round(cx * K - half / 2), round(cy * K - half / 2)),
                      (round(cx * K + half / 2), round(cy * K + half / 2)), 255, -1)
    cv2.putText(img, "CITY SURVEY 2018", (round(25 * K), round(28 * K)), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    for q in range(QUESTIONS):
        cv2.putText(img, f"Q{q + 1}", (round(22 * K), round((44 + 14 * q) * K)), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
        for o, letter in enumerate(OPTIONS):
            x, y, w, h = bubble_rect(q, o)
            centre = (round((x + w / 2) * K), round((y + h / 2) * K))
            cv2.circle(img, centre, round(w / 2 * K), 0, 2)
            cv2.putText(img, letter, (centre[0] - 9, centre[1] + 9), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 120, 2)
    cv2.putText(img, "Thank you", (round(25 * K), round(138 * K)), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    return img


def fill(blank: NDArray[np.uint8], answers: dict[int, str]) -> NDArray[np.uint8]:
    img = blank.copy()
    for q, letters in answers.items():
        for letter in letters:
            x, y, w, h = bubble_rect(q, OPTIONS.index(letter))
            centre = (round((x + w / 2) * K), round((y + h / 2) * K))
            cv2.circle(img, centre, round(w / 2 * K * 0.9), 35, -1)
    return img


def template_yaml(align: str, blank: bool) -> str:
    fields, boxes = [], []
    for q in range(QUESTIONS):
        opts = ", ".join(f'{{value: "{c}", label: {{vi: "{c}", en: "{c}"}}}}' for c in OPTIONS)
        fields.append(f"      - {{code: q{q + 1}, kind: single, label: {{vi: Câu {q + 1}, en: Q{q + 1}}}, "
                      f"options: [{opts}]}}")
        boxes += [f'        - {{field: q{q + 1}, value: "{c}", rect: {list(bubble_rect(q, o))}, shape: circle}}'
                  for o, c in enumerate(OPTIONS)]
    marks = (f"  marks: {{image: mark.png, width: {MARK_MM}, centres: {[list(c) for c in CENTRES]}}}\n"
             if align == "marks" else "")
    first = "blank: blank.png\n      boxes:" if blank else "boxes:"
    return ('name: city-survey\nversion: "1"\ntitle: {vi: Phiếu, en: Survey}\nmarking: {mode: fill}\n'
            "pages:\n  - fields:\n" + "\n".join(fields) + "\n"
            f"layout:\n  page_size: {{width: {W_MM}, height: {H_MM}}}\n  align: [{align}]\n{marks}"
            f"  pages:\n    - {first}\n" + "\n".join(boxes) + "\n")


@pytest.fixture()
def form_dir(tmp_path: Path) -> Path:
    blank = draw_blank()
    cv2.imwrite(str(tmp_path / "blank.png"), blank)
    half = round(MARK_MM / 2 * K)
    cx, cy = round(CENTRES[0][0] * K), round(CENTRES[0][1] * K)
    cv2.imwrite(str(tmp_path / "mark.png"), blank[cy - half - 4 : cy + half + 5, cx - half - 4 : cx + half + 5])
    return tmp_path


def context(form_dir: Path, align: str, *, blank: bool = True) -> ReaderContext:
    path = form_dir / f"city-{align}.yaml"
    path.write_text(template_yaml(align, blank), encoding="utf-8")
    return ReaderContext.load([str(path)])


ANSWERS = {0: "A", 1: "C", 2: "D", 3: "B", 5: "AB"}
EXPECTED = {"q1": "A", "q2": "C", "q3": "D", "q4": "B", "q5": "", "q6": MULTIPLE}


def photo(page: NDArray[np.uint8], angle: float = 4.0, shade: bool = True) -> NDArray[np.uint8]:
    """The page on a dark table, turned a little, seen with perspective and uneven light."""
    h, w = page.shape
    canvas = (np.full((h + 400, w + 400), 60, np.uint8) + np.random.default_rng(1).integers(0, 20, (h + 400, w + 400))
              ).astype(np.uint8)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    rad = np.deg2rad(angle)
    rot = np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]])
    dst = (src - [w / 2, h / 2]) @ rot.T + [w / 2 + 200, h / 2 + 200]
    dst[2] += [-25, -10]
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(page, m, canvas.shape[::-1], borderValue=0)
    mask = cv2.warpPerspective(np.full_like(page, 255), m, canvas.shape[::-1], borderValue=0)
    out = np.where(mask > 0, warped, canvas).astype(np.float32)
    if shade:
        out *= np.linspace(1.0, 0.7, out.shape[1])[None, :]
    return np.clip(out, 0, 255).astype(np.uint8)


def values(reading: object) -> dict[str, str]:
    return {f.field: f.value for f in reading.fields}  # type: ignore[attr-defined]


@pytest.mark.parametrize("align", ["marks", "features", "image"])
def test_a_flat_scan_is_read_by_each_method(form_dir: Path, align: str) -> None:
    ctx = context(form_dir, align)
    reading = read_page(PageImage("scan.png", 0, fill(draw_blank(), ANSWERS)), ctx)
    assert reading.identity is not None and reading.identity.template == "city-survey"
    assert values(reading) == EXPECTED
    statuses = {f.field: f.status for f in reading.fields}
    assert statuses["q6"] == "flagged" and all(s == "auto" for c, s in statuses.items() if c != "q6")
    assert reading.outcome == "review"


@pytest.mark.parametrize("align", ["page", "marks", "features"])
def test_a_photo_on_a_table_is_found_and_read(form_dir: Path, align: str) -> None:
    ctx = context(form_dir, align)
    reading = read_page(PageImage("photo.jpg", 0, photo(fill(draw_blank(), ANSWERS))), ctx)
    assert reading.homography is not None, reading.reason
    assert values(reading) == EXPECTED, reading.reason


def test_without_a_blank_image_the_outlines_still_place_the_bubbles(form_dir: Path) -> None:
    ctx = context(form_dir, "image", blank=False)
    shifted = np.full_like(draw_blank(), 255)
    page = fill(draw_blank(), ANSWERS)
    shifted[6:, 5:] = page[:-6, :-5]  # the stated positions are ~0.7 mm off
    assert values(read_page(PageImage("scan.png", 0, shifted), ctx)) == EXPECTED


def test_an_unmarked_page_is_blank_not_all_marked(form_dir: Path) -> None:
    ctx = context(form_dir, "marks")
    reading = read_page(PageImage("scan.png", 0, draw_blank()), ctx)
    assert set(values(reading).values()) == {""}


def test_the_same_scan_gets_the_same_form_id_and_another_scan_another(form_dir: Path) -> None:
    ctx = context(form_dir, "image")
    one = read_page(PageImage("a.png", 0, fill(draw_blank(), ANSWERS)), ctx).identity
    again = read_page(PageImage("b.png", 3, fill(draw_blank(), ANSWERS)), ctx).identity
    other = read_page(PageImage("a.png", 0, fill(draw_blank(), {0: "B"})), ctx).identity
    assert one is not None and again is not None and other is not None
    assert one.form_id == again.form_id != other.form_id


def test_a_page_of_nothing_known_is_rejected_with_the_reasons(form_dir: Path) -> None:
    ctx = context(form_dir, "marks")
    noise = np.random.default_rng(3).integers(100, 255, (1200, 900)).astype(np.uint8)
    reading = read_page(PageImage("noise.png", 0, noise), ctx)
    assert reading.outcome == "rejected"
    assert "not a page of a known template" in (reading.reason or "") and "marks" in (reading.reason or "")


def test_marks_are_measured_from_the_empty_boxes() -> None:
    # an unmarked page: nothing is marked, however the few values spread
    page = split_page([0.02, 0.03, 0.05, 0.04, 0.03, 0.02], "fill")
    assert all(box_state(v, page)[0] == "empty" for v in (0.02, 0.05))
    # one dark correction does not lift the bar over thin crosses
    crosses = split_page([0.0] * 12 + [0.14, 0.15, 0.13, 0.62], "check")
    assert box_state(0.13, crosses)[0] == "marked" and box_state(0.0, crosses)[0] == "empty"
    assert box_state(0.62, crosses, "check-correct")[0] == "filled"
    # a faint dot is not a filled bubble
    assert box_state(0.12, split_page([0.1] * 10 + [0.12, 0.8], "fill"))[0] != "marked"
