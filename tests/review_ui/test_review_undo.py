"""Undo from the queue: only your own last answer, only while nobody changed it since."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _workspace import MINI, SECRET
from conftest import TestClient
from fastapi import FastAPI
from sqlalchemy import func, select

from omr.store.db import Store
from omr.store.schema import AnswerRow, ReviewItem
from review_ui.app import create_app
from review_ui.doubles import DoubleEntry

Make = Callable[[str | None], tuple[TestClient, str]]


@pytest.fixture()
def app(store: Store) -> FastAPI:
    return create_app(store, templates=[MINI], secret=SECRET, double_entry=DoubleEntry(share=1.0))


def _post(c: TestClient, tok: str, url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    r = c.post(url, json=body, headers={"X-CSRF-Token": tok})
    data: dict[str, object] = r.json()
    return r.status_code, data


def test_undo_restores_reopens_and_withdraws_the_second_review(client_for: Make, store: Store) -> None:
    rev1, t1 = client_for("rev1")
    rev2, t2 = client_for("rev2")
    _, got = _post(rev1, t1, "/api/queue/next", {"question": "Q9"})
    item = got["item"]
    assert isinstance(item, dict)
    old = item["value"]
    _post(rev1, t1, f"/api/items/{item['id']}/submit",
          {"lease_token": item["lease_token"], "revision": item["revision"], "value": "1"})
    with store.session() as s:
        assert s.scalar(select(func.count()).where(ReviewItem.kind == "second_review")) == 1
    status, _ = _post(rev2, t2, f"/api/items/{item['id']}/undo", {})
    assert status == 409  # not rev2's answer
    status, back = _post(rev1, t1, f"/api/items/{item['id']}/undo", {"question": "Q9"})
    assert status == 200 and isinstance(back["item"], dict) and back["item"]["id"] == item["id"]
    with store.session() as s:
        it = s.get(ReviewItem, item["id"])
        ans = s.get(AnswerRow, item["answer_id"])
        assert it is not None and it.status == "open" and it.lease_owner == "rev1"
        assert ans is not None and ans.value == old and ans.status == "flagged"
        assert s.scalar(select(func.count()).where(ReviewItem.kind == "second_review")) == 0
    again = back["item"]
    _post(rev1, t1, f"/api/items/{again['id']}/submit",
          {"lease_token": again["lease_token"], "revision": again["revision"], "value": "2"})
    # someone edits the answer: the undo is refused and names them
    admin, ta = client_for("admin")
    with store.session() as s:
        rev = s.get(AnswerRow, item["answer_id"]).revision  # type: ignore[union-attr]
    assert _post(admin, ta, f"/api/answers/{item['answer_id']}", {"value": "3", "revision": rev})[0] == 200
    status, refused = _post(rev1, t1, f"/api/items/{item['id']}/undo", {})
    assert status == 409 and "admin" in str(refused["error"])
