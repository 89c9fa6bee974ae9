"""The review app's own tables: server-side sessions, their skip lists, failed logins, double entry.

They live in the workspace database next to the store's tables but in a metadata of their own:
:func:`ensure_tables` creates whichever are missing (``CREATE TABLE IF NOT EXISTS``), so a workspace
made before them opens unchanged, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import weakref

from sqlalchemy import DateTime, Engine, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from omr.store.schema import utcnow


class ReviewBase(DeclarativeBase):
    """Tables created by the review app itself (not by the scanner)."""


class SessionRow(ReviewBase):
    """A logged-in browser: the cookie holds a random id, the database its SHA-256 (revocable)."""

    __tablename__ = "review_sessions"
    __table_args__ = (Index("ix_review_sessions_user", "user_name"),)
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    address: Mapped[str | None] = mapped_column(String(64))


class SkipRow(ReviewBase):
    """An item a session skipped (kept away from that session until it asks for its skips back)."""

    __tablename__ = "review_skips"
    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class LoginFailure(ReviewBase):
    """A failed login, by account (``user:NAME``) and by address (``addr:IP``), for throttling."""

    __tablename__ = "review_login_failures"
    __table_args__ = (Index("ix_review_login_failures_key", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


_READY: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure_tables(engine: Engine) -> None:
    """Create the review tables missing from the database of ``engine`` (once per engine)."""
    if engine in _READY:
        return
    ReviewBase.metadata.create_all(engine, checkfirst=True)
    _READY.add(engine)


class CheckRow(ReviewBase):
    """Double entry of one answer: the first review, the blind second one, the supervisor's decision."""

    __tablename__ = "review_checks"
    __table_args__ = (Index("ix_review_checks_second", "second_item"), Index("ix_review_checks_super", "super_item"))
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(64))
    first_user: Mapped[str] = mapped_column(String(64))
    first_value: Mapped[str] = mapped_column(Text)
    second_item: Mapped[int] = mapped_column(Integer)
    second_user: Mapped[str | None] = mapped_column(String(64))
    second_value: Mapped[str | None] = mapped_column(Text)
    super_item: Mapped[int | None] = mapped_column(Integer)
    final_value: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting | agreed | disagreed | settled
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
