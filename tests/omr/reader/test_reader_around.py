"""The new measures on tiny arrays: light normalisation, printed ink, respondent strokes, loops,
the assignment of strokes to boxes and how it settles box readings."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from test_reader_boxes import BOX_AT, CAL, box_page

from omr.reader.around import Surroundings, surroundings
from omr.reader.boxes import PageCalibration, calibrate_page, measure_boxes, smooth_page
from omr.reader.light import flatten_windows, light_map, normalise_light
from omr.reader.loops import bridged_coverage, coverage
from omr.reader.marks import classify_boxes
from omr.reader.positions import PX_PER_MM, expected_origin
from omr.reader.printed import printed_darkness
from omr.reader.respondent_ink import InkStrokes, respondent_ink
from omr.reader.settle import settle_boxes
from omr.template.layout import BOX, Box, Rect
from omr.types import BoxReading

# -- light ------------------------------------------------------------------------------------------


def test_flatten_windows_cancels_a_linear_light_gradient() -> None:
    light = np.tile(np.linspace(100, 240, 20, dtype=np.float32), (20, 1))
    page = np.tile(np.linspace(100, 240, 80, dtype=np.float32) * 0 + 1, (80, 1))
    rows, cols = np.mgrid[0:80, 0:80]
    page = (light[rows // 4, cols // 4] * 0.5).astype(np.float32)  # ink at half the local paper
    win = page[None, 20:40, 8:28]
    flat = flatten_windows(win, light, np.array([[20, 8]]), 240.0)
    assert float(np.ptp(flat)) < 12  # the same ink everywhere, whatever the light
    assert abs(float(flat.mean()) - 120.0) < 6


def _shadowed(page: NDArray[np.uint8], depth: float) -> NDArray[np.uint8]:
    """The page under a light falling off from left to right (a shadow across the box)."""
    ramp = np.linspace(1.0, 1.0 - depth, page.shape[1], dtype=np.float32)[None, :]
    return np.clip(page.astype(np.float32) * ramp, 0, 255).astype(np.uint8)


def _read(page: NDArray[np.uint8], *, light: bool) -> tuple[str, float]:
    smoothed = smooth_page(page)
    cal = PageCalibration(paper=240.0, black=15.0, noise=0.6, background=np.full((8, 8), 240.0, np.float32))
    if light:
        cal = normalise_light(smoothed, cal)
    m = measure_boxes(smoothed, [BOX_AT], np.zeros((1, 2), np.int64), cal)
    d = classify_boxes(m)
    return d.states[0], float(m.line_free[0])


def test_an_empty_box_in_a_shadow_never_measures_darker_than_a_marked_box() -> None:
    empty = _shadowed(box_page(None), 0.5)
    crossed = box_page("cross")
    state, ink = _read(empty, light=True)
    assert state == "empty"
    assert ink < _read(crossed, light=True)[1]
    assert _read(_shadowed(crossed, 0.5), light=True)[0] == "marked"


def test_light_map_follows_a_shadow_but_not_a_filled_box() -> None:
    page = np.full((200, 200), 230, np.float32)
    page[:, 100:] *= 0.6  # a shadow over the right half
    cv2.rectangle(page, (30, 30), (57, 57), 20, -1)  # a box filled over (27 px) in the light
    cal = calibrate_page(page)
    light = light_map(page, cal)
    assert abs(float(light[25, 10]) - 230) < 8 and abs(float(light[25, 45]) - 138) < 15
    assert float(light[11, 11]) > 200  # the filled box is not paper


# -- printed ink and respondent strokes -------------------------------------------------------------


def test_printed_darkness_grows_the_print() -> None:
    page = np.full((20, 20), 255, np.uint8)
    page[10, 5:15] = 0
    grown = printed_darkness(page, 2)
    assert grown[8:13, 5:15].min() == 255 and grown[5, 10] == 0 and grown[12, 3] == 255


def _printed_box() -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """A 60 × 60 blank 'template' holding BOX_AT's outline, and its printed darkness."""
    blank = box_page(None)
    blank = np.where(blank < 128, 10, 240).astype(np.uint8)
    return blank, printed_darkness(blank, 2)


def test_respondent_ink_is_the_scan_less_the_print() -> None:
    blank, printed = _printed_box()
    scan = blank.copy()
    cv2.line(scan, (8, 56), (56, 8), 20, 2)  # a long stroke through the box, over its outline twice
    strokes = respondent_ink(scan, CAL, printed, (0, 0, 62, 62), (0, 0))
    kept = np.flatnonzero(strokes.kept)
    assert kept.size == 1  # the stroke, in one piece (joined across the outline); no outline
    x, y, w, h, _ = strokes.stats[kept[0]]
    assert w >= 45 and h >= 45
    empty = respondent_ink(blank, CAL, printed, (0, 0, 62, 62), (0, 0))
    assert not empty.kept.any()


