"""Stage 5b: comb digits — read the cells of a field and decide the field as a whole.

Each comb cell is cut from the aligned page (150 dpi: a 6 × 8 mm cell is 35 × 47 px, more than the
20 × 20 px the digit CNN looks at; resampling the scan at 300 dpi through the homography reads no
better) and read in one batch by :class:`omr.digits.DigitReader`, which also gives each written
cell's class probabilities (its best two are kept).

The field decision:

* all cells blank (each surely blank) → blank, accepted; stray ink in blank cells → flagged;
* some cells blank, some written → flagged (a digit left out or lost);
* every cell at or above the acceptance confidence → accepted, unless the field is a date
  (:func:`is_date_field`) and the digits are no valid date (no calendar day, a year outside
  ``date_years``, or a day after the day of reading) → flagged;
* a date with one or two unsure cells: if exactly one choice among those cells' two best readings
  gives a valid date (day 01–31 of the month, month 01–12, year within ``date_years``) *and* that
  date holds at least ``digit_settle_share`` of the probability of every valid date the unsure
  cells could spell, it is accepted — the calendar settles a 2 read as 7 in "2023" or a 1 read as
  7 in a day's tens; when both choices are valid dates, or none is, or another valid date stays
  likely, the field is flagged. A digit is never invented: only a cell's own best two readings
  are chosen from;
* otherwise flagged, naming the unsure cells.

The field confidence is the lowest cell confidence, a settled date counting with its share of the
valid dates' probability.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omr.digits import DIGIT_ACCEPT_CONFIDENCE, DigitReader, DigitReading, normalise_cell
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.template.model import DigitsField
from omr.types import FieldReading

_DATE_GROUPS = [2, 2, 4]
_DATE_SEPARATORS = "/.-"
_NAMED_BOXES = re.compile(r"\bbox ((?:\d+, )*\d+)\b")


@dataclass(frozen=True)
class DigitCell:
    """One comb cell after reading.

    Attributes
    ----------
    reading : DigitReading
        The digit reader's verdict (value, confidence, blank).
    probabilities : tuple of float
        The probability of each digit 0–9 (empty for a blank cell).
    """

    reading: DigitReading
    probabilities: tuple[float, ...] = ()

    @property
    def best_two(self) -> tuple[int, ...]:
        """The two most likely digits, best first (empty for a blank cell)."""
        order = sorted(range(len(self.probabilities)), key=lambda d: -self.probabilities[d])
        return tuple(order[:2])


def read_cells(reader: DigitReader, crops: Sequence[NDArray[np.uint8]]) -> list[DigitCell]:
    """Read comb-cell crops in one batch, keeping each written cell's class probabilities.

    Parameters
    ----------
    reader : DigitReader
        The worker's digit reader.
    crops : sequence of (M, N) ndarray of uint8
        One grayscale crop per comb cell (dark ink on light paper).

    Returns
    -------
    list of DigitCell
        In the order of ``crops``.
    """
    readings = reader.read(crops)
    written = [i for i, r in enumerate(readings) if not r.blank]
    images = [normalise_cell(crops[i]) for i in written]
    usable = [(i, im) for i, im in zip(written, images, strict=True) if im is not None]
    probs = reader.probabilities([im for _, im in usable])
    out = [DigitCell(r) for r in readings]
    for row, (i, _) in enumerate(usable):
        out[i] = DigitCell(readings[i], tuple(float(p) for p in probs[row]))
    return out


def is_date_field(field: DigitsField) -> bool:
    """Whether a comb field holds a day/month/year date: eight cells printed as dd/mm/yyyy."""
    return field.groups == _DATE_GROUPS and field.separator in _DATE_SEPARATORS


def valid_date(digits: str, *, config: ReaderConfig = DEFAULT_CONFIG) -> bool:
    """Whether ``ddmmyyyy`` is a calendar date with its year within ``config.date_years``, not after
    ``config.date_latest`` (by default, today).

    Examples
    --------
    >>> valid_date("29022024"), valid_date("29022023"), valid_date("01132023"), valid_date("01011999")
    (True, False, False, False)
    """
    if len(digits) != 8 or not digits.isdigit():
        return False
    try:
        day = dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return False
    first, last = config.date_years
    return first <= day.year <= last and day <= (config.date_latest or dt.date.today())


def decide_digit_field(
    code: str,
    cells: Sequence[DigitCell],
    *,
    date: bool = False,
    accept: float = DIGIT_ACCEPT_CONFIDENCE,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> FieldReading:
    """The value, status and confidence of one comb field (see the module docstring).

    Parameters
    ----------
    code : str
        The answer code.
    cells : sequence of DigitCell
        The field's cells in position order.
    date : bool, optional
        The field is a dd/mm/yyyy date (:func:`is_date_field`): check it and settle unsure cells.
    accept : float, optional
        Cell confidence accepted without review (the reader uses ``config.digit_accept``; the
        default is the digit model's own :data:`omr.digits.DIGIT_ACCEPT_CONFIDENCE`).
    config : ReaderConfig, optional
        ``digit_settle_share``, ``digit_settle_max`` and ``date_years``.

    Returns
    -------
    FieldReading
    """
    readings = [c.reading for c in cells]
    blanks = [i + 1 for i, r in enumerate(readings) if r.blank]
    confidence = round(min((r.confidence for r in readings), default=1.0), 4)
    value = "".join(str(r.value) for r in readings if r.value is not None)
    if len(blanks) == len(readings):
        if confidence >= accept:
            return FieldReading(code, "digits", "", "auto", confidence)
        return FieldReading(code, "digits", "", "flagged", confidence, "stray ink in blank digit boxes")
    if blanks:
        where = ", ".join(str(i) for i in blanks)
        return FieldReading(code, "digits", value, "flagged", confidence, f"digit box {where} blank")
    unsure = [i for i, r in enumerate(readings) if r.confidence < accept]
    if not unsure:
        if date and not valid_date(value, config=config):
            return FieldReading(code, "digits", value, "flagged", confidence, f"{_as_date(value)} is no valid date")
        return FieldReading(code, "digits", value, "auto", confidence)
    if date:
        settled = _settle_date(cells, unsure, config=config)
        if settled is not None:
            sure = min([r.confidence for i, r in enumerate(readings) if i not in unsure] + [settled[1]])
            return FieldReading(code, "digits", settled[0], "auto", round(sure, 4))
    where = ", ".join(str(i + 1) for i in unsure)
    return FieldReading(code, "digits", value, "flagged", confidence,
                        f"unsure digit{'s' if len(unsure) > 1 else ''} in box {where}")


def _settle_date(
    cells: Sequence[DigitCell], unsure: Sequence[int], *, config: ReaderConfig
) -> tuple[str, float] | None:
    """The one valid date the unsure cells' two best readings leave, with its share of the probability
    of every valid date their ten readings spell; None when there is no such date or its share is
    below ``digit_settle_share``."""
    if len(unsure) > config.digit_settle_max or any(len(cells[i].probabilities) != 10 for i in unsure):
        return None
    digits = [str(c.reading.value) for c in cells]
    likely: dict[str, float] = {}  # valid dates made of the unsure cells' best two readings
    total = 0.0
    for choice in itertools.product(range(10), repeat=len(unsure)):
        for i, v in zip(unsure, choice, strict=True):
            digits[i] = str(v)
        candidate = "".join(digits)
        if not valid_date(candidate, config=config):
            continue
        p = float(np.prod([cells[i].probabilities[v] for i, v in zip(unsure, choice, strict=True)]))
        total += p
        if all(v in cells[i].best_two for i, v in zip(unsure, choice, strict=True)):
            likely[candidate] = p
    if len(likely) != 1 or total <= 0:
        return None
    ((date, p),) = likely.items()
    share = p / total
    return (date, share) if share >= config.digit_settle_share else None


def cells_to_review(reason: str | None, length: int) -> int:
    """How many cells of a flagged comb field a reviewer must read: the boxes its reason names
    ("unsure digits in box 1, 4", "digit box 3 blank"), else all ``length`` of them.

    Examples
    --------
    >>> cells_to_review("unsure digits in box 1, 4", 8), cells_to_review("15/18/2024 is no valid date", 8)
    (2, 8)
    """
    found = _NAMED_BOXES.search(reason or "")
    return len(found.group(1).split(", ")) if found else length


def _as_date(digits: str) -> str:
    """``ddmmyyyy`` shown as ``dd/mm/yyyy``."""
    return f"{digits[:2]}/{digits[2:4]}/{digits[4:]}" if len(digits) == 8 else digits
