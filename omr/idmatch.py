"""Match a misread form id against the form ids a workspace knows.

The printed id under the QR is OCR'd when the QR cannot be read. OCR confuses look-alike characters
(``8``/``B``, ``0``/``D``/``Q``, ``5``/``S``, ``2``/``Z``, ``1``/``7``, ``6``/``G``, ``3``/``J``...), and the check
symbol of :mod:`omr.formid` catches every single substitution but cannot say which character is
wrong. :class:`KnownIds` finds the known id nearest to what was read and accepts it only when it is
near and alone:

* cost of a substitution: 1 for an OCR look-alike pair, 2 for any other pair; an adjacent
  transposition, a dropped or an extra character: 2 (alone, not combined with substitutions);
* accepted when the nearest known id costs at most :data:`MAX_COST` (one character off) and every
  other known id costs at least :data:`MIN_GAP` more (no second candidate at the same or the next
  distance).

Substitution costs are computed for every known id at once (numpy, ~3 ms for 50,000 ids); the other
edits are set look-ups. Built once per worker process from the ids the store knows at scan start
(:class:`KnownForms`).

When a manifest was imported, the known ids are the print run: an OCR'd id that passes its check
symbol but is none of them (two misread symbols pass the check one time in 32) is not trusted and
the page goes to review. Without a manifest, such an id is taken as read (a new form).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omr.formid import ALPHABET, display_form_id

MAX_COST = 2
MIN_GAP = 2
_FAR = 99
LOOKALIKES = ("8B", "0D", "0Q", "DQ", "5S", "2Z", "17", "6G", "EF", "MN", "VY", "4A", "3J")
"""Pairs of id symbols OCR of DejaVu Sans Mono confuses (Crockford already reads O/I/L/U as 0/1/1/V)."""
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def _cost_matrix() -> NDArray[np.int16]:
    cost = np.full((32, 32), 2, np.int16)
    np.fill_diagonal(cost, 0)
    for pair in LOOKALIKES:
        a, b = _INDEX[pair[0]], _INDEX[pair[1]]
        cost[a, b] = cost[b, a] = 1
    return cost


_COST = _cost_matrix()
_LOOKUP = np.full(256, 255, np.uint8)
_LOOKUP[np.frombuffer(ALPHABET.encode(), np.uint8)] = np.arange(32, dtype=np.uint8)


@dataclass(frozen=True)
class KnownForms:
    """What the workspace knows at scan start: its form ids and whether a manifest was imported."""

    ids: frozenset[str] = frozenset()
    manifest: bool = False


@dataclass(frozen=True)
class IdMatch:
    """The outcome of matching a read id: the known id accepted (or None) and why."""

    read: str
    form_id: str | None
    cost: int | None
    note: str


class KnownIds:
    """The form ids a workspace knows, ready for nearest-match look-ups.

    Parameters
    ----------
    ids : iterable of str
        Canonical form ids (8 symbols, as the store keeps them); anything else is ignored.
    manifest : bool, optional
        The ids include an imported manifest: a valid id outside them is doubtful.
    """

    def __init__(self, ids: Iterable[str] = (), *, manifest: bool = False) -> None:
        self.manifest = manifest
        unique = sorted({f for f in ids if len(f) == 8 and f.isascii()})
        codes = (_LOOKUP[np.frombuffer("".join(unique).encode(), np.uint8)].reshape(-1, 8) if unique
                 else np.zeros((0, 8), np.uint8))
        ok = (codes != 255).all(axis=1)
        self._list = [f for f, good in zip(unique, ok, strict=True) if good]
        self._codes = np.ascontiguousarray(codes[ok])
        self.ids: frozenset[str] = frozenset(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def __contains__(self, form_id: object) -> bool:
        return form_id in self.ids

    def _substitutions(self, read: str) -> NDArray[np.int16]:
        """Weighted substitution cost of ``read`` (8 symbols) against every known id."""
        codes = np.array([_INDEX[c] for c in read], np.intp)
        return _COST[codes[None, :], self._codes].sum(axis=1, dtype=np.int16)  # type: ignore[no-any-return]

    def _edits(self, read: str) -> set[str]:
        """Known ids one transposition, deletion or insertion away from ``read``."""
        found: set[str] = set()
        if len(read) == 8:
            for i in range(7):
                found.add(read[:i] + read[i + 1] + read[i] + read[i + 2:])
        elif len(read) == 9:
            found.update(read[:i] + read[i + 1:] for i in range(9))
        elif len(read) == 7:
            found.update(read[:i] + c + read[i:] for i in range(8) for c in ALPHABET)
        return (found & self.ids) - {read}

    def candidates(self, read: str) -> list[tuple[int, str]]:
        """Known ids with their cost from ``read``, nearest first (only those within MAX_COST + MIN_GAP)."""
        s = read.upper().translate(_CONFUSABLE)
        if not self._list or any(c not in _INDEX for c in s):
            return []
        limit = MAX_COST + MIN_GAP
        cost: dict[str, int] = {}
        if len(s) == 8:
            subs = self._substitutions(s)
            for i in np.flatnonzero(subs < limit):
                cost[self._list[int(i)]] = int(subs[i])
        for f in self._edits(s):
            cost[f] = min(cost.get(f, _FAR), 2)
        return sorted((c, f) for f, c in cost.items())

    def match(self, read: str) -> IdMatch:
        """The known id ``read`` unambiguously stands for, or None (with why)."""
        found = self.candidates(read)
        if not found:
            return IdMatch(read, None, None, f"{read} is not within one character of a known form id")
        (best, fid), rest = found[0], found[1:]
        if best > MAX_COST:
            return IdMatch(read, None, None, f"{read} is not within one character of a known form id")
        rivals = [f for c, f in rest if c < best + MIN_GAP]
        if rivals:
            near = ", ".join(display_form_id(f) for f in [fid, *rivals[:3]])
            return IdMatch(read, None, best, f"{read} is as near to several known form ids ({near})")
        return IdMatch(read, fid, best, f"matched to {display_form_id(fid)}")

