"""End to end, one mark kind at a time: a page carrying that mark, read by ``read_page``, gives the
right value or flags the question; it never accepts a wrong value.

The pages are the checkbox-only mini template rendered at 300 dpi with marks drawn by
``_pages.draw_mark`` (tight grid rows Q9_1 and Q9_2 are 5.5 mm apart, as in SIPAS).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from _pages import BOXES, Mark, blank_form, box, degrade, draw_mark, shade

from omr.reader import ReaderContext, read_page
from omr.types import MULTIPLE, FieldReading, PageImage, PageReading

Marks = tuple[tuple[str, str, Mark], ...]


@functools.cache
def _page(marks: Marks, photo: bool = False) -> PageReading:
    img = blank_form(BOXES)
    rng = np.random.default_rng(5)
    for f, v, m in marks:  # in order: a box may get two marks (a cross, then a circle round it)
        draw_mark(img, box(BOXES, 1, f, v), m, rng)
    if photo:
        img = degrade(shade(img, seed=2), blur=1.0, noise=3.0, jpeg=80, seed=2)
    return read_page(PageImage("markkinds.png", 0, img), _context())


@functools.cache
def _context() -> ReaderContext:
    """One reader for the module (pages are cached by their marks, so the session fixture is not used)."""
    return ReaderContext.load([BOXES])


def fields(marks: Marks, *, photo: bool = False) -> dict[str, FieldReading]:
    r = _page(marks, photo)
    assert r.identity is not None, r.reason
    return {f.field: f for f in r.fields}


def right_or_flagged(f: FieldReading, value: str) -> None:
    """The field's value is right, or it waits for a reviewer: never a wrong value accepted."""
    assert f.status == "flagged" or f.value == value, f


@pytest.mark.parametrize(
    ("mark", "field", "value"),
    [("cross", "A1", "2"), ("tick", "A1", "1"), ("slash", "Q2", "2"), ("circle-box", "A1", "2"),
     ("circle-label", "Q2", "1"), ("circle-box", "Q9_1", "3"), ("circle-box", "Q9_2", "4")],
)
def test_plain_marks_and_unambiguous_circles_are_read(mark: Mark, field: str, value: str) -> None:
    got = fields(((field, value, mark),))
    assert got[field].value == value and got[field].status == "auto", got[field]


@pytest.mark.parametrize(("row", "other"), [("Q9_1", "Q9_2"), ("Q9_2", "Q9_1")])
def test_a_circle_in_a_tight_grid_puts_no_value_in_the_next_row(row: str, other: str) -> None:
    got = fields(((row, "3", "circle-box"), (other, "1", "cross")))
    assert (got[row].value, got[row].status) == ("3", "auto")
    assert (got[other].value, got[other].status) == ("1", "auto")


def test_a_long_tick_is_read_or_flagged() -> None:
    got = fields((("A1", "1", "tick-long"),))
    right_or_flagged(got["A1"], "1")


def test_a_cross_beside_the_box_is_flagged() -> None:
    got = fields((("A1", "2", "beside"),))
    assert got["A1"].status == "flagged" and "beside" in (got["A1"].reason or ""), got["A1"]


ANSWERED: dict[str, tuple[str, Mark]] = {"A1": ("1", "cross"), "Q2": ("2", "tick"), "Q9_1": ("5", "cross"),
                                          "Q9_2": ("1", "tick")}
"""A mark in every question, so that a page is never flagged as left (almost) blank."""


def _with_others(marks: Marks) -> Marks:
    """``marks`` and a plain mark in every question they leave untouched."""
    used = {f for f, _, _ in marks}
    return marks + tuple((f, v, m) for f, (v, m) in ANSWERED.items() if f not in used)


@pytest.mark.parametrize(("field", "value"), [("A1", "2"), ("Q9_2", "3")])
def test_a_cross_2_to_3_mm_beside_the_box_is_flagged(field: str, value: str) -> None:
    got = fields(_with_others(((field, value, "beside-far"),)))
    assert got[field].status == "flagged" and f"beside value {value}" in (got[field].reason or ""), got[field]


