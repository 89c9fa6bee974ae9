"""The batch driver: ingest → read (in worker processes) → record, one page at a time.

Stage order, per page::

    open_scan_file (parent: sniff, count pages)  →  load_page + read_page (worker)  →  record_pages (parent)

Design choices
--------------
* Workers get a :class:`~omr.ingest.PageRef` (path, page index, what poppler said about the page),
  never pixels: decoding is a large share of the per-page time and runs in parallel this way, and a
  task pickles in microseconds instead of copying ~9 MB per 300-dpi page. Workers send back the
  reading with its images already JPEG-encoded (~0.3 MB), so the parent only writes.
* Only the parent touches the database, recording results in input order (the same batch always
  gives the same database), several pages per transaction (:data:`GROUP_PAGES`, or fewer after
  :data:`GROUP_SECONDS`). At most ``2 × jobs + 2`` pages are in flight and a group waiting, so memory
  stays flat whatever the batch size.
* Workers are spawned when the pool is created, not when the first page is submitted: a worker
  takes about a second to import the reader and load its context, and does so while the parent
  registers the first files. (On two cores the parent's own share, recording about 10 ms and
  registering a file a few ms per page, is what keeps ``--jobs 2`` a little under twice as fast.)
* ``--jobs 1`` runs the same worker function in-process.
* Killed at any point and run again, every page ends up recorded exactly once: a group of pages is
  recorded whole or not at all, pages already in the store are skipped without being read, and a
  file is marked done only after all its pages (in the transaction of its last one).
* A page that crashes its worker twice (or hits a reader bug) is reported and left unrecorded, so a
  later run retries it; the batch goes on.
* Workers get the form ids the workspace knows at scan start (manifest and forms seen), to match a
  misread printed id against (:mod:`omr.idmatch`).
* Once every page is recorded, unidentified pages lying between pages of one form in their file are
  placed by that order and read again by the same workers (:mod:`omr.placement`); it runs over all
  the batch's files at the end, so a form's other pages from later files count, and a run killed
  before it places them on the next run.

The worker side (:func:`~omr.workers.read_task`, the pools that run it) is :mod:`omr.workers`.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from omr.ingest import ScanFile, file_sha256, iter_input_paths, open_scan_file, page_refs
from omr.placement import place_pages
from omr.store.db import Store
from omr.store.manifest import known_forms
from omr.store.records import (
    FileState,
    PageToRecord,
    finish_file,
    record_file_error,
    record_pages,
    register_file,
)
from omr.store.summary import ScanSummary, summary
from omr.template.load import builtin_templates, load_template
from omr.template.model import Template
from omr.types import PageError
from omr.workers import InProcessPool as _InProcessPool
from omr.workers import PagePool, PageTask, TaskOutcome, log, page_log
from omr.workers import WorkerPool as _WorkerPool
from omr.workers import read_task as read_task  # re-exported: tests replace omr.batch.read_task


class _Bar:
    """A rich progress bar on stderr (a no-op when disabled)."""

    def __init__(self, enabled: bool) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("pages"),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
            console=Console(stderr=True), disable=not enabled, transient=False,
        ) if enabled else None
        self.task = self.progress.add_task("scanning", total=0, rate="") if self.progress else None
        self.start = time.perf_counter()
        self.done = 0

    def grow(self, pages: int, name: str) -> None:
        if self.progress is not None and self.task is not None:
            total = (self.progress.tasks[0].total or 0) + pages
            self.progress.update(self.task, total=total, description=name[-40:])

    def advance(self, pages: int = 1) -> None:
        self.done += pages
        if self.progress is not None and self.task is not None:
            rate = self.done / max(time.perf_counter() - self.start, 1e-6)
            self.progress.update(self.task, advance=pages, rate=f"{rate:.1f}/s")

    @contextmanager
    def shown(self) -> Iterator[_Bar]:
        if self.progress is None:
            yield self
            return
        with self.progress:
            yield self


GROUP_PAGES = 8
"""Pages read are recorded in groups of this many, one transaction each (a run killed loses at most
the group it had not recorded yet: those pages are read again when it is run again)."""
GROUP_SECONDS = 1.0
"""...or fewer, once the oldest page waiting has waited this long (slow pages are not held back)."""


class TemplateIndex:
    """The templates a batch knows: every built-in one, plus template files given for this run.

    A given file replaces a built-in template of the same name and version. Calling the index with a
    template name gives that template (the recorder groups flagged fields by question with it).
    """

    def __init__(self, extra: Sequence[str | Path] = ()) -> None:
        found: dict[tuple[str, str], tuple[str, Template]] = {}
        for source in [*builtin_templates().values(), *extra]:
            t = load_template(source)
            found[(t.name, t.version)] = (str(source), t)
        self.sources: tuple[str, ...] = tuple(src for src, _ in found.values())
        self.by_name: dict[str, Template] = {t.name: t for _, t in found.values()}

    def __call__(self, name: str) -> Template | None:
        return self.by_name.get(name)


@dataclass
class _Run:
    """Book-keeping of one batch run."""

    store: Store
    templates: TemplateIndex
    bar: _Bar
    file_ids: list[int]
    unrecorded: list[PageError]
    skipped: int = 0
    opened: dict[int, ScanFile] = field(default_factory=dict)
    """Files read (or resumed) in this run, by file id: their pages may be placed by order."""
    pending: list[_Pending] = field(default_factory=list)
    """Pages read and not yet recorded, in input order (recorded together by :func:`_flush`)."""
    pending_since: float = 0.0


@dataclass(frozen=True)
class _Pending:
    item: PageToRecord
    key: str
    seconds: float


@dataclass(frozen=True)
class _PageEntry:
    state: FileState
    task: PageTask
    future: Future[TaskOutcome]
    last: bool = False
    """The file's last page to record: recording it closes the file (same transaction)."""


