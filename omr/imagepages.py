"""Decode the pages of image files (TIFF, JPEG, PNG, BMP, WebP) to 8-bit grayscale with Pillow.

Used by :mod:`omr.ingest` for image scans and by :mod:`omr.pdfpages` for what poppler extracts or
draws. Nothing here raises on a bad file: a page that cannot be decoded gives a reason (a string
naming the damage and what to do) that the caller turns into a :class:`~omr.types.PageError`.

A JPEG can be decoded at 1/2, 1/4 or 1/8 of its size by libjpeg's DCT scaling (Pillow's ``draft``),
which skips most of the inverse transforms and the reader's own reduction: :func:`decode_image` does
so when asked for a working long side (``long_side``) and the page reduced by that power of two
still holds at least :data:`MIN_REDUCED_DPI` (see :func:`jpeg_reduction`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

MAX_PIXELS = 150_000_000
"""Larger pages are refused (an A4 page at 1200 dpi is 139 MP); protects against decompression bombs."""
_EXIF_ORIENTATION = 0x0112

JPEG_SCALES = (2, 4, 8)
"""The reductions libjpeg decodes directly (DCT scaling); 1 is the full size."""
MIN_REDUCED_DPI = 140.0
"""A JPEG is decoded reduced only when the reduced page still holds this resolution (when the file
says its dpi): below it the reader samples the full-resolution page (``omr.reader.align``)."""


@dataclass(frozen=True)
class Decoded:
    """A decoded page: grayscale, its dpi when the file says, and how it was decoded.

    ``factor`` > 1: the image is the page reduced by that factor (libjpeg DCT scaling; pixel ``i``
    covers full-size pixels ``factor·i`` to ``factor·i + factor − 1``). ``jpeg``: the file's own
    bytes when the page is exactly that JPEG (no EXIF turn), to keep for review without re-encoding.
    """

    image: NDArray[np.uint8]
    dpi: float | None
    factor: int = 1
    jpeg: bytes | None = None


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


def jpeg_reduction(size: tuple[int, int], dpi: float | None, long_side: int | None) -> int:
    """The factor a JPEG page is decoded reduced by: 1 (full size), 2, 4 or 8.

    The reader works on the page reduced by the smallest integer factor that brings its long side to
    ``long_side`` or less; when that factor is one libjpeg decodes directly (:data:`JPEG_SCALES`) and
    the reduced page keeps :data:`MIN_REDUCED_DPI` (when ``dpi`` is known), the page is decoded at it.

    Parameters
    ----------
    size : (int, int)
        Width and height of the page in pixels.
    dpi : float or None
        Its resolution when the file says.
    long_side : int or None
        The reader's working long side (``ReaderConfig.detect_long_side_px``); None: full size.

    Returns
    -------
    int
    """
    if long_side is None or long_side < 1:
        return 1
    k = math.ceil(max(size) / long_side)
    if k not in JPEG_SCALES or (dpi is not None and dpi / k < MIN_REDUCED_DPI):
        return 1
    return k


def decode_image(path: Path, frame: int, what: str, *, long_side: int | None = None,
                 known_dpi: float | None = None) -> Decoded | str:
    """Decode one frame of an image file, or give a reason naming ``what`` failed.

    A JPEG's EXIF orientation is applied; pages over :data:`MAX_PIXELS` are refused before decoding.
    With ``long_side`` a JPEG may be decoded reduced (:func:`jpeg_reduction`, with ``known_dpi`` when
    the file's own header does not say, as for an image extracted from a PDF); its bytes are kept in
    the result when the page is exactly the file.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                if frame:
                    img.seek(frame)
                if big := too_big(*img.size):
                    return big
                dpi = _dpi_of(img)
                jpeg = img.format == "JPEG"
                data = path.read_bytes() if jpeg and long_side is not None else None
                factor = jpeg_reduction(img.size, dpi or known_dpi, long_side) if jpeg else 1
                if jpeg and (factor > 1 or img.mode in ("RGB", "YCbCr")):
                    width = img.size[0]
                    img.draft("L", (img.size[0] // factor, img.size[1] // factor))
                    factor = max(1, round(width / img.size[0]))
                img.load()
                turned = jpeg and img.getexif().get(_EXIF_ORIENTATION, 1) not in (0, 1)
                upright: Image.Image = ImageOps.exif_transpose(img) if turned else img
                keep = data if not turned else None
                return Decoded(to_gray(upright), dpi, factor, keep)
    except Image.DecompressionBombError:
        return f"the image is larger than the {MAX_PIXELS / 1e6:.0f} MP limit; scan at 150–600 dpi"
    except (Exception, MemoryError) as exc:  # Pillow raises many types on damaged files
        detail = describe_error(exc)
        hint = "copy or scan it again" if "truncated" in detail else "export or scan it again"
        return f"cannot decode the {what} ({detail}); {hint}"


__all__ = ["JPEG_SCALES", "MAX_PIXELS", "MIN_REDUCED_DPI", "Decoded", "decode_image", "describe_error",
           "jpeg_reduction", "tiff_page_count", "to_gray", "too_big"]
