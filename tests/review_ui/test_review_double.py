"""Double entry: a blind second review by another reviewer; a disagreement goes to the supervisor."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from _workspace import MINI, SECRET
from conftest import TestClient
from fastapi import FastAPI
from sqlalchemy import select

from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent
from review_ui.app import create_app
from review_ui.doubles import DoubleEntry

Make = Callable[[str | None], tuple[TestClient, str]]


@pytest.fixture()
def app(store: Store) -> FastAPI:
    return create_app(store, templates=[MINI], secret=SECRET, double_entry=DoubleEntry(share=1.0))


def _post(c: TestClient, tok: str, url: str, body: dict[str, object]) -> dict[str, object]:
    r = c.post(url, json=body, headers={"X-CSRF-Token": tok})
    data: dict[str, object] = r.json()
    assert r.status_code == 200, data
    return data


def _save(c: TestClient, tok: str, item: dict[str, object], value: str) -> dict[str, object]:
    return _post(c, tok, f"/api/items/{item['id']}/submit",
                 {"lease_token": item["lease_token"], "revision": item["revision"], "value": value})


def _items(c: TestClient, tok: str, kind: str) -> Iterator[dict[str, object]]:
    got = _post(c, tok, "/api/queue/next", {"kind": kind})["item"]
    while isinstance(got, dict):
        yield got
        got = _post(c, tok, f"/api/items/{got['id']}/skip", {"lease_token": got["lease_token"], "next_kind": kind})[
            "next"]


def test_two_reviewers_and_a_supervisor(client_for: Make, store: Store) -> None:
    rev1, t1 = client_for("rev1")
    rev2, t2 = client_for("rev2")
    boss, tb = client_for("admin")
    first = _post(rev1, t1, "/api/queue/next", {"question": "Q9"})["item"]
    assert isinstance(first, dict)
    _save(rev1, t1, first, "2")
    after = _post(rev1, t1, "/api/queue/next", {"question": "Q9"})["item"]
    assert isinstance(after, dict)
    _save(rev1, t1, after, "4")  # two answers of rev1, both drawn for a second review
    # rev1 is never given a second review of their own answers
    assert list(_items(rev1, t1, "second_review")) == []
    # rev2 reviews blind: the item shows the machine's reading, not rev1's
    blind = [i for i in _items(rev2, t2, "second_review")]
    by_field = {(i["form_id"], i["field"]): i for i in blind}
    mine = by_field[(first["form_id"], first["field"])]
    assert mine["value"] == mine["machine_value"] and mine["reason"] == "duyệt lần hai (không xem kết quả lần một)"
    other = by_field[(after["form_id"], after["field"])]
    assert len(blind) == 2
    rev2.post("/api/queue/reset-skips", json={}, headers={"X-CSRF-Token": t2})
    for item in _items_once(rev2, t2):
        _save(rev2, t2, item, "2" if item["id"] == mine["id"] else "5")  # agrees on one, not the other
    with store.session() as s:
        ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == after["form_id"],
                                               AnswerRow.field == after["field"]))
        assert ans is not None and ans.value == "4" and ans.status == "flagged"
    # only the supervisor sees the disagreement, with both readings
    assert list(_items(rev1, t1, "disagreement")) == [] and list(_items(rev2, t2, "disagreement")) == []
    fight = _post(boss, tb, "/api/queue/next", {"kind": "disagreement"})["item"]
    assert isinstance(fight, dict) and fight["field"] == other["field"]
    assert fight["candidates"] == ["rev1: 4", "rev2: 5"]
    _save(boss, tb, fight, "5")
    with store.session() as s:
        ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == after["form_id"],
                                               AnswerRow.field == after["field"]))
        assert ans is not None and ans.value == "5" and ans.status == "reviewed"
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("second-review") == 1 and actions.count("disagree") == 1 and actions.count("settle") == 1
    rates = {r["actor"]: r for r in boss.get("/api/progress").json()["reviewers"]}
    assert rates["rev1"]["compared"] == 2 and rates["rev1"]["agreement"] == 0.5
    assert rates["rev2"]["agreement"] == 0.5


def _items_once(c: TestClient, tok: str) -> Iterator[dict[str, object]]:
    """The second reviews left, one at a time (each saved by the caller before the next is asked)."""
    while True:
        item = _post(c, tok, "/api/queue/next", {"kind": "second_review"})["item"]
        if not isinstance(item, dict):
            return
        yield item
