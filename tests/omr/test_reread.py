"""Pages a reviewer fixed are read again, and their answers join the workspace like any scan's."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent / "reader"))  # the rendered-page helper of the reader tests
from _pages import BOXES, PX, fill_of, filled_page, page_layout  # noqa: E402

from omr.batch import TemplateIndex, scan  # noqa: E402
from omr.formid import PageIdentity  # noqa: E402
from omr.reader import ReaderContext  # noqa: E402
from omr.reread import ACTOR, Reread, pending_pages, reread_pages  # noqa: E402
from omr.store.db import Store, open_store  # noqa: E402
from omr.store.images import REVIEW_MAX_SIDE  # noqa: E402
from omr.store.records import FileState, PageResult, RecordedPage, record_page, register_file  # noqa: E402
from omr.store.schema import COUNTED, AnswerRow, AuditEvent, FormRow, PageRow, ReviewItem  # noqa: E402
from omr.template.model import Template  # noqa: E402
from omr.types import PageImage, PageReading  # noqa: E402
from review_ui.pagefix import identify_page, marker_centres_mm, set_corners  # noqa: E402

FORM = "84G7ZWY6"


def test_an_identified_page_is_read_again(store: Store, tmp_path: Path) -> None:
    layout = page_layout(BOXES)
    page = filled_page(fill_of([("A1", "2", "cross"), ("Q9_2", "5", "cross")]), name=BOXES, form_id=FORM)
    for r in (layout.qr, layout.id_text):  # a torn-off corner: no QR, no printed id
        page[int((r.y - 1) * PX): int((r.bottom + 1) * PX), int((r.x - 1) * PX): int((r.right + 1) * PX)] = 255
    scan_file = tmp_path / "torn.png"
    cv2.imwrite(str(scan_file), page)
    with store.session() as s:
        s.add(FormRow(form_id=FORM, template="mini-boxes", version="1", pages_expected=1, units={}, in_manifest=True))
    scan([scan_file], store, jobs=1, templates=[BOXES])
    with store.session() as s:
        row = s.scalars(select(PageRow)).one()
        assert row.outcome == "review" and row.form_id is None, row.reason
        page_id = row.id
        identify_page(s, page_id, "84G7-ZWY6", 1, actor="lan")  # what the review app does
    assert pending_pages(store) == [page_id]

    index = TemplateIndex([BOXES])
    done = reread_pages(store, ReaderContext.load(index.sources), index)

    assert [(r.page_id, r.outcome) for r in done] == [(page_id, "read")]
    assert pending_pages(store) == []
    with store.session() as s:
        answers = {a.field: a.value for a in s.scalars(select(AnswerRow).where(AnswerRow.form_id == FORM))}
        assert answers["A1"] == "2" and answers["Q9_2"] == "5"
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.page_id == page_id))]
        assert actions[-2:] == ["identify", "reread"]
        assert np.asarray(s.get(PageRow, page_id).homography).size == 9  # type: ignore[union-attr]


# -- a re-read that makes a page a second copy of a form page already counted -------------------------
def no_templates(_name: str) -> Template | None:
    return None


def a_file(store: Store, name: str) -> FileState:
    sha = name.encode().hex().ljust(64, "0")[:64]
    return register_file(store, sha256=sha, path=f"/scans/{name}", size=1000, page_count=1)


def counted(name: str) -> PageResult:
    """Page 1 of FORM as read from another copy (what the recorder keeps of it; no fields needed)."""
    return PageResult(0, PageReading("read", PageIdentity("mini-boxes", "1", FORM, 1, 1)))


def corners_clicked_on_an_unidentified_page(store: Store) -> int:
    """A phone photo the scan could neither identify nor align, whose four corners a reviewer clicked.

    The re-read then finds the QR code of page 1 of FORM, with the answer A1 = 2.
    """
    page = filled_page(fill_of([("A1", "2", "cross")]), name=BOXES, form_id=FORM)
    reading = PageReading("review", None, "unidentified page: no QR code and no printed id found")
    recorded = record_page(store, a_file(store, "photo.jpg"),
                           PageResult.from_reading(PageImage("/scans/photo.jpg", 0, page, 300.0), reading),
                           no_templates)
    scale = REVIEW_MAX_SIDE / max(page.shape)  # the raw image kept for review is shrunk to this
    corners = [(x * PX * scale, y * PX * scale) for x, y in marker_centres_mm()]
    with store.session() as s:
        set_corners(s, store.workspace, recorded.page_id, corners, actor="lan")  # what the review app does
    return recorded.page_id


def reread_all(store: Store) -> list[Reread]:
    index = TemplateIndex([BOXES])
    return reread_pages(store, ReaderContext.load(index.sources), index)


def counted_copies(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(PageRow.id).where(
            PageRow.form_id == FORM, PageRow.page_number == 1, PageRow.outcome.in_(COUNTED)).order_by(PageRow.id)))


def assert_recorded_as_duplicate(store: Store, page_id: int, first: int, first_key: str) -> None:
    reason = f"duplicate of {first_key}"
    assert counted_copies(store) == [first]
    assert pending_pages(store) == []
    with store.session() as s:
        page = s.get(PageRow, page_id)
        assert page is not None
        assert (page.outcome, page.reason, page.duplicate_of) == ("rejected", reason, first)
        assert (page.form_id, page.page_number) == (FORM, 1)
        assert s.scalars(select(AnswerRow).where(AnswerRow.form_id == FORM)).all() == []  # nothing from the copy
        assert s.scalars(select(ReviewItem.status).where(ReviewItem.page_id == page_id)).all() == ["done"]
        reread = s.scalars(select(AuditEvent).where(AuditEvent.page_id == page_id, AuditEvent.action == "reread")).one()
        assert (reread.actor, reread.new) == (ACTOR, f"rejected ({reason})")
    assert not (store.workspace / f"reread-{page_id}.jpg").exists()


def test_a_reread_that_finds_a_form_page_already_counted_records_a_duplicate(store: Store) -> None:
    page_id = corners_clicked_on_an_unidentified_page(store)
    first = record_page(store, a_file(store, "intact.pdf"), counted("intact.pdf"), no_templates)
    assert pending_pages(store) == [page_id]

    done = reread_all(store)

    assert [(r.page_id, r.outcome, r.reason) for r in done] == [
        (page_id, "rejected", "duplicate of /scans/intact.pdf#1")]
    assert_recorded_as_duplicate(store, page_id, first.page_id, "/scans/intact.pdf#1")


def test_a_reread_that_loses_the_race_for_a_form_page_records_a_duplicate(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Another station counts page 1 of FORM just before the re-read writes: the unique index refuses the
    re-read's row, and the re-read is recorded again, as a duplicate of that station's copy."""
    page_id = corners_clicked_on_an_unidentified_page(store)
    with store.session() as s:  # the form is known (from the manifest) before either copy is recorded
        s.add(FormRow(form_id=FORM, template="mini-boxes", version="1", pages_expected=1, units={}, in_manifest=True))
    station_b = open_store(store.workspace, store.url)
    won: list[RecordedPage] = []

    def meanwhile(session: Session, _context: object, _instances: object) -> None:
        if not won and any(isinstance(obj, PageRow) for obj in session.dirty):
            won.append(record_page(station_b, a_file(station_b, "b.pdf"), counted("b.pdf"), no_templates))

    event.listen(store.sessions, "before_flush", meanwhile)
    caplog.set_level(logging.INFO, logger="omr.reread")
    try:
        done = reread_all(store)
    finally:
        event.remove(store.sessions, "before_flush", meanwhile)
        station_b.engine.dispose()

    assert len(won) == 1 and won[0].outcome == "read"
    assert [(r.page_id, r.outcome, r.reason) for r in done] == [(page_id, "rejected", "duplicate of /scans/b.pdf#1")]
    assert_recorded_as_duplicate(store, page_id, won[0].page_id, "/scans/b.pdf#1")
    assert any(f"page {page_id}: another station" in r.getMessage() for r in caplog.records)
