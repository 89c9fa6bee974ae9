"""Train, export and evaluate the comb-box digit reader (``omr/models/digits.onnx``).

THE SPLIT (fixed; never change it without retraining and re-evaluating):

* training: MNIST train (60,000) + optdigits-orig ``.tra`` and ``.cv`` (2,880) + pendigits
  ``.tra`` (7,494, rendered as pen strokes). A fixed share of these (see ``VAL_*``) is kept
  aside as a validation set that chooses the accept threshold; it is still "training" data.
* held out, never used for training or threshold choice: MNIST t10k (10,000) +
  optdigits-orig ``.windep`` (1,797, writers not in .tra/.cv) + pendigits ``.tes`` (3,498).
  ``samples/handwriting/digits.npz`` is a subset of this held-out part.

Every training digit is rendered into a scanned-looking comb box (border remnants, rotation,
stroke width, blur, noise, specks, JPEG, binarisation, light pencil, 150-300 dpi) and then
passed through the runtime preprocessing :func:`omr.digits.normalise_cell`, so the CNN learns
exactly what it will see at runtime.

Usage (from the project root; torch and onnx are dev-only, see omr/models/DIGITS_MODEL.md)::

    OMP_NUM_THREADS=1 .venv/bin/python tools/train_digits.py            # train + export + samples + eval
    .venv/bin/python tools/train_digits.py --eval                       # evaluate the committed model
    .venv/bin/python tools/train_digits.py --samples                    # rewrite samples/handwriting
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from omr.digits import DIGIT_ACCEPT_CONFIDENCE, DigitReader, DigitReading, normalise_cell  # noqa: E402

F32 = NDArray[np.float32]
U8 = NDArray[np.uint8]
I64 = NDArray[np.int64]

SEED = 20240601
EVAL_SEED = 777
VAL_SEED = 4242
TARGET = 0.996
VAL_MNIST = 5000
VAL_OPT = 300
VAL_PEN = 500
VARIANTS = 2
SAMPLES_MNIST = 3000
SAMPLES_OPT = 1000
SOURCE_NAMES = ("mnist_t10k", "optdigits_windep", "pendigits_tes")
MODEL_PATH = ROOT / "omr" / "models" / "digits.onnx"
SAMPLES_PATH = ROOT / "samples" / "handwriting" / "digits.npz"


# --------------------------------------------------------------------------- data loading


def read_idx(path: Path) -> NDArray[np.uint8]:
    """Read an MNIST idx(.gz) file (images -> (N, 28, 28), labels -> (N,))."""
    raw = gzip.decompress(path.read_bytes())
    magic = int.from_bytes(raw[:4], "big")
    count = int.from_bytes(raw[4:8], "big")
    if magic == 0x803:
        rows, cols = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
        return np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows, cols)
    return np.frombuffer(raw, np.uint8, offset=8)


def read_optdigits(path: Path) -> tuple[U8, I64]:
    """Read an optdigits-orig file: 32x32 0/1 bitmaps (1 = ink) and labels."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    start = next(i for i, line in enumerate(lines) if len(line) == 32 and set(line) <= {"0", "1"})
    images: list[U8] = []
    labels: list[int] = []
    i = start
    while i + 32 < len(lines) and len(lines[i]) == 32:
        images.append(np.array([[c == "1" for c in row] for row in lines[i : i + 32]], np.uint8))
        labels.append(int(lines[i + 32]))
        i += 33
    return np.stack(images), np.array(labels, np.int64)


def read_pendigits(path: Path) -> tuple[NDArray[np.float32], I64]:
    """Read pendigits: (N, 8, 2) pen points (x right, y up, 0..100) and labels."""
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64)
    return table[:, :16].reshape(-1, 8, 2).astype(np.float32), table[:, 16]


@dataclass
class Sources:
    """All handwriting data, split into training and held-out parts."""

    mnist_train: U8
    mnist_train_y: I64
    mnist_test: U8
    mnist_test_y: I64
    opt_train: U8
    opt_train_y: I64
    opt_test: U8
    opt_test_y: I64
    pen_train: F32
    pen_train_y: I64
    pen_test: F32
    pen_test_y: I64


