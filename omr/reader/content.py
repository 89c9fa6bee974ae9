"""Read the answers of an aligned, identified page: checkboxes, comb digits and writing areas."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omr.reader.align import Alignment
from omr.reader.around import ink_around
from omr.reader.boxes import calibrate_page, is_bilevel, measure_boxes, smooth_page
from omr.reader.context import ReaderContext
from omr.reader.digitfields import decide_digit_field, is_date_field, read_cells
from omr.reader.fields import box_readings, decide_fields, flag_unanswered
from omr.reader.handwriting import check_writing, crop_box, decide_text
from omr.reader.light import normalise_light
from omr.reader.marks import classify_boxes
from omr.reader.ocr import OcrResult
from omr.reader.positions import locate_boxes
from omr.reader.printed import printed_darkness, printed_map
from omr.reader.residue import find_residue, flag_light_page, weigh_residue
from omr.reader.sampling import sample_rect
from omr.reader.settle import settle_boxes
from omr.template.layout import Box, PageLayout
from omr.template.model import DigitsField, Template
from omr.types import BoxReading, FieldReading

_OCR_DPI = 300.0


@dataclass(frozen=True)
class PageContent:
    """Every box and every answer code of one page."""

    boxes: tuple[BoxReading, ...]
    fields: tuple[FieldReading, ...]


OcrSource = Callable[[], tuple[NDArray[np.uint8], NDArray[np.float64]]]
"""Gives the page image writing areas are OCR'd from and its homography (called only when one is written)."""


def read_content(
    image: NDArray[np.uint8], fit: Alignment, template: Template, layout: PageLayout, ctx: ReaderContext,
    *, blank: NDArray[np.uint8] | None = None, ocr_source: OcrSource | None = None,
) -> PageContent:
    """Read all fields of a page.

    Parameters
    ----------
    image : (M, N) ndarray of uint8
        The page as scanned (writing areas are OCR'd from it at 300 dpi).
    fit : Alignment
        Its alignment, with the aligned page.
    template, layout : Template, PageLayout
        The identified template and page.
    ctx : ReaderContext
        Readers and configuration.
    blank : (M, N) ndarray of uint8, optional
        The blank page at the aligned resolution, for a form we did not print: its ink is the printed
        ink (our own forms' is rendered from the template).
    ocr_source : callable, optional
        The full-size page and its homography when ``image`` is a reduced decode of it (the page is
        then decoded at full size only when a writing area is written); default ``image`` itself.

    Returns
    -------
    PageContent
        Box readings of the checkboxes, and one field reading per answer code of the page, in the
        template's order.
    """
    config = ctx.config
    smoothed = smooth_page(fit.aligned)
    calibration = normalise_light(smoothed, calibrate_page(smoothed), config=config)
    boxes = layout.boxes
    shifts = locate_boxes(smoothed, boxes, config=config).shifts
    check = [i for i, b in enumerate(boxes) if b.kind == "box"]
    checkboxes = [boxes[i] for i in check]
    measures = measure_boxes(smoothed, checkboxes, shifts[check], calibration, config=config)
    bilevel = is_bilevel(image)
    decisions = classify_boxes(measures, bilevel=bilevel, config=config)
    readings = box_readings(checkboxes, decisions, measures)
    printed = (printed_map(template, layout.number, config.printed_grow_px) if blank is None
               else printed_darkness(blank, config.printed_grow_px))
    around = ink_around(fit.aligned, calibration, printed, checkboxes, shifts[check], bilevel=bilevel, config=config)
    readings, notes = settle_boxes(readings, around, config=config)
    residue = find_residue(readings, measures, template.answer_kinds(), config=config)
    readings = weigh_residue(readings, residue, config=config)
    decided = decide_fields(template, readings, decisions.faint.tolist(), residue=residue, notes=notes,
                            calibration=ctx.mark_calibration, config=config)
    found = {f.field: f for f in decided}
    found.update(read_digit_fields(fit.aligned, template, boxes, shifts, ctx))
    for i, b in enumerate(boxes):
        if b.kind != "text":
            continue
        area = crop_box(fit.aligned, b, shifts[i], margin_mm=-config.text_inset_mm)
        written = check_writing(area, calibration, config=config)
        source = ocr_source or (lambda: (image, fit.homography))
        found[b.field] = decide_text(b.field, written, ocr_call(source, b, ctx), config=config)
    order = [c for c in template.answer_codes() if c in found]
    fields = flag_unanswered([found[c] for c in order], config=config)
    fields = flag_light_page(fields, residue, config=config)
    return PageContent(tuple(readings), tuple(fields))


def ocr_call(source: OcrSource, box: Box, ctx: ReaderContext) -> Callable[[], OcrResult]:
    """Tesseract on a writing area sampled from the scan at 300 dpi (called only when written)."""

    def run() -> OcrResult:
        image, homography = source()
        crop = sample_rect(image, homography, box.rect, dpi=_OCR_DPI, margin_mm=-ctx.config.text_inset_mm)
        return ctx.ocr.read(crop, lang="vie", psm=6)

    return run


def read_digit_fields(
    aligned: NDArray[np.uint8], template: Template, boxes: Sequence[Box], shifts: NDArray[np.int64],
    ctx: ReaderContext,
) -> dict[str, FieldReading]:
    """All comb fields of the page, read in one batch, each decided as a whole."""
    cells: dict[str, list[tuple[int, NDArray[np.uint8]]]] = {}
    for i, b in enumerate(boxes):
        if b.kind == "digit":
            cells.setdefault(b.field, []).append((int(b.value), crop_box(aligned, b, shifts[i])))
    if not cells:
        return {}
    ordered = {code: [c for _, c in sorted(items, key=lambda t: t[0])] for code, items in cells.items()}
    flat = [c for crops in ordered.values() for c in crops]
    read = read_cells(ctx.digit_reader, flat)
    out: dict[str, FieldReading] = {}
    pos = 0
    for code, crops in ordered.items():
        field = template.question_of(code)
        date = isinstance(field, DigitsField) and is_date_field(field)
        out[code] = decide_digit_field(code, read[pos : pos + len(crops)], date=date,
                                       accept=ctx.config.digit_accept, config=ctx.config)
        pos += len(crops)
    return out
