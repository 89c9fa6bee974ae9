"""Comb digits and writing areas: the field decisions and the written/blank test."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from _pages import MINI, Fill, filled_page

from omr.digits import DIGIT_ACCEPT_CONFIDENCE, DigitReading
from omr.reader import ReaderContext, read_page
from omr.reader.boxes import PageCalibration
from omr.reader.handwriting import check_writing, decide_digits
from omr.reader.ocr import OcrResult
from omr.types import PageImage

CAL = PageCalibration(paper=245.0, black=10.0, noise=0.5)
SURE = DIGIT_ACCEPT_CONFIDENCE + 0.01


def digit(value: int | None, confidence: float = SURE) -> DigitReading:
    return DigitReading(value, confidence, value is None, 0.0 if value is None else 0.1)


def test_all_digits_sure_is_accepted() -> None:
    r = decide_digits("DATE", [digit(d) for d in (0, 1, 0, 2)])
    assert (r.value, r.status, r.kind) == ("0102", "auto", "digits")


def test_one_unsure_digit_flags_the_field() -> None:
    r = decide_digits("DATE", [digit(0), digit(7, 0.6), digit(0), digit(2)])
    assert (r.value, r.status) == ("0702", "flagged")
    assert "box 2" in (r.reason or "")


def test_all_blank_is_blank_and_partly_blank_is_flagged() -> None:
    assert decide_digits("DATE", [digit(None)] * 4).value == ""
    assert decide_digits("DATE", [digit(None)] * 4).status == "auto"
    r = decide_digits("DATE", [digit(1), digit(None), digit(None), digit(9)])
    assert (r.value, r.status) == ("19", "flagged") and "2, 3 blank" in (r.reason or "")


def test_stray_ink_in_blank_cells_is_flagged() -> None:
    r = decide_digits("DATE", [digit(None, 0.4), digit(None)])
    assert (r.value, r.status) == ("", "flagged")


def area(text: str | None = None, *, dots: int = 0) -> np.ndarray:
    img = np.full((60, 600), 245, np.uint8)
    img[2:4, :] = 120  # a bit of the printed outline left at the top
    if text:
        cv2.putText(img, text, (10, 45), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.2, 30, 2, cv2.LINE_AA)
    rng = np.random.default_rng(0)
    for _ in range(dots):
        img[int(rng.integers(5, 55)), int(rng.integers(5, 595))] = 60
    return img


def test_blank_area_with_outline_and_specks_is_blank() -> None:
    check = check_writing(area(dots=5), CAL)
    assert not check.written and check.confidence >= 0.5


def test_written_area_is_written() -> None:
    check = check_writing(area("Nguyen Van A"), CAL)
    assert check.written and check.stroke_mm > 2


def test_text_is_flagged_unless_ocr_is_very_sure() -> None:
    from omr.reader.handwriting import decide_text

    written = check_writing(area("abc"), CAL)
    unsure = decide_text("T", written, lambda: OcrResult("abc", 0.6))
    assert (unsure.value, unsure.status, unsure.reason) == ("abc", "flagged", "handwriting to transcribe")
    assert decide_text("T", written, lambda: OcrResult("abc", 0.99)).status == "auto"

    def no_ocr() -> OcrResult:
        raise AssertionError("Tesseract must not run on a blank area")

    assert decide_text("T", check_writing(area(), CAL), no_ocr).value == ""


@pytest.mark.usefixtures("digit_model")
def test_comb_digits_are_read_on_a_page(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("A1", "1"): "cross"}, digits={"DATE": "01072023"}), name=MINI, seed=21)
    r = read_page(PageImage("digits.png", 0, page), ctx)
    date = next(f for f in r.fields if f.field == "DATE")
    assert date.kind == "digits"
    assert date.value == "01072023" or date.status == "flagged"
    blank = read_page(PageImage("digits.png", 0, filled_page(Fill({("A1", "1"): "cross"}), name=MINI, seed=22)), ctx)
    assert next(f for f in blank.fields if f.field == "DATE").value == ""
