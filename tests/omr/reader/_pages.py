"""Test helper: real rendered form pages with real drawn marks and scan distortions.

A page is rendered with :func:`omr.render.render_pdf`, rasterised by ``pdftoppm`` at 300 dpi,
then marked with OpenCV strokes (crosses, ticks, fills, light pencil, dots, handwriting-like
digits and text) at the box positions the layout says, and finally distorted like a scan
(rotation, perspective, blur, noise, JPEG). Everything is deterministic for a given seed.
"""

from __future__ import annotations

import functools
import math
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.render import FormCopy, render_pdf
from omr.template.layout import Box, PageLayout, layout_template
from omr.template.load import load_template
from omr.template.model import Template

REPO = Path(__file__).resolve().parents[3]
MINI = str(REPO / "tests" / "fixtures" / "mini.yaml")
BOXES = str(Path(__file__).parent / "boxes.yaml")
"""The mini template without its digits field (page tests that need no digit model)."""
DPI = 300
PX = DPI / 25.4

Mark = Literal["cross", "tick", "fill", "pencil", "dot", "big-cross", "thick-cross", "scribble", "stroke", "slash",
               "circle-box", "circle-label", "tick-long", "beside", "beside-far", "beside-touch", "firm-dot",
               "bleed"]


@functools.cache
def template(name: str = MINI) -> Template:
    return load_template(name)


@functools.cache
def _raster(name: str, form_id: str, dpi: int) -> tuple[NDArray[np.uint8], ...]:
    pdf = render_pdf(template(name), [FormCopy(form_id)])
    out = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    pages: list[NDArray[np.uint8]] = []
    buf = np.frombuffer(out, np.uint8)
    pos = 0
    while pos < len(buf):  # concatenated binary PGMs: "P5\n<w> <h>\n255\n<data>"
        header = bytes(buf[pos : pos + 64])
        fields = header.split(maxsplit=4)
        w, h = int(fields[1]), int(fields[2])
        start = pos + header.index(b"255") + 4
        pages.append(buf[start : start + w * h].reshape(h, w).copy())
        pos = start + w * h
    return tuple(pages)


def blank_form(name: str = MINI, form_id: str = "84G7ZWY6", page: int = 1, dpi: int = DPI) -> NDArray[np.uint8]:
    """The printed, unmarked page (a fresh copy)."""
    return _raster(name, form_id, dpi)[page - 1].copy()


def page_layout(name: str = MINI, page: int = 1) -> PageLayout:
    return layout_template(template(name)).page(page)


def boxes_of(name: str, page: int, field: str) -> list[Box]:
    return [b for b in page_layout(name, page).boxes if b.field == field]


def box(name: str, page: int, field: str, value: str) -> Box:
    return next(b for b in boxes_of(name, page, field) if b.value == value)


def _pt(x: float, y: float) -> tuple[int, int]:
    return (round(x * PX * 16), round(y * PX * 16))  # fixed-point (shift=4) for sub-pixel strokes


def _line(img: NDArray[np.uint8], a: tuple[float, float], b: tuple[float, float], ink: int, width_mm: float) -> None:
    cv2.line(img, _pt(*a), _pt(*b), int(ink), max(1, round(width_mm * PX)), cv2.LINE_AA, shift=4)


