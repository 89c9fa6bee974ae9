"""Text written into spreadsheets made inert: the one formula-injection rule every export uses."""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts a spreadsheet would run as a formula (the OWASP CSV-injection list)."""
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise(value: object) -> object:
    """A text cell made inert for spreadsheets: ``'`` before a formula prefix (numbers, e.g. a phone
    written ``+84912345678``, stay as they are).

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("+84912345678"), neutralise(3)
    ("'=HYPERLINK(1)", '+84912345678', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value
