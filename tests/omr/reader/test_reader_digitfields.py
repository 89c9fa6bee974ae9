"""Comb digit fields decided as a whole: the acceptance rule and the calendar check of dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from _pages import MINI, Fill, filled_page

from omr.digits import DigitReader, DigitReading
from omr.reader import ReaderContext, read_page
from omr.reader.config import DEFAULT_CONFIG
from omr.reader.digitfields import DigitCell, decide_digit_field, is_date_field, read_cells, valid_date
from omr.reader.handwriting import crop_box
from omr.template.load import load_template
from omr.template.model import DigitsField
from omr.types import PageImage

ACCEPT = 0.85


def cell(value: int | None, confidence: float = 0.99, second: int | None = None) -> DigitCell:
    """A cell read as ``value``; the rest of the probability goes to ``second`` (or is spread)."""
    if value is None:
        return DigitCell(DigitReading(None, confidence, True, 0.0))
    probs = np.full(10, (1 - confidence) / 9)
    if second is not None:
        probs[:] = 0.0
        probs[second] = 1 - confidence
    probs[value] = confidence
    return DigitCell(DigitReading(value, confidence, False, 0.1), tuple(float(p) for p in probs))


def date(text: str, **unsure: tuple[float, int]) -> list[DigitCell]:
    """Cells of ``ddmmyyyy``; ``p<i>=(confidence, second)`` makes cell i (1-based) unsure."""
    out = [cell(int(d)) for d in text]
    for key, (conf, second) in unsure.items():
        i = int(key[1:]) - 1
        out[i] = cell(int(text[i]), conf, second)
    return out


def decide(cells: list[DigitCell], *, is_date: bool = True) -> tuple[str, str, str | None]:
    r = decide_digit_field("DATE", cells, date=is_date, accept=ACCEPT)
    return r.value, r.status, r.reason


def test_a_date_field_is_known_by_its_groups() -> None:
    t = load_template(MINI)
    field = t.question_of("DATE")
    assert isinstance(field, DigitsField) and is_date_field(field)
    assert not is_date_field(field.model_copy(update={"groups": None}))
    assert not is_date_field(field.model_copy(update={"length": 6, "groups": [2, 4]}))


@pytest.mark.parametrize(("text", "ok"), [("15082024", True), ("29022024", True), ("29022023", False),
                                          ("31042024", False), ("00012024", False), ("01132024", False),
                                          ("01012019", False), ("01012036", False), ("0101202", False)])
def test_valid_date(text: str, ok: bool) -> None:
    assert valid_date(text) is ok


def test_a_date_after_the_day_of_reading_is_no_valid_date() -> None:
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    assert valid_date(today.strftime("%d%m%Y"))
    assert not valid_date(tomorrow.strftime("%d%m%Y"))  # a respondent cannot date a form in the future
    on_day = replace(DEFAULT_CONFIG, date_latest=dt.date(2024, 8, 15))
    assert valid_date("15082024", config=on_day) and not valid_date("16082024", config=on_day)
    # A 2 read as 3 in the year, sure of itself: 2034 is no longer a date, so the field goes to review.
    cells = date("15082024")
    cells[6] = cell(3, 0.95, 2)
    value, status, reason = decide(cells)
    assert (value, status) == ("15082034", "flagged") and "is no valid date" in (reason or "")


def test_sure_digits_of_a_valid_date_are_accepted() -> None:
    assert decide(date("15082024")) == ("15082024", "auto", None)


def test_sure_digits_that_make_no_date_are_flagged() -> None:
    value, status, reason = decide(date("15182024"))
    assert (value, status) == ("15182024", "flagged") and "15/18/2024 is no valid date" in (reason or "")
    assert decide(date("15182024"), is_date=False)[1] == "auto"  # not a date: digits are just digits


def test_the_calendar_settles_a_year_digit_whose_other_reading_is_no_date() -> None:
    # The year's first digit read 2 (0.6) or 7 (0.4): 7024 is out of range, so 2024 it is.
    value, status, _ = decide(date("15082024", p5=(0.6, 7)))
    assert (value, status) == ("15082024", "auto")
    # ...and the same when the better reading was the impossible one: the calendar picks the valid one.
    cells = date("15082024")
    cells[4] = cell(7, 0.55, 2)
    assert decide(cells)[:2] == ("15082024", "auto")


def test_the_calendar_does_not_choose_between_two_valid_dates() -> None:
    # The day's units read 1 (0.6) or 7 (0.4): the 11th and the 17th are both dates.
    value, status, reason = decide(date("11082024", p2=(0.6, 7)))
    assert (value, status) == ("11082024", "flagged") and "box 2" in (reason or "")


def test_the_calendar_never_invents_a_digit() -> None:
    # Month tens read 7 or 8: neither gives a month, and the valid 0 or 1 is not among the readings.
    cells = date("15082024")
    cells[2] = cell(7, 0.6, 8)
    assert decide(cells)[1] == "flagged"


def test_a_settled_date_must_leave_no_other_likely_date() -> None:
    # Year digit 3: 2 or 7 by the best two readings, but 3 (a valid 2034) holds much of the rest.
    cells = date("15082024")
    probs = np.zeros(10)
    probs[[2, 7, 3]] = [0.5, 0.3, 0.2]
    cells[6] = DigitCell(DigitReading(2, 0.5, False, 0.1), tuple(float(p) for p in probs))
    until_2035 = replace(DEFAULT_CONFIG, date_latest=dt.date(2035, 12, 31))  # 2034 is no future date then
    assert decide_digit_field("DATE", cells, date=True, accept=ACCEPT, config=until_2035).status == "flagged"
    assert decide(cells)[:2] == ("15082024", "auto")  # read today, 2034 is in the future: 2024 it is


def test_an_unsure_digit_outside_a_date_is_flagged() -> None:
    value, status, reason = decide([cell(1), cell(7, 0.6, 1), cell(3)], is_date=False)
    assert (value, status) == ("173", "flagged") and "box 2" in (reason or "")


def test_blank_and_partly_blank_fields() -> None:
    assert decide([cell(None)] * 8)[:2] == ("", "auto")
    assert decide([cell(None, 0.3)] + [cell(None)] * 7)[1] == "flagged"
    value, status, reason = decide([cell(1), cell(5), cell(None)] + date("082024"))
    assert status == "flagged" and "digit box 3 blank" in (reason or "")


@pytest.mark.usefixtures("digit_model")
def test_read_cells_keeps_the_class_probabilities(ctx: ReaderContext) -> None:
    page = filled_page(Fill({("A1", "1"): "cross"}, digits={"DATE": "01072023"}), name=MINI, seed=21)
    reading = read_page(PageImage("digits.png", 0, page), ctx)
    assert reading.aligned is not None
    cells = [b for b in ctx.layouts[("mini", "1")].page(1).boxes if b.kind == "digit"]
    crops = [crop_box(reading.aligned, b, np.zeros(2, np.int64)) for b in cells]
    read = read_cells(DigitReader(), crops)
    assert len(read) == 8 and all(len(c.probabilities) == 10 for c in read)
    assert "".join(str(c.best_two[0]) for c in read) == "01072023"
    assert all(abs(sum(c.probabilities) - 1.0) < 1e-3 for c in read)
