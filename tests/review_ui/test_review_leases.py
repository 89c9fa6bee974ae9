"""Leases on review items, straight on the store (SQLite and PostgreSQL): one holder, expiry, times in UTC."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from _workspace import MINI
from sqlalchemy import func, select, update

from omr.errors import ConflictError
from omr.store.db import Store
from omr.store.schema import ReviewItem
from review_ui.audit import as_utc, utcnow
from review_ui.items import item_view
from review_ui.leases import finish_item, lease_next, release
from review_ui.templates_index import TemplateIndex

TIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")


def _open_items(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.status == "open")) or 0)


def _shown_time(message: str) -> dt.datetime:
    m = TIME.search(message)
    assert m, message
    return dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)


@pytest.mark.slow
def test_four_reviewers_racing_never_share_an_item_and_drain_the_queue(store: Store) -> None:
    total = _open_items(store)
    served: dict[str, list[int]] = {f"r{i}": [] for i in range(4)}
    errors: list[BaseException] = []
    start = threading.Barrier(len(served))

    def work(user: str) -> None:
        try:
            start.wait()
            while (got := lease_next(store, user)) is not None:
                served[user].append(got[0])
                with store.session() as s:
                    finish_item(s, got[0], user, got[1])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u,)) for u in served]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    every = [i for ids in served.values() for i in ids]
    assert len(every) == len(set(every)) == total > 0
    assert sum(1 for ids in served.values() if ids) >= 2, served
    assert _open_items(store) == 0  # nobody was told "nothing left" while items were still free
    with store.session() as s:
        done = dict(s.execute(select(ReviewItem.id, ReviewItem.resolved_by)).all())
    assert all(done[i] == user for user, ids in served.items() for i in ids)


def test_reload_renews_the_held_lease_with_the_same_token(store: Store) -> None:
    first = lease_next(store, "rev1", lease_seconds=60)
    assert first is not None
    again = lease_next(store, "rev1", lease_seconds=600)
    assert again == first
    with store.session() as s:
        it = s.get(ReviewItem, first[0])
        assert it is not None and it.lease_expires is not None
        left = (as_utc(it.lease_expires) or utcnow()) - utcnow()
    assert dt.timedelta(seconds=500) < left <= dt.timedelta(seconds=600)
    other = lease_next(store, "rev2")
    assert other is not None and other[0] != first[0]


def test_expired_lease_moves_on_and_the_old_holder_is_told_who_and_until_when(store: Store) -> None:
    mine = lease_next(store, "rev1", kind="field")
    assert mine is not None
    with store.session() as s:  # rev1 walked away: the lease ran out a minute ago
        s.execute(update(ReviewItem).where(ReviewItem.id == mine[0])
                  .values(lease_expires=utcnow() - dt.timedelta(minutes=1)))
    theirs = lease_next(store, "rev2", kind="field", lease_seconds=300)
    assert theirs is not None and theirs[0] == mine[0] and theirs[1] != mine[1]
    with pytest.raises(ConflictError) as err, store.session() as s:
        finish_item(s, mine[0], "rev1", mine[1])
    msg = err.value.message
    assert "rev2" in msg and "reload" in msg
    shown = _shown_time(msg)  # printed as UTC, whatever the database session's time zone
    assert abs(shown - (utcnow() + dt.timedelta(seconds=300))) < dt.timedelta(seconds=30)


def test_finished_item_conflict_names_who_settled_it_and_when(store: Store) -> None:
    got = lease_next(store, "rev1")
    assert got is not None
    with store.session() as s:
        finish_item(s, got[0], "rev1", got[1])
    with pytest.raises(ConflictError) as err, store.session() as s:
        finish_item(s, got[0], "rev2", "stale-token")
    msg = err.value.message
    assert "changed by rev1" in msg
    assert abs(_shown_time(msg) - utcnow()) < dt.timedelta(seconds=30)


def test_only_the_holder_can_give_an_item_back(store: Store) -> None:
    got = lease_next(store, "rev1")
    assert got is not None
    release(store, got[0], "rev2", got[1])  # not theirs: nothing happens
    release(store, got[0], "rev1", "wrong-token")
    with store.session() as s:
        it = s.get(ReviewItem, got[0])
        assert it is not None and it.lease_owner == "rev1"
    release(store, got[0], "rev1", got[1])
    with store.session() as s:
        it = s.get(ReviewItem, got[0])
        assert it is not None and it.lease_owner is None and it.lease_token is None
    again = lease_next(store, "rev2")
    assert again is not None and again[0] == got[0]


def test_lease_times_come_back_in_utc(store: Store) -> None:
    got = lease_next(store, "rev1", kind="field", lease_seconds=120)
    assert got is not None
    view = item_view(store, TemplateIndex([MINI]), got[0], "en")
    expires = dt.datetime.fromisoformat(view.lease_expires)
    assert expires.utcoffset() == dt.timedelta(0)
    assert abs(expires - (utcnow() + dt.timedelta(seconds=120))) < dt.timedelta(seconds=30)
