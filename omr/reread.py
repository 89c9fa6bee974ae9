"""Read again the pages a reviewer fixed: typed the form id of an unidentified page, or clicked the
four corner markers of a page that could not be aligned.

The review app marks such pages (``reason`` ends with ``needs re-reading``) and keeps what the
reviewer gave: the identity on the page row, or the homography (template mm → pixels of the page's
raw image). This module reads the kept raw image with those hints and records the answers, boxes
and review items exactly as a scan would (answers a person settled are never overwritten).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from sqlalchemy import select

from omr.formid import PageIdentity
from omr.reader import ReaderContext, read_page
from omr.store.db import Store
from omr.store.images import encode_jpeg, save_image
from omr.store.records import TemplateLookup, record_answers
from omr.store.schema import AuditEvent, FormRow, PageRow, ReviewItem
from omr.types import PageImage

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
    """Read again every page waiting for it (or those of ``page_ids``) and record the results."""
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
        image = cv2.imread(str(raw_path), cv2.IMREAD_GRAYSCALE)
        key = f"page {page_id}"
        if image is None:
            log.warning("%s: cannot read its kept image %s; scan the sheet again", key, raw_path)
            continue
        reading = read_page(PageImage(str(raw_path), 0, np.asarray(image, np.uint8)), ctx,
                            identity=identity, homography=homography)
        ident = reading.identity
        aligned = encode_jpeg(reading.aligned) if reading.aligned is not None else None
        with store.session() as s:
            page = s.get(PageRow, page_id)
            assert page is not None
            flagged = 0
            if ident is not None and reading.outcome in ("read", "review"):
                if s.get(FormRow, ident.form_id) is None:
                    s.add(FormRow(form_id=ident.form_id, template=ident.template, version=ident.version,
                                  pages_expected=ident.pages, units={}, in_manifest=False))
                    s.flush()
                page.form_id, page.page_number = ident.form_id, ident.page
                page.template, page.version = ident.template, ident.version
                flagged = record_answers(s, page, reading, ident, templates, ACTOR)
            old = f"{page.outcome} ({page.reason})"
            page.outcome = reading.outcome
            page.reason = reading.reason
            if reading.homography is not None:
                page.homography = list(reading.homography)
                page.residual_px = reading.residual_px
            if aligned is not None:
                page.image_path = save_image(store.workspace, f"reread-{page_id}.jpg", aligned)
            still_open = reading.outcome == "review" and (ident is None or reading.homography is None)
            if still_open:
                kind = "unidentified_page" if ident is None else "unaligned_page"
                s.add(ReviewItem(kind=kind, status="open", form_id=ident.form_id if ident else None,
                                 page_id=page_id, reason=reading.reason))
            s.add(AuditEvent(actor=ACTOR, action="reread", form_id=page.form_id, page_id=page_id, old=old,
                             new=f"{reading.outcome}" + (f" ({reading.reason})" if reading.reason else ""),
                             at=dt.datetime.now(dt.UTC)))
            out.append(Reread(page_id, key, reading.outcome, reading.reason, flagged))
    return out