def draw_mark(img: NDArray[np.uint8], b: Box, mark: Mark, rng: np.random.Generator) -> None:
    """Draw one respondent mark into box ``b`` of a 300-dpi page (in place)."""
    r = b.rect

    def j(s: float = 0.35) -> float:  # hand jitter in mm
        return float(rng.uniform(-s, s))

    x0, y0, x1, y1 = r.x, r.y, r.right, r.bottom
    pen = int(rng.integers(10, 60))
    width = float(rng.uniform(0.35, 0.55))
    if mark in ("cross", "big-cross", "thick-cross", "pencil"):
        over = 1.2 if mark == "big-cross" else 0.6
        ink, w = pen, width
        if mark == "thick-cross":
            w = float(rng.uniform(0.9, 1.2))
        if mark == "pencil":
            ink, w = int(rng.integers(150, 175)), float(rng.uniform(0.25, 0.35))
        _line(img, (x0 + over + j(), y0 + over + j()), (x1 - over + j(), y1 - over + j()), ink, w)
        _line(img, (x0 + over + j(), y1 - over + j()), (x1 - over + j(), y0 + over + j()), ink, w)
        if mark == "big-cross":
            _line(img, (x0 - 1.5, y0 - 1.5), (x0 + 1.0, y0 + 1.0), ink, w)
            _line(img, (x1 - 1.0, y1 - 1.0), (x1 + 1.5, y1 + 1.5), ink, w)
    elif mark == "tick":
        mid = (x0 + r.w * 0.4 + j(0.2), y1 - 0.8 + j(0.2))
        _line(img, (x0 + 0.8 + j(0.2), y0 + r.h * 0.5 + j(0.3)), mid, pen, width)
        _line(img, mid, (x1 + 0.3 + j(0.3), y0 - 0.6 + j(0.3)), pen, width)
    elif mark == "stroke":
        _line(img, (x0 + 0.8 + j(0.2), y0 + r.h * 0.5 + j()), (x1 - 0.8 + j(0.2), y0 + r.h * 0.5 + j()), pen, width)
    elif mark == "fill":
        pts = np.array([_pt(x0 - 0.2 + j(0.2), y0 - 0.2 + j(0.2)), _pt(x1 + 0.2 + j(0.2), y0 - 0.2 + j(0.2)),
                        _pt(x1 + 0.2 + j(0.2), y1 + 0.2 + j(0.2)), _pt(x0 - 0.2 + j(0.2), y1 + 0.2 + j(0.2))])
        cv2.fillPoly(img, [pts], int(pen), cv2.LINE_AA, shift=4)
    elif mark == "scribble":  # filled over by dense hatching, some paper left between strokes
        steps = 9
        for k in range(steps):
            t = k / (steps - 1)
            _line(img, (x0 - 0.2, y0 + t * r.h + j(0.2)), (x1 + 0.2, y0 + t * r.h + j(0.2) - 0.8), pen, 0.75)
        for k in range(steps):
            t = k / (steps - 1)
            _line(img, (x0 + t * r.w + j(0.2), y0 - 0.2), (x0 + t * r.w + j(0.2) + 0.5, y1 + 0.2), pen, 0.6)
    elif mark == "dot":
        cx, cy = r.centre
        cv2.circle(img, _pt(cx + j(1.0), cy + j(1.0)), round(0.3 * PX * 16), int(pen), -1, cv2.LINE_AA, shift=4)
    elif mark == "slash":
        _line(img, (x0 + 0.7 + j(0.2), y1 - 0.7 + j(0.2)), (x1 - 0.7 + j(0.2), y0 + 0.7 + j(0.2)), pen, width)
    elif mark == "circle-box":  # a loop round the box, a little wider than high, ends overlapping
        cx, cy = r.centre
        _loop(img, (cx + j(0.2), cy + j(0.15)), (r.w / 2 + 1.2, r.h / 2 + 0.5), pen, width, rng)
    elif mark == "circle-label":  # a loop round the option's printed label
        lab = b.label
        assert lab is not None, f"{b.field} {b.value} has no printed label"
        cx, cy = lab.centre
        _loop(img, (cx, cy), (lab.w / 2 * 1.08 + 0.6, lab.h / 2 + 1.0), pen, width, rng)
    elif mark == "tick-long":  # the short stroke in the box, the long one far out past the top right
        mid = (x0 + r.w * 0.45 + j(0.2), y1 - 0.9 + j(0.2))
        _line(img, (x0 + 0.9 + j(0.2), y0 + r.h * 0.55 + j(0.2)), mid, pen, width)
        _line(img, mid, (x1 + 3.5 + j(0.3), y0 - 4.0 + j(0.3)), pen, width)
    elif mark == "beside":  # a cross drawn just left of the box, not in it
        bx0, bx1 = x0 - 4.6, x0 - 0.9
        _line(img, (bx0, y0 + 0.6), (bx1, y1 - 0.6), pen, width)
        _line(img, (bx0, y1 - 0.6), (bx1, y0 + 0.6), pen, width)
    elif mark == "beside-far":  # a cross drawn 2.5 mm left of the box
        bx0, bx1 = x0 - 6.0, x0 - 2.5
        _line(img, (bx0, y0 + 0.6), (bx1, y1 - 0.6), pen, width)
        _line(img, (bx0, y1 - 0.6), (bx1, y0 + 0.6), pen, width)
    elif mark == "beside-touch":  # a cross drawn right of the box, its left tips on the outline
        bx0, bx1 = x1 - 0.1, x1 + 3.0
        _line(img, (bx0, y0 + 0.5), (bx1, y1 - 0.5), pen, width)
        _line(img, (bx0, y1 - 0.5), (bx1, y0 + 0.5), pen, width)
    elif mark == "firm-dot":  # a dense dot 0.6 mm across, near the middle of the box
        cx, cy = r.centre
        cv2.circle(img, _pt(cx + j(0.4), cy + j(0.4)), round(0.3 * PX * 16), int(pen), -1, cv2.LINE_AA, shift=4)
    elif mark == "bleed":  # a felt pen cross whose ink spreads past the outline on every side
        _line(img, (x0 + 0.3, y0 + 0.3), (x1 - 0.3, y1 - 0.3), pen, 1.3)
        _line(img, (x0 + 0.3, y1 - 0.3), (x1 - 0.3, y0 + 0.3), pen, 1.3)
        cv2.circle(img, _pt(x1 + 0.2, y1 + 0.4), round(0.7 * PX * 16), int(pen), -1, cv2.LINE_AA, shift=4)