@dataclass(frozen=True)
class _FileEnd:
    state: FileState


def _plan(run: _Run, path: Path) -> tuple[FileState, ScanFile] | None:
    """Register one input file; None when there is nothing (more) to read in it."""
    scanned = open_scan_file(path)
    if isinstance(scanned, PageError) and (not path.is_file() or _size(path) == 0):
        run.unrecorded.append(scanned)  # nothing to hash: report it, record nothing
        log.warning("%s: %s", scanned.source, scanned.reason)
        return None
    try:
        sha = file_sha256(path)
    except OSError as exc:
        err = PageError(str(path), None, f"cannot read the file: {exc.strerror or exc}; check its permissions")
        run.unrecorded.append(err)
        log.warning("%s: %s", err.source, err.reason)
        return None
    pages = scanned.pages if isinstance(scanned, ScanFile) else None
    state = register_file(run.store, sha256=sha, path=str(path), size=_size(path), page_count=pages)
    if state.id in run.file_ids:
        log.info("%s: same content as %s, given twice; read once", path, state.path)
        return None
    run.file_ids.append(state.id)
    if not state.new and state.path != str(path):
        log.info("%s: same content as %s, scanned before", path, state.path)
    if isinstance(scanned, ScanFile):
        run.opened[state.id] = scanned
    if state.finished:
        run.skipped += len(state.recorded)
        run.bar.grow(len(state.recorded), path.name)
        run.bar.advance(len(state.recorded))
        return None
    if isinstance(scanned, PageError):
        _flush(run)  # the pages read before it first: pages are recorded in input order
        recorded = record_file_error(run.store, state, scanned.reason)
        log.warning("%s: rejected: %s", recorded.key, scanned.reason)
        run.bar.grow(1, path.name)
        run.bar.advance()
        return None
    run.bar.grow(scanned.pages, path.name)
    return state, scanned


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _outcome(entry: _PageEntry, pool: PagePool) -> TaskOutcome:
    """The entry's outcome; a page whose worker died is retried once in a fresh pool."""
    try:
        return entry.future.result()
    except BrokenProcessPool:
        if entry.task.attempt > 1:
            return TaskOutcome(entry.task.ref.index, None,
                               "the reader process died twice on this page (out of memory or a crash)", 0.0)
        page_log(entry.task.ref.key).warning("worker process died; reading the page again")
        pool.restart()
        retry = replace(entry.task, attempt=2)
        return _outcome(replace(entry, task=retry, future=pool.submit(retry)), pool)


