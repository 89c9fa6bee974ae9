"""Decode the pages of image files (TIFF, JPEG, PNG, BMP, WebP) to 8-bit grayscale with Pillow.

Used by :mod:`omr.ingest` for image scans and by :mod:`omr.pdfpages` for what poppler extracts or
draws. Nothing here raises on a bad file: a page that cannot be decoded gives a reason (a string
naming the damage and what to do) that the caller turns into a :class:`~omr.types.PageError`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

MAX_PIXELS = 150_000_000
"""Larger pages are refused (an A4 page at 1200 dpi is 139 MP); protects against decompression bombs."""
_EXIF_ORIENTATION = 0x0112

Decoded = tuple[NDArray[np.uint8], float | None]
"""A grayscale page and its dpi when the file says."""


def describe_error(exc: BaseException) -> str:
    """A decoder's exception as a short text (its type named when the message alone says little)."""
    text = str(exc)
    return text if text and isinstance(exc, OSError | SyntaxError | ValueError) else f"{exc.__class__.__name__}: {text}"


def too_big(w: int, h: int) -> str | None:
    """Why a ``w`` × ``h`` px page is refused, or None when it is within :data:`MAX_PIXELS`."""
    if w * h > MAX_PIXELS:
        return (f"the page image is {w}×{h} px ({w * h / 1e6:.0f} MP), more than the "
                f"{MAX_PIXELS / 1e6:.0f} MP limit; scan at 150–600 dpi")
    return None


def tiff_page_count(path: Path) -> int | str:
    """Pages of a TIFF. A damaged page after good ones counts too: reading it names the damage."""
    count = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                while True:
                    img.seek(count)
                    count += 1
    except EOFError:
        return count
    except Exception as exc:  # Pillow raises many types on damaged files
        if count == 0:
            return f"damaged TIFF ({describe_error(exc)}); export the scan again"
        return count + 1


def _dpi_of(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi) if dpi else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and 100 <= value <= 1200 else None


def to_gray(img: Image.Image) -> NDArray[np.uint8]:
    """A decoded Pillow image as uint8 grayscale (1-bit → 0/255, 16-bit scaled, alpha on white)."""
    if img.mode == "L":
        return np.asarray(img, dtype=np.uint8)
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(img).astype(np.float64)
        top = 65535.0 if img.mode.startswith("I;16") else max(float(arr.max()), 1.0)
        return np.clip(arr * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img.convert("RGBA"))
    return np.asarray(img.convert("L"), dtype=np.uint8)


def decode_image(path: Path, frame: int, what: str) -> Decoded | str:
    """Decode one frame of an image file: (gray image, dpi), or a reason naming ``what`` failed.

    A JPEG's EXIF orientation is applied; pages over :data:`MAX_PIXELS` are refused before decoding.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                if frame:
                    img.seek(frame)
                if big := too_big(*img.size):
                    return big
                if img.format == "JPEG" and img.mode in ("RGB", "YCbCr"):
                    img.draft("L", img.size)
                dpi = _dpi_of(img)
                img.load()
                turned = img.format == "JPEG" and img.getexif().get(_EXIF_ORIENTATION, 1) not in (0, 1)
                upright: Image.Image = ImageOps.exif_transpose(img) if turned else img
                return to_gray(upright), dpi
    except Image.DecompressionBombError:
        return f"the image is larger than the {MAX_PIXELS / 1e6:.0f} MP limit; scan at 150–600 dpi"
    except (Exception, MemoryError) as exc:  # Pillow raises many types on damaged files
        detail = describe_error(exc)
        hint = "copy or scan it again" if "truncated" in detail else "export or scan it again"
        return f"cannot decode the {what} ({detail}); {hint}"


__all__ = ["MAX_PIXELS", "Decoded", "decode_image", "describe_error", "tiff_page_count", "to_gray", "too_big"]