def _loop(img: NDArray[np.uint8], centre: tuple[float, float], half: tuple[float, float], ink: int, width: float,
          rng: np.random.Generator) -> None:
    """A hand-drawn ellipse (mm) that starts anywhere and overshoots its start a little."""
    start = float(rng.uniform(0, 2 * math.pi))
    t = np.linspace(start, start + 2 * math.pi + 0.4, 80)
    wobble = 1.0 + 0.04 * np.sin(3 * t + float(rng.uniform(0, 6)))
    pts = [(centre[0] + half[0] * math.cos(a) * w, centre[1] + half[1] * math.sin(a) * w)
           for a, w in zip(t, wobble, strict=True)]
    for a, c in zip(pts, pts[1:], strict=False):
        _line(img, a, c, ink, width)


_DIGIT_STROKES: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(0.5, 0.05), (0.15, 0.3), (0.15, 0.7), (0.5, 0.95), (0.85, 0.7), (0.85, 0.3), (0.5, 0.05)]],
    "1": [[(0.3, 0.25), (0.55, 0.05), (0.55, 0.95)]],
    "2": [[(0.15, 0.25), (0.5, 0.05), (0.85, 0.3), (0.15, 0.95), (0.9, 0.95)]],
    "3": [[(0.15, 0.1), (0.8, 0.1), (0.45, 0.45), (0.85, 0.7), (0.5, 0.95), (0.15, 0.85)]],
    "4": [[(0.65, 0.95), (0.65, 0.05), (0.1, 0.65), (0.9, 0.65)]],
    "5": [[(0.85, 0.05), (0.2, 0.05), (0.15, 0.45), (0.75, 0.5), (0.8, 0.85), (0.2, 0.95)]],
    "6": [[(0.75, 0.05), (0.25, 0.45), (0.2, 0.85), (0.5, 0.95), (0.8, 0.75), (0.5, 0.5), (0.22, 0.65)]],
    "7": [[(0.1, 0.05), (0.9, 0.05), (0.4, 0.95)]],
    "8": [[(0.5, 0.5), (0.2, 0.27), (0.5, 0.05), (0.8, 0.27), (0.5, 0.5), (0.15, 0.75), (0.5, 0.95),
           (0.85, 0.75), (0.5, 0.5)]],
    "9": [[(0.8, 0.45), (0.5, 0.55), (0.2, 0.3), (0.5, 0.05), (0.8, 0.3), (0.75, 0.95)]],
}


def draw_digit(img: NDArray[np.uint8], b: Box, digit: str, rng: np.random.Generator) -> None:
    """Write one digit in comb cell ``b`` as pen strokes (a plain, careful hand)."""
    r = b.rect
    left, top, w, h = r.x + 1.3, r.y + 1.2, r.w - 2.6, r.h - 2.4
    pen, width = int(rng.integers(15, 50)), float(rng.uniform(0.35, 0.5))
    for stroke in _DIGIT_STROKES[digit]:
        pts = [(left + (u + rng.uniform(-0.03, 0.03)) * w, top + (v + rng.uniform(-0.03, 0.03)) * h) for u, v in stroke]
        for a, c in zip(pts, pts[1:], strict=False):
            _line(img, a, c, pen, width)


def draw_text(img: NDArray[np.uint8], b: Box, text: str, rng: np.random.Generator) -> None:
    """Write a line of text in a writing area (printed-like handwriting with Hershey strokes)."""
    r = b.rect
    org = (round((r.x + 2.0) * PX), round((r.y + min(r.h - 1.5, 5.5)) * PX))
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.6 * PX / 11.8, int(rng.integers(15, 50)),
                max(2, round(0.4 * PX)), cv2.LINE_AA)