def load_sources(data: Path) -> Sources:
    """Load the three data sets and apply THE SPLIT (see module docstring)."""
    opt_tra, opt_tra_y = read_optdigits(data / "optdigits" / "optdigits-orig.tra")
    opt_cv, opt_cv_y = read_optdigits(data / "optdigits" / "optdigits-orig.cv")
    opt_test, opt_test_y = read_optdigits(data / "optdigits" / "optdigits-orig.windep")
    pen_train, pen_train_y = read_pendigits(data / "pendigits" / "pendigits.tra")
    pen_test, pen_test_y = read_pendigits(data / "pendigits" / "pendigits.tes")
    mnist = data / "mnist"
    return Sources(
        mnist_train=read_idx(mnist / "train-images-idx3-ubyte.gz"),
        mnist_train_y=read_idx(mnist / "train-labels-idx1-ubyte.gz").astype(np.int64),
        mnist_test=read_idx(mnist / "t10k-images-idx3-ubyte.gz"),
        mnist_test_y=read_idx(mnist / "t10k-labels-idx1-ubyte.gz").astype(np.int64),
        opt_train=np.concatenate([opt_tra, opt_cv]),
        opt_train_y=np.concatenate([opt_tra_y, opt_cv_y]),
        opt_test=opt_test,
        opt_test_y=opt_test_y,
        pen_train=pen_train,
        pen_train_y=pen_train_y,
        pen_test=pen_test,
        pen_test_y=pen_test_y,
    )


# --------------------------------------------------------------------------- ink maps


def tight(ink: F32) -> F32:
    """Crop an ink map (0..1, ink = 1) to its bounding box."""
    rows = np.flatnonzero(ink.max(axis=1) > 0.05)
    cols = np.flatnonzero(ink.max(axis=0) > 0.05)
    if rows.size == 0:
        return ink
    return np.ascontiguousarray(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])


def mnist_ink(image: U8) -> F32:
    """MNIST image (white ink on black) as a tight ink map."""
    return tight(image.astype(np.float32) / 255.0)


def optdigits_ink(bitmap: U8) -> F32:
    """optdigits 32x32 bitmap as a tight, slightly anti-aliased ink map."""
    big = cv2.resize(bitmap.astype(np.float32), (64, 64), interpolation=cv2.INTER_NEAREST)
    return tight(np.asarray(cv2.GaussianBlur(big, (5, 5), 1.0), np.float32))


