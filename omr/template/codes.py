"""Names made into valid template names and field and value codes (importers and ``from-scan``).

Template names must match ``^[a-z0-9][a-z0-9-]*$``, field codes ``^[A-Za-z][A-Za-z0-9_]*$`` and
value codes ``^[0-9A-Za-z]+$``; another system's names (``Subject Code``, ``q5.1``, ``1a``) and file
names are cleaned the same way every time, so a re-import of the same file gives the same codes.
"""

from __future__ import annotations

import re

from omr.errors import BadArgumentsError

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_NOT_CODE = re.compile(r"[^A-Za-z0-9_]+")
_NOT_VALUE = re.compile(r"[^0-9A-Za-z]+")
_NOT_NAME = re.compile(r"[^a-z0-9]+")


def clean_code(raw: str, fallback: str = "F") -> str:
    """A valid field code made from ``raw``: other characters become ``_``; a leading digit gets ``fallback``.

    >>> clean_code("Subject Code"), clean_code("1a"), clean_code("")
    ('Subject_Code', 'F1a', 'F')
    """
    code = _NOT_CODE.sub("_", raw.strip()).strip("_")
    if not code:
        return fallback
    return code if code[0].isalpha() else f"{fallback}{code}"


def clean_value(raw: str) -> str:
    """A valid value code made from ``raw`` (letters and digits only), or ``""`` when none is left."""
    return _NOT_VALUE.sub("", raw.strip())


def clean_name(raw: str, fallback: str = "imported-form") -> str:
    """A template name (``^[a-z0-9][a-z0-9-]*$``) made from a file or folder name.

    >>> clean_name("City Survey_2018"), clean_name("--")
    ('city-survey-2018', 'imported-form')
    """
    name = _NOT_NAME.sub("-", raw.lower()).strip("-")
    return name or fallback


def checked_name(name: str) -> str:
    """``name`` when it is a valid template name.

    Raises
    ------
    BadArgumentsError
        When it is not (the ``--name`` a person gave), saying what a name may hold.
    """
    if not _NAME_RE.fullmatch(name):
        raise BadArgumentsError(f"--name {name!r}: use lower-case letters, digits and '-', e.g. city-survey-2018")
    return name


class CodeBook:
    """Hands out unique field codes; the same raw name always gets the same code.

    Parameters
    ----------
    taken
        Codes already in use (they are never handed out).
    """

    def __init__(self, taken: set[str] | None = None) -> None:
        self._by_raw: dict[str, str] = {}
        self._used: set[str] = set(taken or ())

    def code(self, raw: str, fallback: str = "F") -> str:
        """The code of ``raw``: cleaned, and suffixed ``_2``, ``_3``... when another name took it."""
        if raw in self._by_raw:
            return self._by_raw[raw]
        base = clean_code(raw, fallback)
        code, n = base, 1
        while code in self._used:
            n += 1
            code = f"{base}_{n}"
        self._used.add(code)
        self._by_raw[raw] = code
        return code

    def reserve(self, code: str) -> str:
        """A fresh code near ``code`` (not tied to a raw name), e.g. for a grid holding rows."""
        base, candidate, n = clean_code(code), clean_code(code), 1
        while candidate in self._used:
            n += 1
            candidate = f"{base}_{n}"
        self._used.add(candidate)
        return candidate


def unique_values(raws: list[str]) -> list[str]:
    """Value codes for a list of raw option values: the cleaned values, or 1..n when they are not usable.

    The positions replace every value when one is empty or two are alike after cleaning, so codes
    never mix the two schemes.

    >>> unique_values(["A", "B"]), unique_values(["A", "B", "A"]), unique_values(["yes", "+"])
    (['A', 'B'], ['1', '2', '3'], ['1', '2'])
    """
    cleaned = [clean_value(raw) for raw in raws]
    if all(cleaned) and len(set(cleaned)) == len(cleaned):
        return cleaned
    return [str(i) for i in range(1, len(raws) + 1)]
