"""An overlay image to check a fixed-layout template: its blank pages with every box outlined.

Each box is outlined in colour (checkbox or bubble blue, comb cell green, writing area orange, the
option's label rectangle thin gray) with its answer code and value written beside it, so that a
survey manager sees at a glance a missing, extra or misplaced box and a wrong code. Pages are
stacked top to bottom in one PNG.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.errors import TemplateError
from omr.template.layout import FormLayout, layout_template
from omr.template.model import Template
from omr.template.scaninput import load_named_image

_COLOURS = {"box": (200, 80, 0), "digit": (0, 150, 0), "text": (0, 120, 240)}
_LABEL_COLOUR = (150, 150, 150)
_GAP_PX = 24


def overlay_page(blank: NDArray[np.uint8], layout: FormLayout, number: int, dpi: float) -> NDArray[np.uint8]:
    """One page: the blank (grayscale, at ``dpi``, the page frame) in colour with the boxes drawn on it.

    Parameters
    ----------
    blank : (M, N) ndarray of uint8
        The blank page as the template's ``blank`` image, whose frame is the page.
    layout : FormLayout
        The template's layout (:func:`omr.template.layout.layout_template`).
    number : int
        The page number (1-based).
    dpi : float
        Resolution of ``blank``.

    Returns
    -------
    (M, N, 3) ndarray of uint8
        A BGR image.
    """
    k = dpi / 25.4
    out = cv2.cvtColor(blank, cv2.COLOR_GRAY2BGR)
    out = np.asarray(out.astype(np.float32) * 0.55 + 255 * 0.45, dtype=np.uint8)  # lighten the print under the boxes
    scale = max(0.3, dpi / 300.0)
    for box in layout.page(number).boxes:
        colour = _COLOURS[box.kind]
        r = box.rect
        p0, p1 = (round(r.x * k), round(r.y * k)), (round(r.right * k), round(r.bottom * k))
        if box.label is not None:
            lr = box.label
            cv2.rectangle(out, (round(lr.x * k), round(lr.y * k)), (round(lr.right * k), round(lr.bottom * k)),
                          _LABEL_COLOUR, 1)
        if box.shape == "circle":
            cv2.ellipse(out, ((r.centre[0] * k, r.centre[1] * k), (r.w * k, r.h * k), 0), colour, 2)
        else:
            cv2.rectangle(out, p0, p1, colour, 2)
        text = f"{box.field}={box.value}" if box.value else box.field
        if box.kind == "digit" and box.value != "1":
            text = box.value
        cv2.putText(out, text, (p0[0], max(8, p0[1] - 2)), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale * 2, colour,
                    max(1, round(scale * 1.5)), cv2.LINE_AA)
    return np.asarray(out, dtype=np.uint8)


def overlay_image(template: Template, blanks: Sequence[NDArray[np.uint8]], dpi: float) -> NDArray[np.uint8]:
    """All pages of a fixed-layout template over their blanks, stacked top to bottom (BGR)."""
    layout = layout_template(template)
    if len(blanks) != len(layout.pages):
        raise TemplateError(f"template {template.name}: {len(layout.pages)} page(s) but {len(blanks)} blank image(s)")
    pages = [overlay_page(b, layout, n, dpi) for n, b in enumerate(blanks, start=1)]
    width = max(p.shape[1] for p in pages)
    rows: list[NDArray[np.uint8]] = []
    for i, p in enumerate(pages):
        if i:
            rows.append(np.full((_GAP_PX, width, 3), 90, np.uint8))
        pad = np.full((p.shape[0], width - p.shape[1], 3), 255, np.uint8)
        rows.append(np.hstack([p, pad]))
    return np.vstack(rows)


def load_blank(template_path: Path, blank: str, width_mm: float) -> tuple[NDArray[np.uint8], float]:
    """A page's blank image named in a template, and its dpi taken from its width and the page width."""
    image = load_named_image(template_path, blank)
    return image, image.shape[1] / width_mm * 25.4


def write_overlay(template: Template, template_path: Path, out: Path) -> Path:
    """Draw a fixed-layout template over the blanks it names and write the PNG ``out``."""
    if template.layout is None:
        raise TemplateError(f"{template_path}: not a fixed-layout template (no 'layout'): nothing to overlay; "
                            "use `sipas template render` for forms we print")
    width = template.layout.size_mm[0]
    blanks: list[NDArray[np.uint8]] = []
    dpis: list[float] = []
    for p, page in enumerate(template.layout.pages, start=1):
        if page.blank is None:
            raise TemplateError(f"{template_path}: layout.pages[{p - 1}] names no blank image ('blank:'); "
                                "add the image of the blank page to check the boxes on it")
        image, dpi = load_blank(template_path, page.blank, width)
        blanks.append(image)
        dpis.append(dpi)
    dpi = dpis[0]
    target = [b if abs(d - dpi) < 0.5
              else np.asarray(cv2.resize(b, None, fx=dpi / d, fy=dpi / d, interpolation=cv2.INTER_AREA), np.uint8)
              for b, d in zip(blanks, dpis, strict=True)]
    picture = overlay_image(template, target, dpi)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), picture):
        raise TemplateError(f"{out}: cannot write the overlay image there; choose another --out")
    return out


__all__ = ["load_blank", "overlay_image", "overlay_page", "write_overlay"]