def test_fax_dither_is_not_a_stroke() -> None:
    blank, printed = _printed_box()
    scan = blank.copy()
    scan[::3, ::3] = 0  # an ordered dither of an 11 % grey shading, as a fax prints it
    scan[1::6, 2::6] = 0
    strokes = respondent_ink(scan, CAL, printed, (0, 0, 62, 62), (0, 0), bilevel=True)
    assert not strokes.kept.any()
    cv2.line(scan, (5, 5), (5, 55), 0, 1)  # a pen line, one pixel wide, is kept
    assert respondent_ink(scan, CAL, printed, (0, 0, 62, 62), (0, 0), bilevel=True).kept.any()


# -- loops ------------------------------------------------------------------------------------------


def test_coverage_inside_and_outside_a_ring() -> None:
    t = np.linspace(0, 2 * np.pi, 300)
    ys, xs = 20 * np.sin(t), 25 * np.cos(t)
    assert coverage(ys, xs, (0.0, 0.0), 5.0) == 1.0
    assert coverage(ys, xs, (0.0, 60.0), 5.0) < 0.5
    gap = t < 5.2  # an open loop, a sixth left out
    assert coverage(ys[gap], xs[gap], (0.0, 0.0), 5.0) >= 0.75


def _grid(rows: int = 2) -> tuple[list[Box], NDArray[np.int64]]:
    """Boxes of one column of a tight grid, 5.5 mm apart."""
    boxes = [Box(f"Q9_{k + 1}", "3", "box", Rect(10.0, 10.0 + 5.5 * k, BOX, BOX)) for k in range(rows)]
    return boxes, np.array([expected_origin(b) for b in boxes], np.int64)


def _strokes(mask: NDArray[np.uint8]) -> InkStrokes:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    kept = np.maximum(stats[:, 2], stats[:, 3]) >= 1.2 * PX_PER_MM
    kept[0] = False
    return InkStrokes((0, 0), labels.astype(np.int32), stats.astype(np.int32), kept)


def _centre(origin: NDArray[np.int64]) -> tuple[int, int]:
    half = round(BOX * PX_PER_MM / 2)
    return int(origin[1]) + half, int(origin[0]) + half


def test_a_circle_round_a_grid_box_marks_it_and_not_the_row_below() -> None:
    boxes, origins = _grid()
    mask = np.zeros((160, 120), np.uint8)
    cv2.ellipse(mask, _centre(origins[0]), (24, 25), 0, 0, 360, 1, 2)  # cuts into the row below
    s = surroundings(_strokes(mask), boxes, origins)
    assert s.circled[0] >= 0.9 and s.circled[1] == 0
    assert s.foreign[1] == 1.0 and s.foreign_loop[1]
    assert not s.notes


