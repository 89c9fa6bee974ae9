"""Dots of faint marks: a light pencil cross that a fax broke into dots is flagged, never read blank."""

from __future__ import annotations

import cv2
import numpy as np
from _pages import BOXES, PX, Fill, box, filled_page, scale
from numpy.typing import NDArray

from omr.reader import ReaderContext, read_page
from omr.reader.boxes import BoxMeasures, is_bilevel
from omr.reader.config import DEFAULT_CONFIG
from omr.reader.marks import classify_boxes
from omr.reader.residue import find_residue, flag_light_page, weigh_residue
from omr.types import BoxReading, BoxState, FieldReading, PageImage, PageReading

KINDS = {"Q9_1": "grid", "Q9_2": "grid", "Q2": "multi"}


def measures(n: int, **given: list[float]) -> BoxMeasures:
    """Box measures of ``n`` clean empty boxes, with the given measures replaced."""
    base = {name: [0.0] * n for name in ("coverage", "line_free", "centre", "extent", "strength", "spread",
                                         "surround")}
    base["white"] = [1.0] * n
    base.update(given)
    return BoxMeasures(**{k: np.array(v, np.float64) for k, v in base.items()})


def row(field: str, states: list[BoxState]) -> list[BoxReading]:
    return [BoxReading(field, str(i + 1), s, 1.0, 0.0) for i, s in enumerate(states)]


def test_scattered_dots_in_one_box_of_a_blank_question_stand_out() -> None:
    readings = row("Q9_1", ["empty"] * 4)
    m = measures(4, line_free=[0.0, 0.1, 0.0, 0.0], extent=[0.0, 0.25, 0.0, 0.0], spread=[0.0, 0.9, 0.0, 0.0],
                 strength=[0.0, 0.2, 0.0, 0.0])
    residue = find_residue(readings, m, KINDS)
    assert residue.questions == {"Q9_1"}
    assert residue.flagged(1) and not residue.flagged(0)
    weighed = weigh_residue(readings, residue)
    assert weighed[1].confidence < DEFAULT_CONFIG.box_accept
    assert [r.confidence for i, r in enumerate(weighed) if i != 1] == [1.0, 1.0, 1.0]


def test_a_dot_texture_shared_by_every_box_is_no_residue() -> None:
    # A dithered fax shading: every box of the row carries about the same dots.
    readings = row("Q9_1", ["empty"] * 5)
    m = measures(5, line_free=[0.12, 0.15, 0.1, 0.14, 0.13], extent=[0.2] * 5, spread=[1.0] * 5, strength=[0.13] * 5)
    residue = find_residue(readings, m, KINDS)
    assert residue.questions == frozenset() and residue.stand_out.max() < DEFAULT_CONFIG.residue_stand_out


def test_a_speck_or_a_solid_pen_dot_is_no_residue() -> None:
    readings = row("Q9_1", ["empty"] * 3)
    speck = measures(3, line_free=[0.0, 0.04, 0.0], extent=[0.0, 0.15, 0.0], spread=[0.0, 0.15, 0.0],
                     strength=[0.0, 0.3, 0.0])
    pen_dot = measures(3, line_free=[0.0, 0.07, 0.0], extent=[0.0, 0.3, 0.0], spread=[0.0, 0.3, 0.0],
                       strength=[0.0, 0.6, 0.0])
    assert find_residue(readings, speck, KINDS).questions == frozenset()
    assert find_residue(readings, pen_dot, KINDS).questions == frozenset()


def test_an_answered_single_choice_is_left_alone_but_a_multi_is_not() -> None:
    given = {"line_free": [0.4, 0.1, 0.0], "extent": [0.9, 0.25, 0.0], "spread": [1.0, 0.9, 0.0],
             "strength": [0.6, 0.2, 0.0]}
    single = find_residue(row("Q9_1", ["marked", "empty", "empty"]), measures(3, **given), KINDS)
    multi = find_residue(row("Q2", ["marked", "empty", "empty"]), measures(3, **given), KINDS)
    assert single.questions == frozenset()
    assert multi.questions == {"Q2"}


def test_a_light_pen_page_flags_its_other_blank_questions() -> None:
    readings = row("Q9_1", ["empty"] * 3) + row("Q9_2", ["empty"] * 3)
    dotted = [0.0, 0.1, 0.0]
    m = measures(6, line_free=dotted * 2, extent=[0.0, 0.25, 0.0] * 2, spread=[0.0, 0.9, 0.0] * 2,
                 strength=[0.0, 0.2, 0.0] * 2)
    residue = find_residue(readings, m, KINDS)
    fields = [FieldReading("Q9_1", "grid", "", "flagged", 0.2, "dots"),
              FieldReading("Q9_2", "grid", "", "flagged", 0.2), FieldReading("Q2", "multi", "", "auto", 1.0),
              FieldReading("A1", "single", "1", "auto", 1.0), FieldReading("OPINION", "text", "", "auto", 1.0)]
    out = {f.field: f for f in flag_light_page(fields, residue)}
    assert out["Q2"].status == "flagged" and "light pen" in (out["Q2"].reason or "")
    assert out["A1"].status == "auto" and out["OPINION"].status == "auto"
    one = find_residue(readings[:3], measures(3, line_free=dotted, extent=[0.0, 0.25, 0.0], spread=[0.0, 0.9, 0.0],
                                              strength=[0.0, 0.2, 0.0]), KINDS)
    assert flag_light_page(fields, one)[2].status == "auto"  # one dotted question alone is not a light pen


