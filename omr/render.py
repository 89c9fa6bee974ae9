"""Paint a template's layout into a PDF of personalised A4 copies.

Each copy gets its own opaque form id, printed in a QR code and in plain characters on every page.
The renderer only paints what :mod:`omr.template.layout` computed, so the geometry JSON and the
printed page agree by construction.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import segno
from numpy.typing import NDArray
from reportlab.pdfgen.canvas import Canvas

from omr.errors import BadArgumentsError, InputFileError, TemplateError
from omr.fonts import pdf_font
from omr.formid import PageIdentity, display_form_id, new_form_id
from omr.template.layout import (
    BOX_LINE_PT,
    ID_TEXT_SIZE,
    MM_PER_PT,
    PAGE_H,
    Box,
    FormLayout,
    PageLayout,
    Rect,
    RuleOp,
    SampleMarkOp,
    ShadeOp,
    TextOp,
    layout_template,
)
from omr.template.model import Template

IDENTITY_COLUMNS = ("name", "address", "phone")


@dataclass(frozen=True)
class FormCopy:
    """One personalised copy: its id and the sample-unit codes it carries."""

    form_id: str
    units: dict[str, str] = field(default_factory=dict)
    identity: dict[str, str] = field(default_factory=dict)


def _pt(mm: float) -> float:
    return mm / MM_PER_PT


def _y(mm: float) -> float:
    return (PAGE_H - mm) / MM_PER_PT


@functools.cache
def aruco_bits(marker_id: int) -> NDArray[np.bool_]:
    """The 6×6 cells (border included) of an ArUco DICT_4X4_50 marker; True = black."""
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    img = cv2.aruco.generateImageMarker(dictionary, marker_id, 6)
    return np.asarray(img < 128)


QR_ERROR = "h"
"""Error correction level of the printed QR: H restores up to 30 % of damaged codewords (forms printed
before it used Q, 25 %; both read). The built-in templates' payloads make a version-5 symbol (37
modules, 0.49 mm each in the 18 mm square; Q made version 4, 33 modules). Measured on 8-form
``sipas synth --families evaluation`` sets: every page's QR decodes on undamaged 150/200-dpi photos
and 200-dpi 1-bit faxes, as with Q; with two or three ink blots on the symbol, 20 of 32 photo pages
and 21 of 32 fax pages decode against 9 and 17 for Q."""
QR_MAX_MODULES = 41
"""Above this many modules (a long template name) the symbol falls back to level Q, so a module stays
at least 0.44 mm (2.6 pixels at 150 dpi)."""


def qr_matrix(payload: str, error: str | None = None) -> NDArray[np.bool_]:
    """QR modules (no quiet zone), error correction level :data:`QR_ERROR` unless ``error`` says
    otherwise (Q for payloads too long for H); True = black."""
    qr = segno.make_qr(payload, error=error or QR_ERROR, boost_error=False)
    if qr.symbol_size(border=0)[0] > QR_MAX_MODULES and qr.error != "Q":
        qr = segno.make_qr(payload, error="q", boost_error=False)
    return np.array([[bool(v) for v in row] for row in qr.matrix], dtype=bool)


def _cells(c: Canvas, bits: NDArray[np.bool_], rect: Rect) -> None:
    """Paint a boolean matrix into ``rect``, one rectangle per horizontal run of black cells."""
    rows, cols = bits.shape
    cw, ch = rect.w / cols, rect.h / rows
    for r in range(rows):
        col = 0
        while col < cols:
            if not bits[r, col]:
                col += 1
                continue
            start = col
            while col < cols and bits[r, col]:
                col += 1
            x, y = rect.x + start * cw, rect.y + r * ch
            c.rect(_pt(x), _y(y + ch), _pt((col - start) * cw), _pt(ch), stroke=0, fill=1)


def _box(c: Canvas, box: Box) -> None:
    lw = BOX_LINE_PT * MM_PER_PT
    r = box.rect
    gray = 0.0 if box.kind != "text" else 0.35
    c.setStrokeGray(gray)
    c.setLineWidth(BOX_LINE_PT)
    c.rect(_pt(r.x + lw / 2), _y(r.bottom - lw / 2), _pt(r.w - lw), _pt(r.h - lw), stroke=1, fill=0)


def _sample_mark(c: Canvas, op: SampleMarkOp) -> None:
    _box(c, Box("", "", "box", op.rect))
    r = op.rect
    c.setStrokeGray(0.1)
    c.setFillGray(0.1)
    c.setLineWidth(1.2)
    if op.mark == "cross":
        c.line(_pt(r.x + 0.6), _y(r.y + 0.6), _pt(r.right - 0.6), _y(r.bottom - 0.6))
        c.line(_pt(r.x + 0.6), _y(r.bottom - 0.6), _pt(r.right - 0.6), _y(r.y + 0.6))
    elif op.mark == "tick":
        c.line(_pt(r.x + 0.8), _y(r.y + r.h * 0.55), _pt(r.x + r.w * 0.42), _y(r.bottom - 0.7))
        c.line(_pt(r.x + r.w * 0.42), _y(r.bottom - 0.7), _pt(r.right - 0.5), _y(r.y + 0.5))
    else:
        c.rect(_pt(r.x), _y(r.bottom), _pt(r.w), _pt(r.h), stroke=0, fill=1)


def _text(c: Canvas, op: TextOp) -> None:
    c.setFillGray(op.gray)
    c.setFont(pdf_font(op.font), op.size)
    x, y = _pt(op.x), _y(op.y)
    if op.anchor == "middle":
        c.drawCentredString(x, y, op.text)
    elif op.anchor == "end":
        c.drawRightString(x, y, op.text)
    else:
        c.drawString(x, y, op.text)


def _page(c: Canvas, page: PageLayout, ident: PageIdentity) -> None:
    for op in page.drawing:
        if isinstance(op, ShadeOp):
            c.setFillGray(op.gray)
            r = op.rect
            c.rect(_pt(r.x), _y(r.bottom), _pt(r.w), _pt(r.h), stroke=0, fill=1)
        elif isinstance(op, RuleOp):
            c.setStrokeGray(op.gray)
            c.setLineWidth(op.width_pt)
            c.line(_pt(op.x1), _y(op.y1), _pt(op.x2), _y(op.y2))
        elif isinstance(op, TextOp):
            _text(c, op)
        else:
            _sample_mark(c, op)
    for box in page.boxes:
        _box(c, box)
    c.setFillGray(0.0)
    for fid in page.fiducials:
        _cells(c, aruco_bits(fid.marker_id), fid.rect)
    _cells(c, qr_matrix(ident.payload()), page.printed_qr)
    r = page.printed_id
    c.setFont(pdf_font("mono"), ID_TEXT_SIZE)
    c.drawRightString(_pt(r.right), _y(r.bottom - 1.2), f"{display_form_id(ident.form_id)}  {ident.page}/{ident.pages}")


def render_pdf(template: Template, copies: Sequence[FormCopy]) -> bytes:
    """The PDF of ``copies`` (byte-identical for the same template and ids)."""
    if template.layout is not None:
        raise TemplateError(
            f"template {template.name}: a form we did not print (its template states a fixed layout) cannot be "
            "printed by sipas; print copies of the original form"
        )
    layout: FormLayout = layout_template(template)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(_pt(layout.width), _pt(layout.height)), invariant=1, pageCompression=1)
    c.setTitle(template.title.vi)
    c.setAuthor(template.issuer.vi if template.issuer else "")
    c.setCreator("sipas")
    c.setSubject(f"{template.name} {template.version}")
    for copy in copies:
        for page in layout.pages:
            ident = PageIdentity(template.name, template.version, copy.form_id, page.number, len(layout.pages))
            _page(c, page, ident)
            c.showPage()
    c.save()
    return buf.getvalue()


def new_copies(count: int, seed: int | None = None, stream: str | None = None) -> list[FormCopy]:
    """``count`` copies with fresh random ids (reproducible with ``seed``), no sample list.

    ``stream`` (e.g. the template name) gives each template its own reproducible id stream, so two
    questionnaires printed with the same seed never share form ids.
    """
    if count < 1:
        raise BadArgumentsError("--copies must be at least 1")
    if seed is None:
        rng: random.Random = random.SystemRandom()
    elif stream is None:
        rng = random.Random(seed)
    else:
        rng = random.Random(f"{seed}:{stream}")
    ids: list[str] = []
    while len(ids) < count:
        fid = new_form_id(rng)
        if fid not in ids:
            ids.append(fid)
    return [FormCopy(fid) for fid in ids]


def copies_from_sample_list(template: Template, path: Path, seed: int | None = None) -> list[FormCopy]:
    """One copy per row of a sample list CSV.

    Columns: one per sample unit of the template (e.g. ``province,district,commune,village``),
    and optionally ``name,address,phone`` (kept only in the identities file) and any others.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: cannot read the sample list: {exc}") from exc
    if not rows:
        raise InputFileError(f"{path}: the sample list has no rows")
    unit_codes = [u.code for u in template.sample_units]
    missing = [c for c in unit_codes if c not in rows[0]]
    if missing:
        raise InputFileError(
            f"{path}: the sample list lacks the column(s) {', '.join(missing)} that template "
            f"{template.name} needs (columns: {', '.join(unit_codes)}, optional name,address,phone)"
        )
    copies = new_copies(len(rows), seed)
    out = []
    for line, (row, copy) in enumerate(zip(rows, copies, strict=True), start=2):
        units = {c: (row.get(c) or "").strip() for c in unit_codes}
        empty = [c for c, v in units.items() if not v]
        if empty:
            raise InputFileError(
                f"{path}: line {line}: empty {', '.join(empty)}; every sampled form needs its unit codes"
            )
        identity = {c: (row.get(c) or "").strip() for c in IDENTITY_COLUMNS if c in row}
        out.append(FormCopy(copy.form_id, units, identity))
    return out


def write_manifest(template: Template, copies: Iterable[FormCopy], path: Path) -> None:
    """The manifest that travels with the answers: form id, template, pages and unit codes only.

    Blank copies (``--copies``, no sample list) carry no unit codes: their manifest has no unit
    columns at all rather than empty ones (the store then gives those forms no unit; see
    :func:`omr.store.manifest.read_manifest`).
    """
    copies = list(copies)
    assigned = any(v for c in copies for v in c.units.values())
    unit_codes = [u.code for u in template.sample_units] if assigned else []
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["form_id", "template", "version", "pages", *unit_codes])
        for copy in copies:
            w.writerow([copy.form_id, template.name, template.version, template.page_count,
                        *(copy.units.get(c, "") for c in unit_codes)])


def write_identities(copies: Iterable[FormCopy], path: Path) -> int:
    """The respondent identities, kept apart from anything that travels with the answers."""
    rows = [c for c in copies if c.identity]
    if not rows:
        return 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # names and phones: owner only
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["form_id", *IDENTITY_COLUMNS])
        for copy in rows:
            w.writerow([copy.form_id, *(copy.identity.get(c, "") for c in IDENTITY_COLUMNS)])
    return len(rows)