def _settle(run: _Run, entry: _PageEntry | _FileEnd, pool: PagePool,
            failed_files: set[int]) -> None:
    """Take one finished page into the group to record, or close a file whose pages are all recorded."""
    if isinstance(entry, _FileEnd):
        _flush(run)
        if entry.state.id not in failed_files:
            finish_file(run.store, entry.state.id)
        return
    outcome = _outcome(entry, pool)
    key = entry.task.ref.key
    run.bar.advance()
    if outcome.result is None:
        failed_files.add(entry.state.id)
        run.unrecorded.append(PageError(str(entry.task.ref.path), entry.task.ref.index,
                                        f"{outcome.failure}; not recorded, run the scan again to retry it"))
        page_log(key).error("%s", outcome.failure)
        return
    finishes = entry.last and entry.state.id not in failed_files
    if not run.pending:
        run.pending_since = time.monotonic()
    run.pending.append(_Pending(PageToRecord(entry.state, outcome.result, finishes), key, outcome.seconds))
    if len(run.pending) >= GROUP_PAGES or time.monotonic() - run.pending_since >= GROUP_SECONDS:
        _flush(run)


def _flush(run: _Run) -> None:
    """Record the pages waiting, in one transaction (:func:`~omr.store.records.record_pages`)."""
    if not run.pending:
        return
    recorded = record_pages(run.store, [p.item for p in run.pending], run.templates)
    for pending, page in zip(run.pending, recorded, strict=True):
        detail = f" ({page.reason})" if page.reason else ""
        flagged = f", {page.flagged} field(s) flagged" if page.flagged else ""
        page_log(pending.key, page.form_id).info("%s%s%s in %.2f s", page.outcome, detail, flagged, pending.seconds)
    run.pending.clear()


def scan(paths: Sequence[Path], store: Store, *, jobs: int = 1, progress: bool = False,
         templates: Sequence[str | Path] = ()) -> ScanSummary:
    """Read every page of ``paths`` into ``store`` and summarise this batch.

    ``templates`` adds template files to the built-in ones (the reader knows only these).
    Raises :class:`~omr.errors.SipasError` only for problems that stop everything (a missing
    program, an unusable database); bad input files and pages are reported in the summary.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    index = TemplateIndex(templates)
    names = index.sources
    run = _Run(store, index, _Bar(progress), [], [])
    window = 2 * jobs + 2
    # The task is this module's read_task, looked up per run (tests replace omr.batch.read_task).
    known = known_forms(store)
    pool: PagePool = (_InProcessPool(names, read_task, known) if jobs == 1
                      else _WorkerPool(jobs, names, read_task, known))
    queue: deque[_PageEntry | _FileEnd] = deque()
    failed_files: set[int] = set()
    in_flight = 0
    cancelled = True
    try:
        with run.bar.shown():
            for item in iter_input_paths(paths):
                if isinstance(item, PageError):
                    run.unrecorded.append(item)
                    continue
                planned = _plan(run, item)
                if planned is None:
                    continue
                state, scan_file = planned
                todo = [ref for ref in page_refs(scan_file) if ref.index not in state.recorded]
                run.skipped += scan_file.pages - len(todo)
                run.bar.advance(scan_file.pages - len(todo))
                if not todo:  # every page recorded by a run killed before it could close the file
                    queue.append(_FileEnd(state))
                for ref in todo:
                    task = PageTask(ref)
                    queue.append(_PageEntry(state, task, pool.submit(task), last=ref is todo[-1]))
                    in_flight += 1
                    while in_flight >= window:
                        head = queue.popleft()
                        if isinstance(head, _PageEntry):
                            in_flight -= 1
                        _settle(run, head, pool, failed_files)
            while queue:
                _settle(run, queue.popleft(), pool, failed_files)
            _flush(run)
            place_pages(store, run.opened, pool.submit, index)
        cancelled = False
    finally:
        pool.shutdown(cancel=cancelled)
    found = summary(store, run.file_ids)
    return replace(found, unrecorded=tuple(run.unrecorded), pages_skipped=run.skipped)


def progress_wanted(quiet: bool) -> bool:
    """Show a progress bar only for people: not with --quiet, not when stderr is not a terminal."""
    return not quiet and sys.stderr.isatty()

