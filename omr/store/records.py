"""Record what became of each input page, one page or a group of pages per transaction.

An input file is known by its content hash; a page by (file, page index), which is unique, so a
re-run adds nothing twice and a run killed at any point resumes where it stopped: a page is in the
database whole or not at all, and a file is marked ``done`` only after all its pages are.

Recording a page writes, in one transaction: the page row (outcome, reason, identity, rotation,
homography, residual, image paths), the form row when the form is new, one answer per field read
(never overwriting an answer a reviewer set), every box reading, one review item per flagged field
and per unidentified or unaligned page, and a ``scan`` audit event. The same form page arriving again
from another file (a re-scan) is rejected as a duplicate and never counted twice: the partial unique
index on counted pages (:data:`~omr.store.schema.COUNTED_PAGE_INDEX`) holds even when two stations
record copies of one form page at the same moment, and the one that loses that race records its copy
as a duplicate of the winner's.
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omr.errors import StorageError
from omr.formid import PageIdentity, display_form_id
from omr.store.db import Store
from omr.store.images import encode_jpeg, page_image_name, review_copy, save_image
from omr.store.schema import (
    COUNTED,
    COUNTED_PAGE_INDEX,
    AnswerRow,
    AuditEvent,
    BoxRow,
    FormRow,
    InputFile,
    PageRow,
    ReviewItem,
    counted_form_page,
)
from omr.template.model import Template
from omr.types import PageError, PageImage, PageReading

log = logging.getLogger(__name__)
TemplateLookup = Callable[[str], Template | None]
"""Template name → template (None when unknown): used to group flagged fields by question."""
_RETRIES = 3
_T = TypeVar("_T")
_ANSWERS = cast(Table, AnswerRow.__table__)
_BOXES = cast(Table, BoxRow.__table__)


def scan_actor() -> str:
    """``scan:<login>``: who ran the scan, for audit events."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"scan:{user}"[:64]


@dataclass(frozen=True)
class PageResult:
    """One page after reading, as the recorder takes it (images already JPEG-encoded, no arrays)."""

    index: int
    reading: PageReading | None = None
    error: str | None = None
    aligned_jpeg: bytes | None = None
    raw_jpeg: bytes | None = None

    @classmethod
    def from_reading(cls, page: PageImage, reading: PageReading) -> PageResult:
        """Encode the images a reviewer needs and drop the arrays (cheap to send between processes).

        The raw page of a page that is exactly one JPEG (a JPEG file, or a PDF page's one JPEG image)
        is kept as its own bytes, not decoded and encoded again (:attr:`PageImage.jpeg`).
        """
        aligned = encode_jpeg(reading.aligned) if reading.aligned is not None else None
        needs_raw = reading.outcome == "rejected" or (
            reading.outcome == "review" and (reading.identity is None or reading.aligned is None))
        raw = (page.jpeg or encode_jpeg(review_copy(page.image))) if needs_raw else None
        return cls(page.index, replace(reading, aligned=None), None, aligned, raw)

    @classmethod
    def from_error(cls, error: PageError) -> PageResult:
        return cls(error.index or 0, None, error.reason)


@dataclass(frozen=True)
class FileState:
    """An input file as the store knows it, and which of its pages are already recorded."""

    id: int
    sha256: str
    path: str
    status: str
    page_count: int | None
    recorded: frozenset[int]
    new: bool

    @property
    def finished(self) -> bool:
        """All pages recorded (``done``) or the file itself unreadable (``failed``)."""
        return self.status in ("done", "failed")


@dataclass(frozen=True)
class RecordedPage:
    """What the recorder made of one page."""

    page_id: int
    key: str
    outcome: str
    reason: str | None
    form_id: str | None
    flagged: int
    already: bool = False


def in_transaction(store: Store, work: Callable[[Session], _T],
                   retrying: Callable[[IntegrityError], None] | None = None) -> _T:
    """Run ``work`` in a transaction, again when another station inserted the same rows first.

    ``retrying`` is told of each clash that leads to another attempt (to say why in the log).
    """
    for attempt in range(_RETRIES):
        try:
            with store.session() as s:
                return work(s)
        except StorageError as exc:
            clash = exc.__cause__
            if not isinstance(clash, IntegrityError) or attempt == _RETRIES - 1:
                raise
            if retrying is not None:
                retrying(clash)
    raise AssertionError("unreachable")


