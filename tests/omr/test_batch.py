"""The batch driver end to end, with the real reader on real rendered, marked and scanned pages."""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import omr.batch
import omr.workers
from omr.batch import scan
from omr.store.db import Store
from omr.store.manifest import import_manifest
from omr.store.schema import AnswerRow, FormRow, InputFile, PageRow
from omr.store.summary import DUPLICATE_GROUP
from omr.workers import PageLog, TaskOutcome

pytestmark = pytest.mark.slow
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml"
ScanBatch = Any  # the scan_batch fixture of tests/omr/conftest.py


def page_rows(store: Store) -> list[tuple[str, int, str, str | None]]:
    with store.session() as s:
        rows = s.execute(select(InputFile.path, PageRow.page_index, PageRow.outcome, PageRow.form_id)
                         .join(InputFile, InputFile.id == PageRow.file_id).order_by(InputFile.path,
                                                                                    PageRow.page_index))
        return [(Path(p).name, i, o, f) for p, i, o, f in rows]


def answers(store: Store) -> dict[tuple[str, str], tuple[str, str]]:
    with store.session() as s:
        return {(a.form_id, a.field): (a.value, a.status) for a in s.scalars(select(AnswerRow))}


def check_batch(store: Store, batch: ScanBatch) -> None:
    """Every page accounted for once, with the right outcome, and the marked answers read."""
    rows = page_rows(store)
    assert len(rows) == batch.pages and len({(n, i) for n, i, _, _ in rows}) == batch.pages
    outcomes = {(n, i): o for n, i, o, _ in rows}
    assert outcomes[(batch.blank.name, 0)] == "blank"
    assert outcomes[(batch.photo.name, 0)] == "rejected"
    assert outcomes[(batch.duplicate.name, 0)] == "rejected"
    forms = [f for n, _, o, f in rows if o in ("read", "review") and f is not None]
    assert sorted(forms) == sorted(batch.truth)  # each form once, the upside-down one included
    got = answers(store)
    for form_id, marks in batch.truth.items():
        for field, value in marks.items():
            machine, status = got[(form_id, field)]
            assert status == "flagged" or machine == value, (form_id, field, machine, value)
    auto = sum(1 for v in got.values() if v[1] == "auto")
    assert auto >= 0.9 * len(got)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(InputFile).where(InputFile.status != "done")) == 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_is_read_recorded_and_summarised(store: Store, scan_batch: ScanBatch, jobs: int) -> None:
    import_manifest(store, scan_batch.manifest)
    result = scan([scan_batch.folder], store, jobs=jobs, templates=[MINI])
    check_batch(store, scan_batch)
    assert (result.files, result.pages, result.blank, result.rejected) == (6, 13, 1, 2)
    assert result.read + result.review == 10 and result.pages_skipped == 0 and not result.unrecorded
    reasons = {g.reason: g.examples for g in result.rejected_reasons}
    assert reasons[DUPLICATE_GROUP] == (f"{scan_batch.duplicate}#1",)
    assert result.forms_complete == 10 and result.forms_incomplete == ()
    with store.session() as s:
        page = s.scalars(select(PageRow).where(PageRow.outcome == "read")).first()
        assert page is not None and page.image_path and (store.workspace / page.image_path).is_file()
        assert s.scalar(select(func.count()).select_from(FormRow).where(FormRow.in_manifest)) == 10


