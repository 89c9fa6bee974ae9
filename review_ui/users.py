"""User accounts of the review app (used by ``sipas user`` and by the login route)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from omr.errors import BadArgumentsError, ConflictError, NotFoundError
from omr.store.db import Store
from omr.store.schema import AuditEvent, User
from review_ui.roles import ROLES, Role
from review_ui.security import hash_password, verify_password
from review_ui.sessions import end_user_sessions

_NAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True)
class UserInfo:
    """A user as shown to people (never the password hash)."""

    name: str
    role: Role
    disabled: bool


def _info(u: User) -> UserInfo:
    return UserInfo(u.name, check_role(u.role), u.disabled)


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise BadArgumentsError(f"role {role!r}: use one of {', '.join(ROLES)}")
    return role


def add_user(store: Store, name: str, role: str, password: str, *, actor: str = "cli") -> UserInfo:
    """Create a user; refuses a taken name or a bad role."""
    if not _NAME_RE.match(name):
        raise BadArgumentsError(f"user name {name!r}: use 1–64 letters, digits or . _ @ -")
    checked = check_role(role)
    hashed = hash_password(password)
    with store.session() as s:
        if s.scalar(select(User).where(User.name == name)) is not None:
            raise ConflictError(f"user {name!r} already exists; use `sipas user passwd {name}` to change it")
        u = User(name=name, role=checked, password_hash=hashed, disabled=False)
        s.add(u)
        s.add(AuditEvent(actor=actor, action="user-add", new=f"{name}:{checked}"))
        return UserInfo(name, checked, False)


def set_password(store: Store, name: str, password: str, *, actor: str = "cli") -> None:
    hashed = hash_password(password)
    with store.session() as s:
        u = s.scalar(select(User).where(User.name == name))
        if u is None:
            raise NotFoundError(f"no user {name!r}; see `sipas user list`")
        u.password_hash = hashed
        s.add(AuditEvent(actor=actor, action="user-passwd", new=name))
    end_user_sessions(store, name)  # a new password logs every browser of the account out


def set_disabled(store: Store, name: str, disabled: bool = True, *, actor: str = "cli") -> None:
    with store.session() as s:
        u = s.scalar(select(User).where(User.name == name))
        if u is None:
            raise NotFoundError(f"no user {name!r}; see `sipas user list`")
        u.disabled = disabled
        s.add(AuditEvent(actor=actor, action="user-disable" if disabled else "user-enable", new=name))
    if disabled:
        end_user_sessions(store, name)


def list_users(store: Store) -> list[UserInfo]:
    with store.session() as s:
        return [_info(u) for u in s.scalars(select(User).order_by(User.name))]


def get_user(store: Store, name: str) -> UserInfo | None:
    """The active user called ``name`` (None when missing or disabled)."""
    with store.session() as s:
        u = s.scalar(select(User).where(User.name == name))
    return None if u is None or u.disabled else _info(u)


def authenticate(store: Store, name: str, password: str) -> UserInfo | None:
    """The user when the password matches and the account is active; None otherwise."""
    with store.session() as s:
        u = s.scalar(select(User).where(User.name == name))
    if u is None:
        verify_password(password, _DUMMY_HASH)  # same work whether or not the name exists
        return None
    if not verify_password(password, u.password_hash) or u.disabled:
        return None
    return _info(u)


_DUMMY_HASH = hash_password("not-a-real-password")
