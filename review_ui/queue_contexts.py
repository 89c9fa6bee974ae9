"""The typed contexts of the queue (see :mod:`review_ui.contexts`, which re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass

from review_ui.documented import doc


@dataclass(frozen=True)
class CountRow:
    """Review items of one kind or one question, by state."""

    key: str = doc("item kind (field | unidentified_page | unaligned_page) or question code")
    open: int = doc("open and free to lease")
    leased: int = doc("open but leased to a reviewer right now")
    done: int = doc("settled")
    template: str | None = doc("the template of a question row (codes are unique only within one); null for kinds",
                               None)


@dataclass(frozen=True)
class QueueContext:
    """``/queue`` and ``/api/queue``: the keyboard verifier's shell (items come from ``/api/queue/next``)."""

    kind: str | None = doc("only items of this kind (?kind=), or null for all")
    question: str | None = doc("only items of this question (?question=), or null for all")
    template: str | None = doc("only items of forms of this template (?template=), or null for all")
    open_items: int = doc("open items matching the filter (free or leased)")
    items: tuple[CountRow, ...] = doc("all items by kind")
    questions: tuple[CountRow, ...] = doc("field items by template and question")


@dataclass(frozen=True)
class OptionView:
    """One choice offered for a checkbox field."""

    value: str = doc("value code written to the answer")
    label: str = doc("printed label, in the interface language")
    key: str = doc("keyboard key that chooses it (empty past the ninth option)")


@dataclass(frozen=True)
class ItemView:
    """One leased item as the queue shows it (``item`` / ``next`` of the queue's POST routes)."""

    id: int = doc("review item id")
    kind: str = doc("field | unidentified_page | unaligned_page")
    lease_token: str = doc("send back with submit or skip")
    lease_expires: str = doc("ISO 8601 time (UTC) the lease ends unless renewed")
    form_id: str | None = doc("form id, or null for an unidentified page", None)
    display_form_id: str | None = doc("form id as printed (XXXX-XXXX)", None)
    field: str | None = doc("answer code (field items)", None)
    question: str | None = doc("question code, items of one question are served in a row", None)
    page_id: int | None = doc("input page id", None)
    reason: str | None = doc("why the machine asked", None)
    answer_id: int | None = doc("answer id (field items)", None)
    answer_kind: str | None = doc("single | grid | multi | digits | text", None)
    value: str = doc("current value (the machine reading until reviewed); '*' = several marks", "")
    machine_value: str = doc("what the machine read", "")
    confidence: float | None = doc("machine confidence 0..1", None)
    revision: int | None = doc("answer revision to send back with the submit", None)
    label: str = doc("question label", "")
    row_label: str = doc("grid row label, or the write-in code of an 'other' text", "")
    options: tuple[OptionView, ...] = doc("choices of a checkbox field", ())
    length: int | None = doc("digit count of a digits field", None)
    lines: int | None = doc("lines of a text field's box on paper (the height of the typing box)", None)
    prefill: bool = doc("true when the typing box starts with the machine's reading (text: only when the OCR "
                        "is confident; otherwise it is shown as a hint)", True)
    template: str | None = doc("questionnaire template of the form (question codes are unique only within it)",
                               None)
    candidates: tuple[str, ...] = doc("a disagreement: `reviewer: value` of both reviewers (supervisors only)", ())
    new_form_of: tuple[str, ...] = doc(
        "unidentified pages: templates of forms that print no id, one of which the page may start a new form of", ())
    image_url: str | None = doc("the crop (field items) or the raw page (page items)", None)
    page_url: str | None = doc("the page view (key P)", None)
    form_url: str | None = doc("the form view", None)
