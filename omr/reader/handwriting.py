"""Stage 5c: free-text areas (and the crop helper shared with comb digits, :mod:`omr.reader.digitfields`).

Text: the writing area, inset past its printed outline, is tested for handwriting (enough ink that
is not a straight printed line, in strokes of real size). A blank area is ``""``. A written one is
OCR'd with Tesseract ``vie`` from the original scan at 300 dpi; Tesseract does not read handwriting
well, so the guess is kept as the value but flagged "handwriting to transcribe" unless Tesseract is
very sure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.digits import DigitReading
from omr.reader.boxes import PageCalibration
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.digitfields import DigitCell, decide_digit_field
from omr.reader.ocr import OcrResult
from omr.reader.positions import PX_PER_MM
from omr.template.layout import Box
from omr.types import FieldReading


def crop_box(
    image: NDArray[np.uint8], box: Box, shift: NDArray[np.int64], *, margin_mm: float = 0.0
) -> NDArray[np.uint8]:
    """The aligned-page pixels of a box's rectangle (moved by ``shift``, grown by ``margin_mm``)."""
    r = box.rect
    r0 = round((r.y - margin_mm) * PX_PER_MM) + int(shift[0])
    c0 = round((r.x - margin_mm) * PX_PER_MM) + int(shift[1])
    r1 = round((r.bottom + margin_mm) * PX_PER_MM) + int(shift[0])
    c1 = round((r.right + margin_mm) * PX_PER_MM) + int(shift[1])
    rows, cols = image.shape
    r0, c0, r1, c1 = max(0, r0), max(0, c0), min(rows, r1), min(cols, c1)
    return np.ascontiguousarray(image[r0:r1, c0:c1])


def decide_digits(code: str, readings: Sequence[DigitReading]) -> FieldReading:
    """The value of one digits field from its cells' readings (in position order), without the date
    check (see :func:`omr.reader.digitfields.decide_digit_field`)."""
    return decide_digit_field(code, [DigitCell(r) for r in readings])


@dataclass(frozen=True)
class WritingCheck:
    """Whether a writing area holds handwriting, with the measures behind the decision."""

    written: bool
    ink_share: float
    stroke_mm: float
    confidence: float


def check_writing(
    area: NDArray[np.uint8], calibration: PageCalibration, *, config: ReaderConfig = DEFAULT_CONFIG
) -> WritingCheck:
    """Decide whether a writing area (already inset past its outline) holds handwriting.

    Parameters
    ----------
    area : (M, N) ndarray of uint8
        The interior of a writing area on the aligned page.
    calibration : PageCalibration
        The page's paper, black and noise levels.
    config : ReaderConfig, optional
        ``ink_weak``, ``ink_noise_sigmas``, ``text_min_ink`` and ``text_min_stroke_mm``.

    Returns
    -------
    WritingCheck
    """
    if area.size == 0:
        return WritingCheck(False, 0.0, 0.0, 0.0)
    smooth = cv2.GaussianBlur(area, (3, 3), 0).astype(np.float32)
    paper = float(np.percentile(smooth, 90))
    dark = (paper - smooth) / calibration.contrast
    threshold = max(config.ink_weak * 1.5, config.ink_noise_sigmas * calibration.noise / calibration.contrast)
    ink = (dark > threshold).astype(np.uint8)
    # Straight printed lines (a shifted outline, a ruled line) are not writing.
    ink[ink.mean(axis=1) > 0.6, :] = 0
    ink[:, ink.mean(axis=0) > 0.6] = 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    spans = stats[1:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]].max(axis=1) if count > 1 else np.zeros(1)
    stroke_mm = float(spans.max()) / PX_PER_MM
    share = float(ink.mean())
    evidence = min(share / config.text_min_ink, stroke_mm / config.text_min_stroke_mm)
    written = evidence >= 1.0
    confidence = float(np.clip(abs(evidence - 1.0), 0.0, 1.0)) if evidence < 2.0 or not written else 1.0
    return WritingCheck(written, share, stroke_mm, round(confidence, 4))


def decide_text(
    code: str,
    check: WritingCheck,
    ocr: Callable[[], OcrResult],
    *,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> FieldReading:
    """The value of one text field: blank, or Tesseract's guess (flagged unless very sure).

    ``ocr`` is called only when the area is written (Tesseract is the slow part of a page).
    """
    if not check.written:
        if check.confidence >= 0.5:
            return FieldReading(code, "text", "", "auto", check.confidence)
        return FieldReading(code, "text", "", "flagged", check.confidence, "a few strokes: writing or not?")
    guess = ocr()
    if guess.text and guess.confidence >= config.ocr_accept:
        return FieldReading(code, "text", guess.text, "auto", round(guess.confidence, 4))
    return FieldReading(code, "text", guess.text, "flagged", round(guess.confidence, 4), "handwriting to transcribe")
