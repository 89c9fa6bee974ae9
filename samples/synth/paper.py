"""Printed pages at 300 dpi: the template's pages rasterised once, then personalised per copy.

Rasterising a PDF for every copy costs ~80 ms a page; instead each template page is rendered
once with :func:`omr.render.render_pdf` and rasterised by ``pdftoppm``, its QR code and printed
form id are erased, and every copy gets its own QR (:func:`omr.render.qr_matrix`, area-sampled)
and id text (the same DejaVu Sans Mono at the same size and place as the PDF renderer).
"""

from __future__ import annotations

import functools
import hashlib
import math
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from omr._tools import which_or_raise
from omr.errors import MissingDependencyError
from omr.fonts import font_path, text_width_pt
from omr.formid import PageIdentity, display_form_id
from omr.render import FormCopy, qr_matrix, render_pdf
from omr.template.layout import ID_TEXT_SIZE, MM_PER_PT, PageLayout, Rect, layout_template
from omr.template.model import Template
from samples.synth.ink import PAPER_DPI, PX_PER_MM, U8, Rng
from samples.synth.phrases import FOREIGN_LETTER

_PLACEHOLDER_ID = "00000000"
_ID_BASELINE_UP = 1.2  # mm above the id rect's bottom edge (as omr.render draws it)


def id_text(ident: PageIdentity) -> str:
    """The human-readable identity printed under the QR code."""
    return f"{display_form_id(ident.form_id)}  {ident.page}/{ident.pages}"


def id_text_rect(page: PageLayout, ident: PageIdentity) -> Rect:
    """Where the printed id of ``ident`` lies on ``page`` (mm), with a small margin."""
    r = page.printed_id
    width = text_width_pt(id_text(ident), "mono", ID_TEXT_SIZE) * MM_PER_PT
    baseline = r.bottom - _ID_BASELINE_UP
    return Rect(r.right - width - 0.6, baseline - ID_TEXT_SIZE * MM_PER_PT, width + 1.2, ID_TEXT_SIZE * MM_PER_PT * 1.3)


def _px_slice(rect: Rect, shape: tuple[int, ...], grow: float = 0.0) -> tuple[slice, slice]:
    k = PX_PER_MM
    r0 = max(int(math.floor((rect.y - grow) * k)), 0)
    r1 = min(int(math.ceil((rect.bottom + grow) * k)), shape[0])
    c0 = max(int(math.floor((rect.x - grow) * k)), 0)
    c1 = min(int(math.ceil((rect.right + grow) * k)), shape[1])
    return slice(r0, r1), slice(c0, c1)


_PAGES: dict[str, tuple[U8, ...]] = {}


def _rasterised(template: Template) -> tuple[U8, ...]:
    key = hashlib.sha256(template.model_dump_json().encode()).hexdigest()
    if key not in _PAGES:
        _PAGES[key] = _rasterise(template)
    return _PAGES[key]


def _rasterise(template: Template) -> tuple[U8, ...]:
    pdftoppm = which_or_raise("pdftoppm", "poppler-utils")
    pdf = render_pdf(template, [FormCopy(_PLACEHOLDER_ID)])
    with tempfile.TemporaryDirectory(prefix="sipas-synth-") as tmp:
        src = Path(tmp) / "blank.pdf"
        src.write_bytes(pdf)
        subprocess.run([str(pdftoppm), "-r", str(int(PAPER_DPI)), "-gray", str(src), str(Path(tmp) / "p")],
                       check=True, capture_output=True)
        pages: list[U8] = []
        for path in sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
            img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if img is None:
                raise MissingDependencyError(f"pdftoppm wrote an unreadable page {path.name}")
            pages.append(np.ascontiguousarray(img))
    layout = layout_template(template)
    if len(pages) != len(layout.pages):
        raise MissingDependencyError(f"pdftoppm rasterised {len(pages)} pages of {template.name}, "
                                     f"expected {len(layout.pages)}")
    for img, page in zip(pages, layout.pages, strict=True):
        ident = PageIdentity(template.name, template.version, _PLACEHOLDER_ID, page.number, len(layout.pages))
        for rect in (page.printed_qr, id_text_rect(page, ident)):
            rows, cols = _px_slice(rect, img.shape, grow=0.3)
            img[rows, cols] = 255
        img.setflags(write=False)
    return tuple(pages)


