"""The batch driver: ingest → read (in worker processes) → record, one page at a time.

Stage order, per page::

    open_scan_file (parent: sniff, count pages)  →  load_page + read_page (worker)  →  record_page (parent)

Design choices
--------------
* Workers get a :class:`~omr.ingest.PageRef` (path, page index, what poppler said about the page),
  never pixels: decoding is a large share of the per-page time and runs in parallel this way, and a
  task pickles in microseconds instead of copying ~9 MB per 300-dpi page. Workers send back the
  reading with its images already JPEG-encoded (~0.3 MB), so the parent only writes.
* Only the parent touches the database, one transaction per page, recording results in input order
  (the same batch always gives the same database). At most ``2 × jobs + 2`` pages are in flight, so
  memory stays flat whatever the batch size.
* Workers are spawned when the pool is created, not when the first page is submitted: a worker
  takes about a second to import the reader and load its context, and does so while the parent
  registers the first files. (On two cores the parent's own share, recording about 10 ms and
  registering a file a few ms per page, is what keeps ``--jobs 2`` a little under twice as fast.)
* ``--jobs 1`` runs the same worker function in-process.
* Killed at any point and run again, every page ends up recorded exactly once: pages already in
  the store are skipped without being read, and a file is marked done only after all its pages.
* A page that crashes its worker twice (or hits a reader bug) is reported and left unrecorded, so a
  later run retries it; the batch goes on.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator, MutableMapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from omr.errors import SipasError
from omr.formid import display_form_id
from omr.ingest import PageRef, ScanFile, file_sha256, iter_input_paths, load_page, open_scan_file, page_refs
from omr.store.db import Store
from omr.store.records import (
    FileState,
    PageResult,
    finish_file,
    record_file_error,
    record_page,
    register_file,
)
from omr.store.summary import ScanSummary, summary
from omr.template.load import builtin_templates, load_template
from omr.template.model import Template
from omr.types import PageError

if TYPE_CHECKING:
    from omr.reader import ReaderContext

log = logging.getLogger("omr.batch")


class PageLog(logging.LoggerAdapter[logging.Logger]):
    """Prefix every message with ``file#page`` and, once known, ``[form id]``."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = self.extra or {}
        form = extra.get("form_id")
        prefix = f"{extra.get('page')} [{display_form_id(str(form))}]" if form else str(extra.get("page"))
        return f"{prefix}: {msg}", kwargs


def page_log(key: str, form_id: str | None = None) -> PageLog:
    return PageLog(log, {"page": key, "form_id": form_id})


# -- worker side -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageTask:
    """One page to read: where it is, and how many times it was tried."""

    ref: PageRef
    attempt: int = 1


@dataclass(frozen=True)
class TaskOutcome:
    """A worker's answer: a result to record, or why the page could not be read (left unrecorded)."""

    index: int
    result: PageResult | None
    failure: str | None
    seconds: float


_CONTEXT: ReaderContext | None = None
_READING: list[str] = []
"""``file#page`` of the page being read in this process (empty between pages)."""
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class PageContextFilter(logging.Filter):
    """Handler filter: prefix what the reader logs with the ``file#page`` being read."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _READING and record.name.startswith("omr.") and record.name != log.name:
            record.msg = f"{_READING[-1].replace('%', '%%')}: {record.msg}"
        return True


def _configure_worker_logging(level: int) -> None:
    """A spawned worker has no logging set up: log like the parent, with the page in every line."""
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(stream)
    root.setLevel(level)
    for handler in root.handlers:
        handler.addFilter(PageContextFilter())


def _exit_with_parent(sentinel: int) -> None:
    """Worker watchdog: end this process as soon as the batch process is gone (even SIGKILLed)."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def init_worker(templates: tuple[str, ...] | None, log_level: int | None = None) -> None:
    """Per worker process: one thread for OpenCV and Tesseract, the reader context built once."""
    global _CONTEXT
    os.environ["OMP_THREAD_LIMIT"] = "1"
    parent = multiprocessing.parent_process()
    if parent is not None:
        if log_level is not None:
            _configure_worker_logging(log_level)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True,
                         name="exit-with-parent").start()
    import cv2

    cv2.setNumThreads(1)
    from omr.reader import ReaderContext

    _CONTEXT = ReaderContext.load(templates=list(templates) if templates is not None else None)


def worker_ready() -> int:
    """A no-op task: submitting one per worker makes the pool start (and initialise) every worker now."""
    return os.getpid()


