"""Two reviewers on one queue through a live server: never the same item, never a lost update."""

from __future__ import annotations

import threading

import httpx
import pytest
from _workspace import Built
from conftest import login
from sqlalchemy import func, select

from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, ReviewItem


@pytest.mark.slow
def test_two_reviewers_never_share_an_item(live_server: str, store: Store, ws: Built) -> None:
    served: dict[str, list[int]] = {"rev1": [], "rev2": []}
    errors: list[str] = []
    start = threading.Barrier(2)

    def work(name: str) -> None:
        with httpx.Client(base_url=live_server, timeout=30) as c:
            tok = login(c, name)
            h = {"X-CSRF-Token": tok}
            start.wait()
            item = c.post("/api/queue/next", json={"kind": "field"}, headers=h).json()["item"]
            while item is not None:
                served[name].append(item["id"])
                value = item["options"][0]["value"] if item["options"] else ""
                if item["answer_kind"] == "multi":
                    value = ""
                r = c.post(f"/api/items/{item['id']}/submit", headers=h, json={
                    "lease_token": item["lease_token"], "revision": item["revision"], "value": value,
                    "next_kind": "field"})
                if r.status_code != 200:
                    errors.append(f"{name}: {r.status_code} {r.text}")
                    return
                item = r.json()["next"]

    threads = [threading.Thread(target=work, args=(n,)) for n in served]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    both = served["rev1"] + served["rev2"]
    assert len(both) == len(set(both)) == ws.flagged, served
    assert served["rev1"] and served["rev2"]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewItem).where(
            ReviewItem.kind == "field", ReviewItem.status == "open")) == 0
        done = dict(s.execute(select(ReviewItem.id, ReviewItem.resolved_by).where(ReviewItem.kind == "field")).all())
        for name, ids in served.items():
            assert all(done[i] == name for i in ids)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "review")).all()
        assert len(events) == ws.flagged
        assert s.scalar(select(func.count()).select_from(AnswerRow).where(AnswerRow.status == "flagged")) == 0
        revs = s.scalars(select(AnswerRow.revision).where(AnswerRow.status == "reviewed")).all()
        assert set(revs) == {2}


@pytest.mark.slow
def test_racing_edits_of_one_answer_one_wins_one_gets_409(live_server: str, store: Store, ws: Built) -> None:
    with store.session() as s:
        ans = s.scalar(select(AnswerRow).where(AnswerRow.field == "Q9_1").limit(1))
    assert ans is not None
    results: list[int] = []
    start = threading.Barrier(2)

    def edit(name: str, value: str) -> None:
        with httpx.Client(base_url=live_server, timeout=30) as c:
            tok = login(c, name)
            start.wait()
            r = c.post(f"/api/answers/{ans.id}", json={"value": value, "revision": ans.revision},
                       headers={"X-CSRF-Token": tok})
            results.append(r.status_code)

    threads = [threading.Thread(target=edit, args=a) for a in (("rev1", "1"), ("rev2", "5"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [200, 409]
    with store.session() as s:
        row = s.get(AnswerRow, ans.id)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "edit", AuditEvent.field == "Q9_1")).all()
    assert row is not None and row.revision == ans.revision + 1 and len(events) == 1
    assert row.value == events[0].new
