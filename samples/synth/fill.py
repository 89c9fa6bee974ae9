"""Put one respondent's answers on the printed pages of their copy (300 dpi, grayscale)."""

from __future__ import annotations

import cv2
import numpy as np

from omr.template.layout import TEXT_LINE_H, Rect, layout_template
from omr.template.model import Template
from samples.synth.answers import FormAnswers
from samples.synth.handdigits import DigitBank, draw_digits
from samples.synth.handtext import draw_text
from samples.synth.ink import PAPER_DPI, PX_PER_MM, U8, Rng, Sheet
from samples.synth.inking import PageBoxes, draw_intent
from samples.synth.marks import PxRect, draw_stray_marks
from samples.synth.paper import printed_page
from samples.synth.respondents import Hand, random_hand

__all__ = ["Hand", "blank_back", "fill_page", "random_hand"]


def _px(rect: Rect) -> PxRect:
    x, y, w, h = rect.to_px(PAPER_DPI)
    return (x, y, w, h)


def fill_page(
    template: Template, form_id: str, number: int, answers: FormAnswers, *, hand: Hand, rng: Rng,
    bank: DigitBank | None = None,
) -> U8:
    """Page ``number`` of copy ``form_id`` with ``answers`` written on it by ``hand``.

    Returns
    -------
    page : (rows, cols) ndarray of uint8
        The filled page at 300 dpi, paper white (255) and ink dark.
    """
    page = layout_template(template).page(number)
    sheet = Sheet(printed_page(template, form_id, number))
    if number in answers.blank_pages or number in answers.missing_pages:
        return sheet.image
    placed = PageBoxes.of(page)
    cells: dict[str, list[PxRect]] = {}
    areas: dict[str, Rect] = {}
    for b in page.boxes:
        if b.kind == "digit":
            cells.setdefault(b.field, []).append(_px(b.rect))
        elif b.kind == "text":
            areas[b.field] = b.rect
    for intent in sorted(answers.boxes, key=lambda i: i.role != "cancel"):
        draw_intent(sheet, intent, placed, hand=hand, rng=rng)
    for code, digits in answers.digits:
        if code in cells:
            draw_digits(sheet, cells[code], digits, pen=hand.pen, rng=rng, bank=bank)
    for code, text in answers.texts:
        if code in areas:
            area = areas[code]
            line_h = min(TEXT_LINE_H, area.h) * PX_PER_MM
            if not draw_text(sheet, _px(area), text, line_height=line_h, pen=hand.pen, rng=rng):
                raise ValueError(f"{template.name} page {number}: {code!r} cannot hold the phrase {text!r}")
    strays = int(rng.poisson(hand.strays_per_page))
    if strays:
        avoid = [_px(b.rect) for b in page.boxes] + [_px(f.rect) for f in page.fiducials]
        avoid += [_px(page.printed_qr), _px(page.printed_id)]
        draw_stray_marks(sheet, list(placed.boxes.values()), avoid=avoid, count=strays, pen=hand.pen, rng=rng)
    return sheet.image


def blank_back(front: U8, *, rng: Rng) -> U8:
    """The unprinted back of a sheet: paper with a faint mirror image of the front showing through.

    Parameters
    ----------
    front : (rows, cols) ndarray of uint8
        The sheet's front at 300 dpi.
    rng : numpy.random.Generator
        Strength of the bleed-through.

    Returns
    -------
    back : (rows, cols) ndarray of uint8
        Mostly white (≥ ~235 everywhere): an almost empty page.
    """
    mirrored = cv2.flip(front, 1)
    # Bleed-through is soft: blur at quarter resolution, then scale back up.
    small = cv2.resize(mirrored, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), float(rng.uniform(0.5, 1.0)))
    soft = cv2.resize(small, (front.shape[1], front.shape[0]), interpolation=cv2.INTER_LINEAR)
    shadow = cv2.convertScaleAbs(cv2.bitwise_not(soft), alpha=float(rng.uniform(0.03, 0.08)))
    return np.asarray(cv2.bitwise_not(shadow), np.uint8)
