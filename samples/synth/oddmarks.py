"""The less tidy marks: long ticks, marks beside a box, dots, strokes that reach another box, smudges.

Each function returns the strokes (page pixels, (column, row) polylines) of one mark for the
box ``rect``; :mod:`samples.synth.inking` draws them with the respondent's pen. Shapes reuse the
respondent's :class:`~samples.synth.marks.MarkStyle` so a respondent's odd marks look like their
ordinary ones.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from samples.synth.ink import F32, PX_PER_MM, Rng, bezier
from samples.synth.marks import MIN_INSIDE, MarkShape, MarkStyle, PxRect, inside_share, shape_strokes

Point = tuple[float, float]


def _centre(rect: PxRect) -> Point:
    return (rect[0] + rect[2] / 2, rect[1] + rect[3] / 2)


def tick_long(rect: PxRect, *, style: MarkStyle, pen_width: float, rng: Rng) -> list[F32]:
    """A tick whose vertex is in the box and whose long stroke runs 2–4 box sides out, over the edge."""
    x, y, w, h = rect
    s = min(w, h)
    strokes: list[F32] = []
    for _attempt in range(8):
        cx, cy = x + w / 2 + float(rng.normal(0, 0.05 * s)), y + h / 2 + float(rng.normal(0, 0.05 * s))
        normal = s / 2 * max(style.size, 0.6) * float(rng.uniform(0.85, 1.1))
        vx, vy = cx - 0.15 * normal, cy + 0.45 * normal
        start = (cx - 0.8 * normal * float(rng.uniform(1.0, 1.7)), cy - float(rng.uniform(-0.1, 0.35)) * normal)
        length = s * float(rng.uniform(2.0, 4.0))
        ang = math.radians(float(rng.uniform(48, 75)))
        end = (vx + length * math.cos(ang), vy - length * math.sin(ang))
        bow = 0.04 + 0.08 * style.wobble
        strokes = [bezier(start, (vx, vy), float(rng.normal(0, bow))),
                   bezier((vx, vy), end, float(rng.normal(0, bow * 0.6)), n=24)]
        if inside_share(strokes, rect, width=pen_width) >= MIN_INSIDE * 0.6:
            break
    return strokes


def _near(bbox: tuple[float, float, float, float], rect: PxRect, margin: float) -> bool:
    x0, y0, x1, y1 = bbox
    rx, ry, rw, rh = rect
    return x0 < rx + rw + margin and rx - margin < x1 and y0 < ry + rh + margin and ry - margin < y1


def beside(
    rect: PxRect, *, style: MarkStyle, pen_width: float, others: list[PxRect], grid: bool, rng: Rng
) -> list[F32]:
    """A cross or tick made just beside the box: touching it or within ~2 mm, not over its core.

    Sides that would bring the mark within 1 mm of another box are avoided; a single/multi
    option's right side (its own label) is the fallback, where the mark clearly belongs to it.
    """
    x, y, w, h = rect
    s = min(w, h)
    shape: MarkShape = style.shape if style.shape in ("cross", "tick") else "cross"
    small = replace(style, size=1.0, oversize_share=0.0)
    sides = ["left", "right"] if grid else ["left", "right", "above", "below"]
    weights = np.array([0.55, 0.45] if grid else [0.4, 0.3, 0.15, 0.15])
    strokes: list[F32] = []
    for attempt in range(14):
        last = attempt == 13
        side = "right" if last else str(rng.choice(sides, p=weights / weights.sum()))
        e = s / 2 * float(rng.uniform(0.5, 0.85))
        gap = float(rng.uniform(-0.15, 1.8)) * PX_PER_MM if not last else 0.2 * PX_PER_MM
        cx, cy = _centre(rect)
        if side == "left":
            cx = x - gap - e
        elif side == "right":
            cx = x + w + gap + e
        elif side == "above":
            cy = y - gap - e
        else:
            cy = y + h + gap + e
        cx += float(rng.normal(0, 0.05 * s)) if side in ("above", "below") else 0.0
        cy += float(rng.normal(0, 0.08 * s)) if side in ("left", "right") else 0.0
        strokes = shape_strokes(shape, (cx - e, cy - e, 2 * e, 2 * e), small, rng)
        if last:
            break
        pts = np.concatenate(strokes)
        bbox = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
        clear = not any(_near(bbox, o, 1.0 * PX_PER_MM) for o in others)
        if clear and inside_share(strokes, rect, width=pen_width) < 0.01:
            break
    return strokes


def dot(rect: PxRect, *, rng: Rng) -> tuple[list[F32], float]:
    """A firm dot in the box: strokes and the width (pixels) to draw them with."""
    x, y, w, h = rect
    s = min(w, h)
    cx, cy = x + w / 2 + float(rng.normal(0, 0.08 * s)), y + h / 2 + float(rng.normal(0, 0.08 * s))
    r = float(rng.uniform(0.3, 0.7)) * PX_PER_MM
    t = np.linspace(0, 2 * math.pi * float(rng.uniform(1.2, 2.0)), 20)
    ring = np.stack([cx + 0.45 * r * np.cos(t), cy + 0.4 * r * np.sin(t)], axis=1).astype(np.float32)
    return [ring], 1.25 * r


def reach(rect: PxRect, toward: PxRect, *, shape: MarkShape, style: MarkStyle, rng: Rng) -> list[F32]:
    """A mark of ``shape`` in its box with one stroke running on into the ``toward`` box (felt-pen haste)."""
    strokes = shape_strokes(shape, rect, replace(style, oversize_share=0.0), rng)
    (cx, cy), (tx, ty) = _centre(rect), _centre(toward)
    d = np.array([tx - cx, ty - cy])
    d /= max(float(np.linalg.norm(d)), 1.0)
    s = min(rect[2], rect[3])
    # Entry depth past the near edge of the other box: 0.4-1.4 mm, over its outline, now and then into its core.
    half = abs(d[0]) * toward[2] / 2 + abs(d[1]) * toward[3] / 2
    depth = float(rng.uniform(0.4, 1.4)) * PX_PER_MM
    end = (tx - d[0] * (half - depth) + float(rng.normal(0, 0.1 * s)) * abs(d[1]),
           ty - d[1] * (half - depth) + float(rng.normal(0, 0.1 * s)) * abs(d[0]))
    start = (cx - d[0] * s * 0.3 + float(rng.normal(0, 0.08 * s)), cy - d[1] * s * 0.3 + float(rng.normal(0, 0.08 * s)))
    return [*strokes, bezier(start, end, float(rng.normal(0, 0.05)))]


def touching_stray(
    rect: PxRect, *, pen_width: float, neighbours: list[PxRect], rng: Rng
) -> tuple[list[F32], float]:
    """A dot or short smudge touching the box outline (or sitting in a narrow gap to a neighbour box).

    It never reaches the core of any of these boxes, so it changes no answer. Returns the strokes
    and the width (pixels) to draw them with.
    """
    x, y, w, h = rect
    strokes: list[F32] = []
    width = pen_width
    for _attempt in range(12):
        r = float(rng.uniform(0.25, 0.55)) * PX_PER_MM
        gaps = [n for n in neighbours if _gap(rect, n) < 3.0 * PX_PER_MM]
        if gaps and rng.random() < 0.3:
            n = gaps[int(rng.integers(len(gaps)))]
            (ax, ay), (bx, by) = _centre(rect), _centre(n)
            t = float(rng.uniform(0.42, 0.58))
            cx, cy = ax + t * (bx - ax), ay + t * (by - ay)
        else:
            side = int(rng.integers(4))
            u = float(rng.uniform(0.1, 0.9))
            out = float(rng.uniform(-0.1, 0.9)) * r
            spots = [(x - out, y + u * h), (x + w + out, y + u * h), (x + u * w, y - out), (x + u * w, y + h + out)]
            cx, cy = spots[side]
        if rng.random() < 0.7:
            t2 = np.linspace(0, 2 * math.pi, 14)
            strokes = [np.stack([cx + 0.4 * r * np.cos(t2), cy + 0.4 * r * np.sin(t2)], axis=1).astype(np.float32)]
            width = 1.2 * r
        else:
            a = float(rng.uniform(0, math.pi))
            length = float(rng.uniform(1.0, 2.2)) * PX_PER_MM
            strokes = [bezier((cx - length / 2 * math.cos(a), cy - length / 2 * math.sin(a)),
                              (cx + length / 2 * math.cos(a), cy + length / 2 * math.sin(a)), 0.3)]
            width = pen_width * 1.6
        if all(inside_share(strokes, b, width=width) < 0.002 for b in [rect, *neighbours]):
            break
    return strokes, width


def _gap(a: PxRect, b: PxRect) -> float:
    dx = max(b[0] - (a[0] + a[2]), a[0] - (b[0] + b[2]), 0.0)
    dy = max(b[1] - (a[1] + a[3]), a[1] - (b[1] + b[3]), 0.0)
    return math.hypot(dx, dy)
