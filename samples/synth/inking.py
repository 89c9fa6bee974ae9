"""Draw a page's box intents with the respondent's hand, each in its draw kind.

:class:`PageBoxes` holds where the layout printed the page's checkboxes and option labels (page
pixels at 300 dpi); :func:`draw_intent` draws one :class:`~samples.synth.answers.BoxIntent`.
"""

from __future__ import annotations

from dataclasses import dataclass

from omr.template.layout import PageLayout
from samples.synth.answers import BoxIntent
from samples.synth.ink import PAPER_DPI, PX_PER_MM, Rng, Sheet
from samples.synth.loops import box_loop, label_loop, label_rects
from samples.synth.marks import PxRect, draw_box_mark, shape_strokes
from samples.synth.oddmarks import beside, dot, reach, tick_long, touching_stray
from samples.synth.respondents import Hand


@dataclass(frozen=True)
class PageBoxes:
    """The checkboxes of one printed page and the labels printed beside them."""

    boxes: dict[tuple[str, str], PxRect]
    labels: dict[tuple[str, str], PxRect]

    @classmethod
    def of(cls, page: PageLayout) -> PageBoxes:
        boxes = {(b.field, b.value): b.rect.to_px(PAPER_DPI) for b in page.boxes if b.kind == "box"}
        return cls(boxes, label_rects(page))

    def row(self, field: str) -> list[PxRect]:
        """The boxes of one answer code, left to right."""
        return sorted((r for (f, _), r in self.boxes.items() if f == field), key=lambda r: (r[1], r[0]))

    def near(self, rect: PxRect, distance_mm: float) -> list[PxRect]:
        """Other boxes within ``distance_mm`` of ``rect`` (edge to edge)."""
        d = distance_mm * PX_PER_MM
        x, y, w, h = rect
        return [r for r in self.boxes.values() if r != rect and r[0] < x + w + d and x - d < r[0] + r[2]
                and r[1] < y + h + d and y - d < r[1] + r[3]]


def _grid_stretch(rect: PxRect, row: list[PxRect], rng: Rng) -> PxRect:
    """A stretch of a grid row around ``rect``: the box and part of its column, left and right."""
    x, y, w, h = rect
    steps = sorted(abs(r[0] - x) for r in row if r != rect)
    column = steps[0] if steps else 3 * w
    span = max(w * 1.4, column * float(rng.uniform(0.45, 0.75)))
    return (x + w / 2 - span / 2, y, span, h)


def draw_intent(sheet: Sheet, intent: BoxIntent, page: PageBoxes, *, hand: Hand, rng: Rng) -> None:
    """Draw one box's ink in the intent's kind (a box not on this page is skipped)."""
    key = (intent.field, intent.value)
    rect = page.boxes.get(key)
    if rect is None:
        return
    pen, style, kind = hand.pen, hand.style, intent.kind
    width = float(rng.uniform(0.85, 1.2))
    if intent.role in ("cancel", "fill_mark") and kind != "scribble":
        draw_box_mark(sheet, rect, style=style, pen=pen, rng=rng, shape="fill")
    elif kind == "scribble":
        sheet.draw_strokes(shape_strokes("cross", rect, style, rng), pen=pen, rng=rng, width_scale=width)
        draw_box_mark(sheet, rect, style=style, pen=pen, rng=rng, shape="fill")
    elif kind == "circle-box":
        sheet.draw_strokes(box_loop(rect, style=hand.loops, pen_width=pen.width_px, rng=rng), pen=pen, rng=rng,
                           width_scale=width)
    elif kind == "circle-label":
        label = page.labels.get(key)
        target = label if label is not None else _grid_stretch(rect, page.row(intent.field), rng)
        sheet.draw_strokes(label_loop(target, style=hand.loops, rng=rng), pen=pen, rng=rng, width_scale=width)
    elif kind == "tick-long":
        sheet.draw_strokes(tick_long(rect, style=style, pen_width=pen.width_px, rng=rng), pen=pen, rng=rng,
                           width_scale=width)
    elif kind == "beside":
        strokes = beside(rect, style=style, pen_width=pen.width_px, others=page.near(rect, 8.0),
                         grid=key not in page.labels, rng=rng)
        sheet.draw_strokes(strokes, pen=pen, rng=rng, width_scale=width)
    elif kind == "dot":
        strokes, w = dot(rect, rng=rng)
        sheet.draw_strokes(strokes, pen=pen, rng=rng, width_scale=max(w / pen.width_px, 1.0), taper=0.0)
    elif kind == "stray":
        strokes, w = touching_stray(rect, pen_width=pen.width_px, neighbours=page.near(rect, 4.0), rng=rng)
        sheet.draw_strokes(strokes, pen=pen, rng=rng, width_scale=max(w / pen.width_px, 0.8), taper=0.1)
    elif intent.toward is not None and intent.toward in page.boxes and kind in ("cross", "tick", "slash"):
        strokes = reach(rect, page.boxes[intent.toward], shape=kind, style=style, rng=rng)
        sheet.draw_strokes(strokes, pen=pen, rng=rng, width_scale=width)
    elif kind in ("cross", "tick", "slash"):
        draw_box_mark(sheet, rect, style=style, pen=pen, rng=rng, shape=kind)
    else:
        draw_box_mark(sheet, rect, style=style, pen=pen, rng=rng)