def blank_page(template: Template, number: int) -> U8:
    """Page ``number`` of ``template`` as printed, without QR code and form id (read-only)."""
    return _rasterised(template)[number - 1]


def _paint_qr(image: U8, bits: np.ndarray, rect: Rect) -> None:
    """Paint QR modules into ``rect`` with area-sampled (4×4) anti-aliasing."""
    rows, cols = _px_slice(rect, image.shape, grow=0.1)
    n = bits.shape[0]
    cell = rect.w * PX_PER_MM / n
    sub = (np.arange(4) + 0.5) / 4
    ys = (np.arange(rows.start, rows.stop)[:, None] + sub[None, :]).ravel() - rect.y * PX_PER_MM
    xs = (np.arange(cols.start, cols.stop)[:, None] + sub[None, :]).ravel() - rect.x * PX_PER_MM
    iy, ix = np.floor(ys / cell).astype(int), np.floor(xs / cell).astype(int)
    vy, vx = (iy >= 0) & (iy < n), (ix >= 0) & (ix < n)
    dark = np.zeros((ys.size, xs.size), np.float32)
    dark[np.ix_(vy, vx)] = bits[np.ix_(iy[vy], ix[vx])]
    cover = dark.reshape(rows.stop - rows.start, 4, cols.stop - cols.start, 4).mean(axis=(1, 3))
    region = image[rows, cols].astype(np.float32)
    image[rows, cols] = np.clip(region * (1.0 - cover) + 0.5, 0, 255).astype(np.uint8)


@functools.cache
def _mono_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path("mono")), ID_TEXT_SIZE * PAPER_DPI / 72.0)


def _paint_id(image: U8, page: PageLayout, ident: PageIdentity) -> None:
    rect = id_text_rect(page, ident)
    rows, cols = _px_slice(rect, image.shape, grow=0.5)
    patch = Image.new("L", (cols.stop - cols.start, rows.stop - rows.start), 0)
    x = page.printed_id.right * PX_PER_MM - cols.start
    y = (page.printed_id.bottom - _ID_BASELINE_UP) * PX_PER_MM - rows.start
    ImageDraw.Draw(patch).text((x, y), id_text(ident), font=_mono_font(), fill=255, anchor="rs")
    cover = np.asarray(patch, np.float32) / 255.0
    region = image[rows, cols].astype(np.float32)
    image[rows, cols] = np.clip(region * (1.0 - cover) + 0.5, 0, 255).astype(np.uint8)


def printed_page(template: Template, form_id: str, number: int) -> U8:
    """Page ``number`` of copy ``form_id`` as it comes out of the printer (a new array)."""
    layout = layout_template(template)
    page = layout.page(number)
    ident = PageIdentity(template.name, template.version, form_id, number, len(layout.pages))
    image = blank_page(template, number).copy()
    _paint_qr(image, qr_matrix(ident.payload()), page.printed_qr)
    _paint_id(image, page, ident)
    return image


def foreign_document(rng: Rng) -> U8:
    """A page that is not a questionnaire: a typed citizen's letter with a signature, 300 dpi."""
    w, h = round(210 * PX_PER_MM), round(297 * PX_PER_MM)
    page = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(page)
    regular = ImageFont.truetype(str(font_path("regular")), 12 * PAPER_DPI / 72)
    bold = ImageFont.truetype(str(font_path("bold")), 13 * PAPER_DPI / 72)
    y = 25 * PX_PER_MM + float(rng.uniform(0, 15)) * PX_PER_MM
    for i, line in enumerate(FOREIGN_LETTER):
        font = bold if i in (0, 3) else regular
        centred = i in (0, 1, 3)
        x = w / 2 if centred else 25 * PX_PER_MM
        draw.text((x, y), line, font=font, fill=20, anchor="ms" if centred else "ls")
        y += 8.5 * PX_PER_MM
    # A signature: a loose scribble under the text.
    sx, sy = w * 0.62, y + 20 * PX_PER_MM
    t = np.linspace(0, 1, 60)
    xs = sx + t * 45 * PX_PER_MM
    ys = sy + np.sin(t * float(rng.uniform(12, 20))) * 4 * PX_PER_MM * (1 - t)
    draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=60, width=5)
    return np.asarray(page, np.uint8).copy()