def catmull_rom(points: F32, per_segment: int = 8) -> F32:
    """Smooth a polyline through ``points`` with a Catmull-Rom spline."""
    padded = np.concatenate([points[:1], points, points[-1:]])
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        out.append(
            0.5
            * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    out.append(points[-1:])
    return np.concatenate(out).astype(np.float32)


def pendigits_ink(points: F32, thickness: float) -> F32:
    """Render 8 pen points (y up, 0..100) as an anti-aliased stroke image about 64 px high."""
    pts = points.copy()
    pts[:, 1] = 100.0 - pts[:, 1]
    curve = catmull_rom(pts) * 0.56 + 6.0
    canvas = np.zeros((70, 70), np.uint8)
    shift = 4
    poly = np.round(curve * (1 << shift)).astype(np.int32)
    cv2.polylines(canvas, [poly], False, 255, max(1, round(thickness)), cv2.LINE_AA, shift)
    return tight(canvas.astype(np.float32) / 255.0)


# --------------------------------------------------------------------------- scanned-looking cells


@dataclass(frozen=True)
class Box:
    """Printed comb box on the canvas, in pixels."""

    x0: float
    y0: float
    x1: float
    y1: float


def u(rng: np.random.Generator, low: float, high: float) -> float:
    """One uniform draw as a Python float."""
    return float(rng.uniform(low, high))


@dataclass(frozen=True)
class Style:
    """How a digit is written into its box: size, slant, rotation and placement."""

    height: tuple[float, float]  # digit height as a share of the box height (uniform)
    angle_sd: float  # rotation, degrees (normal, clipped to +-10)
    shear_sd: float  # slant, x shift per unit of height (normal, clipped to +-0.3)
    aspect: tuple[float, float]  # width stretch (uniform)
    spread: float  # centre offset, share of the free room on each axis (uniform +-spread/2)


#: What most respondents do (close to the synthetic-form generator in samples/synth).
TYPICAL = Style(height=(0.5, 0.8), angle_sd=4.0, shear_sd=0.1, aspect=(0.85, 1.15), spread=0.5)
#: Extremes: big or small digits, strong slant, written up to (and over) the box lines.
HARD = Style(height=(0.42, 0.88), angle_sd=7.0, shear_sd=0.18, aspect=(0.8, 1.2), spread=1.1)


def place_digit(ink: F32, canvas_hw: tuple[int, int], box: Box, rng: np.random.Generator, style: Style) -> F32:
    """Warp a tight ink map into the box with random size, slant, rotation and offset."""
    box_w, box_h = box.x1 - box.x0, box.y1 - box.y0
    height = box_h * u(rng, *style.height)
    width = height * ink.shape[1] / ink.shape[0] * u(rng, *style.aspect)
    if width > 0.92 * box_w:
        height, width = height * 0.92 * box_w / width, 0.92 * box_w
    angle = np.deg2rad(float(np.clip(rng.normal(0.0, style.angle_sd), -10, 10)))
    shear = float(np.clip(rng.normal(0.0, style.shear_sd), -0.3, 0.3))
    sx, sy = width / ink.shape[1], height / ink.shape[0]
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    lin = rot @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sx, sy])
    spare_x, spare_y = max(0.0, box_w - width), max(0.0, box_h - height)
    cx = (box.x0 + box.x1) / 2 + u(rng, -0.5, 0.5) * spare_x * style.spread
    cy = (box.y0 + box.y1) / 2 + u(rng, -0.5, 0.5) * spare_y * style.spread
    centre_src = np.array([ink.shape[1] / 2, ink.shape[0] / 2])
    offset = np.array([cx, cy]) - lin @ centre_src
    matrix = np.hstack([lin, offset[:, None]]).astype(np.float32)
    alpha = cv2.warpAffine(ink, matrix, (canvas_hw[1], canvas_hw[0]), flags=cv2.INTER_LINEAR)
    return np.asarray(alpha, np.float32)


def vary_stroke(alpha: F32, px_per_mm: float, rng: np.random.Generator) -> F32:
    """Thicken or thin the strokes and sharpen their edges like pen ink."""
    change = round(u(rng, -0.12, 0.2) * px_per_mm)
    if change:
        size = 2 * abs(change) + 1
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        op = cv2.dilate if change > 0 else cv2.erode
        thinned = op(alpha, kernel)
        if thinned.max() > 0.3:
            alpha = np.asarray(thinned, np.float32)
    gain = u(rng, 1.0, 4.0)
    sharp = np.clip((alpha - 0.5) * gain + 0.5, 0.0, 1.0) * (alpha > 0.02)
    return np.asarray(sharp, np.float32)


def border_alpha(shape: tuple[int, int], box: Box, px_per_mm: float, rng: np.random.Generator) -> F32:
    """Anti-aliased printed box lines: full box, comb (bottom + ticks), neighbours or none."""
    canvas = np.zeros(shape, np.uint8)
    style = rng.random()
    if style < 0.08:
        return canvas.astype(np.float32)
    thick = max(1, round(u(rng, 0.1, 0.4) * px_per_mm))
    shift = 4

    def line(x0: float, y0: float, x1: float, y1: float) -> None:
        p0 = (round(x0 * 16), round(y0 * 16))
        p1 = (round(x1 * 16), round(y1 * 16))
        cv2.line(canvas, p0, p1, 255, thick, cv2.LINE_AA, shift)

    width = box.x1 - box.x0
    if style < 0.65:
        for dx in (-width, 0.0, width):
            line(box.x0 + dx, box.y0, box.x1 + dx, box.y0)
            line(box.x0 + dx, box.y1, box.x1 + dx, box.y1)
        for x in (box.x0 - width, box.x0, box.x1, box.x1 + width):
            line(x, box.y0, x, box.y1)
    else:
        tick = box.y1 - u(rng, 0.2, 0.6) * (box.y1 - box.y0)
        line(box.x0 - width, box.y1, box.x1 + width, box.y1)
        for x in (box.x0 - width, box.x0, box.x1, box.x1 + width):
            line(x, tick, x, box.y1)
    return canvas.astype(np.float32) / 255.0


