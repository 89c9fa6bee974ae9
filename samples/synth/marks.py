"""Marks as people make them in checkboxes: crosses, ticks, slashes, fills and stray ink.

Every shape is a few hand-like strokes (slightly bowed, tapered, rotated, off-centre) drawn
with the respondent's :class:`~samples.synth.ink.Pen` into a box rectangle given in page
pixels. A :class:`MarkStyle` holds one respondent's habits: which mark they make, how big,
how steady; :func:`draw_box_mark` draws one mark in that style with per-mark variation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from samples.synth.ink import F32, PX_PER_MM, Pen, Rng, Sheet, bezier, strokes_alpha

MarkShape = Literal["cross", "tick", "slash", "fill"]
PxRect = tuple[float, float, float, float]
"""(x, y, width, height) in page pixels."""


@dataclass(frozen=True)
class MarkStyle:
    """One respondent's way of marking boxes."""

    shape: MarkShape
    size: float
    """Half-extent of a mark relative to half the box side (1 = corner to corner)."""
    oversize_share: float
    """Share of marks drawn well beyond the box."""
    wobble: float
    """Unsteadiness: random bow and endpoint scatter (0 steady … 1 shaky)."""
    angle_sd: float
    """Spread of the mark's rotation in degrees."""


def random_style(rng: Rng) -> MarkStyle:
    """A respondent's habits: mostly crosses and ticks, of varied size and steadiness."""
    u = rng.random()
    shape: MarkShape = "cross" if u < 0.58 else "tick" if u < 0.92 else "slash"
    return MarkStyle(
        shape=shape,
        size=float(rng.uniform(0.55, 1.05)),
        oversize_share=float(rng.choice([0.0, 0.03, 0.15], p=[0.6, 0.3, 0.1])),
        wobble=float(rng.uniform(0.1, 0.9)),
        angle_sd=float(rng.uniform(2.0, 12.0)),
    )


def _rotate(points: list[tuple[float, float]], centre: tuple[float, float], deg: float) -> list[tuple[float, float]]:
    a = math.radians(deg)
    ca, sa = math.cos(a), math.sin(a)
    cx, cy = centre
    return [(cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca) for x, y in points]


def _jitter(rng: Rng, scale: float) -> tuple[float, float]:
    return (float(rng.normal(0, scale)), float(rng.normal(0, scale)))


def shape_strokes(shape: MarkShape, rect: PxRect, style: MarkStyle, rng: Rng) -> list[F32]:
    """The strokes of one ``shape`` in the box ``rect`` (page pixels), drawn in ``style``."""
    x, y, w, h = rect
    s = min(w, h)
    oversize = rng.random() < style.oversize_share
    normal = s / 2 * style.size * float(rng.uniform(0.88, 1.12))
    e = s / 2 * float(rng.uniform(1.25, 1.8)) if oversize else normal
    cx = x + w / 2 + float(rng.normal(0, 0.06 * s))
    cy = y + h / 2 + float(rng.normal(0, 0.06 * s))
    angle = float(rng.normal(0, style.angle_sd))
    scatter = 0.04 * s + 0.06 * s * style.wobble

    def stroke(p0: tuple[float, float], p1: tuple[float, float]) -> F32:
        (a, b) = _rotate([p0, p1], (cx, cy), angle)
        ja, jb = _jitter(rng, scatter), _jitter(rng, scatter)
        bulge = float(rng.normal(0, 0.03 + 0.07 * style.wobble))
        return bezier((a[0] + ja[0], a[1] + ja[1]), (b[0] + jb[0], b[1] + jb[1]), bulge)

    if shape == "cross":
        first = stroke((cx - e, cy - e), (cx + e, cy + e))
        second = stroke((cx + e, cy - e), (cx - e, cy + e))
        return [first, second] if rng.random() < 0.7 else [second, first]
    if shape == "slash":
        return [stroke((cx - e * 0.8, cy + e), (cx + e * 0.8, cy - e))]
    if shape == "tick":
        # A short stroke down to the vertex (inside the box), then a long one up and to the right
        # that often leaves the box; an oversized tick only reaches further.
        vx, vy = cx - 0.1 * normal, cy + 0.55 * normal
        reach = float(rng.uniform(1.6, 2.4)) if oversize else float(rng.uniform(1.0, 1.45))
        return [
            stroke((cx - 0.8 * normal, cy + 0.05 * normal), (vx, vy)),
            stroke((vx, vy), (cx + 0.85 * normal * reach, cy - 1.05 * normal * reach)),
        ]
    return fill_strokes(rect, rng)


def fill_strokes(rect: PxRect, rng: Rng) -> list[F32]:
    """A box filled over: a dense zig-zag scribble that covers the inside and spills a little."""
    x, y, w, h = rect
    spill = float(rng.uniform(0.0, 0.18)) * w
    passes = int(rng.integers(7, 12))
    left, right = x - spill * 0.5, x + w + spill * 0.5
    top, bottom = y - spill * 0.3, y + h + spill * 0.3
    ys = np.linspace(top, bottom, passes)
    pts: list[tuple[float, float]] = []
    for i, yy in enumerate(ys):
        xx = left if i % 2 == 0 else right
        pts.append((xx + float(rng.normal(0, 0.04 * w)), float(yy + rng.normal(0, 0.03 * h))))
    line = np.asarray(pts, np.float32)
    # A second, crossing pass makes the cover dense, as people do when they blot out a box.
    cross_pts = np.stack([line[:, 1] - y + x, line[:, 0] - x + y], axis=1).astype(np.float32)
    cross_pts[:, 0] = np.clip(cross_pts[:, 0], left, right)
    cross_pts[:, 1] = np.clip(cross_pts[:, 1], top, bottom)
    return [line, cross_pts]


