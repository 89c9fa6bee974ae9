"""Two stations recording copies of one form page at the same moment: counted once, the other a duplicate.

The race is replayed deterministically: station B checks that the form page is not recorded yet, and
just before B inserts its page row, station A records its copy and commits. The unique index on
counted pages then refuses B's row, and B records its copy again, as a duplicate of A's. Every test
runs on SQLite and on PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.orm import Session

from omr.formid import PageIdentity, new_form_id
from omr.store.db import UPGRADE_ACTOR, Store, open_store
from omr.store.records import FileState, PageResult, RecordedPage, record_page, register_file
from omr.store.schema import (
    COUNTED,
    COUNTED_PAGE_INDEX,
    AnswerRow,
    AuditEvent,
    FormRow,
    PageRow,
    ReviewItem,
)
from omr.template.model import Template
from omr.types import FieldReading, PageImage, PageReading

FORM = new_form_id(random.Random(11))


def no_templates(_name: str) -> Template | None:
    return None


def result(index: int, *, q1: str = "1", outcome: str = "read") -> PageResult:
    """Page 1 of FORM, read (or in review), with one answer."""
    fields = (FieldReading("Q1", "single", q1, "auto", 0.99),)
    reading = PageReading(outcome, PageIdentity("mini", "1", FORM, 1, 1), None, fields, (),  # type: ignore[arg-type]
                          tuple(float(v) for v in np.eye(3).ravel()), 0.3, np.full((60, 40), 250, np.uint8), 0)
    return PageResult.from_reading(PageImage("scan.pdf", index, np.full((300, 200), 240, np.uint8), 300.0), reading)


def sha_of(name: str) -> str:
    return name.encode().hex().ljust(64, "0")[:64]


def a_file(store: Store, name: str) -> FileState:
    return register_file(store, sha256=sha_of(name), path=f"/scans/{name}", size=1000, page_count=1)


def counted_copies(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(PageRow.id).where(
            PageRow.form_id == FORM, PageRow.page_number == 1, PageRow.outcome.in_(COUNTED)).order_by(PageRow.id)))


@pytest.fixture
def station_b(store: Store) -> Iterator[Store]:
    """A second station on the same database (own engine and connections, as another process has)."""
    other = open_store(store.workspace, store.url)
    try:
        yield other
    finally:
        other.engine.dispose()


def meanwhile(station: Store, action: Callable[[], object]) -> list[object]:
    """Run ``action`` once, the first time ``station`` is about to insert a page row (its checks done)."""
    done: list[object] = []

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if not done and any(isinstance(obj, PageRow) for obj in session.new):
            done.append(action())

    event.listen(station.sessions, "before_flush", before_flush)
    return done


def race(store: Store, station_b: Store, *, loser_outcome: str = "read") -> tuple[RecordedPage, RecordedPage]:
    """Station A records a.pdf#1 while station B is recording b.pdf#1, a copy of the same form page."""
    a, b = a_file(store, "a.pdf"), a_file(station_b, "b.pdf")
    won = meanwhile(station_b, lambda: record_page(store, a, result(0), no_templates))
    lost = record_page(station_b, b, result(0, q1="2", outcome=loser_outcome), no_templates)
    assert len(won) == 1 and isinstance(won[0], RecordedPage)
    return won[0], lost


def drop_counted_page_index(store: Store) -> None:
    """Make the store look like one created before the index existed."""
    with store.engine.begin() as conn:
        conn.execute(text(f"DROP INDEX {COUNTED_PAGE_INDEX}"))


def has_counted_page_index(store: Store) -> bool:
    return COUNTED_PAGE_INDEX in {ix["name"] for ix in inspect(store.engine).get_indexes("pages")}


@pytest.mark.parametrize("loser_outcome", ["read", "review"])
def test_the_station_that_loses_the_race_records_a_duplicate(
        store: Store, station_b: Store, loser_outcome: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="omr.store.records")
    won, lost = race(store, station_b, loser_outcome=loser_outcome)
    assert (won.outcome, won.key) == ("read", "/scans/a.pdf#1")
    assert (lost.outcome, lost.reason, lost.key, lost.form_id) == (
        "rejected", "duplicate of /scans/a.pdf#1", "/scans/b.pdf#1", FORM)
    assert counted_copies(store) == [won.page_id]
    with store.session() as s:
        page = s.get(PageRow, lost.page_id)
        assert page is not None and page.duplicate_of == won.page_id and page.image_path is None
        assert s.scalars(select(AnswerRow.value).where(AnswerRow.form_id == FORM)).all() == ["1"]
    assert not list((store.workspace / "pages").glob(f"{sha_of('b.pdf')[:12]}-*"))  # no stray image
    assert any("/scans/b.pdf#1" in r.getMessage() and "another station" in r.getMessage() for r in caplog.records)


def test_without_the_index_the_race_counts_the_page_twice(store: Store, station_b: Store) -> None:
    """What the index prevents (and how an old store came to hold a form page counted twice)."""
    drop_counted_page_index(store)
    won, lost = race(store, station_b)
    assert lost.outcome == "read" and counted_copies(store) == [won.page_id, lost.page_id]


def test_opening_an_old_store_adds_the_index(store: Store) -> None:
    drop_counted_page_index(store)
    assert not has_counted_page_index(store)
    reopened = open_store(store.workspace, store.url)
    try:
        assert has_counted_page_index(reopened)
    finally:
        reopened.engine.dispose()


def test_an_old_store_counting_a_page_twice_is_settled_when_opened(
        store: Store, station_b: Store, caplog: pytest.LogCaptureFixture) -> None:
    drop_counted_page_index(store)
    won, lost = race(store, station_b, loser_outcome="review")
    with store.session() as s:
        s.add(ReviewItem(kind="unaligned_page", status="open", form_id=FORM, page_id=lost.page_id))
    caplog.set_level(logging.WARNING, logger="omr.store.db")
    reopened = open_store(store.workspace, store.url)
    try:
        assert has_counted_page_index(reopened)
        assert counted_copies(reopened) == [won.page_id]
        with reopened.session() as s:
            page = s.get(PageRow, lost.page_id)
            assert page is not None
            assert (page.outcome, page.reason, page.duplicate_of) == (
                "rejected", "duplicate of /scans/a.pdf#1", won.page_id)
            assert s.scalars(select(ReviewItem.status)).all() == ["done"]
            event_ = s.scalars(select(AuditEvent).where(AuditEvent.action == "dedupe")).one()
            assert (event_.actor, event_.page_id, event_.old) == (UPGRADE_ACTOR, lost.page_id, "/scans/b.pdf#1: review")
            assert s.get(FormRow, FORM) is not None
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and warnings[0].startswith("/scans/b.pdf#1 [")
        assert "/scans/a.pdf#1" in warnings[0] and "duplicate" in warnings[0]
        third = record_page(reopened, a_file(reopened, "c.pdf"), result(0), no_templates)
        assert (third.outcome, third.reason) == ("rejected", "duplicate of /scans/a.pdf#1")
    finally:
        reopened.engine.dispose()
    caplog.clear()
    open_store(store.workspace, store.url).engine.dispose()
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "dedupe")) == 1