def paper_background(shape: tuple[int, int], rng: np.random.Generator) -> F32:
    """Paper grey level with a gentle linear shading."""
    level = u(rng, 195, 250)
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    slope_x, slope_y = u(rng, -8, 8) / shape[1], u(rng, -8, 8) / shape[0]
    return np.asarray(level + slope_x * (xs - shape[1] / 2) + slope_y * (ys - shape[0] / 2), np.float32)


def add_specks(image: F32, rng: np.random.Generator, px_per_mm: float) -> None:
    """Sprinkle a few small dark dots (dust, toner) in place."""
    for _ in range(int(rng.poisson(1.5))):
        centre = (int(rng.integers(0, image.shape[1])), int(rng.integers(0, image.shape[0])))
        radius = max(1, round(u(rng, 0.03, 0.12) * px_per_mm))
        cv2.circle(image, centre, radius, u(rng, 20, 150), -1, cv2.LINE_AA)


def binarise_cut(cell: F32, digit: F32 | None, rng: np.random.Generator) -> float:
    """Grey level of a fax-style 1-bit threshold that keeps most of the (blurred) digit."""
    paper = float(np.percentile(cell, 90))
    inked = cell[digit > 0.5] if digit is not None else cell[:0]
    dark = float(np.percentile(inked, 30)) if inked.size else min(128.0, float(np.percentile(cell, 1)))
    return dark + u(rng, 0.35, 0.65) * max(paper - dark, 0.0)


def degrade(cell: F32, digit: F32 | None, rng: np.random.Generator, px_per_mm: float) -> U8:
    """Scanner look: blur, specks, noise, then JPEG or 1-bit binarisation (or neither)."""
    sigma = u(rng, 0.0, 0.12) * px_per_mm
    if sigma > 0.3:
        cell = np.asarray(cv2.GaussianBlur(cell, (0, 0), sigma), np.float32)
    kind = rng.random()
    cut = binarise_cut(cell, digit, rng) if kind < 0.15 else 0.0
    if rng.random() < 0.4:
        add_specks(cell, rng, px_per_mm)
    cell = cell + rng.normal(0.0, u(rng, 0.0, 10.0), cell.shape).astype(np.float32)
    out = np.clip(cell, 0, 255).astype(np.uint8)
    if kind < 0.15:
        out = np.where(out < cut, 0, 255).astype(np.uint8)
    elif kind < 0.7:
        quality = int(rng.integers(30, 96))
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out = np.asarray(cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE), np.uint8)
    return out


def render_cell(ink: F32 | None, rng: np.random.Generator, style: Style = TYPICAL) -> U8:
    """Render a tight ink map (or nothing, for a blank) into a scanned-looking comb-box crop."""
    dpi = u(rng, 150, 300)
    ppm = dpi / 25.4
    box_w, box_h = u(rng, 5.5, 6.5) * ppm, u(rng, 7.5, 8.5) * ppm
    pad_w, pad_h = box_w * 0.35, box_h * 0.3
    shape = (int(box_h + 2 * pad_h), int(box_w + 2 * pad_w))
    box = Box(pad_w, pad_h, pad_w + box_w, pad_h + box_h)
    paper = paper_background(shape, rng)
    border_dark = u(rng, 0, 140) if rng.random() < 0.8 else u(rng, 140, 200)
    image = paper - border_alpha(shape, box, ppm, rng) * np.maximum(paper - border_dark, 0)
    alpha: F32 | None = None
    if ink is not None:
        alpha = vary_stroke(place_digit(ink, shape, box, rng, style), ppm, rng)
        pencil = rng.random() < 0.3
        ink_level = u(rng, 100, 180) if pencil else u(rng, 0, 90)
        ink_level = min(ink_level, float(paper.min()) - 40.0)
        if pencil:
            alpha = alpha * np.clip(rng.normal(0.85, 0.12, alpha.shape), 0.5, 1.0).astype(np.float32)
        image = np.minimum(image, paper - alpha * np.maximum(paper - ink_level, 0))
    angle = u(rng, -2, 2)
    margins = [u(rng, -0.08, 0.12) for _ in range(4)]
    x0 = int(round(box.x0 - margins[0] * box_w))
    x1 = int(round(box.x1 + margins[1] * box_w))
    y0 = int(round(box.y0 - margins[2] * box_h))
    y1 = int(round(box.y1 + margins[3] * box_h))
    crop = np.ascontiguousarray(rotate_about(image, box, angle)[y0:y1, x0:x1])
    digit = None if alpha is None else rotate_about(alpha, box, angle)[y0:y1, x0:x1]
    return degrade(crop, digit, rng, ppm)


