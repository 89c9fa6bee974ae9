"""Every new mark kind puts its ink where respondents put it: around, beside, far out of or on the box."""

from __future__ import annotations

import numpy as np
import pytest

from omr.template.layout import layout_template
from omr.template.load import load_template
from samples.synth.answers import BoxIntent
from samples.synth.ink import PX_PER_MM, Pen, Sheet
from samples.synth.inking import PageBoxes, draw_intent
from samples.synth.loops import LoopStyle, box_loop, label_loop, label_rects
from samples.synth.marks import MarkStyle
from samples.synth.oddmarks import beside, dot, reach, tick_long, touching_stray
from samples.synth.respondents import Hand

PEN = Pen("ballpoint-black", 0.1, 0.35)
FELT = Pen("felt-tip", 0.08, 0.8, spread=0.8)
STYLE = MarkStyle("cross", size=0.8, oversize_share=0.0, wobble=0.5, angle_sd=6.0)
CLOSED = LoopStyle(margin=(0.4, 1.2), stretch=(1.0, 1.6), open_share=0.0, wobble=0.8, tilt_deg=8.0)
BOX = (100.0, 100.0, 53.0, 53.0)  # a 4.5 mm checkbox at 300 dpi
INSET = int(round(0.7 * PX_PER_MM)) + 1  # the core readers look at: the box less 0.7 mm


def _sheet(size: int = 260) -> Sheet:
    return Sheet(np.full((size, size), 255, np.uint8))


def _region(img: np.ndarray, rect: tuple[float, float, float, float], inset: int) -> np.ndarray:
    x, y, w, h = (int(round(v)) for v in rect)
    return img[y + inset : y + h - inset, x + inset : x + w - inset]


def _ink(img: np.ndarray) -> np.ndarray:
    return np.argwhere(img < 200)  # (row, col)


@pytest.mark.parametrize("seed", range(12))
def test_circle_box_leaves_the_core_empty_and_rings_the_box(seed: int) -> None:
    sheet = _sheet()
    sheet.draw_strokes(box_loop(BOX, style=CLOSED, pen_width=PEN.width_px, rng=np.random.default_rng(seed)), pen=PEN,
                       rng=np.random.default_rng(0))
    img = sheet.image
    assert (_region(img, BOX, INSET) > 240).all()
    ink = _ink(img)
    x, y, w, h = BOX
    cy, cx = y + h / 2, x + w / 2
    # Ink on every side of the box, outside it or on its outline, within a few millimetres.
    assert (ink[:, 1] < x + 3).any() and (ink[:, 1] > x + w - 3).any()
    assert (ink[:, 0] < y + 3).any() and (ink[:, 0] > y + h - 3).any()
    assert np.hypot(ink[:, 0] - cy, ink[:, 1] - cx).max() < 9.0 * PX_PER_MM


def test_circle_label_goes_around_the_printed_label() -> None:
    template = load_template("tests/fixtures/mini.yaml")
    page = layout_template(template).page(1)
    labels = label_rects(page)
    boxes = PageBoxes.of(page).boxes
    assert set(labels) == {("A1", "1"), ("A1", "2"), ("Q2", "1"), ("Q2", "2"), ("Q2", "3")}  # grids have none
    lx, ly, lw, lh = labels[("Q2", "2")]
    bx, by, bw, bh = boxes[("Q2", "2")]
    assert lx > bx + bw and 8 < lw < 30 * PX_PER_MM and ly < by + bh and ly + lh > by  # right of its box
    sheet = Sheet(np.full((int(ly + lh + 200), int(lx + lw + 200)), 255, np.uint8))
    sheet.draw_strokes(label_loop(labels[("Q2", "2")], style=CLOSED, rng=np.random.default_rng(1)), pen=PEN,
                       rng=np.random.default_rng(0))
    ink = _ink(sheet.image)
    assert (ink[:, 1] < lx + 2).any() and (ink[:, 1] > lx + lw - 2).any()
    assert (ink[:, 0] < ly + 2).any() and (ink[:, 0] > ly + lh - 2).any()
    assert (_region(sheet.image, (bx, by, bw, bh), INSET) > 240).all()  # the box itself stays empty


def test_circle_label_in_a_grid_loops_around_the_box_and_its_column() -> None:
    template = load_template("tests/fixtures/mini.yaml")
    page = PageBoxes.of(layout_template(template).page(1))
    rect = page.boxes[("Q9_1", "3")]
    sheet = Sheet(np.full((3508, 2480), 255, np.uint8))
    hand = Hand(PEN, STYLE, 0.0, CLOSED)
    draw_intent(sheet, BoxIntent("Q9_1", "3", "mark", "circle-label"), page, hand=hand, rng=np.random.default_rng(2))
    ink = _ink(sheet.image)
    x, y, w, h = rect
    assert (_region(sheet.image, rect, INSET) > 240).all()
    assert ink[:, 1].min() < x - 0.8 * PX_PER_MM and ink[:, 1].max() > x + w + 0.8 * PX_PER_MM
    assert abs(ink[:, 1].mean() - (x + w / 2)) < 2 * PX_PER_MM  # centred on its own column