def _is_counted_page_clash(exc: IntegrityError) -> bool:
    """Whether ``exc`` is the counted-page unique index refusing a second copy of a form page."""
    message = str(exc.orig)
    return COUNTED_PAGE_INDEX in message or "pages.form_id, pages.page_number" in message


def register_file(store: Store, *, sha256: str, path: str, size: int, page_count: int | None) -> FileState:
    """The file's row (created ``pending`` when new) and the indices of its pages already recorded."""

    def work(s: Session) -> FileState:
        row = s.scalar(select(InputFile).where(InputFile.sha256 == sha256))
        new = row is None
        if row is None:
            row = InputFile(sha256=sha256, path=path, size=size, page_count=page_count, status="pending")
            s.add(row)
            s.flush()
        elif row.page_count is None and page_count is not None and row.status == "pending":
            row.page_count = page_count
        done = frozenset(s.scalars(select(PageRow.page_index).where(PageRow.file_id == row.id)))
        return FileState(row.id, row.sha256, row.path, row.status, row.page_count, done, new)

    return in_transaction(store, work)


def finish_file(store: Store, file_id: int, *, error: str | None = None) -> None:
    """Mark a file ``done`` (all pages recorded) or ``failed`` (with the reason)."""
    with store.session() as s:
        row = s.get(InputFile, file_id)
        if row is None:
            raise StorageError(f"input file #{file_id} vanished from {store.safe_url}")
        row.status = "failed" if error else "done"
        row.error = error


def record_file_error(store: Store, state: FileState, reason: str) -> RecordedPage:
    """A whole file that cannot be read: one rejected page (#1) naming why, and the file ``failed``."""
    recorded = record_page(store, state, PageResult(0, None, reason), lambda _name: None)
    finish_file(store, state.id, error=reason)
    return recorded


@dataclass(frozen=True)
class CountedCopy:
    """The page that counts for a form page: its id and ``file#page`` (1-based) for messages."""

    page_id: int
    key: str


def counted_copy(s: Session, form_id: str, page_number: int, *, other_than: int | None = None) -> CountedCopy | None:
    """The page (other than ``other_than``) that counts as page ``page_number`` of form ``form_id``, if any.

    Uses the condition of the counted-page unique index (:func:`omr.store.schema.counted_form_page`), so
    what this finds is exactly what the index would refuse a second copy of.
    """
    query = (
        select(PageRow.id, InputFile.path, PageRow.page_index)
        .join(InputFile, InputFile.id == PageRow.file_id)
        .where(PageRow.form_id == form_id, PageRow.page_number == page_number, counted_form_page())
    )
    if other_than is not None:
        query = query.where(PageRow.id != other_than)
    row = s.execute(query.order_by(PageRow.id).limit(1)).first()
    return CountedCopy(row[0], f"{row[1]}#{row[2] + 1}") if row else None


def _conflict(form: FormRow, ident: PageIdentity) -> str | None:
    if (form.template, form.version, form.pages_expected) == (ident.template, ident.version, ident.pages):
        return None
    where = "the manifest" if form.in_manifest else "earlier scans"
    return (f"form {display_form_id(ident.form_id)} is a {form.template} v{form.version} form of "
            f"{form.pages_expected} pages in {where}, but this page's QR says {ident.template} v{ident.version} "
            f"of {ident.pages} pages; check which print run the page belongs to")


def _question(templates: TemplateLookup, template: str, field: str) -> str:
    t = templates(template)
    if t is None:
        return field
    try:
        return t.question_of(field).code
    except KeyError:
        return field


