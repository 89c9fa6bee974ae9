"""Typed values passed between stages and packages (no loose dicts across module boundaries).

Flow: ingest yields :class:`PageImage`; :func:`omr.reader.read_page` turns one into a
:class:`PageReading` (pure: no database); the store keeps readings and answers; the review app
changes answers (:class:`AnswerRecord`, with audit events); scoring reads verified
:class:`FormRecord` and :class:`AnswerRecord` values (never images).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from omr.formid import PageIdentity

PageOutcome = Literal["read", "review", "rejected", "blank"]
"""What became of an input page: all fields resolved; some flagged / unidentified / unaligned;
not a page of a known template or unreadable (with a reason); a blank back (skipped)."""

BoxState = Literal["empty", "marked", "filled", "ambiguous"]
"""``filled``: a box filled over (a correction under the check-correct rule)."""

FieldStatus = Literal["auto", "flagged", "reviewed"]
"""``auto``: accepted by the machine; ``flagged``: waits for a reviewer; ``reviewed``: set by a person."""

MULTIPLE = "*"
"""Value code of a single-choice field with several marks and no resolution (always flagged)."""


@dataclass(frozen=True)
class PageImage:
    """One input page as a grayscale image (row, column; uint8; paper light, ink dark)."""

    source: str
    index: int
    image: NDArray[np.uint8]
    dpi: float | None = None
    factor: int = 1
    """``image`` is the page reduced by this factor (a JPEG decoded at 1/2, 1/4 or 1/8 of its size);
    ``dpi`` is the page's own resolution, not the reduced image's."""
    full: Callable[[], NDArray[np.uint8]] | None = field(default=None, repr=False, compare=False)
    """Decodes the page at full size, for a stage that needs it (given when ``factor`` > 1); raises
    :class:`OSError` naming why when the file can no longer be decoded."""
    jpeg: bytes | None = field(default=None, repr=False, compare=False)
    """The page's own JPEG bytes when the page is exactly one JPEG: kept for review as they are."""

    @property
    def key(self) -> str:
        """``file#page`` with a 1-based page number, as printed in messages."""
        return f"{self.source}#{self.index + 1}"


@dataclass(frozen=True)
class PageError:
    """An input page (or a whole file) that could not be turned into an image."""

    source: str
    index: int | None
    reason: str


@dataclass(frozen=True)
class BoxReading:
    """One box after reading: its state, the confidence of that state and the measures behind it."""

    field: str
    value: str
    state: BoxState
    confidence: float
    darkness: float
    """Ink coverage of the box interior, 0..1 (what bulk review sorts by)."""


@dataclass(frozen=True)
class FieldReading:
    """One answer code after reading (a grid row, a single/multi field, digits, text, write-in)."""

    field: str
    kind: str
    value: str
    status: FieldStatus
    confidence: float
    reason: str | None = None
    """Why it is flagged (e.g. ``two marks``, ``faint mark``, ``handwriting to transcribe``)."""


@dataclass(frozen=True)
class PageReading:
    """The result of reading one page image. Pure data: the store decides what to keep."""

    outcome: PageOutcome
    identity: PageIdentity | None = None
    reason: str | None = None
    fields: tuple[FieldReading, ...] = ()
    boxes: tuple[BoxReading, ...] = ()
    homography: tuple[float, ...] | None = None
    """Row-major 3×3 matrix mapping template mm to input-image pixels, when aligned."""
    residual_px: float | None = None
    aligned: NDArray[np.uint8] | None = field(default=None, compare=False, repr=False)
    """The page warped onto the template frame at :data:`omr.reader.ALIGNED_DPI` (kept for review)."""
    rotation: int = 0
    """Clockwise rotation (0, 90, 180, 270) that was undone."""


@dataclass(frozen=True)
class AnswerRecord:
    """One answer of one form, as exported (``sipas export --format answers``)."""

    form_id: str
    field: str
    value: str
    status: FieldStatus
    confidence: float


@dataclass(frozen=True)
class FormRecord:
    """One form: its template, the sample-unit codes from the manifest and its completeness."""

    form_id: str
    template: str
    version: str
    units: dict[str, str]
    pages_expected: int
    pages_present: tuple[int, ...]

    @property
    def complete(self) -> bool:
        return set(self.pages_present) == set(range(1, self.pages_expected + 1))
