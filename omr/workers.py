"""The worker side of a batch: what runs in the reader processes, and the pools that run it.

:func:`read_task` decodes and reads one page (a :class:`PageTask`) and answers with a
:class:`TaskOutcome`; it never touches the database. :class:`WorkerPool` runs it in spawned
processes, each set up once by :func:`init_worker` (one thread for OpenCV and Tesseract, the reader
context loaded, Ctrl-C left to the parent, exit when the parent dies); :class:`InProcessPool` runs
it in the calling process for ``--jobs 1``. Both log under the batch's logger (``omr.batch``) and
prefix what the reader logs with the ``file#page`` being read. The driver is :mod:`omr.batch`.
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
from collections.abc import Callable, MutableMapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from omr.errors import SipasError
from omr.formid import PageIdentity, display_form_id
from omr.idmatch import KnownForms
from omr.ingest import PageRef, load_page
from omr.store.records import PageResult
from omr.types import PageError

if TYPE_CHECKING:
    from omr.reader import ReaderContext

log = logging.getLogger("omr.batch")
"""The batch's logger, shared by the driver and its workers."""


class PageLog(logging.LoggerAdapter[logging.Logger]):
    """Prefix every message with ``file#page`` and, once known, ``[form id]``."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = self.extra or {}
        form = extra.get("form_id")
        prefix = f"{extra.get('page')} [{display_form_id(str(form))}]" if form else str(extra.get("page"))
        return f"{prefix}: {msg}", kwargs


def page_log(key: str, form_id: str | None = None) -> PageLog:
    return PageLog(log, {"page": key, "form_id": form_id})


@dataclass(frozen=True)
class PageTask:
    """One page to read: where it is, how many times it was tried, and what it is thought to be.

    ``identity`` and ``placed``: the form page the page's position in its file says it is, and how
    that was found (:mod:`omr.placement`); the reader checks it against the page's layout.
    """

    ref: PageRef
    attempt: int = 1
    identity: PageIdentity | None = None
    placed: str | None = None


@dataclass(frozen=True)
class TaskOutcome:
    """A worker's answer: a result to record, or why the page could not be read (left unrecorded)."""

    index: int
    result: PageResult | None
    failure: str | None
    seconds: float


TaskFunction = Callable[[PageTask], TaskOutcome]
"""What a pool runs for each page (:func:`read_task`, or a stand-in in tests)."""

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


def init_worker(templates: tuple[str, ...] | None, log_level: int | None = None,
                known: KnownForms = KnownForms()) -> None:
    """Per worker process: one thread for OpenCV and Tesseract, the reader context built once.

    ``known``: the workspace's form ids at scan start (a misread printed id is matched against
    them); sent once per worker (about 0.5 MB pickled for 50,000 forms).
    """
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

    _CONTEXT = ReaderContext.load(templates=list(templates) if templates is not None else None,
                                  known=known)


def worker_ready() -> int:
    """A no-op task: submitting one per worker makes the pool start (and initialise) every worker now."""
    return os.getpid()


def read_task(task: PageTask) -> TaskOutcome:
    """Decode and read one page (runs in a worker; never touches the database)."""
    start = time.perf_counter()
    if _CONTEXT is None:
        raise RuntimeError("read_task called before init_worker")
    # A JPEG the reader would reduce by 2, 4 or 8 is decoded reduced (omr.imagepages.jpeg_reduction).
    page = load_page(task.ref, long_side=_CONTEXT.config.detect_long_side_px)
    if isinstance(page, PageError):
        return TaskOutcome(task.ref.index, PageResult.from_error(page), None, time.perf_counter() - start)
    from omr.reader import read_page

    _READING.append(task.ref.key)
    try:
        reading = read_page(page, _CONTEXT, identity=task.identity, placed=task.placed)
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


class InProcessPool:
    """``--jobs 1``: the same worker function, run in this process as tasks are submitted."""

    def __init__(self, templates: tuple[str, ...] | None, task: TaskFunction = read_task,
                 known: KnownForms = KnownForms()) -> None:
        init_worker(templates, known=known)
        self.task = task
        self.filter = PageContextFilter()
        self.handlers = list(logging.getLogger().handlers)
        for handler in self.handlers:
            handler.addFilter(self.filter)

    def submit(self, task: PageTask) -> Future[TaskOutcome]:
        future: Future[TaskOutcome] = Future()
        try:
            future.set_result(self.task(task))
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


class WorkerPool:
    """A process pool of spawned workers.

    Spawned, not forked: a forked child would share the parent's database connections (closing them
    at exit would break the parent's PostgreSQL session), and a spawned worker's parent is the batch
    process itself, so the worker can watch it and exit when it dies. ``task`` is pickled by name, so
    it must be a module-level function.
    """

    def __init__(self, jobs: int, templates: tuple[str, ...] | None, task: TaskFunction = read_task,
                 known: KnownForms = KnownForms()) -> None:
        self.jobs, self.templates, self.task, self.known = jobs, templates, task, known
        self.context = multiprocessing.get_context("spawn")
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        """A pool whose workers start at once: a spawned worker takes about a second to import the
        reader and load its context, which then overlaps with the parent planning the first files
        (the executor would otherwise spawn each worker only when a page is submitted)."""
        executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=self.context, initializer=init_worker,
                                       initargs=(self.templates, logging.getLogger().getEffectiveLevel(),
                                                 self.known))
        for _ in range(self.jobs):
            executor.submit(worker_ready)
        return executor

    def submit(self, task: PageTask) -> Future[TaskOutcome]:
        try:
            return self.executor.submit(self.task, task)
        except BrokenProcessPool:
            self.restart()
            return self.executor.submit(self.task, task)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def shutdown(self, *, cancel: bool) -> None:
        self.executor.shutdown(wait=True, cancel_futures=cancel)



PagePool = InProcessPool | WorkerPool
"""Either pool: ``submit`` a :class:`PageTask`, ``restart`` after a worker died, ``shutdown``."""
