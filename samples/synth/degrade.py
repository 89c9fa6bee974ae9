"""Scanner, fax and phone-camera degradations of a page image.

Every function takes an image first and keyword-only options, never changes its input, and
returns a new ``uint8`` array (grayscale unless it says otherwise). Randomness comes only from
an explicit ``rng``. :mod:`samples.synth.scan` chains them into the four qualities.
"""

from __future__ import annotations

import functools
import io
import math
from statistics import NormalDist

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from samples.synth.ink import U8, Rng

F32 = NDArray[np.float32]


def _u8(values: NDArray[np.floating]) -> U8:
    """Round non-negative values to uint8, saturating at 255 (fast path through OpenCV)."""
    return np.asarray(cv2.convertScaleAbs(values), np.uint8)


def affine_scan(
    image: U8, *, angle: float, shift: tuple[float, float], scale: float, factor: float,
    out_shape: tuple[int, int], background: int = 255,
) -> U8:
    """Skew, shift, scale and resample a page in one interpolation, as a flatbed or ADF does.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The paper.
    angle : float
        Rotation in degrees, counter-clockwise, about the page centre.
    shift : (dx, dy)
        Translation in *output* pixels.
    scale : float
        Size change (1.0 = none; 0.97 = 3 % smaller), on top of ``factor``.
    factor : float
        Output pixels per input pixel (e.g. 200/300 to scan at 200 dpi from 300-dpi paper).
    out_shape : (rows, cols)
        Size of the scanned frame; the page is centred in it.
    background : int
        Gray of the scanner lid or backing where there is no paper.

    Returns
    -------
    scan : (rows, cols) ndarray of uint8
    """
    rows, cols = out_shape
    centre = (image.shape[1] / 2.0, image.shape[0] / 2.0)
    m = cv2.getRotationMatrix2D(centre, angle, scale * factor)
    m[0, 2] += cols / 2.0 - centre[0] + shift[0]
    m[1, 2] += rows / 2.0 - centre[1] + shift[1]
    interp = cv2.INTER_AREA if factor < 0.8 else cv2.INTER_LINEAR
    if interp == cv2.INTER_AREA:
        # warpAffine has no area filter: pre-shrink, then rotate with the remaining factor.
        small = np.asarray(cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), np.uint8)
        return affine_scan(small, angle=angle, shift=shift, scale=scale, factor=1.0, out_shape=out_shape,
                           background=background)
    out = cv2.warpAffine(image, m, (cols, rows), flags=interp, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=int(background))
    return np.asarray(out, np.uint8)


def blur(image: U8, *, sigma: float) -> U8:
    """Optical blur: a Gaussian of ``sigma`` pixels (0 = unchanged copy)."""
    if sigma <= 0:
        return image.copy()
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma), np.uint8)


@functools.cache
def _normal_luts(sigma: float) -> tuple[U8, U8]:
    """Lookup tables from a uniform byte to the positive and negative parts of a Gaussian draw."""
    dist = NormalDist(0.0, sigma)
    values = np.array([round(dist.inv_cdf((k + 0.5) / 256)) for k in range(256)])
    return np.clip(values, 0, 255).astype(np.uint8), np.clip(-values, 0, 255).astype(np.uint8)


def gaussian_noise(image: U8, *, sigma: float, rng: Rng) -> U8:
    """Sensor noise: add Gaussian noise of ``sigma`` gray levels (quantised to 256 steps, fast).

    Works on grayscale and colour images alike; values saturate at 0 and 255.
    """
    if sigma <= 0:
        return image.copy()
    u = rng.integers(0, 256, image.shape, dtype=np.uint8)
    pos, neg = _normal_luts(round(sigma, 2))
    # Each pixel gets either a positive or a negative offset, so two saturating steps are exact.
    up = cv2.add(image, cv2.LUT(u, pos))
    return np.asarray(cv2.subtract(up, cv2.LUT(u, neg)), np.uint8)


