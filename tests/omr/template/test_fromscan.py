"""Grouping found boxes into fields, and the whole from-scan path on a small blank."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from omr.errors import BadArgumentsError
from omr.template.detect import detect_page
from omr.template.fromscan import propose_template, template_from_scan
from omr.template.layout import FormLayout
from omr.template.load import load_template, parse_template
from omr.template.model import AnyField

DPI = 150.0  # the resolution of the unmarked_pages fixture

K = DPI / 25.4


def _shape(f: AnyField) -> tuple[object, ...]:
    if f.kind in ("single", "multi"):
        return ("choice", len(f.options), sum(1 for o in f.options if o.other))  # type: ignore[union-attr]
    if f.kind == "grid":
        return ("grid", len(f.rows), len(f.scale))
    if f.kind == "digits":
        return ("digits", f.length, tuple(f.groups or [f.length]))
    return ("text",)


@pytest.mark.parametrize("number", [2, 3, 5])
def test_fields_of_our_form_are_grouped_like_the_template(
    unmarked_pages: tuple[FormLayout, dict[int, NDArray[np.uint8]]], number: int,
) -> None:
    """Options with their write-ins, grid rows × columns (Q9 on page 3), the date comb in 3 groups."""
    _, images = unmarked_pages
    proposal = propose_template([detect_page(images[number], DPI)], name="scan", blanks=["p.png"])
    truth = load_template("sipas-2023").pages[number - 1].fields
    assert [_shape(f) for f in proposal.template.pages[0].fields] == [_shape(f) for f in truth]


def test_grid_boxes_are_placed_row_by_row(unmarked_pages: tuple[FormLayout, dict[int, NDArray[np.uint8]]]) -> None:
    layout, images = unmarked_pages
    proposal = propose_template([detect_page(images[3], DPI)], name="scan", blanks=["p.png"])
    assert proposal.template.layout is not None
    placed = [b for b in proposal.template.layout.pages[0].boxes]
    truth = [b for b in layout.page(3).boxes if b.field.startswith("Q9_")]
    q9 = [b for b in placed if b.field.startswith(placed[-1].field.split("_")[0] + "_")]
    assert len(q9) == len(truth) == 9 * 5
    for got, want in zip(q9, truth, strict=True):
        assert got.value == want.value
        assert abs(got.rect[0] - want.rect.x) <= 0.5 and abs(got.rect[1] - want.rect.y) <= 0.5


def _blank_form(path: Path, marks: bool) -> None:
    img = np.full((round(297 * K), round(210 * K)), 255, np.uint8)

    def box(x: float, y: float, w: float = 5, h: float = 5) -> None:
        cv2.rectangle(img, (round(x * K), round(y * K)), (round((x + w) * K) - 1, round((y + h) * K) - 1), 0, 1)

    cv2.putText(img, "Q1 Do you agree?", (round(20 * K), round(40 * K)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)
    for i, label in enumerate(("Yes", "No")):
        box(20 + 40 * i, 45)
        cv2.putText(img, label, (round((27 + 40 * i) * K), round(49.5 * K)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)
    cv2.putText(img, "Comments", (round(20 * K), round(70 * K)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)
    box(20, 75, 150, 25)
    if marks:
        for x, y in ((10, 10), (192, 10), (192, 279), (10, 279)):
            cv2.rectangle(img, (round(x * K), round(y * K)), (round((x + 8) * K), round((y + 8) * K)), 0, -1)
    cv2.imwrite(str(path), img)


@pytest.mark.parametrize("marks", [False, True])
def test_from_scan_writes_a_template_that_reads_back(tmp_path: Path, marks: bool) -> None:
    blank = tmp_path / "blank.png"
    _blank_form(blank, marks)
    out = tmp_path / "form" / "my-form.yaml"
    result = template_from_scan(blank, out, dpi=DPI, lang=None)
    template = parse_template(out.read_text(encoding="utf-8"), str(out))
    assert template == result.proposal.template
    assert [f.kind for f in template.pages[0].fields] == ["single", "text"]
    assert template.layout is not None and template.layout.page_size == "A4"
    assert (out.parent / "my-form-p1.png").is_file() and result.overlay == out.parent / "my-form.overlay.png"
    assert out.read_text(encoding="utf-8").startswith("# Proposed by `sipas template from-scan blank.png`")
    if marks:
        assert template.layout.align == ["marks", "features", "page"]
        assert template.layout.marks is not None and (out.parent / template.layout.marks.image).is_file()
        assert template.layout.marks.centres[2] == pytest.approx((196, 283), abs=0.5)
    else:
        assert template.layout.align == ["features", "page"] and result.mark_image is None


def test_image_without_resolution_needs_dpi(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    _blank_form(blank, False)
    with pytest.raises(BadArgumentsError, match="--dpi"):
        template_from_scan(blank, tmp_path / "f.yaml", lang=None)


def test_labels_are_read_by_tesseract(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    _blank_form(blank, False)
    result = template_from_scan(blank, tmp_path / "f.yaml", dpi=DPI, lang="eng", overlay=False)
    q1 = result.proposal.template.pages[0].fields[0]
    assert [o.label.en for o in q1.options] == ["Yes", "No"]  # type: ignore[union-attr]
    assert "agree" in q1.label.en