def test_a_rerun_adds_nothing_and_reads_nothing(store: Store, scan_batch: ScanBatch,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = scan([scan_batch.folder], store, jobs=1, templates=[MINI])
    before = (page_rows(store), answers(store))
    calls: list[object] = []
    real = omr.batch.read_task

    def counting(task: omr.workers.PageTask) -> TaskOutcome:
        calls.append(task)
        return real(task)

    monkeypatch.setattr(omr.batch, "read_task", counting)
    again = scan([scan_batch.folder, scan_batch.folder / "batch03.jpg"], store, jobs=1, templates=[MINI])
    assert calls == []
    assert (page_rows(store), answers(store)) == before
    assert (again.pages, again.read, again.review, again.rejected) == (first.pages, first.read, first.review,
                                                                       first.rejected)
    assert again.pages_skipped == scan_batch.pages


def test_a_half_recorded_file_resumes_with_the_missing_pages_only(store: Store, scan_batch: ScanBatch,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = scan_batch.folder / "batch01.pdf"
    scan([pdf], store, jobs=1, templates=[MINI])
    _forget_pages(store, from_index=3)  # as if the run had been killed after page 3
    calls: list[int] = []
    real = omr.batch.read_task

    def counting(task: omr.workers.PageTask) -> TaskOutcome:
        calls.append(task.ref.index)
        return real(task)

    monkeypatch.setattr(omr.batch, "read_task", counting)
    result = scan([pdf], store, jobs=1, templates=[MINI])
    assert calls == [3, 4, 5, 6] and result.pages_skipped == 3 and result.pages == 7
    rows = page_rows(store)
    assert [i for _, i, _, _ in rows] == list(range(7))


def _forget_pages(store: Store, *, from_index: int) -> None:
    from sqlalchemy import delete, update

    from omr.store.schema import AuditEvent, BoxRow, ReviewItem

    with store.session() as s:
        ids = list(s.scalars(select(PageRow.id).where(PageRow.page_index >= from_index)))
        forms = list(s.scalars(select(PageRow.form_id).where(PageRow.id.in_(ids))))
        s.execute(delete(BoxRow).where(BoxRow.page_id.in_(ids)))
        s.execute(delete(ReviewItem).where(ReviewItem.page_id.in_(ids)))
        s.execute(delete(AuditEvent).where(AuditEvent.page_id.in_(ids)))
        s.execute(delete(AnswerRow).where(AnswerRow.form_id.in_(forms)))
        s.execute(delete(PageRow).where(PageRow.id.in_(ids)))
        s.execute(update(InputFile).values(status="pending"))


def test_broken_inputs_are_reported_and_the_batch_goes_on(store: Store, scan_batch: ScanBatch,
                                                          tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.pdf").write_text("not a pdf", encoding="utf-8")
    good = tmp_path / "z.jpg"
    good.write_bytes((scan_batch.folder / "batch03.jpg").read_bytes())
    result = scan([tmp_path], store, jobs=1, templates=[MINI])
    assert [(Path(e.source).name, e.index) for e in result.unrecorded] == [("empty.pdf", None)]
    assert "the file is empty" in result.unrecorded[0].reason
    assert result.rejected == 1 and result.rejected_reasons[0].examples == (f"{tmp_path / 'notes.pdf'}#1",)
    assert result.read + result.review == 1 and result.any_rejected
    assert [n for n, _, o, _ in page_rows(store) if o in ("read", "review")] == ["z.jpg"]


def test_page_log_prefixes_the_page_and_form(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="omr.batch")
    PageLog(omr.workers.log, {"page": "a.pdf#3", "form_id": "84G7ZWY6"}).info("read in %.1f s", 0.25)
    PageLog(omr.workers.log, {"page": "a.pdf#4", "form_id": None}).info("blank")
    assert [r.getMessage() for r in caplog.records] == ["a.pdf#3 [84G7-ZWY6]: read in 0.2 s", "a.pdf#4: blank"]


def test_reader_log_lines_carry_the_page_being_read() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(omr.workers.PageContextFilter())
    reader_log = logging.getLogger("omr.reader.test")
    reader_log.addHandler(handler)
    reader_log.setLevel(logging.DEBUG)
    try:
        omr.workers._READING.append("scan 100%.pdf#2")
        reader_log.debug("no markers at %d dpi", 150)
        omr.workers._READING.clear()
        reader_log.debug("between pages")
    finally:
        reader_log.removeHandler(handler)
    assert [r.getMessage() for r in records] == ["scan 100%.pdf#2: no markers at 150 dpi", "between pages"]


def test_workers_start_with_the_pool_not_with_the_first_page() -> None:
    """Spawned workers take about a second to start: they are started (and initialised) as soon as the
    pool exists, while the parent still registers the first files."""
    before = {p.pid for p in multiprocessing.active_children()}
    pool = omr.workers.WorkerPool(2, (str(MINI),))
    try:
        started = [p for p in multiprocessing.active_children() if p.pid not in before]
        assert len(started) == 2  # before any page was submitted
        ready = {f.result(timeout=120) for f in [pool.executor.submit(omr.workers.worker_ready) for _ in range(4)]}
        assert ready <= {p.pid for p in started}
    finally:
        pool.shutdown(cancel=True)


def test_a_run_stopped_between_groups_resumes_with_the_unrecorded_pages_only(
        store: Store, scan_batch: ScanBatch, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(omr.batch, "GROUP_PAGES", 3)
    monkeypatch.setattr(omr.batch, "GROUP_SECONDS", 3600.0)
    real = omr.batch.record_pages
    groups: list[int] = []

    def stops_at_the_second(*args: Any, **kwargs: Any) -> Any:
        groups.append(len(args[1]))
        if len(groups) == 2:
            raise KeyboardInterrupt  # as if the run were killed: that group was never written
        return real(*args, **kwargs)

    monkeypatch.setattr(omr.batch, "record_pages", stops_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        scan([scan_batch.folder], store, jobs=1, templates=[MINI])
    assert groups == [3, 3] and len(page_rows(store)) == 3  # one whole group recorded, none of the second
    monkeypatch.setattr(omr.batch, "record_pages", real)
    calls: list[str] = []
    read = omr.batch.read_task

    def counting(task: omr.workers.PageTask) -> TaskOutcome:
        calls.append(task.ref.key)
        return read(task)

    monkeypatch.setattr(omr.batch, "read_task", counting)
    result = scan([scan_batch.folder], store, jobs=1, templates=[MINI])
    assert len(calls) == scan_batch.pages - 3 and result.pages_skipped == 3
    check_batch(store, scan_batch)
