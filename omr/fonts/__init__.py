"""The fonts the forms are printed in, shipped with the package (DejaVu; see LICENSE.txt).

Layout measures text with the same metrics the PDF renderer uses, so wrapped text never overflows
its box. No system font path is relied on.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FontName = Literal["regular", "bold", "italic", "mono"]

_FILES: dict[FontName, str] = {
    "regular": "DejaVuSansCondensed.ttf",
    "bold": "DejaVuSansCondensed-Bold.ttf",
    "italic": "DejaVuSansCondensed-Oblique.ttf",
    "mono": "DejaVuSansMono.ttf",
}
_PDF_NAMES: dict[FontName, str] = {
    "regular": "SipasSans",
    "bold": "SipasSans-Bold",
    "italic": "SipasSans-Italic",
    "mono": "SipasMono",
}


def font_path(font: FontName) -> Path:
    """The TTF file of a font."""
    return Path(__file__).parent / _FILES[font]


@functools.cache
def pdf_font(font: FontName) -> str:
    """Register the font with reportlab (once) and return its PDF name."""
    name = _PDF_NAMES[font]
    pdfmetrics.registerFont(TTFont(name, str(font_path(font))))
    return name


def text_width_pt(text: str, font: FontName, size_pt: float) -> float:
    """Width of ``text`` in points."""
    return float(pdfmetrics.stringWidth(text, pdf_font(font), size_pt))


def wrap(text: str, font: FontName, size_pt: float, width_pt: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width_pt`` (words are never broken unless too long)."""
    lines: list[str] = simpleSplit(text, pdf_font(font), size_pt, width_pt)
    return lines or [""]
