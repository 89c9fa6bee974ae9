"""Open the workspace store: a SQLite file in the workspace (default) or a PostgreSQL URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from omr.errors import BadArgumentsError, StorageError
from omr.store.schema import Base

DB_FILENAME = "sipas.sqlite"


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
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open the database {url.split('@')[-1]}: {exc}") from exc
    return Store(ws, url, engine, sessionmaker(engine, expire_on_commit=False))