def rotate_about(image: F32, box: Box, degrees: float) -> F32:
    """Rotate the canvas about the box centre (page skew left after alignment)."""
    centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
    matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)
    size = (image.shape[1], image.shape[0])
    return np.asarray(cv2.warpAffine(image, matrix, size, borderMode=cv2.BORDER_REPLICATE), np.float32)


# --------------------------------------------------------------------------- building the sets


def ink_maps(sources: Sources, part: str, rng: np.random.Generator) -> tuple[list[F32], I64, I64]:
    """Ink maps, labels and source codes (0 MNIST, 1 optdigits, 2 pendigits) of one part."""
    if part == "train":
        mnist, mnist_y = sources.mnist_train, sources.mnist_train_y
        opt, opt_y, pen, pen_y = sources.opt_train, sources.opt_train_y, sources.pen_train, sources.pen_train_y
    else:
        mnist, mnist_y = sources.mnist_test, sources.mnist_test_y
        opt, opt_y, pen, pen_y = sources.opt_test, sources.opt_test_y, sources.pen_test, sources.pen_test_y
    maps = [mnist_ink(im) for im in mnist] + [optdigits_ink(im) for im in opt]
    maps += [pendigits_ink(p, u(rng, 3.0, 8.0)) for p in pen]
    labels = np.concatenate([mnist_y, opt_y, pen_y]).astype(np.int64)
    codes = np.repeat(np.arange(3), [len(mnist), len(opt), len(pen)]).astype(np.int64)
    return maps, labels, codes


def validation_mask(codes: I64, rng: np.random.Generator) -> NDArray[np.bool_]:
    """Fixed random validation subset of the training part (per source)."""
    mask = np.zeros(len(codes), bool)
    for code, count in enumerate((VAL_MNIST, VAL_OPT, VAL_PEN)):
        idx = np.flatnonzero(codes == code)
        mask[rng.choice(idx, count, replace=False)] = True
    return mask


def normalised_variants(maps: list[F32], variants: int, rng: np.random.Generator) -> tuple[F32, I64]:
    """Render every map ``variants`` times into a cell (half TYPICAL, half HARD) and preprocess it."""
    out: list[F32] = []
    index: list[int] = []
    for i, ink in enumerate(maps):
        for _ in range(variants):
            image = normalise_cell(render_cell(ink, rng, HARD if rng.random() < 0.5 else TYPICAL))
            if image is not None:
                out.append(image)
                index.append(i)
    return np.stack(out).astype(np.float32), np.array(index, np.int64)


# --------------------------------------------------------------------------- model (torch, dev only)


def build_model() -> Any:
    """CNN: 28x28 -> 10 logits, about 320k parameters."""
    from torch import nn

    def block(cin: int, cout: int) -> list[Any]:
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(1, 32),
        nn.MaxPool2d(2),
        *block(32, 64),
        nn.MaxPool2d(2),
        *block(64, 96),
        *block(96, 96),
        nn.MaxPool2d(2),
        nn.Flatten(1),
        nn.Dropout(0.25),
        nn.Linear(96 * 3 * 3, 192),
        nn.ReLU(),
        nn.Dropout(0.25),
        nn.Linear(192, 10),
    )


