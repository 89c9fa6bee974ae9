"""Load what a page of a form we did not print is aligned and read with: its blank page image (for
feature matching and for telling printed ink from respondents' ink), its corner-mark image and its
barcode pattern. Paths in the template are relative to the template file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.errors import TemplateError
from omr.reader.align import aligned_shape
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.features import reference_from_image
from omr.reader.frame import Frame, MarkImage
from omr.template.model import Template
from omr.template.scaninput import load_named_image


@dataclass(frozen=True)
class FixedPageRefs:
    """One template page of a form we did not print, ready to align and read."""

    frame: Frame
    blank: NDArray[np.uint8] | None
    """The blank page at the aligned resolution (None when the template has no blank image)."""
    barcode: re.Pattern[str] | None


def load_fixed_page(template: Template, page: int, source: Path, *,
                    config: ReaderConfig = DEFAULT_CONFIG) -> FixedPageRefs:
    """The frame, aligned blank and barcode pattern of page ``page`` (1-based) of a fixed template read
    from ``source`` (its images are named relative to it)."""
    fixed = template.layout
    if fixed is None:
        raise TemplateError(f"template {template.name}: not a form with a fixed layout")
    spec = fixed.pages[page - 1]
    size = fixed.size_mm
    where = f"template {template.name} page {page}"
    blank_aligned = reference = None
    if spec.blank:
        blank = load_named_image(source, spec.blank)
        rows, cols = aligned_shape(size)
        blank_aligned = np.asarray(cv2.resize(blank, (cols, rows), interpolation=cv2.INTER_AREA), np.uint8)
        reference = reference_from_image(blank, size, config=config)
    mark = None
    if fixed.marks is not None:
        mark_image = load_named_image(source, fixed.marks.image)
        mark = MarkImage(mark_image, fixed.marks.width, tuple((float(x), float(y)) for x, y in fixed.marks.centres))
    try:
        barcode = re.compile(spec.barcode) if spec.barcode else None
    except re.error as exc:
        raise TemplateError(f"{where}: barcode {spec.barcode!r} is not a regular expression: {exc}") from exc
    frame = Frame(size, tuple(fixed.align), reference, mark)
    return FixedPageRefs(frame, blank_aligned, barcode)
