from __future__ import annotations

import datetime as dt

import pytest

from fieldwork.dates import parse_date
from fieldwork.phones import Phone, PhoneProblem, parse_phone


@pytest.mark.parametrize(("cell", "number"), [
    ("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("0912.345.678", "0912345678"),
    ("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"), (912345678, "0912345678"),
    ("01689123456", "0389123456"), ("024 3826 1234", "02438261234"), ("0912345678 / 0987654321", "0912345678"),
    ("(+84) 386-123-456", "0386123456"),
])
def test_valid_phones(cell: object, number: str) -> None:
    phone = parse_phone(cell)
    assert isinstance(phone, Phone) and phone.number == number


@pytest.mark.parametrize("cell", ["0123 456", "091234567", "1900 1234", "0000000000", "84 12 345", "02412345"])
def test_invalid_phones(cell: str) -> None:
    assert isinstance(parse_phone(cell), PhoneProblem)


def test_missing_phone() -> None:
    assert parse_phone(None) == PhoneProblem("no phone number")
    assert parse_phone("  ") == PhoneProblem("no phone number")


def test_dates() -> None:
    assert parse_date("05/03/2020") == dt.date(2020, 3, 5)
    assert parse_date(dt.datetime(2020, 3, 5, 8, 0)) == dt.date(2020, 3, 5)
    assert parse_date("2020-03-05") == dt.date(2020, 3, 5)
    assert parse_date("31/02/2020") is None
    assert parse_date("không rõ") is None
    assert parse_date(None) is None
