"""Vietnamese phone numbers: normalise what lists hold to ``0XXXXXXXXX``, or say why it is not one.

Mobile numbers have ten digits (``03x``, ``05x``, ``07x``, ``08x``, ``09x`` since the 2018 change from
eleven-digit ``01xx`` numbers, which are converted); landlines have eleven (``02`` + area code +
subscriber). Accepted spellings: spaces, dots, dashes, brackets, ``+84``/``84``/``0084``, and the
leading zero a spreadsheet dropped from a number cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OLD_MOBILE_PREFIX = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039", "0186": "056", "0188": "058", "0199": "059",
}
"""Eleven-digit mobile prefixes renumbered in 2018 (MIC decision 798/QĐ-BTTTT)."""
_MOBILE = re.compile(r"^0(3[2-9]|5[2-9]|7[06-9]|8[1-9]|9[0-9])\d{7}$")
_LANDLINE = re.compile(r"^02\d{9}$")
_SPLIT = re.compile(r"[/;,]|\s-\s|\bhoặc\b|\bor\b", re.IGNORECASE)


@dataclass(frozen=True)
class Phone:
    """A valid number in national form."""

    number: str
    mobile: bool


@dataclass(frozen=True)
class PhoneProblem:
    """Why a cell is not a valid Vietnamese number."""

    reason: str


def _digits(text: str) -> str:
    t = text.strip()
    plus = t.startswith("+")
    d = re.sub(r"\D", "", t)
    if plus or d.startswith("84") and len(d) in (11, 12):
        d = "0" + d[2:] if d.startswith("84") else d
    elif d.startswith("0084"):
        d = "0" + d[4:]
    return d


def _one(text: str) -> Phone | None:
    d = _digits(text)
    if len(d) == 9 and _MOBILE.match("0" + d):
        d = "0" + d  # a number cell lost its leading zero
    if len(d) == 11 and d[:4] in OLD_MOBILE_PREFIX:
        d = OLD_MOBILE_PREFIX[d[:4]] + d[4:]
    if _MOBILE.match(d):
        return Phone(d, True)
    if _LANDLINE.match(d):
        return Phone(d, False)
    return None


def parse_phone(cell: object) -> Phone | PhoneProblem:
    """The first valid number in ``cell`` (several may be written, separated by ``/``, ``;``, ``-``).

    >>> parse_phone("(+84) 912.345.678")
    Phone(number='0912345678', mobile=True)
    >>> parse_phone("01689 123 456").number
    '0389123456'
    >>> parse_phone("12345")
    PhoneProblem(reason='not a Vietnamese phone number: 12345')
    """
    text = "" if cell is None else str(cell).strip()
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    if not re.search(r"\d", text):
        return PhoneProblem("no phone number")
    for part in _SPLIT.split(text):
        phone = _one(part)
        if phone is not None:
            return phone
    return PhoneProblem(f"not a Vietnamese phone number: {text}")
