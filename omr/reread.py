"""Read again the pages a reviewer fixed: typed the form id of an unidentified page, or clicked the
four corner markers of a page that could not be aligned.

The review app marks such pages (``reason`` ends with ``needs re-reading``) and keeps what the
reviewer gave: the identity on the page row, or the homography (template mm → pixels of the page's
raw image). This module reads the kept raw image with those hints and records the answers, boxes
and review items exactly as a scan would (answers a person settled are never overwritten).

A re-read can give a page a form page that is already counted from another copy (corners clicked on
an unidentified page, whose QR the re-read then decodes). As the recorder does for a re-scan, the page
is then rejected as a duplicate of that copy and its open page items are closed; the unique index on
counted pages makes the same happen when another station counts that form page at the same moment.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omr.errors import StorageError
from omr.formid import PageIdentity, display_form_id
from omr.reader import ReaderContext, read_page
from omr.store.db import Store, close_page_items
from omr.store.images import encode_jpeg, save_image
from omr.store.records import CountedCopy, TemplateLookup, counted_copy, in_transaction, record_answers
from omr.store.schema import COUNTED, AuditEvent, FormRow, PageRow, ReviewItem
from omr.types import PageImage, PageReading

log = logging.getLogger(__name__)
REREAD_MARK = "needs re-reading"
ACTOR = "sipas reread"


@dataclass(frozen=True)
class Reread:
    """What re-reading one page gave."""

    page_id: int
    key: str
    outcome: str
    reason: str | None
    flagged: int


def pending_pages(store: Store) -> list[int]:
    """Ids of the pages waiting to be read again, oldest first."""
    with store.session() as s:
        return list(s.scalars(select(PageRow.id).where(PageRow.reason.like(f"%{REREAD_MARK}")).order_by(PageRow.id)))


def _hints(page: PageRow, pages_of: dict[tuple[str, str], int]) -> tuple[PageIdentity | None, np.ndarray | None]:
    identity = None
    if page.form_id and page.template and page.version and page.page_number:
        total = pages_of.get((page.template, page.version))
        if total is not None:
            identity = PageIdentity(page.template, page.version, page.form_id, page.page_number, total)
    homography = None
    if page.homography is not None and page.reason and page.reason.startswith("corners set by"):
        homography = np.asarray(page.homography, dtype=np.float64).reshape(3, 3)
    return identity, homography


def reread_pages(store: Store, ctx: ReaderContext, templates: TemplateLookup,
                 page_ids: Sequence[int] | None = None) -> list[Reread]:
    """Read again every page waiting for it (or those of ``page_ids``) and record the results.

    A page without a kept image, or whose kept image cannot be read, is left as it is (still waiting).
    """
    ids = list(page_ids) if page_ids is not None else pending_pages(store)
    pages_of = {key: len(layout.pages) for key, layout in ctx.layouts.items()}
    out: list[Reread] = []
    for page_id in ids:
        with store.session() as s:
            page = s.get(PageRow, page_id)
            if page is None or not page.raw_image_path:
                continue
            raw_path = store.workspace / page.raw_image_path
            identity, homography = _hints(page, pages_of)
        reading = _read(raw_path, f"page {page_id}", ctx, identity, homography)
        if reading is not None:
            out.append(_record(store, page_id, reading, templates))
    return out


def _read(raw_path: Path, key: str, ctx: ReaderContext, identity: PageIdentity | None,
          homography: np.ndarray | None) -> PageReading | None:
    """Read the kept raw image with the reviewer's hints; None (and a warning) when it cannot be loaded."""
    image = cv2.imread(str(raw_path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        log.warning("%s: cannot read its kept image %s; scan the sheet again", key, raw_path)
        return None
    return read_page(PageImage(str(raw_path), 0, np.asarray(image, np.uint8)), ctx,
                     identity=identity, homography=homography)


def _record(store: Store, page_id: int, reading: PageReading, templates: TemplateLookup) -> Reread:
    aligned = encode_jpeg(reading.aligned) if reading.aligned is not None else None
    return record_reading(store, page_id, reading, aligned, templates)


def record_reading(store: Store, page_id: int, reading: PageReading, aligned: bytes | None,
                   templates: TemplateLookup, *, actor: str = ACTOR) -> Reread:
    """Record a new reading of a recorded page in one transaction (``aligned``: its JPEG-encoded
    aligned image); again when another station counted its form page meanwhile.

    The second attempt finds that station's copy and records this page as a duplicate of it. A page
    that gets an identity has its open page-level review items (unidentified, unaligned) closed.
    Also used by :mod:`omr.placement` for pages placed by their position in their file.
    """

    def lost_race(_: IntegrityError) -> None:
        log.info("page %d: another station recorded the same rows at the same moment; recording it again", page_id)

    return in_transaction(store, lambda s: _write(s, store, page_id, reading, aligned, templates, actor), lost_race)


def _write(s: Session, store: Store, page_id: int, reading: PageReading, aligned: bytes | None,
           templates: TemplateLookup, actor: str) -> Reread:
    page = s.get(PageRow, page_id)
    if page is None:
        raise StorageError(f"page {page_id} vanished from {store.safe_url} while it was read again; "
                           "run `sipas scan` to see what the workspace holds")
    old = f"{page.outcome} ({page.reason})"
    first = _earlier_copy(s, page, reading)
    if first is not None:
        return _write_duplicate(s, page, reading, first, old, actor)
    ident = reading.identity
    flagged = 0
    if ident is not None and reading.outcome in COUNTED:
        if s.get(FormRow, ident.form_id) is None:
            s.add(FormRow(form_id=ident.form_id, template=ident.template, version=ident.version,
                          pages_expected=ident.pages, units={}, in_manifest=False))
            s.flush()
        _set_identity(page, ident)
        close_page_items(s, page.id, actor, dt.datetime.now(dt.UTC))
        flagged = record_answers(s, page, reading, ident, templates, actor)
    page.outcome, page.reason = reading.outcome, reading.reason
    _set_geometry(page, reading)
    s.flush()  # a form page another station has just counted fails here (unique index): see _record
    if aligned is not None:  # written once the row is in, so a lost race leaves no image behind
        page.image_path = save_image(store.workspace, f"reread-{page_id}.jpg", aligned)
    if reading.outcome == "review" and (ident is None or reading.homography is None):
        kind = "unidentified_page" if ident is None else "unaligned_page"
        s.add(ReviewItem(kind=kind, status="open", form_id=ident.form_id if ident else None,
                         page_id=page_id, reason=reading.reason))
    _audit(s, page, old, reading.outcome, reading.reason, actor)
    return Reread(page_id, f"page {page_id}", reading.outcome, reading.reason, flagged)


def _earlier_copy(s: Session, page: PageRow, reading: PageReading) -> CountedCopy | None:
    """The other page already counting the form page this reading would make ``page`` count as."""
    if reading.outcome not in COUNTED:
        return None
    ident = reading.identity
    form_id, number = (ident.form_id, ident.page) if ident is not None else (page.form_id, page.page_number)
    if form_id is None or number is None:
        return None
    return counted_copy(s, form_id, number, other_than=page.id)


def _write_duplicate(s: Session, page: PageRow, reading: PageReading, first: CountedCopy, old: str,
                     actor: str) -> Reread:
    """Record ``page`` as a duplicate of ``first`` (no answers, no image) and close its open page items."""
    reason = f"duplicate of {first.key}"
    if reading.identity is not None:
        _set_identity(page, reading.identity)
    page.outcome, page.reason, page.duplicate_of = "rejected", reason, first.page_id
    _set_geometry(page, reading)
    close_page_items(s, page.id, actor, dt.datetime.now(dt.UTC))
    _audit(s, page, old, "rejected", reason, actor)
    log.info("page %d: page %s of form %s is already counted from %s; recorded as a duplicate", page.id,
             page.page_number, display_form_id(page.form_id) if page.form_id else "?", first.key)
    return Reread(page.id, f"page {page.id}", "rejected", reason, 0)


def _set_identity(page: PageRow, ident: PageIdentity) -> None:
    page.form_id, page.page_number = ident.form_id, ident.page
    page.template, page.version = ident.template, ident.version


def _set_geometry(page: PageRow, reading: PageReading) -> None:
    if reading.homography is not None:
        page.homography = list(reading.homography)
        page.residual_px = reading.residual_px


def _audit(s: Session, page: PageRow, old: str, outcome: str, reason: str | None, actor: str) -> None:
    s.add(AuditEvent(actor=actor, action="reread", form_id=page.form_id, page_id=page.id, old=old,
                     new=outcome + (f" ({reason})" if reason else ""), at=dt.datetime.now(dt.UTC)))