def jpeg_artifacts(image: U8, *, quality: int) -> U8:
    """Blocking and ringing of a JPEG round trip at ``quality`` (1–95)."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())), np.uint8).copy()


def photocopy(image: U8, *, darkness: float, paper: int, rng: Rng) -> U8:
    """A photocopy of a photocopy: darker strokes, a gray paper tone and a toner streak.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
    darkness : float
        0 (none) … 1: gamma that thickens and darkens everything that is not paper.
    paper : int
        Gray level the white paper turns into (e.g. 225).
    rng : numpy.random.Generator
        Position and strength of the streak.
    """
    gamma = 1.0 + 1.5 * darkness
    lut = _u8(paper * (np.arange(256) / 255.0) ** gamma)
    out = np.asarray(cv2.LUT(image, lut), np.uint8)
    cols = image.shape[1]
    x = int(rng.integers(0, cols))
    width = int(rng.integers(1, 5))
    out[:, x : x + width] = _u8(out[:, x : x + width].astype(np.float32) * np.float32(rng.uniform(0.82, 0.94)))
    return out


def speckle(image: U8, *, density: float, rng: Rng, gray: int = 40) -> U8:
    """Dust and toner specks: ``density`` dark dots per cm² (at 300 dpi), 1–3 px wide.

    Also punches a few white dropouts, as dust on the glass or a worn drum does.
    """
    rows, cols = image.shape[:2]
    area_cm2 = rows * cols / (300 / 2.54) ** 2
    n = int(rng.poisson(max(density, 0.0) * area_cm2))
    if n == 0:
        return image.copy()
    r, c = rng.integers(0, rows, n), rng.integers(0, cols, n)
    big = rng.random(n) < 0.3
    mask = np.zeros((rows, cols), np.uint8)
    mask[r[big], c[big]] = 255
    mask = np.asarray(cv2.dilate(mask, np.ones((3, 3), np.uint8)), np.uint8)
    mask[r[~big], c[~big]] = 255
    # 255 off the specks, ``gray`` on them; the darker of this and the page wins.
    specks = np.asarray(cv2.max(cv2.bitwise_not(mask), np.full_like(mask, gray)), np.uint8)
    out = np.asarray(cv2.min(image, specks), np.uint8)
    holes = max(1, n // 10)
    hr, hc = rng.integers(0, rows, holes), rng.integers(0, cols, holes)
    out[hr, hc] = 255
    return out


_BAYER8 = np.array(
    [[0, 32, 8, 40, 2, 34, 10, 42], [48, 16, 56, 24, 50, 18, 58, 26], [12, 44, 4, 36, 14, 46, 6, 38],
     [60, 28, 52, 20, 62, 30, 54, 22], [3, 35, 11, 43, 1, 33, 9, 41], [51, 19, 59, 27, 49, 17, 57, 25],
     [15, 47, 7, 39, 13, 45, 5, 37], [63, 31, 55, 23, 61, 29, 53, 21]], np.float32,
)


def binarise(image: U8, *, threshold: int, jitter: float, dither: bool, rng: Rng, diffusion: bool = False) -> U8:
    """A fax or 1-bit scanner: every pixel black (0) or white (255).

    Parameters
    ----------
    image : (M, N) ndarray of uint8
    threshold : int
        Gray level below which a pixel turns black.
    jitter : float
        Standard deviation (gray levels) of per-pixel threshold noise: ragged edges, lost hairlines.
    dither : bool
        Halftone mid-grays with an 8×8 ordered dither (a fax in "photo" mode): shaded bands turn
        into dot patterns instead of vanishing.
    rng : numpy.random.Generator
    diffusion : bool
        Halftone by Floyd–Steinberg error diffusion instead of the ordered dither.

    Returns
    -------
    bilevel : (M, N) ndarray of uint8
        Only the values 0 and 255.
    """
    rows, cols = image.shape
    # Threshold noise, applied to the pixels instead of the threshold (the same thing, faster).
    noisy = gaussian_noise(image, sigma=jitter, rng=rng) if jitter > 0 else image
    out: U8 = np.where(noisy < threshold, 0, 255).astype(np.uint8)
    if dither:
        tile = np.rint((_BAYER8 + 0.5) / 64.0 * 255.0).astype(np.uint8)
        bayer = np.tile(tile, (rows // 8 + 1, cols // 8 + 1))[:rows, :cols]
        # Smooth mid-grays (paper shading) are halftoned from their local mean; strokes, their edges
        # and white paper are thresholded, as a fax's text/photo segmentation does.
        mean = np.asarray(cv2.blur(image, (3, 3)), np.uint8)
        near_ink = np.asarray(cv2.erode(image, np.ones((5, 5), np.uint8)), np.uint8) < 150
        smooth_gray = (mean > 90) & (mean < 240) & ~near_ink
        halftone = (np.asarray(Image.fromarray(mean).convert("1", dither=Image.Dither.FLOYDSTEINBERG), np.uint8) * 255
                    if diffusion else np.where(mean < bayer, 0, 255))
        out = np.where(smooth_gray, halftone, out).astype(np.uint8)
    return out


def line_dropouts(image: U8, *, count: int, rng: Rng) -> U8:
    """Fax transmission errors: ``count`` scan lines repeated from the line above or blanked."""
    out = image.copy()
    rows = image.shape[0]
    for _ in range(count):
        r = int(rng.integers(1, rows))
        out[r] = out[r - 1] if rng.random() < 0.5 else 255
    return out


def photograph(
    image: U8, *, corners: NDArray[np.float64], factor: float, out_shape: tuple[int, int], background: int,
) -> U8:
    """A phone photo of a page lying on a table: perspective, resolution and a background.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The paper.
    corners : (4, 2) ndarray
        Where the page's top-left, top-right, bottom-right and bottom-left corners land, as
        (column, row) in output pixels.
    factor : float
        Approximate output pixels per input pixel (sets the pre-shrink: a phone resolves less).
    out_shape : (rows, cols)
        Size of the photo.
    background : int
        Gray of the table around the page.

    Returns
    -------
    photo : (rows, cols) ndarray of uint8
    """
    src = image
    if factor < 0.8:
        src = np.asarray(cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), np.uint8)
    h, w = src.shape[:2]
    quad = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(quad, corners.astype(np.float32))
    rows, cols = out_shape
    fill = (int(background),) * 3 if src.ndim == 3 else int(background)
    out = cv2.warpPerspective(src, m, (cols, rows), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=fill)
    return np.asarray(out, np.uint8)


def uneven_lighting(
    image: U8, *, strength: float, angle: float, vignette: float, shadow: float, edge: float = 18.0
) -> U8:
    """Shading of a photo: a light gradient, darker corners and the soft shadow of a phone.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
    strength : float
        Brightness lost across the gradient (0 … 1).
    angle : float
        Direction the light falls off towards, in degrees.
    vignette : float
        Brightness lost in the corners (0 … 1).
    shadow : float
        Darkness of a soft-edged shadow over one side of the page (0 = none).
    edge : float
        Sharpness of the shadow's edge (18 soft … 60 hard).
    """
    rows, cols = image.shape[:2]
    sr, sc = max(2, rows // 16), max(2, cols // 16)
    y, x = np.mgrid[0:sr, 0:sc].astype(np.float32)
    y, x = y / max(sr - 1, 1) - 0.5, x / max(sc - 1, 1) - 0.5
    a = math.radians(angle)
    grad = (x * math.cos(a) + y * math.sin(a)) + 0.5
    field = 1.0 - strength * grad - vignette * 2.0 * (x**2 + y**2)
    if shadow > 0:
        side = 1.0 / (1.0 + np.exp(-(x * math.sin(a) - y * math.cos(a) - 0.25) * edge))
        field *= 1.0 - shadow * side
    big = cv2.resize(field.astype(np.float32), (cols, rows), interpolation=cv2.INTER_LINEAR)
    if image.ndim == 3:
        big = big[:, :, None]
    return _u8(image.astype(np.float32) * big)


def colour_cast(image: U8, *, tint: tuple[float, float, float]) -> U8:
    """A gray (or already coloured) page seen in colour: an (R, G, B) white-balance ``tint``; returns RGB."""
    planes = list(cv2.split(image)) if image.ndim == 3 else [image] * 3
    channels = [cv2.convertScaleAbs(p, alpha=float(t)) for p, t in zip(planes, tint, strict=True)]
    return np.asarray(cv2.merge(channels), np.uint8)


def rotate_quadrant(image: U8, *, turns: int) -> U8:
    """Rotate by ``turns`` × 90° clockwise (2 = an upside-down sheet in the feeder)."""
    return np.ascontiguousarray(np.rot90(image, k=-(turns % 4)))