MIN_INSIDE = 0.07
"""Least share of a box's core that a check mark covers (a 4.5 mm cross covers ~12-20 %)."""
CORE_INSET_MM = 0.7
"""The core of a box: its inside less a margin along the printed outline, where readers look."""


def inside_share(strokes: list[F32], rect: PxRect, *, width: float) -> float:
    """The share of the box's core (its inside, away from the outline) that ``strokes`` would cover."""
    x, y, w, h = rect
    inset = CORE_INSET_MM * PX_PER_MM
    rows, cols = int(round(h - 2 * inset)), int(round(w - 2 * inset))
    origin = np.array([x + inset, y + inset], np.float32)
    alpha = strokes_alpha([(st - origin).astype(np.float32) for st in strokes], width=width, shape=(rows, cols))
    return float(alpha.mean())


def draw_box_mark(
    sheet: Sheet, rect: PxRect, *, style: MarkStyle, pen: Pen, rng: Rng, shape: MarkShape | None = None
) -> None:
    """Draw one mark of ``style`` (or the given ``shape``) into the box at ``rect``."""
    chosen: MarkShape = shape or style.shape
    if shape is None and rng.random() < 0.08:
        chosen = "cross" if style.shape != "cross" else "tick"
    # However sloppy, a mark puts some ink inside its box (else it is not a mark of that box).
    for _attempt in range(8):
        strokes = shape_strokes(chosen, rect, style, rng)
        if chosen == "fill" or inside_share(strokes, rect, width=pen.width_px) >= MIN_INSIDE:
            break
    if chosen == "fill":
        # Filling is done with pressure: strokes wide enough to overlap their neighbours.
        spacing = rect[3] / max(len(strokes[0]) - 1, 1)
        width = max(spacing * float(rng.uniform(1.4, 1.9)), pen.width_px * 1.5)
        sheet.draw_strokes(strokes, pen=pen, rng=rng, width_scale=width / pen.width_px, taper=0.0)
    else:
        sheet.draw_strokes(strokes, pen=pen, rng=rng, width_scale=float(rng.uniform(0.85, 1.2)))


def _overlaps(rect: PxRect, boxes: list[PxRect], margin: float) -> bool:
    x, y, w, h = rect
    return any(
        x < bx + bw + margin and bx - margin < x + w and y < by + bh + margin and by - margin < y + h
        for bx, by, bw, bh in boxes
    )


def draw_stray_marks(
    sheet: Sheet, anchors: list[PxRect], *, avoid: list[PxRect], count: int, pen: Pen, rng: Rng
) -> int:
    """Dots, short lines and hooks near the ``anchors`` boxes; returns how many were drawn.

    Each stray keeps at least 1.2 mm from every rectangle in ``avoid`` (all boxes, cells,
    writing areas, markers and the QR code), so it never changes an answer or an identity.
    """
    if not anchors:
        return 0
    drawn = 0
    margin = 1.2 * PX_PER_MM
    rows, cols = sheet.shape
    for _ in range(count):
        for _attempt in range(12):
            bx, by, bw, bh = anchors[int(rng.integers(len(anchors)))]
            dist = float(rng.uniform(2.5, 9.0)) * PX_PER_MM
            ang = float(rng.uniform(0, 2 * math.pi))
            cx, cy = bx + bw / 2 + dist * math.cos(ang), by + bh / 2 + dist * math.sin(ang)
            kind = int(rng.integers(3))
            if kind == 0:
                r = float(rng.uniform(0.25, 0.7)) * PX_PER_MM
                strokes = [bezier((cx - r, cy), (cx + r, cy), 0.6), bezier((cx + r, cy), (cx - r, cy), 0.6)]
            else:
                length = float(rng.uniform(1.5, 7.0 if kind == 1 else 3.0)) * PX_PER_MM
                a = float(rng.uniform(0, math.pi))
                p0 = (cx - length / 2 * math.cos(a), cy - length / 2 * math.sin(a))
                p1 = (cx + length / 2 * math.cos(a), cy + length / 2 * math.sin(a))
                strokes = [bezier(p0, p1, float(rng.normal(0, 0.15 if kind == 1 else 0.5)))]
            pts = np.concatenate(strokes)
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            pad = pen.width_px + 2
            bbox = (float(lo[0] - pad), float(lo[1] - pad), float(hi[0] - lo[0] + 2 * pad),
                    float(hi[1] - lo[1] + 2 * pad))
            inside = bbox[0] >= 0 and bbox[1] >= 0 and bbox[0] + bbox[2] < cols and bbox[1] + bbox[3] < rows
            if inside and not _overlaps(bbox, avoid, margin):
                sheet.draw_strokes(strokes, pen=pen, rng=rng, width_scale=float(rng.uniform(0.8, 1.6)))
                drawn += 1
                break
    return drawn
