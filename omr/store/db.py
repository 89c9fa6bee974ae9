"""Open the workspace store: a SQLite file in the workspace (default) or a PostgreSQL URL.

Opening a store creates what is missing: the tables of a new store and, in a store made before it
existed, the unique index that keeps a form page from being counted twice. A store that already
counts a form page twice (two stations read both copies at the same moment, before the index) is
settled first, as the recorder settles a re-scan: the first copy recorded stays, every later copy
becomes a duplicate of it, with an audit event and a warning naming each file and page.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.schema import CreateIndex

from omr.errors import BadArgumentsError, StorageError
from omr.formid import display_form_id
from omr.store.schema import (
    COUNTED_PAGE_INDEX,
    COUNTED_PAGES_UNIQUE,
    AuditEvent,
    Base,
    InputFile,
    PageRow,
    ReviewItem,
    counted_form_page,
    utcnow,
)

log = logging.getLogger(__name__)
DB_FILENAME = "sipas.sqlite"
UPGRADE_ACTOR = "sipas upgrade"
_UPGRADE_ATTEMPTS = 3


@dataclass(frozen=True)
class Store:
    """A workspace: a folder for images and exports, and a database (SQLite inside it, or PostgreSQL)."""

    workspace: Path
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on error."""
        s = self.sessions()
        try:
            yield s
            s.commit()
        except SQLAlchemyError as exc:
            s.rollback()
            raise StorageError(f"database {self.safe_url}: {exc.__class__.__name__}: {exc}") from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def open_store(workspace: Path | None = None, db_url: str | None = None, create: bool = True) -> Store:
    """Open (and create the tables of) a workspace store.

    ``workspace`` defaults to ``./sipas-workspace``; ``db_url`` (``postgresql+psycopg://…``) puts
    the database elsewhere while images stay in the workspace folder.
    """
    ws = (workspace or Path("sipas-workspace")).resolve()
    if db_url is None:
        if create:
            ws.mkdir(parents=True, exist_ok=True)
        elif not (ws / DB_FILENAME).exists():
            raise StorageError(
                f"{ws}: no workspace here (no {DB_FILENAME}); run `sipas scan` first or pass --workspace"
            )
        url = f"sqlite:///{ws / DB_FILENAME}"
        if create:
            _private_file(ws / DB_FILENAME)
    else:
        if not db_url.startswith(("postgresql", "sqlite")):
            raise BadArgumentsError(f"--db {db_url!r}: use a postgresql+psycopg://… or sqlite:///… URL")
        url = db_url
        ws.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if create:
            Base.metadata.create_all(engine)
            _ensure_counted_pages_unique(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open the database {url.split('@')[-1]}: {exc}") from exc
    return Store(ws, url, engine, sessionmaker(engine, expire_on_commit=False))


def _private_file(path: Path) -> None:
    """Create the database file readable by its owner only (0600: it holds password hashes and answers);
    an existing one readable by others is tightened. SQLite gives its -wal and -shm files the same mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError as exc:
        log.warning("%s: cannot make the database private to its owner (%s)", path, exc)


# -- stores made before the counted-page index ------------------------------------------------------
def _has_counted_page_index(engine: Engine) -> bool:
    return any(ix["name"] == COUNTED_PAGE_INDEX for ix in inspect(engine).get_indexes(PageRow.__tablename__))


def _ensure_counted_pages_unique(engine: Engine) -> None:
    """Add the counted-page unique index to a store made without it, settling double-counted pages first.

    Two stations upgrading the same database at once are fine: on PostgreSQL the second waits for
    the first; on SQLite a page recorded between settling and indexing makes the attempt start over.
    """
    if _has_counted_page_index(engine):
        return
    for attempt in range(_UPGRADE_ATTEMPTS):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # writers and other upgraders wait (self-exclusive)
                    conn.execute(text(f"LOCK TABLE {PageRow.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))
                settled = _settle_double_counted(conn)
                conn.execute(CreateIndex(COUNTED_PAGES_UNIQUE, if_not_exists=True))
        except IntegrityError:
            if _has_counted_page_index(engine):  # another station created it at the same moment
                return
            if attempt == _UPGRADE_ATTEMPTS - 1:
                raise
            continue
        for message in settled:
            log.warning("%s", message)
        return


def _settle_double_counted(conn: Connection) -> list[str]:
    """Make every later copy of a form page counted more than once a duplicate of the first copy.

    Returns one message per page changed (file and page, form page, what to check).
    """
    counted = counted_form_page()
    clashes = conn.execute(
        select(PageRow.form_id, PageRow.page_number)
        .where(counted, PageRow.page_number.is_not(None))
        .group_by(PageRow.form_id, PageRow.page_number)
        .having(func.count() > 1)
    ).all()
    messages: list[str] = []
    for form_id, number in clashes:
        copies = conn.execute(
            select(PageRow.id, PageRow.outcome, InputFile.path, PageRow.page_index)
            .join(InputFile, InputFile.id == PageRow.file_id)
            .where(counted, PageRow.form_id == form_id, PageRow.page_number == number)
            .order_by(PageRow.id)
        ).all()
        first = _Copy(copies[0].id, f"{copies[0].path}#{copies[0].page_index + 1}", copies[0].outcome)
        for row in copies[1:]:
            copy = _Copy(row.id, f"{row.path}#{row.page_index + 1}", row.outcome)
            _make_duplicate(conn, copy, first, str(form_id))
            form = display_form_id(str(form_id))
            messages.append(
                f"{copy.key} [{form}]: page {number} of this form was counted twice, here and in {first.key} "
                f"(read at the same moment by two stations); this copy is now recorded as a duplicate. "
                f"Some answers of form {form} may come from this copy: check them against the paper in the "
                "review app"
            )
    return messages


def close_page_items(conn: Connection | Session, page_id: int, actor: str, at: dt.datetime) -> None:
    """Mark the open page-level review items of a page (unidentified, unaligned) done: it became a duplicate."""
    conn.execute(update(ReviewItem)
                 .where(ReviewItem.page_id == page_id, ReviewItem.kind != "field", ReviewItem.status == "open")
                 .values(status="done", resolved_by=actor, resolved_at=at))


@dataclass(frozen=True)
class _Copy:
    page_id: int
    key: str
    outcome: str


def _make_duplicate(conn: Connection, copy: _Copy, first: _Copy, form_id: str) -> None:
    """Record ``copy`` as a duplicate of ``first`` (as the recorder would have); its open page items are done."""
    reason = f"duplicate of {first.key}"
    now = utcnow()
    conn.execute(update(PageRow).where(PageRow.id == copy.page_id)
                 .values(outcome="rejected", reason=reason, duplicate_of=first.page_id))
    close_page_items(conn, copy.page_id, UPGRADE_ACTOR, now)
    conn.execute(insert(AuditEvent).values(at=now, actor=UPGRADE_ACTOR, action="dedupe", form_id=form_id,
                                           page_id=copy.page_id, old=f"{copy.key}: {copy.outcome}",
                                           new=f"{copy.key}: rejected ({reason})"))