def record_answers(s: Session, page: PageRow, reading: PageReading, ident: PageIdentity,
                    templates: TemplateLookup, actor: str) -> int:
    """Upsert the page's answers, boxes and field review items; returns the number of flagged fields."""
    fid = ident.form_id
    codes = [f.field for f in reading.fields]
    answers = {a.field: a for a in s.scalars(
        select(AnswerRow).where(AnswerRow.form_id == fid, AnswerRow.field.in_(codes)))} if codes else {}
    items = {r.field: r for r in s.scalars(select(ReviewItem).where(
        ReviewItem.form_id == fid, ReviewItem.kind == "field", ReviewItem.status == "open",
        ReviewItem.field.in_(codes)))} if codes else {}
    now = dt.datetime.now(dt.UTC)
    flagged = 0
    new_answers: list[dict[str, object]] = []
    for fr in reading.fields:
        answer = answers.get(fr.field)
        if answer is not None and answer.status == "reviewed":
            continue  # a person settled it: a re-read never overwrites that
        if answer is None:
            new_answers.append({"form_id": fid, "field": fr.field, "kind": fr.kind, "value": fr.value,
                                "machine_value": fr.value, "status": fr.status, "confidence": fr.confidence,
                                "reason": fr.reason, "page_id": page.id, "revision": 1, "updated": now})
        else:
            if answer.value != fr.value or answer.status != fr.status:
                s.add(AuditEvent(actor=actor, action="rescan", form_id=fid, field=fr.field, page_id=page.id,
                                 old=f"{answer.value} ({answer.status})", new=f"{fr.value} ({fr.status})"))
            answer.kind, answer.value, answer.machine_value = fr.kind, fr.value, fr.value
            answer.status, answer.confidence, answer.reason = fr.status, fr.confidence, fr.reason
            answer.page_id, answer.revision, answer.updated = page.id, answer.revision + 1, now
        item = items.get(fr.field)
        if fr.status == "flagged":
            flagged += 1
            if item is None:
                s.add(ReviewItem(kind="field", status="open", form_id=fid, field=fr.field, page_id=page.id,
                                 question=_question(templates, ident.template, fr.field), reason=fr.reason))
            else:
                item.page_id, item.reason = page.id, fr.reason
        elif item is not None:  # the re-read settled what the earlier reading flagged
            item.status, item.resolved_by, item.resolved_at = "done", actor, now
    # Core executemany on the tables: a questionnaire page has hundreds of boxes; ORM objects would cost 10×
    # more, and the ORM's bulk insert adds its own work per row.
    if new_answers:
        s.execute(insert(_ANSWERS), new_answers)
    if reading.boxes:
        s.execute(insert(_BOXES), [
            {"page_id": page.id, "form_id": fid, "field": b.field, "value": b.value, "state": b.state,
             "confidence": b.confidence, "darkness": b.darkness} for b in reading.boxes])
    return flagged


def _page_outcome(s: Session, result: PageResult) -> tuple[str, str | None, int | None]:
    """(outcome, reason, duplicate_of) after checking the page against the forms already known."""
    reading = result.reading
    if reading is None:
        return "rejected", result.error or "the page cannot be decoded", None
    ident = reading.identity
    if reading.outcome not in COUNTED or ident is None:
        return reading.outcome, reading.reason, None
    form = s.get(FormRow, ident.form_id)
    if form is not None and (why := _conflict(form, ident)):
        return "rejected", why, None
    first = counted_copy(s, ident.form_id, ident.page)
    if first is not None:
        return "rejected", f"duplicate of {first.key}", first.page_id
    return reading.outcome, reading.reason, None


@dataclass(frozen=True)
class PageToRecord:
    """One page for :func:`record_pages`: its file, its result and whether it closes its file."""

    file: FileState
    result: PageResult
    finishes_file: bool = False


def record_page(store: Store, file: FileState, result: PageResult, templates: TemplateLookup, *,
                finishes_file: bool = False) -> RecordedPage:
    """Record one page in one transaction (a page already recorded is left as it is).

    ``finishes_file``: this is the file's last page to record, so mark the file ``done`` in the same
    transaction.
    """
    key = _key(file, result)
    actor = scan_actor()

    def lost_race(clash: IntegrityError) -> None:
        ident = result.reading.identity if result.reading is not None else None
        if ident is not None and _is_counted_page_clash(clash):
            log.info("%s: page %d of form %s was recorded by another station at the same moment; "
                     "recording this copy as a duplicate", key, ident.page, display_form_id(ident.form_id))

    return in_transaction(store, lambda s: _record(s, store, PageToRecord(file, result, finishes_file), templates,
                                                   actor), lost_race)