def test_one_loop_round_two_rows_is_a_note_for_both() -> None:
    boxes, origins = _grid()
    mask = np.zeros((160, 120), np.uint8)
    (cx, cy0), (_, cy1) = _centre(origins[0]), _centre(origins[1])
    cv2.ellipse(mask, (cx, (cy0 + cy1) // 2), (22, 40), 0, 0, 360, 1, 2)
    s = surroundings(_strokes(mask), boxes, origins)
    assert not s.circled.any()
    assert sorted(i for i, _ in s.notes) == [0, 1] and "a loop around" in s.notes[0][1]


def test_a_long_stroke_through_a_box_is_crossing_and_ink_beside_is_a_note() -> None:
    boxes, origins = _grid(1)
    mask = np.zeros((120, 120), np.uint8)
    cx, cy = _centre(origins[0])
    cv2.line(mask, (cx - 5, cy + 5), (cx + 40, cy - 40), 1, 2)  # from the centre far out
    s = surroundings(_strokes(mask), boxes, origins)
    assert s.crossing[0] and not s.notes
    beside = np.zeros((120, 120), np.uint8)
    left = int(origins[0, 1]) - 3
    cv2.line(beside, (left - 14, cy - 7), (left, cy + 7), 1, 2)
    cv2.line(beside, (left - 14, cy + 7), (left, cy - 7), 1, 2)
    notes = surroundings(_strokes(beside), boxes, origins).notes
    assert notes and "beside" in notes[0][1]


# -- settling box readings --------------------------------------------------------------------------


def test_settle_marks_circled_boxes_and_empties_arcs_of_other_loops() -> None:
    readings = [BoxReading("Q9_1", "3", "empty", 1.0, 0.0), BoxReading("Q9_2", "3", "marked", 0.7, 0.05),
                BoxReading("Q9_3", "3", "empty", 1.0, 0.0)]
    around = Surroundings(np.array([0.95, 0.0, 0.0]), np.array([False, False, False]), np.array([0.0, 1.0, 0.0]),
                          np.array([False, True, False]), np.array([-1, -1, -1]), ((2, "ink beside value 3"),))
    out, notes = settle_boxes(readings, around)
    assert [r.state for r in out] == ["marked", "empty", "empty"]
    assert out[0].confidence >= 0.9
    assert notes == {"Q9_3": "ink beside value 3"}


def test_a_loop_broken_into_two_arcs_still_circles_its_box() -> None:
    boxes, origins = _grid()
    mask = np.zeros((160, 120), np.uint8)
    centre = _centre(origins[0])
    cv2.ellipse(mask, centre, (24, 22), 0, 100, 260, 1, 2)  # left arc
    cv2.ellipse(mask, centre, (24, 22), 0, -80, 80, 1, 2)  # right arc, the gaps where outlines cut it
    s = surroundings(_strokes(mask), boxes, origins)
    assert s.circled[0] >= 0.75 and s.circled[1] == 0 and not s.notes


def test_the_outline_closes_the_gaps_of_a_tight_loop_only() -> None:
    half = BOX * PX_PER_MM / 2
    t = np.linspace(0, 2 * np.pi, 400)
    c, s = np.cos(t), np.sin(t)
    ys, xs = (half + 1) * s, (half + 3) * c  # round the box, its top and bottom on the outline
    left = np.abs(xs) >= 0.6 * (half + 3)  # the scan less the print: the stretches along the outline are gone
    r_min, tol, tight = 0.3 * BOX * PX_PER_MM, 0.5 * PX_PER_MM, 1.3 * PX_PER_MM
    assert coverage(ys[left], xs[left], (0.0, 0.0), r_min) < 0.75
    assert bridged_coverage(ys[left], xs[left], (0.0, 0.0), r_min, half, tol, tight, 6) == 1.0
    wide = np.abs(xs * 1.5) >= 0.6 * 1.5 * (half + 3)  # a wider loop with only its sides left is faint
    assert bridged_coverage(ys[wide] * 1.5, xs[wide] * 1.5, (0.0, 0.0), r_min, half, tol, tight, 6) < 0.75


def test_a_faint_loop_with_only_its_sides_left_is_flagged_not_read() -> None:
    boxes, origins = _grid()
    mask = np.zeros((160, 120), np.uint8)
    centre = _centre(origins[0])
    cv2.ellipse(mask, centre, (24, 22), 0, 140, 220, 1, 2)
    cv2.ellipse(mask, centre, (24, 22), 0, -40, 40, 1, 2)
    s = surroundings(_strokes(mask), boxes, origins)
    assert not s.circled.any()
    assert {i for i, _ in s.notes} == {0} and any("broken loop" in why for _, why in s.notes)


def test_settle_empties_a_spill_from_another_question_and_flags_one_from_its_own() -> None:
    readings = [BoxReading("Q9_1", "3", "marked", 0.9, 0.2), BoxReading("Q9_2", "3", "marked", 0.6, 0.05),
                BoxReading("Q2", "1", "marked", 0.9, 0.2), BoxReading("Q2", "2", "marked", 0.6, 0.05)]
    around = Surroundings(np.zeros(4), np.zeros(4, bool), np.array([0.0, 1.0, 0.0, 1.0]), np.zeros(4, bool),
                          np.array([-1, 0, -1, 2]))
    out, notes = settle_boxes(readings, around)
    assert [r.state for r in out] == ["marked", "empty", "marked", "marked"]
    assert notes == {"Q2": "ink from value 1 runs into value 2"}


def test_settle_flags_an_empty_box_holding_a_stroke_of_its_own() -> None:
    readings = [BoxReading("Q9_1", "3", "empty", 1.0, 0.0), BoxReading("Q9_1", "4", "empty", 1.0, 0.0)]
    around = Surroundings(np.zeros(2), np.zeros(2, bool), np.zeros(2), np.zeros(2, bool), np.array([-1, -1]),
                          own_ink=np.array([40, 5]))
    out, notes = settle_boxes(readings, around)
    assert [r.state for r in out] == ["empty", "empty"]
    assert list(notes) == ["Q9_1"] and "value 3" in notes["Q9_1"]