@pytest.mark.parametrize(
    ("field", "value", "other", "mark"),
    [("Q9_2", "2", "Q9_1", "big-cross"), ("Q9_1", "3", "Q9_2", "tick"), ("Q9_1", "4", "Q9_2", "big-cross")],
)
def test_a_cross_touching_the_outline_next_to_a_mark_in_the_next_row_is_flagged(
    field: str, value: str, other: str, mark: Mark
) -> None:
    """The cross beside must not pass for a piece of the next row's mark or of a loop round it."""
    got = fields(_with_others(((field, value, "beside-touch"), (other, value, mark))))
    assert got[field].status == "flagged" and "beside" in (got[field].reason or ""), got[field]
    right_or_flagged(got[other], value)


@pytest.mark.parametrize(("field", "value"), [("A1", "2"), ("Q2", "1"), ("Q9_1", "4")])
def test_a_lone_firm_dot_flags_its_question(field: str, value: str) -> None:
    got = fields(_with_others(((field, value, "firm-dot"),)))
    reason = got[field].reason or ""
    assert got[field].status == "flagged" and f"dot in the box at value {value}" in reason, got[field]
    assert all(f.status == "auto" for code, f in got.items() if code in ANSWERED and code != field)


def test_a_firm_dot_beside_a_marked_answer_leaves_a_single_choice_alone() -> None:
    got = fields(_with_others((("Q9_1", "2", "cross"), ("Q9_1", "4", "firm-dot"))))
    assert got["Q9_1"].value == "2"
    assert (got["Q9_2"].value, got["Q9_2"].status) == ("1", "auto")


def test_light_pencil_is_read_or_flagged() -> None:
    right_or_flagged(fields((("Q2", "1", "pencil"),))["Q2"], "1")


def test_felt_pen_bleeding_into_the_next_row_is_read_or_flagged() -> None:
    got = fields((("Q9_1", "4", "bleed"), ("Q9_2", "2", "cross")))
    right_or_flagged(got["Q9_1"], "4")
    right_or_flagged(got["Q9_2"], "2")


def test_crossed_out_and_marked_again_reads_the_new_mark() -> None:
    got = fields((("A1", "1", "scribble"), ("A1", "2", "cross")))
    right_or_flagged(got["A1"], "2")
    assert got["A1"].value != "1"


def test_two_marks_without_a_correction_are_flagged() -> None:
    got = fields((("A1", "1", "cross"), ("A1", "2", "tick")))
    assert got["A1"].status == "flagged" and got["A1"].value == MULTIPLE


def test_a_filled_box_alone_is_flagged() -> None:
    assert fields((("A1", "1", "fill"),))["A1"].status == "flagged"


def test_a_lone_dot_is_never_read_as_a_mark() -> None:
    right_or_flagged(fields((("A1", "2", "dot"),))["A1"], "")


def test_a_stray_dot_beside_an_answer_does_not_change_it() -> None:
    got = fields((("A1", "2", "cross"), ("Q2", "3", "dot")))
    right_or_flagged(got["A1"], "2")
    right_or_flagged(got["Q2"], "")


def test_a_shadowed_photo_reads_the_marks_and_no_empty_box() -> None:
    marks: Marks = (("A1", "2", "cross"), ("Q2", "1", "tick"), ("Q9_1", "5", "cross"), ("Q9_2", "1", "circle-box"))
    got = fields(marks, photo=True)
    for f, v in (("A1", "2"), ("Q2", "1"), ("Q9_1", "5"), ("Q9_2", "1")):
        right_or_flagged(got[f], v)
    assert sum(f.status == "auto" for f in got.values()) >= 4


def test_every_answer_code_is_there() -> None:
    got = fields((("A1", "2", "cross"),))
    assert set(got) >= {"A1", "Q2", "Q9_1", "Q9_2"}
    assert np.isfinite([f.confidence for f in got.values()]).all()


def test_a_cross_that_is_also_circled_is_read() -> None:
    got = fields((("A1", "2", "cross"), ("A1", "2", "circle-box")))
    right_or_flagged(got["A1"], "2")
