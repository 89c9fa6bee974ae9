"""Leases on review items: one reviewer per item at a time, taken atomically, expiring when abandoned.

A lease is taken with one ``UPDATE … WHERE id = (SELECT … LIMIT 1) AND <still free>`` statement
(``FOR UPDATE SKIP LOCKED`` in the sub-select on PostgreSQL), and its row count is checked: two
reviewers asking at the same moment can never both get the same item.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, or_, select, update
from sqlalchemy.orm import Session

from omr.errors import ConflictError, NotFoundError
from omr.store.db import Store
from omr.store.schema import FormRow, ReviewItem
from review_ui.audit import as_utc, fmt_time, utcnow

_Sel = TypeVar("_Sel", bound=Select[*tuple[Any, ...]])
LEASE_SECONDS = 300
KINDS = ("field", "unidentified_page", "unaligned_page", "second_review", "disagreement")


@dataclass(frozen=True)
class _Filter:
    """Which items a reviewer asked for: a kind, a question, a template (None: any)."""

    kind: str | None = None
    question: str | None = None
    template: str | None = None

    def apply(self, q: _Sel, skip: Sequence[int]) -> _Sel:
        if skip:
            q = q.where(ReviewItem.id.not_in(list(skip)))
        if self.kind:
            q = q.where(ReviewItem.kind == self.kind)
        if self.question:
            q = q.where(ReviewItem.question == self.question)
        if self.template:
            q = q.where(ReviewItem.form_id.in_(select(FormRow.form_id).where(FormRow.template == self.template)))
        return q


def _free(now: dt.datetime, user: str) -> ColumnElement[bool]:
    return and_(
        ReviewItem.status == "open",
        or_(ReviewItem.lease_owner.is_(None), ReviewItem.lease_expires < now, ReviewItem.lease_owner == user),
    )


def lease_next(
    store: Store,
    user: str,
    *,
    lease_seconds: int = LEASE_SECONDS,
    skip: Sequence[int] = (),
    kind: str | None = None,
    question: str | None = None,
    template: str | None = None,
) -> tuple[int, str] | None:
    """Lease the next open item for ``user``: (item id, lease token), or None when none is free.

    An item the user already holds comes first (a reload gives it back); then items in question
    order, so items of one question are served in a row.
    """
    narrow = _Filter(kind, question, template)
    held = _renew_held(store, user, lease_seconds, skip, narrow)
    if held is not None:
        return held
    for _attempt in range(8):
        now = utcnow()
        token = secrets.token_urlsafe(16)
        pick = narrow.apply(select(ReviewItem.id).where(_free(now, user)), skip)
        pick = pick.order_by(
            case((ReviewItem.question.is_(None), 1), else_=0),
            ReviewItem.question,
            ReviewItem.form_id,
            ReviewItem.field,
            ReviewItem.id,
        ).limit(1)
        if not store.is_sqlite:
            pick = pick.with_for_update(skip_locked=True)
        with store.session() as s:
            result = s.execute(
                update(ReviewItem)
                .where(ReviewItem.id == pick.scalar_subquery(), _free(now, user))
                .values(lease_owner=user, lease_token=token, lease_expires=now + dt.timedelta(seconds=lease_seconds))
                .execution_options(synchronize_session=False)
            )
            taken = result.rowcount  # type: ignore[attr-defined]
        if taken == 1:
            with store.session() as s:
                item_id = s.scalar(select(ReviewItem.id).where(ReviewItem.lease_token == token))
            if item_id is not None:
                return item_id, token
            continue
        with store.session() as s:
            if s.scalar(pick) is None:
                return None
    return None


def _renew_held(
    store: Store, user: str, lease_seconds: int, skip: Sequence[int], narrow: _Filter
) -> tuple[int, str] | None:
    """The item ``user`` already holds (same token, so an open page keeps working), lease renewed."""
    now = utcnow()
    q = narrow.apply(select(ReviewItem.id, ReviewItem.lease_token).where(
        ReviewItem.status == "open", ReviewItem.lease_owner == user, ReviewItem.lease_expires >= now
    ), skip)
    with store.session() as s:
        row = s.execute(q.order_by(ReviewItem.id).limit(1)).first()
        if row is None or row.lease_token is None:
            return None
        res = s.execute(
            update(ReviewItem)
            .where(ReviewItem.id == row.id, ReviewItem.lease_owner == user, ReviewItem.lease_token == row.lease_token)
            .values(lease_expires=now + dt.timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            return None
    return int(row.id), str(row.lease_token)


def release(store: Store, item_id: int, user: str, token: str) -> None:
    """Give an item back (skip): only the holder of the lease can."""
    with store.session() as s:
        s.execute(
            update(ReviewItem)
            .where(ReviewItem.id == item_id, ReviewItem.lease_owner == user, ReviewItem.lease_token == token)
            .values(lease_owner=None, lease_token=None, lease_expires=None)
            .execution_options(synchronize_session=False)
        )


def stale_message(item: ReviewItem | None, item_id: int) -> str:
    """Why a submit with a lost lease is refused, naming who has the item now."""
    if item is None:
        return f"review item {item_id} no longer exists; reload"
    if item.status == "done":
        return (
            f"this item was changed by {item.resolved_by or 'someone else'} at {fmt_time(item.resolved_at)}; "
            "reload"
        )
    if item.lease_owner:
        return (
            f"this item is now being reviewed by {item.lease_owner} (lease until "
            f"{fmt_time(as_utc(item.lease_expires))}); your lease expired; reload"
        )
    return "your lease on this item expired; reload"


def finish_item(session: Session, item_id: int, user: str, token: str) -> None:
    """Mark a leased item done inside ``session``; :class:`ConflictError` when the lease was lost."""
    now = utcnow()
    res = session.execute(
        update(ReviewItem)
        .where(
            ReviewItem.id == item_id,
            ReviewItem.status == "open",
            ReviewItem.lease_owner == user,
            ReviewItem.lease_token == token,
        )
        .values(status="done", resolved_by=user, resolved_at=now, lease_owner=None, lease_token=None,
                lease_expires=None)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        item = session.get(ReviewItem, item_id)
        if item is None:
            raise NotFoundError(f"review item {item_id} does not exist")
        raise ConflictError(stale_message(item, item_id))
