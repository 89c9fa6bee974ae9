"""Loops drawn around a box or around an option's printed label: how many respondents "circle" an answer.

A loop is one hand stroke along a wobbly superellipse: it starts anywhere, runs mostly
counter-clockwise, and either stops short of its start (an open loop) or overshoots it a little,
drifting outwards or inwards as hands do. :func:`label_rects` finds where the layout printed each
option's label (read only from :mod:`omr.template.layout`), so a loop can go around the text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from omr.template.layout import PageLayout
from samples.synth.ink import F32, PAPER_DPI, PX_PER_MM, Rng
from samples.synth.marks import PxRect, inside_share

DIACRITICS_MM = 0.5
"""Height of the marks above Vietnamese capitals (ể, Ấ), above the layout's cap-height label extent."""


@dataclass(frozen=True)
class LoopStyle:
    """One respondent's way of drawing loops (all lengths in mm)."""

    margin: tuple[float, float] = (0.3, 1.0)
    """Clearance between the target's edge and the loop, drawn per loop."""
    stretch: tuple[float, float] = (1.0, 1.3)
    """Horizontal over vertical stretch of a loop around a box (1 = round)."""
    open_share: float = 0.1
    """Share of loops that are not closed."""
    wobble: float = 0.3
    """Irregularity of the radius (0 smooth … 1 shaky)."""
    tilt_deg: float = 4.0
    """Spread of the loop's rotation."""


NEAT_LOOPS = LoopStyle()


def superellipse(
    centre: tuple[float, float], half: tuple[float, float], *, power: float, style: LoopStyle, rng: Rng,
    n: int = 72,
) -> F32:
    """Points of one hand-drawn loop of half-axes ``half`` (pixels) around ``centre``.

    Parameters
    ----------
    centre : (x, y)
        Page pixels.
    half : (a, b)
        Half-width and half-height in pixels.
    power : float
        2 draws an ellipse; larger values a rounder-cornered rectangle (a loop around a long label).
    style : LoopStyle
        Open share, wobble and tilt.
    rng : numpy.random.Generator

    Returns
    -------
    points : (n, 2) ndarray of float32
        (column, row) pairs.
    """
    a, b = half
    start = float(rng.uniform(0, 2 * math.pi))
    if rng.random() < style.open_share:
        sweep = 2 * math.pi - float(rng.uniform(0.35, 1.1))
    else:
        sweep = 2 * math.pi + float(rng.uniform(0.1, 0.7))
    direction = -1.0 if rng.random() < 0.7 else 1.0  # mostly counter-clockwise on the page
    t = np.linspace(0.0, 1.0, n)
    theta = start + direction * sweep * t
    w = style.wobble
    phase = rng.uniform(0, 2 * math.pi, 3)
    radius = (1.0 + w * (0.05 * np.sin(2 * theta + phase[0]) + 0.03 * np.sin(3 * theta + phase[1]))
              + float(rng.normal(0, 0.03 + 0.05 * w)) * t)  # the end drifts in or out
    c, s = np.cos(theta), np.sin(theta)
    e = 2.0 / power
    # The wobble is a hand's: as many millimetres on a long loop as on a small one.
    short = min(a, b)
    x = a * np.sign(c) * np.abs(c) ** e * (1.0 + (radius - 1.0) * short / a)
    y = b * np.sign(s) * np.abs(s) ** e * (1.0 + (radius - 1.0) * short / b)
    tilt = math.radians(float(rng.normal(0, style.tilt_deg)) * min(1.0, 2.5 * short / max(a, b)))
    ct, st = math.cos(tilt), math.sin(tilt)
    pts = np.stack([centre[0] + x * ct - y * st, centre[1] + x * st + y * ct], axis=1)
    return pts.astype(np.float32)


def box_loop(rect: PxRect, *, style: LoopStyle, pen_width: float, rng: Rng) -> list[F32]:
    """A loop drawn around a checkbox, leaving the box's core (where readers look) empty.

    It may cut the box's corners or outline and, in a tight grid, reach into the rows above and
    below, but it stays centred on its own box.
    """
    x, y, w, h = rect
    strokes: list[F32] = []
    for attempt in range(10):
        margin = float(rng.uniform(*style.margin)) * PX_PER_MM + attempt * 0.15 * PX_PER_MM
        stretch = float(rng.uniform(*style.stretch))
        b = h / 2 * float(rng.uniform(1.02, 1.2)) + margin * 0.6
        a = max(w / 2 * 1.15 + margin, b * stretch)
        cx = x + w / 2 + float(rng.normal(0, 0.04 * w))
        cy = y + h / 2 + float(rng.normal(0, 0.04 * h))
        strokes = [superellipse((cx, cy), (a, b), power=2.0, style=style, rng=rng)]
        if inside_share(strokes, rect, width=pen_width) < 0.004:
            break
    return strokes


def label_loop(target: PxRect, *, style: LoopStyle, rng: Rng) -> list[F32]:
    """A loop around a printed label (or a stretch of a grid row): long targets get rounder-cornered loops."""
    x, y, w, h = target
    across = float(rng.uniform(*style.margin)) * PX_PER_MM * 0.75
    up = (float(rng.uniform(*style.margin)) + 0.4) * PX_PER_MM
    aspect = w / max(h, 1.0)
    power = 2.0 if aspect < 1.6 else float(min(2.4 + 0.25 * aspect, 4.5))
    a = w / 2 + across
    b = h / 2 + up
    cx = x + w / 2 + float(rng.normal(0, 0.02 * w))
    cy = y + h / 2 + float(rng.normal(0, 0.05 * h))
    return [superellipse((cx, cy), (a, b), power=power, style=style, rng=rng)]


def label_rects(page: PageLayout) -> dict[tuple[str, str], PxRect]:
    """Where each single/multi option's label is printed (page pixels), by (field, value).

    The extent is the layout's (:attr:`omr.template.layout.Box.label`), raised by
    :data:`DIACRITICS_MM` for the marks Vietnamese capitals carry above the cap height. Grid boxes
    have no label of their own and are left out.
    """
    k = PAPER_DPI / 25.4
    out: dict[tuple[str, str], PxRect] = {}
    for box in page.boxes:
        if box.kind == "box" and box.label is not None:
            r = box.label
            out[(box.field, box.value)] = (r.x * k, (r.y - DIACRITICS_MM) * k, r.w * k, (r.h + DIACRITICS_MM) * k)
    return out
