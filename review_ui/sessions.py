"""Server-side sessions: the cookie carries a random id, the database decides whether it is valid.

Logging out, changing a password and disabling an account delete the rows, so a copied cookie
stops working at once; a session idle longer than the idle timeout, or older than its maximum age,
ends too. The skip list of a session lives here as well (never in the cookie).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from omr.store.db import Store
from review_ui.audit import as_utc, utcnow
from review_ui.tables import SessionRow, SkipRow, ensure_tables

TOUCH_SECONDS = 30
"""``last_seen`` is written at most this often (a reviewer's every key press need not write)."""


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


@dataclass(frozen=True)
class Limits:
    """How long a session lives: idle and in total (seconds)."""

    idle: int
    max_age: int


def start_session(store: Store, user: str, address: str | None, limits: Limits) -> str:
    """A new session for ``user`` (sessions of anyone that ran out are purged); returns the cookie's id."""
    ensure_tables(store.engine)
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as s:
        stale = list(s.scalars(select(SessionRow.id_hash).where(or_(
            SessionRow.last_seen < now - dt.timedelta(seconds=limits.idle),
            SessionRow.created < now - dt.timedelta(seconds=limits.max_age)))))
        _delete(s, stale)
        s.add(SessionRow(id_hash=_hash(sid), user_name=user, address=(address or "")[:64]))
    return sid


def session_user(store: Store, sid: object, limits: Limits, *, touch: bool = True) -> str | None:
    """The user of a live session ``sid``; None (and the row deleted) when ended, idle or too old.

    ``touch=False`` (a page's background refresh) does not count as activity for the idle timeout.
    """
    if not isinstance(sid, str) or not sid or len(sid) > 128:
        return None
    ensure_tables(store.engine)
    now = utcnow()
    key = _hash(sid)
    with store.session() as s:
        row = s.get(SessionRow, key)
        if row is None:
            return None
        seen, created = as_utc(row.last_seen) or now, as_utc(row.created) or now
        if (now - seen).total_seconds() > limits.idle or (now - created).total_seconds() > limits.max_age:
            _delete(s, [key])
            return None
        if touch and (now - seen).total_seconds() > TOUCH_SECONDS:
            row.last_seen = now
        return row.user_name


def end_session(store: Store, sid: object) -> None:
    """Log one session out (its skips go too)."""
    if isinstance(sid, str) and sid:
        ensure_tables(store.engine)
        with store.session() as s:
            _delete(s, [_hash(sid)])


def end_user_sessions(store: Store, user: str) -> int:
    """End every session of ``user`` (password changed, account disabled); returns how many."""
    ensure_tables(store.engine)
    with store.session() as s:
        keys = list(s.scalars(select(SessionRow.id_hash).where(SessionRow.user_name == user)))
        _delete(s, keys)
    return len(keys)


def _delete(s: Session, keys: list[str]) -> None:
    if keys:
        s.execute(delete(SkipRow).where(SkipRow.session_hash.in_(keys)))
        s.execute(delete(SessionRow).where(SessionRow.id_hash.in_(keys)))


def skips(store: Store, sid: str) -> list[int]:
    """The items this session skipped."""
    with store.session() as s:
        return list(s.scalars(select(SkipRow.item_id).where(SkipRow.session_hash == _hash(sid))))


def add_skip(store: Store, sid: str, item_id: int) -> None:
    key = _hash(sid)
    with store.session() as s:
        if s.get(SkipRow, (key, item_id)) is None:
            s.add(SkipRow(session_hash=key, item_id=item_id))


def clear_skips(store: Store, sid: str) -> None:
    with store.session() as s:
        s.execute(delete(SkipRow).where(SkipRow.session_hash == _hash(sid)))

