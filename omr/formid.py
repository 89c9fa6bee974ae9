"""Opaque form ids and the QR payload printed on every page.

A form id is eight Crockford base-32 symbols (no I, L, O, U), the last one a check symbol, printed
as ``K7M2-Q9XH``. It carries no information about the respondent: the mapping from id to sampled
respondent lives only in the identities file written next to the manifest.

The check symbol is the weighted sum of the seven others (weights 1, 3, ..., 13) mod 32. Every
weight is odd, hence invertible mod 32, so every single substitution is caught; an adjacent
transposition changes the sum by 2 × (difference of the two values), which is 0 mod 32 when the two
symbols are 16 apart (``0``/``G``, ``8``/``R``, ``3``/``K``...): about one adjacent transposition in 16
passes the check (kept as is: ids already printed must stay valid). A misread id is matched against
the known ids (:mod:`omr.idmatch`), which catches those too.

The QR payload is ``SIPAS1|<template>|<version>|<form id>|<page>|<pages>``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Crockford's reading of look-alike characters, applied before validation.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_WEIGHTS = (1, 3, 5, 7, 9, 11, 13)
PAYLOAD_PREFIX = "SIPAS1"


def _check_symbol(body: str) -> str:
    total = sum(w * _VALUE[c] for w, c in zip(_WEIGHTS, body, strict=True))
    return ALPHABET[total % 32]


def new_form_id(rng: random.Random) -> str:
    """A new random form id (use ``random.Random(seed)`` for reproducible ids)."""
    body = "".join(rng.choice(ALPHABET) for _ in range(7))
    return body + _check_symbol(body)


def normalise_form_id(text: str) -> str | None:
    """The canonical id in ``text`` (spaces, dashes and look-alikes tolerated) or None if invalid."""
    s = re.sub(r"[\s\-–—_.]", "", text.upper()).translate(_CONFUSABLE)
    if len(s) != 8 or any(c not in _VALUE for c in s):
        return None
    return s if _check_symbol(s[:7]) == s[7] else None


def display_form_id(form_id: str) -> str:
    """``K7M2Q9XH`` → ``K7M2-Q9XH``."""
    return f"{form_id[:4]}-{form_id[4:]}"


@dataclass(frozen=True)
class PageIdentity:
    """What the QR of a page says."""

    template: str
    version: str
    form_id: str
    page: int
    pages: int

    def payload(self) -> str:
        return f"{PAYLOAD_PREFIX}|{self.template}|{self.version}|{self.form_id}|{self.page}|{self.pages}"


def parse_payload(text: str) -> PageIdentity | None:
    """Parse a QR payload; None when it is not one of ours or is damaged."""
    parts = text.strip().split("|")
    if len(parts) != 6 or parts[0] != PAYLOAD_PREFIX:
        return None
    _, template, version, form_id, page, pages = parts
    fid = normalise_form_id(form_id)
    if fid is None or not page.isdigit() or not pages.isdigit():
        return None
    n, total = int(page), int(pages)
    if not 1 <= n <= total:
        return None
    return PageIdentity(template, version, fid, n, total)
