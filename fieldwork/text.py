"""Text normalisation for matching what units write: case, accents, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def clean(text: object) -> str:
    """A cell as text: ``None`` → ``""``, NFC, whitespace collapsed, stripped."""
    if text is None:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def strip_accents(text: str) -> str:
    """Remove Vietnamese diacritics (``đ`` → ``d``).

    >>> strip_accents("Phường Thượng Thanh")
    'Phuong Thuong Thanh'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: object) -> str:
    """Matching key: lower case, no accents, punctuation as spaces, spaces collapsed.

    >>> fold("  Tài nguyên & Môi-trường ")
    'tai nguyen moi truong'
    """
    return _SPACE.sub(" ", _PUNCT.sub(" ", strip_accents(clean(text)).casefold())).strip()


def person_name(text: object) -> str:
    """A name for comparing people: NFC, lower case, spacing collapsed; accents kept (``Lê`` ≠ ``Lệ``).

    >>> person_name("  NGUYỄN  Văn   an ")
    'nguyễn văn an'
    """
    return clean(text).casefold()


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