def test_pale_dots_on_a_bilevel_scan_are_no_confident_mark() -> None:
    # Enough dithered dots to pass for a mark, but grey after smoothing: on a fax no pen is that pale.
    m = measures(2, coverage=[0.2, 0.2], line_free=[0.3, 0.3], centre=[0.2, 0.2], white=[0.3, 0.3],
                 extent=[0.8, 0.8], strength=[0.13, 0.6], spread=[1.0, 1.0])
    fax = classify_boxes(m, bilevel=True)
    grey = classify_boxes(m, bilevel=False)
    assert fax.states == ("marked", "marked")
    assert fax.confidence[0] < DEFAULT_CONFIG.box_accept <= fax.confidence[1]
    assert grey.confidence[0] >= DEFAULT_CONFIG.box_accept  # a pale pencil on a grey scan is still a mark


def test_bilevel_is_told_from_grey() -> None:
    rng = np.random.default_rng(0)
    assert is_bilevel(np.where(rng.random((300, 200)) < 0.1, 0, 255).astype(np.uint8))
    assert not is_bilevel(rng.integers(0, 256, (300, 200)).astype(np.uint8))


# -- on a page -----------------------------------------------------------------------------------

def _pencil_dots(img: NDArray[np.uint8], field: str, value: str, seed: int) -> None:
    """What a fax leaves of a light pencil cross: a few isolated dots along its two strokes."""
    rng = np.random.default_rng(seed)
    r = box(BOXES, 1, field, value).rect
    for k in range(9):
        t = rng.uniform(0.15, 0.85)
        y = r.y + (t if k % 2 == 0 else 1 - t) * r.h
        cv2.circle(img, (round((r.x + t * r.w) * PX), round(y * PX)), 1, 0, -1)


def _fax(img: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """200 dpi, black and white."""
    return np.where(scale(img, 200) < 150, 0, 255).astype(np.uint8)


def _read(ctx: ReaderContext, img: NDArray[np.uint8]) -> PageReading:
    return read_page(PageImage("fax.tif", 0, img, 200), ctx)


def test_a_faxed_light_pencil_cross_is_flagged_and_clean_blank_boxes_are_not(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("A1", "1"): "cross", ("Q9_2", "4"): "cross"}), name=BOXES, seed=11)
    _pencil_dots(page, "Q9_1", "3", seed=3)
    r = _read(ctx, _fax(page))
    got = {f.field: f for f in r.fields}
    assert (got["Q9_1"].value, got["Q9_1"].status) == ("", "flagged")
    assert "dots in the empty box at value 3" in (got["Q9_1"].reason or "")
    assert (got["A1"].value, got["A1"].status) == ("1", "auto")
    assert (got["Q9_2"].value, got["Q9_2"].status) == ("4", "auto")
    assert (got["Q2"].value, got["Q2"].status) == ("", "auto")  # clean empty boxes on a fax stay blank
    dotted = next(b for b in r.boxes if (b.field, b.value) == ("Q9_1", "3"))
    assert dotted.state == "empty" and dotted.confidence < DEFAULT_CONFIG.box_accept


def test_a_clean_faxed_page_with_blank_questions_is_read(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("A1", "2"): "cross", ("Q9_1", "1"): "tick"}), name=BOXES, seed=12)
    r = _read(ctx, _fax(page))
    got = {f.field: (f.value, f.status) for f in r.fields}
    assert got["Q2"] == ("", "auto") and got["Q9_2"] == ("", "auto") and got["A1"] == ("2", "auto")


def test_one_firm_dot_in_a_blank_question_is_a_dot_and_a_speck_or_pale_dot_is_not() -> None:
    readings = row("Q9_1", ["empty"] * 4) + row("Q9_2", ["empty"] * 4)
    m = measures(8, line_free=[0.0, 0.07, 0.0, 0.0, 0.02, 0.0, 0.07, 0.0],
                 extent=[0.0, 0.3, 0.0, 0.0, 0.1, 0.0, 0.3, 0.0], spread=[0.0, 0.3, 0.0, 0.0, 0.1, 0.0, 0.3, 0.0],
                 strength=[0.0, 0.35, 0.0, 0.0, 0.6, 0.0, 0.13, 0.0])
    residue = find_residue(readings, m, KINDS)
    assert residue.dots == {1}  # box 5 is a speck (too small), box 7 too pale for a firm dot...
    assert residue.questions == {"Q9_2"}  # ...but may be a faint mark's remains; one firm dot is not


def test_a_firm_dot_in_an_answered_single_choice_is_left_alone() -> None:
    readings = row("Q9_1", ["empty", "empty", "marked", "empty"])
    m = measures(4, line_free=[0.0, 0.07, 0.3, 0.0], extent=[0.0, 0.3, 0.8, 0.0], spread=[0.0, 0.3, 0.8, 0.0],
                 strength=[0.0, 0.35, 0.8, 0.0])
    assert find_residue(readings, m, KINDS).dots == frozenset()
