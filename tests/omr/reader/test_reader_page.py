"""read_page end to end on rendered, marked and degraded pages."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pytest
from _pages import BOXES, MINI, Fill, degrade, filled_page, perspective, rotate, scale
from numpy.typing import NDArray

from omr.reader import ALIGNED_DPI, ReaderContext, read_page
from omr.reader.page import NOT_A_FORM
from omr.types import MULTIPLE, PageImage, PageReading

FORM_ID = "84G7ZWY6"
MARKS = Fill({
    ("A1", "2"): "cross",
    ("Q2", "1"): "tick",
    ("Q2", "3"): "big-cross",
    ("Q9_1", "4"): "thick-cross",
    ("Q9_2", "2"): "fill",  # a correction...
    ("Q9_2", "5"): "cross",  # ...of this answer
})
EXPECTED = {"A1": "2", "Q2": "1;3", "Q2_other": "", "Q9_1": "4", "Q9_2": "5", "OPINION": ""}


@functools.cache
def marked() -> NDArray[np.uint8]:
    return filled_page(MARKS, name=BOXES, form_id=FORM_ID, seed=3)


def read(ctx: ReaderContext, image: NDArray[np.uint8]) -> PageReading:
    return read_page(PageImage("test.png", 0, image), ctx)


def values(r: PageReading) -> dict[str, str]:
    return {f.field: f.value for f in r.fields}


def test_clean_page_is_read(ctx: ReaderContext) -> None:
    r = read(ctx, marked())
    assert r.outcome == "read", r.reason
    assert r.identity is not None
    assert (r.identity.template, r.identity.form_id, r.identity.page) == ("mini-boxes", FORM_ID, 1)
    assert values(r) == EXPECTED
    assert [f.field for f in r.fields] == list(EXPECTED)  # every answer code once, in template order
    assert all(f.status == "auto" for f in r.fields)
    assert r.rotation == 0 and r.residual_px is not None and r.residual_px < 1.5
    assert r.aligned is not None and r.aligned.shape == (1754, 1240)
    states = {(b.field, b.value): b.state for b in r.boxes}
    assert states[("Q9_2", "2")] == "filled" and states[("Q9_2", "5")] == "marked"
    assert sum(s != "empty" for s in states.values()) == 6


def test_homography_maps_template_mm_to_input_pixels(ctx: ReaderContext) -> None:
    r = read(ctx, marked())
    assert r.homography is not None
    h = np.array(r.homography).reshape(3, 3)
    # A 300-dpi render: x_px = x_mm * 300/25.4 - 0.5 (pixel centres at integers).
    pts = cv2.perspectiveTransform(np.array([[[20.0, 30.0], [190.0, 280.0]]]), h)[0]
    np.testing.assert_allclose(pts, np.array([[20.0, 30.0], [190.0, 280.0]]) * 300 / 25.4 - 0.5, atol=1.0)


@pytest.mark.parametrize(("turn", "rotation"), [(180, 180), (90, 270), (-90, 90)])
def test_quarter_turns_are_undone(ctx: ReaderContext, turn: int, rotation: int) -> None:
    r = read(ctx, rotate(marked(), turn))
    assert (r.outcome, r.rotation) == ("read", rotation)
    assert values(r) == EXPECTED


@pytest.mark.parametrize("angle", [2.5, -4.0, 178.0])
def test_skewed_noisy_scans(ctx: ReaderContext, angle: float) -> None:
    page = degrade(rotate(marked(), angle), blur=1.0, noise=6.0, jpeg=75, paper=235, black=25, seed=1)
    r = read(ctx, page)
    assert r.outcome == "read", r.reason
    assert values(r) == EXPECTED


def test_phone_like_perspective(ctx: ReaderContext) -> None:
    page = degrade(perspective(marked(), 0.03, seed=2), blur=1.2, noise=5.0, jpeg=70, seed=2)
    r = read(ctx, page)
    assert r.outcome == "read", r.reason
    assert values(r) == EXPECTED


@pytest.mark.parametrize("dpi", [150, 200])
def test_other_resolutions(ctx: ReaderContext, dpi: int) -> None:
    r = read(ctx, scale(marked(), dpi))
    assert values(r) == EXPECTED


def test_colour_input_is_converted(ctx: ReaderContext) -> None:
    r = read(ctx, np.asarray(cv2.cvtColor(marked(), cv2.COLOR_GRAY2BGR), np.uint8))
    assert values(r) == EXPECTED


def test_light_pencil_is_read_or_flagged_never_lost(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("A1", "1"): "pencil", ("Q9_1", "3"): "pencil", ("Q9_2", "4"): "pencil"}),
                       name=BOXES, seed=5)
    r = read(ctx, page)
    got = {f.field: (f.value, f.status) for f in r.fields}
    for code, value in (("A1", "1"), ("Q9_1", "3"), ("Q9_2", "4")):
        assert got[code][0] == value
    assert got["Q2"] == ("", "auto")


def test_double_mark_and_filled_alone_are_flagged(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("A1", "1"): "cross", ("A1", "2"): "tick", ("Q9_1", "3"): "scribble",
                             ("Q9_2", "1"): "cross"}), name=BOXES, seed=6)
    r = read(ctx, page)
    got = {f.field: (f.value, f.status) for f in r.fields}
    assert r.outcome == "review"
    assert got["A1"] == (MULTIPLE, "flagged")
    assert got["Q9_1"] == ("3", "flagged")  # filled over, nothing else marked: per the template, review
    assert got["Q9_2"] == ("1", "auto")


def test_stray_dots_do_not_mark(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("A1", "1"): "cross", ("Q9_1", "2"): "dot", ("Q9_1", "4"): "cross",
                             ("Q2", "2"): "dot"}), name=BOXES, seed=7)
    r = read(ctx, page)
    got = {f.field: f for f in r.fields}
    assert (got["Q9_1"].value, got["Q9_1"].status) == ("4", "auto")  # a dot beside the answer changes nothing
    # A firm dot alone in a question may be the respondent's answer: never a mark, never accepted blank.
    assert (got["Q2"].value, got["Q2"].status) == ("", "flagged") and "dot" in (got["Q2"].reason or "")


def test_written_text_goes_to_transcription(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("Q2", "3"): "cross"}, texts={"Q2_other": "Bao chi"}), name=BOXES, seed=8)
    r = read(ctx, page)
    other = next(f for f in r.fields if f.field == "Q2_other")
    assert other.status == "flagged" and other.reason == "handwriting to transcribe"
    assert next(f for f in r.fields if f.field == "OPINION").value == ""


def test_blank_back(ctx: ReaderContext) -> None:
    rng = np.random.default_rng(0)
    page = np.clip(rng.normal(238, 3, (3508, 2480)), 0, 255).astype(np.uint8)
    page[1000:1003, 400:2000] = 200  # faint show-through
    r = read(ctx, page)
    assert r.outcome == "blank"


def test_a_photo_that_is_not_a_form_is_rejected(ctx: ReaderContext) -> None:
    rng = np.random.default_rng(1)
    blobs = np.asarray(cv2.GaussianBlur(rng.uniform(0, 255, (300, 400)).astype(np.float32), (0, 0), 6))
    blobs = (blobs - blobs.min()) * 255 / (blobs.max() - blobs.min())
    page = np.asarray(cv2.resize(blobs, (2400, 1800)), np.float32).astype(np.uint8)
    r = read(ctx, page)
    assert r.outcome == "rejected"
    assert NOT_A_FORM in (r.reason or "")


def test_garbage_input_never_raises(ctx: ReaderContext) -> None:
    assert read(ctx, np.zeros((10, 10), np.uint8)).outcome == "rejected"
    assert read(ctx, np.zeros((800, 600), np.uint8)).outcome == "rejected"
    assert read_page(PageImage("x", 0, np.zeros((0, 0), np.uint8)), ctx).outcome == "rejected"


def test_a_known_template_qr_from_another_reader_is_rejected() -> None:
    only_boxes = ReaderContext.load([BOXES])
    r = read(only_boxes, filled_page(Fill({}), name=MINI, seed=9))
    assert r.outcome == "rejected"
    assert NOT_A_FORM in (r.reason or "") and "mini" in (r.reason or "")


def test_aligned_page_resolution_constant() -> None:
    assert ALIGNED_DPI == 150
