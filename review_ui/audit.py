"""Audit events: every change made by a person (who, when, old, new)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.store.schema import AuditEvent


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time in UTC.

    SQLite returns naive datetimes (written as UTC); PostgreSQL returns aware ones in the session's
    time zone (``Asia/Ho_Chi_Minh`` on a server set up in Vietnam), which are converted.
    """
    if value is None:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def fmt_time(value: dt.datetime | None) -> str:
    v = as_utc(value)
    return "" if v is None else v.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Event:
    """One change to record."""

    actor: str
    action: str
    form_id: str | None = None
    field: str | None = None
    page_id: int | None = None
    old: str | None = None
    new: str | None = None


def record(session: Session, event: Event) -> None:
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=event.actor,
            action=event.action,
            form_id=event.form_id,
            field=event.field,
            page_id=event.page_id,
            old=event.old,
            new=event.new,
        )
    )


def last_change(session: Session, form_id: str | None, field: str | None) -> str:
    """``by NAME at TIME`` for the latest event on a field (for conflict messages)."""
    ev = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.form_id == form_id, AuditEvent.field == field)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if ev is None:
        return "by someone else"
    return f"by {ev.actor} at {fmt_time(ev.at)}"
