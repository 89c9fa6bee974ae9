"""Page images for the review app: paths kept inside the workspace, crops with box outlines.

Only files inside the workspace are ever read: a stored path is resolved (symlinks included) and
refused when it lands outside.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.errors import InputFileError, NotFoundError, PermissionDeniedError
from omr.template.layout import Rect
from review_ui.geometry import PX_PER_MM, PxRect, to_px

STATE_COLOURS: dict[str, tuple[int, int, int]] = {  # BGR
    "marked": (40, 160, 40),
    "ambiguous": (0, 140, 255),
    "filled": (40, 40, 220),
}


def safe_path(workspace: Path, stored: str | None, *, what: str) -> Path:
    """The file ``stored`` (relative to the workspace) if it is inside the workspace and exists."""
    if not stored:
        raise NotFoundError(f"{what} has no image")
    root = workspace.resolve()
    candidate = (root / stored).resolve()
    if not candidate.is_relative_to(root):
        raise PermissionDeniedError(f"{what}: its image path points outside the workspace; refused")
    if not candidate.is_file():
        raise NotFoundError(f"{what}: image {stored} is missing from the workspace {root}")
    return candidate


@lru_cache(maxsize=16)
def _read(path: str, mtime_ns: int) -> NDArray[np.uint8]:
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise InputFileError(f"{path}: cannot be read as an image")
    img.setflags(write=False)
    return np.asarray(img, dtype=np.uint8)


def read_gray(path: Path) -> NDArray[np.uint8]:
    """A grayscale image (cached by path and modification time; read-only)."""
    return _read(str(path), path.stat().st_mtime_ns)


def png_bytes(image: NDArray[np.uint8]) -> bytes:
    ok, buf = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - cv2 encodes any uint8 array
        raise InputFileError("cannot encode the image as PNG")
    return bytes(buf.tobytes())


def _clip(image: NDArray[np.uint8], r: PxRect) -> NDArray[np.uint8]:
    h, w = image.shape[:2]
    x0, y0 = max(0, r.x), max(0, r.y)
    x1, y1 = min(w, r.x + r.w), min(h, r.y + r.h)
    if x1 <= x0 or y1 <= y0:
        return np.full((8, 8) + image.shape[2:], 255, dtype=np.uint8)
    return image[y0:y1, x0:x1]


def crop_bands(
    image: NDArray[np.uint8],
    *,
    bands: Sequence[Rect],
    outlines: Sequence[tuple[Rect, str]] = (),
) -> NDArray[np.uint8]:
    """Cut ``bands`` (mm rectangles of the aligned page) and stack them, boxes outlined by state.

    Parameters
    ----------
    image : (M, N) uint8 array
        The aligned page, gray, at :data:`review_ui.geometry.ALIGNED_DPI`.
    bands : sequence of Rect
        Rectangles in mm, stacked top to bottom with a thin gap.
    outlines : sequence of (Rect, state)
        Box rectangles in mm with their reading state; ``marked``, ``ambiguous`` and ``filled``
        boxes get a coloured outline.

    Returns
    -------
    (P, Q, 3) uint8 array
        A new BGR image; ``image`` is not modified.
    """
    colour: NDArray[np.uint8] = np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    pad = max(1, int(0.6 * PX_PER_MM))
    for rect, state in outlines:
        bgr = STATE_COLOURS.get(state)
        if bgr is None:
            continue
        r = to_px(rect)
        cv2.rectangle(colour, (r.x - pad, r.y - pad), (r.x + r.w + pad, r.y + r.h + pad), bgr, 2)
    parts = [_clip(colour, to_px(b)) for b in bands]
    width = max(p.shape[1] for p in parts)
    out: list[NDArray[np.uint8]] = []
    for i, p in enumerate(parts):
        if p.shape[1] < width:
            p = np.pad(p, ((0, 0), (0, width - p.shape[1]), (0, 0)), constant_values=255)
        if i:
            out.append(np.full((4, width, 3), 200, dtype=np.uint8))
        out.append(p)
    return np.ascontiguousarray(np.vstack(out))


def crop_box(image: NDArray[np.uint8], *, rect: Rect, margin_mm: float = 2.0) -> NDArray[np.uint8]:
    """A box with a margin around it, as a new gray array (for the bulk grid)."""
    grown = Rect(rect.x - margin_mm, rect.y - margin_mm, rect.w + 2 * margin_mm, rect.h + 2 * margin_mm)
    return np.ascontiguousarray(_clip(image, to_px(grown)))