def record_pages(store: Store, pages: Sequence[PageToRecord], templates: TemplateLookup) -> list[RecordedPage]:
    """Record several pages in one transaction: all of them or, if the run is killed, none.

    Each page is recorded exactly as :func:`record_page` would, in order. When another station
    records the same rows at the same moment (a unique index refuses one), nothing of the group is
    kept and its pages are recorded one by one, each settling its own clash.
    """
    if not pages:
        return []
    actor = scan_actor()
    try:
        with store.session() as s:
            return [_record(s, store, page, templates, actor) for page in pages]
    except StorageError as exc:
        if not isinstance(exc.__cause__, IntegrityError):
            raise
    return [record_page(store, p.file, p.result, templates, finishes_file=p.finishes_file) for p in pages]


def _key(file: FileState, result: PageResult) -> str:
    return f"{file.path}#{result.index + 1}"


def _record(s: Session, store: Store, item: PageToRecord, templates: TemplateLookup, actor: str) -> RecordedPage:
    """Record one page in the session ``s`` (see :func:`record_page`)."""
    file, result = item.file, item.result
    key = _key(file, result)
    existing = s.scalar(select(PageRow).where(PageRow.file_id == file.id, PageRow.page_index == result.index))
    if item.finishes_file:
        s.execute(update(InputFile).where(InputFile.id == file.id).values(status="done", error=None))
    if existing is not None:
        return RecordedPage(existing.id, key, existing.outcome, existing.reason, existing.form_id, 0, True)
    outcome, reason, duplicate_of = _page_outcome(s, result)
    reading = result.reading
    ident = reading.identity if reading is not None else None
    aligned_ok = reading is not None and (reading.homography is not None or result.aligned_jpeg is not None)
    page = PageRow(
        file_id=file.id, page_index=result.index, outcome=outcome, reason=reason,
        template=ident.template if ident else None, version=ident.version if ident else None,
        form_id=ident.form_id if ident else None, page_number=ident.page if ident else None,
        rotation=reading.rotation if reading else 0,
        homography=list(reading.homography) if reading and reading.homography else None,
        residual_px=reading.residual_px if reading else None, duplicate_of=duplicate_of,
    )
    images: list[tuple[str, bytes]] = []
    if duplicate_of is None:
        if result.aligned_jpeg is not None:
            page.image_path = page_image_name(file.sha256, result.index)
            images.append((page.image_path, result.aligned_jpeg))
        if result.raw_jpeg is not None:
            page.raw_image_path = page_image_name(file.sha256, result.index, raw=True)
            images.append((page.raw_image_path, result.raw_jpeg))
    s.add(page)
    s.flush()  # a copy of a form page another station has just recorded fails here: see lost_race
    for name, data in images:  # written once the row is in, so a lost race leaves no stray image
        save_image(store.workspace, name, data)
    flagged = 0
    if reading is not None and ident is not None and outcome in COUNTED:
        if s.get(FormRow, ident.form_id) is None:
            s.add(FormRow(form_id=ident.form_id, template=ident.template, version=ident.version,
                          pages_expected=ident.pages, units={}, in_manifest=False))
            s.flush()
        flagged = record_answers(s, page, reading, ident, templates, actor)
    if outcome == "review" and (ident is None or not aligned_ok):
        kind = "unidentified_page" if ident is None else "unaligned_page"
        s.add(ReviewItem(kind=kind, status="open", form_id=ident.form_id if ident else None,
                         page_id=page.id, reason=reason))
    s.add(AuditEvent(actor=actor, action="scan", form_id=page.form_id, page_id=page.id, old=None,
                     new=f"{key}: {outcome}" + (f" ({reason})" if reason else "")))
    return RecordedPage(page.id, key, outcome, reason, page.form_id, flagged)


def workspace_image(store: Store, name: str | None) -> Path | None:
    """The absolute path of a page image named in a page row."""
    return store.workspace / name if name else None