@dataclass(frozen=True)
class Fill:
    """What to write on a page: ``marks`` maps (field, value) to a mark; digits and texts by field."""

    marks: Mapping[tuple[str, str], Mark]
    digits: Mapping[str, str] = ()  # type: ignore[assignment]
    texts: Mapping[str, str] = ()  # type: ignore[assignment]


def filled_page(
    fill: Fill, *, name: str = MINI, page: int = 1, form_id: str = "84G7ZWY6", seed: int = 0
) -> NDArray[np.uint8]:
    """A 300-dpi page with the marks of ``fill`` drawn in."""
    rng = np.random.default_rng(seed)
    img = blank_form(name, form_id, page)
    for (field, value), mark in dict(fill.marks).items():
        draw_mark(img, box(name, page, field, value), mark, rng)
    for field, digits in dict(fill.digits).items():
        cells = boxes_of(name, page, field)
        for cell, d in zip(cells, digits, strict=False):
            if d != " ":
                draw_digit(img, cell, d, rng)
    for field, text in dict(fill.texts).items():
        draw_text(img, boxes_of(name, page, field)[0], text, rng)
    return img


# -- scan distortions -----------------------------------------------------------------------------

def rotate(img: NDArray[np.uint8], degrees: float, *, pad: int = 60) -> NDArray[np.uint8]:
    """Rotate about the centre (counter-clockwise, degrees) onto a canvas that holds the whole page."""
    if degrees % 90 == 0:
        k = int(degrees // 90) % 4
        return np.ascontiguousarray(np.rot90(img, k))
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    a = math.radians(degrees)
    nw = int(abs(w * math.cos(a)) + abs(h * math.sin(a))) + 2 * pad
    nh = int(abs(w * math.sin(a)) + abs(h * math.cos(a))) + 2 * pad
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return np.asarray(cv2.warpAffine(img, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=250), np.uint8)


def perspective(img: NDArray[np.uint8], strength: float, *, seed: int = 0) -> NDArray[np.uint8]:
    """A phone-like keystone: corners moved by up to ``strength`` of the page size."""
    rng = np.random.default_rng(seed)
    h, w = img.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = src + rng.uniform(-strength, strength, (4, 2)).astype(np.float32) * np.array([w, h], np.float32)
    dst -= dst.min(axis=0) - 40
    size = (int(dst[:, 0].max()) + 40, int(dst[:, 1].max()) + 40)
    m = cv2.getPerspectiveTransform(src, dst)
    return np.asarray(cv2.warpPerspective(img, m, size, borderValue=90), np.uint8)


def degrade(img: NDArray[np.uint8], *, blur: float = 0.0, noise: float = 0.0, jpeg: int | None = None,
            paper: int = 255, black: int = 0, seed: int = 0) -> NDArray[np.uint8]:
    """Blur, remap paper/black levels (photocopy), add Gaussian noise and JPEG-compress."""
    out = img.astype(np.float32)
    if blur > 0:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), blur), np.float32)
    out = black + out * (paper - black) / 255.0
    if noise > 0:
        out += np.random.default_rng(seed).normal(0, noise, out.shape).astype(np.float32)
    res = np.clip(out, 0, 255).astype(np.uint8)
    if jpeg is not None:
        ok, enc = cv2.imencode(".jpg", res, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
        assert ok
        res = np.asarray(cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE), np.uint8)
    return res


def shade(img: NDArray[np.uint8], *, depth: float = 0.45, seed: int = 0) -> NDArray[np.uint8]:
    """A phone photo's light: a hand's shadow with a soft edge across part of the page, and
    vignetting towards the corners (paper and ink alike are darkened by up to ``depth``)."""
    h, w = img.shape
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    vignette = 1.0 - 0.25 * depth * (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    edge = float(rng.uniform(0.45, 0.55)) * w + (yy - h / 2) * 0.3
    shadow = 1.0 - depth / (1.0 + np.exp(-(xx - edge) / (0.01 * w)))
    return np.clip(img.astype(np.float32) * vignette * shadow, 0, 255).astype(np.uint8)


def scale(img: NDArray[np.uint8], dpi: float) -> NDArray[np.uint8]:
    """Resample a 300-dpi page to another resolution."""
    f = dpi / DPI
    return np.asarray(cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), np.uint8)


def fill_of(pairs: Iterable[tuple[str, str, Mark]]) -> Fill:
    return Fill({(f, v): m for f, v, m in pairs})
