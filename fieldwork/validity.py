"""When a returned form is *valid*: what the Ministry counts among "valid forms" (phiếu hợp lệ).

A returned form is valid when

1. **complete**: every page ``1..pages`` of its template has been read (a page row counted by
   :func:`omr.store.schema.counted_form_page`), as :func:`scoring.data.load_store_dataset`
   requires to score a form; and
2. **answered**: at least one satisfaction item (the items of the template's scoring aspects, the
   ones the SIPAS index counts) has an answer, i.e. a value that is neither blank nor an
   unresolved double mark (``*``). A form with no answer to any satisfaction item adds nothing
   to any index: it was returned, not filled in.

A form still waiting in the review queue is neither valid nor invalid yet (it is ``scanned``).
A page missing is final only once collection is closed (``sync --final``): until then the page may
still come back in a later batch of scans.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

MULTIPLE = "*"
"""The value of an unresolved double mark (:data:`omr.types.MULTIPLE`; checked by a test)."""


@dataclass(frozen=True)
class Validity:
    """The verdict on one returned form: valid, or the reason it is not."""

    valid: bool
    reason: str = ""


@functools.cache
def satisfaction_items(template: str) -> frozenset[str]:
    """The answer codes of ``template``'s satisfaction items (its scoring aspects' elements' items)."""
    from omr.template.load import load_template  # here: `sipas fieldwork status` need not load templates

    t = load_template(template)
    return frozenset(item for aspect in t.require_scoring().aspects for el in aspect.elements for item in el.items)


def missing_pages(expected: int, present: set[int]) -> list[int]:
    """Pages ``1..expected`` not read."""
    return sorted(set(range(1, expected + 1)) - present)


def judge(template: str, expected_pages: int, present: set[int], answers: Mapping[str, str]) -> Validity:
    """Valid, or why not (``missing page 2`` / ``no answer to any satisfaction item``)."""
    missing = missing_pages(expected_pages, present)
    if missing:
        return Validity(False, f"missing page{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))}")
    items = satisfaction_items(template)
    if not any((answers.get(code) or "").strip() not in ("", MULTIPLE) for code in items):
        return Validity(False, "no answer to any satisfaction item")
    return Validity(True)