def read_task(task: PageTask) -> TaskOutcome:
    """Decode and read one page (runs in a worker; never touches the database)."""
    start = time.perf_counter()
    page = load_page(task.ref)
    if isinstance(page, PageError):
        return TaskOutcome(task.ref.index, PageResult.from_error(page), None, time.perf_counter() - start)
    from omr.reader import read_page

    if _CONTEXT is None:
        raise RuntimeError("read_task called before init_worker")
    _READING.append(task.ref.key)
    try:
        reading = read_page(page, _CONTEXT)
        result = PageResult.from_reading(page, reading)
    except SipasError:
        raise  # a missing program or data file: the whole batch must stop
    except Exception as exc:  # a reader bug must not stop the batch; the page stays unrecorded
        page_log(task.ref.key).debug("reader failed:\n%s", traceback.format_exc())
        failure = f"internal error while reading ({exc.__class__.__name__}: {exc}); please report it"
        return TaskOutcome(task.ref.index, None, failure, time.perf_counter() - start)
    finally:
        _READING.clear()
    return TaskOutcome(task.ref.index, result, None, time.perf_counter() - start)


# -- parent side -----------------------------------------------------------------------------------
class _InProcessPool:
    """``--jobs 1``: the same worker function, run in this process as tasks are submitted."""

    def __init__(self, templates: tuple[str, ...] | None) -> None:
        init_worker(templates)
        self.filter = PageContextFilter()
        self.handlers = list(logging.getLogger().handlers)
        for handler in self.handlers:
            handler.addFilter(self.filter)

    def submit(self, task: PageTask) -> Future[TaskOutcome]:
        future: Future[TaskOutcome] = Future()
        try:
            future.set_result(read_task(task))
        except BaseException as exc:
            if not isinstance(exc, Exception):
                raise
            future.set_exception(exc)
        return future

    def restart(self) -> None:
        return None

    def shutdown(self, *, cancel: bool) -> None:
        for handler in self.handlers:
            handler.removeFilter(self.filter)


class _WorkerPool:
    """A process pool of spawned workers.

    Spawned, not forked: a forked child would share the parent's database connections (closing them
    at exit would break the parent's PostgreSQL session), and a spawned worker's parent is the batch
    process itself, so the worker can watch it and exit when it dies.
    """

    def __init__(self, jobs: int, templates: tuple[str, ...] | None) -> None:
        self.jobs, self.templates = jobs, templates
        self.context = multiprocessing.get_context("spawn")
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        """A pool whose workers start at once: a spawned worker takes about a second to import the
        reader and load its context, which then overlaps with the parent planning the first files
        (the executor would otherwise spawn each worker only when a page is submitted)."""
        executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=self.context, initializer=init_worker,
                                       initargs=(self.templates, logging.getLogger().getEffectiveLevel()))
        for _ in range(self.jobs):
            executor.submit(worker_ready)
        return executor

    def submit(self, task: PageTask) -> Future[TaskOutcome]:
        try:
            return self.executor.submit(read_task, task)
        except BrokenProcessPool:
            self.restart()
            return self.executor.submit(read_task, task)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def shutdown(self, *, cancel: bool) -> None:
        self.executor.shutdown(wait=True, cancel_futures=cancel)


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
    if state.finished:
        run.skipped += len(state.recorded)
        run.bar.grow(len(state.recorded), path.name)
        run.bar.advance(len(state.recorded))
        return None
    if isinstance(scanned, PageError):
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


def _outcome(entry: _PageEntry, pool: _InProcessPool | _WorkerPool) -> TaskOutcome:
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


def _settle(run: _Run, entry: _PageEntry | _FileEnd, pool: _InProcessPool | _WorkerPool,
            failed_files: set[int]) -> None:
    """Record one finished page, or close a file whose pages are all recorded."""
    if isinstance(entry, _FileEnd):
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
    recorded = record_page(run.store, entry.state, outcome.result, run.templates, finishes_file=finishes)
    plog = page_log(key, recorded.form_id)
    detail = f" ({recorded.reason})" if recorded.reason else ""
    flagged = f", {recorded.flagged} field(s) flagged" if recorded.flagged else ""
    plog.info("%s%s%s in %.2f s", recorded.outcome, detail, flagged, outcome.seconds)


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
    pool: _InProcessPool | _WorkerPool = _InProcessPool(names) if jobs == 1 else _WorkerPool(jobs, names)
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
        cancelled = False
    finally:
        pool.shutdown(cancel=cancelled)
    found = summary(store, run.file_ids)
    return replace(found, unrecorded=tuple(run.unrecorded), pages_skipped=run.skipped)


def progress_wanted(quiet: bool) -> bool:
    """Show a progress bar only for people: not with --quiet, not when stderr is not a terminal."""
    return not quiet and sys.stderr.isatty()

