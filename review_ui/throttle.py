"""Login throttling: too many failures for one account or from one address → 429 for a while.

Failures are rows in the workspace database (so every worker and station sees them); reaching the
limit writes one audit event. A successful login clears the account's failures (not the address's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from omr.errors import TooManyAttemptsError
from omr.store.db import Store
from omr.store.schema import AuditEvent
from review_ui.audit import as_utc, utcnow
from review_ui.tables import LoginFailure, ensure_tables


@dataclass(frozen=True)
class Throttle:
    """At most ``per_account`` failures per account and ``per_address`` per address in ``window`` s."""

    per_account: int = 5
    per_address: int = 20
    window: int = 900


def _keys(name: str, address: str | None) -> list[tuple[str, str]]:
    return [("account", f"user:{name[:64]}"), ("address", f"addr:{(address or '?')[:64]}")]


def check_allowed(store: Store, rule: Throttle, name: str, address: str | None) -> None:
    """Raise :class:`TooManyAttemptsError` (with Retry-After) while the account or address is locked."""
    ensure_tables(store.engine)
    now = utcnow()
    since = now - dt.timedelta(seconds=rule.window)
    with store.session() as s:
        for what, key in _keys(name, address):
            limit = rule.per_account if what == "account" else rule.per_address
            n, oldest = s.execute(
                select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.key == key, LoginFailure.at > since)
            ).one()
            if n >= limit:
                first = as_utc(oldest) or now
                wait = max(1, int((first + dt.timedelta(seconds=rule.window) - now).total_seconds()) + 1)
                raise TooManyAttemptsError(
                    f"too many failed logins for this {what}; wait {wait} s and try again "
                    "(or ask an admin to set a new password with `sipas user passwd`)", retry_after=wait)


def record_failure(store: Store, rule: Throttle, name: str, address: str | None) -> None:
    """Count a failed login; the failure that reaches a limit writes a ``login-throttled`` audit event."""
    now = utcnow()
    since = now - dt.timedelta(seconds=rule.window)
    with store.session() as s:
        for what, key in _keys(name, address):
            s.add(LoginFailure(key=key, at=now))
            s.flush()
            n = s.scalar(select(func.count()).where(LoginFailure.key == key, LoginFailure.at > since)) or 0
            if n == (rule.per_account if what == "account" else rule.per_address):
                s.add(AuditEvent(actor=name[:64], action="login-throttled", new=f"{what} {key.split(':', 1)[1]}"))
        s.execute(delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(seconds=2 * rule.window)))


def clear_account(store: Store, name: str) -> None:
    with store.session() as s:
        s.execute(delete(LoginFailure).where(LoginFailure.key == f"user:{name[:64]}"))