@pytest.mark.parametrize("seed", range(8))
def test_tick_long_runs_far_out_of_the_box(seed: int) -> None:
    sheet = _sheet(400)
    box = (80.0, 250.0, 53.0, 53.0)
    sheet.draw_strokes(tick_long(box, style=STYLE, pen_width=PEN.width_px, rng=np.random.default_rng(seed)),
                       pen=PEN, rng=np.random.default_rng(0))
    ink = _ink(sheet.image)
    assert (_region(sheet.image, box, INSET) < 200).sum() > 20  # the vertex is in the box
    reach_up = box[1] - ink[:, 0].min()
    reach_right = ink[:, 1].max() - (box[0] + box[2])
    assert max(reach_up, reach_right) > 1.3 * box[2]


@pytest.mark.parametrize("grid", [True, False])
def test_beside_is_next_to_the_box_not_on_its_core(grid: bool) -> None:
    for seed in range(10):
        sheet = _sheet(400)
        box = (170.0, 170.0, 53.0, 53.0)
        sheet.draw_strokes(beside(box, style=STYLE, pen_width=PEN.width_px, others=[], grid=grid,
                                  rng=np.random.default_rng(seed)), pen=PEN, rng=np.random.default_rng(0))
        assert (_region(sheet.image, box, INSET) > 235).all()
        ink = _ink(sheet.image)
        assert len(ink)
        x, y, w, h = box
        dx = np.maximum(np.maximum(x - ink[:, 1], ink[:, 1] - (x + w)), 0)
        dy = np.maximum(np.maximum(y - ink[:, 0], ink[:, 0] - (y + h)), 0)
        assert np.hypot(dx, dy).min() < 2.2 * PX_PER_MM  # touching or within ~2 mm


def test_dot_is_a_small_firm_blob_in_the_box() -> None:
    sheet = _sheet()
    strokes, width = dot(BOX, rng=np.random.default_rng(3))
    sheet.draw_strokes(strokes, pen=PEN, rng=np.random.default_rng(0), width_scale=width / PEN.width_px, taper=0.0)
    core = _region(sheet.image, BOX, INSET)
    dark = (core < 100).mean()
    assert 0.02 < dark < 0.35
    assert (sheet.image < 200).sum() == (_region(sheet.image, BOX, 0) < 200).sum()  # all of it inside the box


def test_bleed_reaches_into_the_next_box_with_spreading_ink() -> None:
    sheet = _sheet(300)
    here, there = (120.0, 60.0, 53.0, 53.0), (120.0, 60.0 + 5.5 * PX_PER_MM, 53.0, 53.0)  # the next grid row
    strokes = reach(here, there, shape="tick", style=STYLE, rng=np.random.default_rng(4))
    sheet.draw_strokes(strokes, pen=FELT, rng=np.random.default_rng(0))
    assert (_region(sheet.image, here, INSET) < 128).mean() > 0.05
    assert (_region(sheet.image, there, 2) < 128).any()  # into the other box
    halo = Sheet(np.full((300, 300), 255, np.uint8))
    halo.draw_strokes(strokes, pen=Pen("felt-tip", 0.08, 0.8), rng=np.random.default_rng(0))
    assert (sheet.image < 240).sum() > (halo.image < 240).sum() * 1.2  # the ink spreads around the strokes


@pytest.mark.parametrize("seed", range(10))
def test_touching_stray_touches_the_outline_but_not_the_core(seed: int) -> None:
    sheet = _sheet()
    neighbour = (100.0, 100.0 + 5.5 * PX_PER_MM, 53.0, 53.0)
    strokes, width = touching_stray(BOX, pen_width=PEN.width_px, neighbours=[neighbour],
                                    rng=np.random.default_rng(seed))
    sheet.draw_strokes(strokes, pen=PEN, rng=np.random.default_rng(0), width_scale=width / PEN.width_px)
    assert (_region(sheet.image, BOX, INSET) > 240).all() and (_region(sheet.image, neighbour, INSET) > 240).all()
    ink = _ink(sheet.image)
    x, y, w, h = BOX
    near = (ink[:, 1] > x - 1.2 * PX_PER_MM) & (ink[:, 1] < x + w + 1.2 * PX_PER_MM)
    near &= (ink[:, 0] > y - 1.2 * PX_PER_MM) & (ink[:, 0] < y + h + 1.2 * PX_PER_MM)
    assert near.any()


def test_scribbled_correction_blots_out_a_crossed_box() -> None:
    template = load_template("tests/fixtures/mini.yaml")
    page = PageBoxes.of(layout_template(template).page(1))
    sheet = Sheet(np.full((3508, 2480), 255, np.uint8))
    hand = Hand(PEN, STYLE, 0.0)
    draw_intent(sheet, BoxIntent("A1", "1", "cancel", "scribble"), page, hand=hand, rng=np.random.default_rng(5))
    assert (_region(sheet.image, page.boxes[("A1", "1")], INSET) < 128).mean() > 0.7
