"""Page images kept in the workspace for reviewers: the aligned page, or the raw scan when unaligned.

Images are written under ``<workspace>/pages/`` as JPEG (quality 90), named after the input file's
content hash and the page index, so a re-run writes the same name and never duplicates a file.
Writes go to a temporary name first and are renamed into place (a killed run leaves no half image).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.errors import StorageError

JPEG_QUALITY = 90
REVIEW_MAX_SIDE = 2000
"""Longest side of a raw page kept for review (about 170 dpi on A4: enough to read an id or click corners)."""
PAGES_DIR = "pages"


def page_image_name(file_sha256: str, page_index: int, *, raw: bool = False) -> str:
    """Workspace-relative path of a page image: ``pages/<sha[:12]>-<index>.jpg`` (``-raw`` for raw scans)."""
    return f"{PAGES_DIR}/{file_sha256[:12]}-{page_index}{'-raw' if raw else ''}.jpg"


def encode_jpeg(image: NDArray[np.uint8], *, quality: int = JPEG_QUALITY) -> bytes:
    """Encode a grayscale page as JPEG bytes.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page, paper light and ink dark.
    quality : int, optional
        JPEG quality, 1–100.

    Returns
    -------
    bytes
        A baseline JPEG file.
    """
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f"cannot encode a {image.shape} {image.dtype} image as JPEG")
    return bytes(buf.tobytes())


def review_copy(image: NDArray[np.uint8], *, max_side: int = REVIEW_MAX_SIDE) -> NDArray[np.uint8]:
    """A copy of a raw page no larger than ``max_side`` pixels on its longest side (never upscaled).

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned (rotation not undone).
    max_side : int, optional
        Longest side of the result, in pixels.

    Returns
    -------
    (P, Q) ndarray of uint8
        The page shrunk with area averaging (the input is not modified).
    """
    scale = max_side / max(image.shape[:2])
    if scale >= 1.0:
        return image.copy()
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def save_image(workspace: Path, name: str, data: bytes) -> str:
    """Write image bytes to ``workspace/name`` atomically; returns ``name``."""
    target = workspace / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".jpg", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"cannot write the page image {target}: {exc.strerror or exc}; "
                           "check the workspace folder's free space and permissions") from exc
    return name
