"""The pages of a blank form given as a scan (PNG, JPEG, TIFF) or the original PDF, with their dpi
and, for a PDF, the paper size it states."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from omr.errors import BadArgumentsError, InputFileError, TemplateError
from omr.template.detect import page_size_for
from omr.template.layout import MM_PER_PT
from omr.template.model import PageSize

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass(frozen=True)
class BlankPages:
    """The pages (grayscale), their resolution and the paper size (None: from the image size)."""

    images: tuple[NDArray[np.uint8], ...]
    dpis: tuple[float, ...]
    page_size: str | PageSize | None


def load_blank_pages(path: Path, dpi: float | None = None) -> BlankPages:
    """Every page of ``path``; ``dpi`` overrides (or supplies) an image's resolution.

    Raises
    ------
    InputFileError
        The file is missing, damaged or of an unknown type.
    BadArgumentsError
        An image states no resolution and ``dpi`` was not given.
    """
    from omr.imagepages import decode_image, tiff_page_count
    from omr.pdfpages import load_pdf_page, pdf_page_infos

    if not path.is_file():
        raise InputFileError(f"{path}: no such file; give the blank form as a PDF, PNG, JPEG or TIFF")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        infos = pdf_page_infos(path)
        if isinstance(infos, str):
            raise InputFileError(f"{path}: {infos}")
        images, dpis = [], []
        for i, info in enumerate(infos):
            page = load_pdf_page(path, i, info)
            if isinstance(page, str):
                raise InputFileError(f"{path}: page {i + 1}: {page}")
            images.append(page.image)
            dpis.append(float(page.dpi or 300.0))
        first = infos[0]
        size = page_size_for(first.width_pt * MM_PER_PT, first.height_pt * MM_PER_PT)
        return BlankPages(tuple(images), tuple(dpis), size)
    if suffix not in _IMAGE_SUFFIXES:
        raise InputFileError(f"{path}: not a PDF or an image (PNG, JPEG, TIFF); export the blank form as one")
    count = tiff_page_count(path) if suffix in (".tif", ".tiff") else 1
    if isinstance(count, str):
        raise InputFileError(f"{path}: {count}")
    images, dpis = [], []
    for frame in range(count):
        decoded = decode_image(path, frame, f"page {frame + 1}")
        if isinstance(decoded, str):
            raise InputFileError(f"{path}: {decoded}")
        res = dpi or decoded.dpi
        if res is None:
            raise BadArgumentsError(f"{path}: the image does not say its resolution; give it with --dpi "
                                    "(e.g. --dpi 300 for a page scanned at 300 dpi)")
        images.append(decoded.image)
        dpis.append(float(res))
    return BlankPages(tuple(images), tuple(dpis), None)


def load_named_image(template_path: Path, ref: str) -> NDArray[np.uint8]:
    """A grayscale image a template names (``blank:``, ``marks.image``): a PNG/JPEG/TIFF or ``file.pdf#N``,
    relative to the template file; :class:`TemplateError` naming both when it cannot be read."""
    from omr.imagepages import decode_image
    from omr.pdfpages import load_pdf_page

    name, _, frag = ref.partition("#")
    path = (template_path.parent / name).resolve()
    if not path.is_file():
        raise TemplateError(f"{template_path}: {ref} does not exist ({path}; paths are relative to the template file)")
    if path.suffix.lower() == ".pdf":
        decoded = load_pdf_page(path, int(frag) - 1 if frag.isdigit() else 0, None)
    else:
        decoded = decode_image(path, 0, ref)
    if isinstance(decoded, str):
        raise TemplateError(f"{template_path}: {ref}: {decoded}")
    return decoded.image


__all__ = ["BlankPages", "load_blank_pages", "load_named_image"]
