"""The typed, documented contexts of the review pages, each also the JSON of the page's ``/api/`` twin.

Every HTML page is rendered from one frozen dataclass (``c`` in its template) and its JSON twin
returns ``{"ok": true, **asdict(context)}``. Every field carries ``metadata={"help": ...}``;
``tests/review_ui/test_review_contract.py`` checks that templates use only documented fields, that
the twin returns the same data, and that ``docs/review.md`` lists every field. :data:`PAGES` is the
list of pages.
"""

from __future__ import annotations

from dataclasses import dataclass

# re-exported: every context is importable from here (the contract test and other modules read them here)
from review_ui.documented import doc as doc
from review_ui.documented import field_help as field_help
from review_ui.queue_contexts import CountRow as CountRow
from review_ui.queue_contexts import ItemView as ItemView
from review_ui.queue_contexts import OptionView as OptionView
from review_ui.queue_contexts import QueueContext as QueueContext

# --- login and errors -------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginContext:
    """``/login``: the login form (its API counterparts are ``/api/session`` and ``POST /api/login``)."""

    next: str = doc("where to go after logging in (a path of this site)")
    error: str | None = doc("message key of the last failed attempt (`bad_login`), or null", None)


@dataclass(frozen=True)
class SessionContext:
    """``/api/session``: who is logged in and the CSRF token to send with every POST."""

    user: str | None = doc("user name, or null before login")
    role: str | None = doc("admin | reviewer | operator | analyst, or null")
    lang: str = doc("interface language: vi | en")
    csrf_token: str = doc("send as the X-CSRF-Token header (or csrf_token form field) with POSTs")


@dataclass(frozen=True)
class ErrorContext:
    """``error.html``; its JSON shape is the error body of every ``/api/`` route."""

    status: int = doc("HTTP status code")
    error: str = doc("all messages joined by '; '")
    errors: tuple[str, ...] = doc("the messages, each naming the thing and what to do")


# --- bulk -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionCount:
    """A checkbox question of one template with open field items."""

    template: str = doc("template name (question codes are unique only within a template)")
    question: str = doc("question code")
    label: str = doc("question label")
    open: int = doc("open field items of this question")


@dataclass(frozen=True)
class BulkIndexContext:
    """``/bulk`` and ``/api/bulk``: checkbox questions with items to review in bulk."""

    questions: tuple[QuestionCount, ...] = doc("by template, then question code")


@dataclass(frozen=True)
class BulkBox:
    """One borderline box of the bulk grid."""

    id: int = doc("box id (send in marked / unmarked)")
    form_id: str = doc("form id")
    field: str = doc("answer code")
    value: str = doc("the option this box stands for")
    state: str = doc("machine state: marked | empty | ambiguous")
    darkness: float = doc("ink coverage of the box interior 0..1 (the sort key)")
    confidence: float = doc("machine confidence in the state 0..1")
    answer_id: int = doc("answer the box belongs to")
    revision: int = doc("that answer's revision (send back in revisions)")
    image_url: str = doc("the box with a margin, PNG")
    option_label: str = doc("the printed label of the option this box stands for")
    row_label: str = doc("the grid row's label (grid questions), else empty")


@dataclass(frozen=True)
class BulkContext:
    """``/bulk/<template>/<question>`` and its ``/api/`` twin: AMC-style grid of borderline boxes."""

    template: str = doc("template name: only forms of this template are in the grid")
    question: str = doc("question code")
    label: str = doc("question label")
    boxes: tuple[BulkBox, ...] = doc("sorted by darkness, darkest first", ())
    boundary: int = doc("proposed count of marked boxes (the first ones): the cut that disagrees with the "
                        "fewest of the reader's decisions", 0)
    forms: int = doc("distinct forms among the boxes", 0)
    truncated: bool = doc("more boxes wait than one grid shows (confirm, then reload)", False)


# --- page and form views ----------------------------------------------------------------------


@dataclass(frozen=True)
class OverlayBox:
    """A box reading drawn over the page image."""

    id: int = doc("box id")
    field: str = doc("answer code")
    value: str = doc("option value")
    state: str = doc("empty | marked | filled | ambiguous")
    confidence: float = doc("machine confidence 0..1")
    darkness: float = doc("ink coverage 0..1")
    left: float = doc("percent of the page width")
    top: float = doc("percent of the page height")
    width: float = doc("percent of the page width")
    height: float = doc("percent of the page height")


@dataclass(frozen=True)
class AnswerView:
    """One answer with its machine reading and review state."""

    id: int = doc("answer id (POST /api/answers/<id> to edit)")
    field: str = doc("answer code")
    kind: str = doc("single | grid | multi | digits | text")
    value: str = doc("current value in the export coding")
    machine_value: str = doc("what the machine read")
    status: str = doc("auto | flagged | reviewed")
    confidence: float = doc("machine confidence 0..1 (1 once reviewed)")
    reason: str | None = doc("why it was flagged")
    revision: int = doc("send back when editing; a stale one gets 409")
    page_id: int | None = doc("page the answer was read from")
    label: str = doc("question label (and grid row), in the interface language", "")
    value_label: str = doc("printed label(s) of the chosen option(s), in the interface language", "")


