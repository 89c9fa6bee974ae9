"""More scanner and camera artefacts, for the scanner families the reader is not tuned on.

Like :mod:`samples.synth.degrade`: an image first, keyword-only options, a new ``uint8`` array
back, randomness only from an explicit ``rng``. Functions work on grayscale and, where a photo
needs it, on (rows, cols, 3) RGB images.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from samples.synth.ink import U8, Rng


def tone(image: U8, *, gamma: float) -> U8:
    """A scanner's tone curve: ``gamma`` > 1 darkens mid-grays (and thin strokes), < 1 lightens them."""
    if gamma == 1.0:
        return image.copy()
    lut = np.clip(np.round(255.0 * (np.arange(256) / 255.0) ** gamma), 0, 255).astype(np.uint8)
    return np.asarray(cv2.LUT(image, lut), np.uint8)


def sharpen(image: U8, *, amount: float, sigma: float = 1.2) -> U8:
    """An unsharp mask, as many scanners apply: crisper edges with a light halo (``amount`` 0 … 1.5)."""
    if amount <= 0:
        return image.copy()
    soft = cv2.GaussianBlur(image, (0, 0), sigma)
    return np.asarray(cv2.addWeighted(image, 1.0 + amount, soft, -amount, 0), np.uint8)


def motion_blur(image: U8, *, length: float, angle: float = 90.0) -> U8:
    """Blur along one direction over ``length`` pixels (an ADF's feed jitter, a shaking hand)."""
    if length < 1.0:
        return image.copy()
    size = int(np.ceil(length)) | 1
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), angle, 1.0)
    kernel = np.asarray(cv2.warpAffine(kernel, rot, (size, size)), np.float32)
    kernel /= np.float32(max(float(kernel.sum()), 1e-6))
    return np.asarray(cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REPLICATE), np.uint8)


def streaks(image: U8, *, count: int, rng: Rng) -> U8:
    """Lines along the feed direction from dust on an ADF's glass: thin, some dark, some light."""
    out = image.copy()
    cols = image.shape[1]
    for _ in range(count):
        x = int(rng.integers(0, cols))
        width = int(rng.integers(1, 4))
        factor = float(rng.uniform(0.55, 0.85)) if rng.random() < 0.7 else float(rng.uniform(1.05, 1.2))
        band = out[:, x : x + width].astype(np.float32) * np.float32(factor)
        out[:, x : x + width] = np.clip(band, 0, 255).astype(np.uint8)
    return out


def diffusion_dither(image: U8) -> U8:
    """Floyd–Steinberg error diffusion to 0/255 (a fax's or 1-bit scanner's photo mode)."""
    bits = Image.fromarray(image).convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    return np.asarray(bits, np.uint8) * np.uint8(255)


def standard_fax_lines(image: U8) -> U8:
    """A standard-resolution fax: every other scan line sent, each shown twice (blocky verticals)."""
    out = image.copy()
    out[1::2] = image[0::2][: out[1::2].shape[0]]
    return out


def paper_tint(image: U8, *, tint: tuple[float, float, float], where: U8 | None = None) -> U8:
    """Coloured paper as RGB: each channel scaled by ``tint``; gray input becomes RGB.

    ``where`` (0 … 255, the image's shape) limits the tint to the paper, e.g. not the table under it.
    """
    planes = list(cv2.split(image)) if image.ndim == 3 else [image] * 3
    out = []
    for plane, t in zip(planes, tint, strict=True):
        if where is None:
            out.append(cv2.convertScaleAbs(plane, alpha=float(t)))
        else:  # plane × (1 − share × (1 − t)), with share = where / 255
            loss = cv2.multiply(plane, where, scale=max(0.0, 1.0 - float(t)) / 255.0)
            out.append(cv2.subtract(plane, loss))
    return np.asarray(cv2.merge(out), np.uint8)