def batches(n: int, size: int, rng: np.random.Generator) -> Iterator[I64]:
    """Shuffled index batches covering ``range(n)``."""
    order = rng.permutation(n)
    for start in range(0, n, size):
        yield order[start : start + size]


def jitter(images: F32, rng: np.random.Generator) -> F32:
    """Cheap extra augmentation: random shifts of up to 1 pixel."""
    dy, dx = (int(v) for v in rng.integers(-1, 2, 2))
    return np.roll(images, (dy, dx), axis=(1, 2))


def train_model(images: F32, labels: I64, epochs: int, log: Callable[[str], None]) -> Any:
    """Train the CNN with AdamW + one-cycle schedule on one thread."""
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED + 1)
    model = build_model()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    batch = 128
    steps = epochs * ((len(images) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        start, total, correct, seen = time.time(), 0.0, 0, 0
        for idx in batches(len(images), batch, rng):
            x = torch.from_numpy(jitter(images[idx], rng)[:, None])
            y = torch.from_numpy(labels[idx])
            opt.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
            correct += int((out.argmax(1) == y).sum())
            seen += len(idx)
        log(f"epoch {epoch + 1}/{epochs}: loss {total / seen:.4f} acc {correct / seen:.4f} {time.time() - start:.0f}s")
    model.eval()
    return model


def export_onnx(model: Any, path: Path) -> None:
    """Export to ONNX (opset 13, dynamic batch) for cv2.dnn."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(2, 1, 28, 28)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the legacy exporter is the one cv2.dnn reads
        torch.onnx.export(
            model,
            (dummy,),
            str(path),
            input_names=["x"],
            output_names=["logits"],
            dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}},
            opset_version=13,
            dynamo=False,
        )


# --------------------------------------------------------------------------- evaluation


@dataclass
class Scores:
    """Routing figures over a set of digit cells."""

    n: int
    correct: int
    accepted: int
    accepted_correct: int
    blank_called: int

    def line(self, name: str) -> str:
        """One human-readable summary line."""
        acc = self.correct / self.n
        share = self.accepted / self.n
        acc_acc = self.accepted_correct / max(1, self.accepted)
        return (
            f"{name:<18} n={self.n:>6}  top-1 {acc:.4f}  accepted {share:.4f} "
            f"(review {1 - share:.4f})  correct among accepted {acc_acc:.4f}  called blank {self.blank_called}"
        )


def score(readings: list[DigitReading], labels: I64, threshold: float) -> Scores:
    """Score digit readings; a blank call on a written cell counts as wrong."""
    values = np.array([-1 if r.value is None else r.value for r in readings])
    conf = np.array([r.confidence for r in readings])
    ok = values == labels
    acc = conf >= threshold
    blank = int(sum(r.blank for r in readings))
    return Scores(len(labels), int(ok.sum()), int(acc.sum()), int((ok & acc).sum()), blank)


def pick_threshold(conf: NDArray[np.float64], ok: NDArray[np.bool_], target: float) -> float:
    """Lowest threshold whose accepted set reaches ``target`` accuracy (on validation data)."""
    for threshold in np.round(np.arange(0.50, 0.9995, 0.005), 3):
        accepted = conf >= threshold
        if accepted.any() and ok[accepted].mean() >= target:
            return float(threshold)
    return 0.999


def render_set(maps: list[F32], rng: np.random.Generator, style: Style = TYPICAL) -> list[U8]:
    """Render each ink map once into a scanned-looking cell."""
    return [render_cell(ink, rng, style) for ink in maps]


def read_all(reader: DigitReader, cells: list[U8]) -> tuple[list[DigitReading], float]:
    """Read cells in batches of 64; also return the time per cell in ms."""
    start = time.perf_counter()
    readings: list[DigitReading] = []
    for i in range(0, len(cells), 64):
        readings += reader.read(cells[i : i + 64])
    return readings, (time.perf_counter() - start) / max(1, len(cells)) * 1000


def report(readings: list[DigitReading], labels: I64, codes: I64, log: Callable[[str], None]) -> None:
    """Per-source routing figures at DIGIT_ACCEPT_CONFIDENCE."""
    threshold = DIGIT_ACCEPT_CONFIDENCE
    for code, name in enumerate(SOURCE_NAMES):
        sel = np.flatnonzero(codes == code)
        log(score([readings[i] for i in sel], labels[sel], threshold).line(name))
    real = np.flatnonzero(codes < 2)
    log(score([readings[i] for i in real], labels[real], threshold).line("mnist+optdigits"))
    log(score(readings, labels, threshold).line("all held-out"))


def sweep(readings: list[DigitReading], labels: I64, log: Callable[[str], None]) -> None:
    """Accepted share and accuracy among accepted at a few other thresholds."""
    conf = np.array([r.confidence for r in readings])
    ok = np.array([-1 if r.value is None else r.value for r in readings]) == labels
    parts = []
    for threshold in (0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995):
        accepted = conf >= threshold
        parts.append(f"{threshold}: {accepted.mean():.3f}/{ok[accepted].mean():.4f}")
    log("  threshold: accepted/correct  " + "  ".join(parts))


def evaluate(sources: Sources, model_path: Path, log: Callable[[str], None]) -> None:
    """Held-out evaluation of the model through the runtime reader (TYPICAL and HARD writing)."""
    cv2.setNumThreads(1)
    rng = np.random.default_rng(EVAL_SEED)
    maps, labels, codes = ink_maps(sources, "test", rng)
    reader = DigitReader(model_path)
    readings, per_digit = read_all(reader, render_set(maps, rng, TYPICAL))
    log(f"held-out digits in scanned-looking cells, TYPICAL writing; accept at >= {DIGIT_ACCEPT_CONFIDENCE}")
    report(readings, labels, codes, log)
    real = np.flatnonzero(codes < 2)
    sweep([readings[i] for i in real], labels[real], log)
    hard, _ = read_all(reader, render_set(maps, np.random.default_rng(EVAL_SEED + 1), HARD))
    log("same digits, HARD writing (extreme size, slant and placement; part of the training mix)")
    report(hard, labels, codes, log)
    sweep([hard[i] for i in real], labels[real], log)
    blank_reads, _ = read_all(reader, [render_cell(None, rng) for _ in range(2000)])
    threshold = DIGIT_ACCEPT_CONFIDENCE
    called = sum(r.blank for r in blank_reads)
    accepted_blank = sum(r.blank and r.confidence >= threshold for r in blank_reads)
    accepted_wrong = sum((not r.blank) and r.confidence >= threshold for r in blank_reads)
    log(
        f"blank cells        n={len(blank_reads)}  called blank {called}  accepted as blank {accepted_blank}  "
        f"accepted as a digit {accepted_wrong}"
    )
    log(f"time: {per_digit:.3f} ms per digit (TYPICAL set, batches of 64, one thread, incl. preprocessing)")
    log(f"model: {model_path} ({model_path.stat().st_size / 1024:.0f} KiB)")


# --------------------------------------------------------------------------- samples


def to_mnist_frame(bitmap: U8) -> U8:
    """optdigits bitmap -> MNIST-style 28x28 uint8 (white ink on black, 20x20 box, centred by mass)."""
    ink = tight(bitmap.astype(np.float32))
    height, width = ink.shape
    scale = 20.0 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(ink, size, interpolation=cv2.INTER_AREA)
    ys, xs = np.mgrid[0 : small.shape[0], 0 : small.shape[1]]
    total = float(small.sum())
    cy, cx = float((ys * small).sum()) / total, float((xs * small).sum()) / total
    top, left = int(round(13.5 - cy)), int(round(13.5 - cx))
    top = min(max(top, 0), 28 - small.shape[0])
    left = min(max(left, 0), 28 - small.shape[1])
    frame = np.zeros((28, 28), np.float32)
    frame[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.clip(np.round(frame * 255), 0, 255).astype(np.uint8)


def write_samples(sources: Sources, path: Path, log: Callable[[str], None]) -> None:
    """Write the committed held-out subset (MNIST t10k + optdigits windep)."""
    rng = np.random.default_rng(SEED + 2)
    mnist_idx = np.sort(rng.choice(len(sources.mnist_test), SAMPLES_MNIST, replace=False))
    opt_idx = np.sort(rng.choice(len(sources.opt_test), SAMPLES_OPT, replace=False))
    images = np.concatenate(
        [sources.mnist_test[mnist_idx], np.stack([to_mnist_frame(b) for b in sources.opt_test[opt_idx]])]
    )
    labels = np.concatenate([sources.mnist_test_y[mnist_idx], sources.opt_test_y[opt_idx]]).astype(np.int64)
    source = np.array(["mnist_t10k"] * len(mnist_idx) + ["optdigits_windep"] * len(opt_idx))
    index = np.concatenate([mnist_idx, opt_idx]).astype(np.int64)
    order = np.random.default_rng(SEED + 3).permutation(len(labels))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, images=images[order], labels=labels[order], source=source[order], index=index[order])
    log(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(labels)} digits)")


# --------------------------------------------------------------------------- main


def train(sources: Sources, epochs: int, model_path: Path, log: Callable[[str], None], limit: int = 0) -> None:
    """Render the training part, train, choose the threshold on validation, export."""
    rng = np.random.default_rng(SEED)
    start = time.time()
    maps, labels, codes = ink_maps(sources, "train", rng)
    val = validation_mask(codes, rng)
    train_idx = np.flatnonzero(~val)
    if limit:
        train_idx = rng.choice(train_idx, limit, replace=False)
    images, owner = normalised_variants([maps[i] for i in train_idx], VARIANTS, rng)
    y = labels[train_idx][owner]
    dropped = VARIANTS * len(train_idx) - len(owner)
    log(f"rendered {len(images)} training cells ({dropped} judged blank, dropped) in {time.time() - start:.0f}s")
    model = train_model(images, y, epochs, log)
    export_onnx(model, model_path)
    log(f"exported {model_path} ({model_path.stat().st_size / 1024:.0f} KiB)")
    validate(sources, model_path, log)


def validate(sources: Sources, model_path: Path, log: Callable[[str], None]) -> None:
    """Choose the accept threshold on the validation part (training writers, TYPICAL writing).

    The lowest threshold at which the MNIST + optdigits validation digits reach ``TARGET``
    accuracy among accepted ones; DIGIT_ACCEPT_CONFIDENCE in omr/digits.py is set from it.
    """
    rng = np.random.default_rng(SEED)
    maps, labels, codes = ink_maps(sources, "train", rng)
    val = np.flatnonzero(validation_mask(codes, rng) & (codes < 2))
    cells = render_set([maps[i] for i in val], np.random.default_rng(VAL_SEED), TYPICAL)
    readings, _ = read_all(DigitReader(model_path), cells)
    conf = np.array([r.confidence for r in readings])
    ok = np.array([-1 if r.value is None else r.value for r in readings]) == labels[val]
    log(f"validation (MNIST train + optdigits .tra/.cv writers, n={len(val)}): top-1 {ok.mean():.4f}")
    sweep(readings, labels[val], log)
    log(f"lowest threshold with >= {TARGET:.1%} correct among accepted: {pick_threshold(conf, ok, TARGET)}")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "handwriting")
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--limit", type=int, default=0, help="dev only: train on this many digits")
    parser.add_argument("--eval", action="store_true", help="only evaluate the model on the held-out part")
    parser.add_argument("--samples", action="store_true", help="only rewrite samples/handwriting/digits.npz")
    parser.add_argument("--validate", action="store_true", help="only print the threshold choice on validation")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sources = load_sources(args.data)

    def log(msg: str) -> None:
        print(msg, flush=True)

    if args.validate:
        validate(sources, args.model, log)
        return
    if not args.eval and not args.samples:
        train(sources, args.epochs, args.model, log, args.limit)
    if args.samples or not args.eval:
        write_samples(sources, SAMPLES_PATH, log)
    if args.eval or not args.samples:
        evaluate(sources, args.model, log)


if __name__ == "__main__":
    main()