@dataclass(frozen=True)
class PageContext:
    """``/pages/<id>`` and ``/api/pages/<id>``: the aligned page with every box reading overlaid."""

    id: int = doc("input page id")
    outcome: str = doc("read | review | rejected | blank")
    reason: str | None = doc("why the page is in review or rejected")
    form_id: str | None = doc("form id, null when unidentified")
    display_form_id: str | None = doc("form id as printed (XXXX-XXXX)")
    page_number: int | None = doc("page of the form")
    template: str | None = doc("template name")
    image_url: str | None = doc("aligned image, or the raw one when not aligned")
    aligned: bool = doc("whether image_url is the aligned page (overlays line up)")
    boxes: tuple[OverlayBox, ...] = doc("box readings to overlay")
    answers: tuple[AnswerView, ...] = doc("answers read from this page")
    can_edit: bool = doc("whether the current user may edit answers")
    open_items: int = doc("review items of this page still open (outcome `review` with 0: nothing left to do)", 0)


@dataclass(frozen=True)
class PagePresence:
    """One expected page of a form."""

    number: int = doc("page number")
    page_id: int | None = doc("input page, or null when missing")
    outcome: str | None = doc("read | review, or null when missing")


@dataclass(frozen=True)
class AuditView:
    """One audit event."""

    at: str = doc("time, UTC")
    actor: str = doc("user name, or scan:<user> for the scanner")
    action: str = doc("review | bulk | bulk-box | edit | identify | corners | scan | …")
    field: str | None = doc("answer code, when the event is about one answer")
    page_id: int | None = doc("page, when the event is about one page")
    old: str | None = doc("value before")
    new: str | None = doc("value after")


@dataclass(frozen=True)
class FormContext:
    """``/forms/<form_id>`` and ``/api/forms/<form_id>``: pages present or missing, answers, audit."""

    form_id: str = doc("form id")
    display_id: str = doc("form id as printed (XXXX-XXXX)")
    template: str = doc("template name")
    version: str = doc("template version")
    pages: tuple[PagePresence, ...] = doc("every expected page")
    missing: tuple[int, ...] = doc("numbers of the pages not (yet) scanned")
    answers: tuple[AnswerView, ...] = doc("every answer of the form")
    audit: tuple[AuditView, ...] = doc("the latest 500 events, newest first")
    can_edit: bool = doc("whether the current user may edit answers")


# --- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerRow:
    """Throughput of one reviewer (from audit events)."""

    actor: str = doc("user name")
    total: int = doc("changes ever")
    last_hour: int = doc("changes in the last hour")
    per_hour: float = doc("changes per hour between the first and last in the last 8 h")
    compared: int = doc("answers of theirs compared with another reviewer's in double entry", 0)
    agreement: float | None = doc("share of those that matched (0..1), null when none was compared", None)


@dataclass(frozen=True)
class ProgressContext:
    """``/progress`` and ``/api/progress``."""

    items: tuple[CountRow, ...] = doc("review items by kind")
    questions: tuple[CountRow, ...] = doc("field items by template and question")
    answers: dict[str, int] = doc("answers by status")
    reviewers: tuple[ReviewerRow, ...] = doc("throughput per person")
    forms_total: int = doc("forms in the workspace")
    forms_complete: int = doc("all pages present and nothing left to review")


# --- the pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One HTML page: its route, its JSON twin, its template and context, the action it needs."""

    path: str
    json_path: str | None
    template: str
    context: type
    action: str | None


PAGES: tuple[Page, ...] = (
    Page("/login", "/api/session", "login.html", LoginContext, None),
    Page("/queue", "/api/queue", "queue.html", QueueContext, "review"),
    Page("/bulk", "/api/bulk", "bulk_index.html", BulkIndexContext, "review"),
    Page("/bulk/{template}/{question}", "/api/bulk/{template}/{question}", "bulk.html", BulkContext, "review"),
    Page("/pages/{page_id}", "/api/pages/{page_id}", "page.html", PageContext, "view-pages"),
    Page("/forms/{form_id}", "/api/forms/{form_id}", "form.html", FormContext, "view-pages"),
    Page("/progress", "/api/progress", "progress.html", ProgressContext, "view-progress"),
    Page("(any error)", None, "error.html", ErrorContext, None),
)
"""Every HTML page of the app (the contract test fails when a page route is missing here)."""

NESTED: tuple[type, ...] = (CountRow, OptionView, ItemView, QuestionCount, BulkBox, OverlayBox, AnswerView,
                            PagePresence, AuditView, ReviewerRow, SessionContext)
"""Dataclasses that appear inside page contexts or as API payloads (documented the same way)."""
