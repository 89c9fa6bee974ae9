"""The review API over a real SQLite workspace: queue, submit, bulk, page fixes, edits, progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _workspace import Built
from conftest import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from omr.errors import ConflictError
from omr.store.db import Store, open_store
from omr.store.schema import COUNTED, AnswerRow, AuditEvent, BoxRow, InputFile, PageRow, ReviewItem
from review_ui.pagefix import identify_page

Make = Callable[[str | None], tuple[TestClient, str]]


def _post(c: TestClient, tok: str, url: str, body: object) -> dict[str, object]:
    r = c.post(url, json=body, headers={"X-CSRF-Token": tok})
    data: dict[str, object] = r.json()
    data["_status"] = r.status_code
    return data


def _english(c: TestClient, tok: str) -> None:
    """Messages in English (the interface defaults to Vietnamese; these tests read English messages)."""
    assert c.post("/lang", data={"lang": "en", "csrf_token": tok}, follow_redirects=False).status_code == 303


def test_queue_serves_fields_in_question_order_and_submit_changes_answer(
    client_for: Make, store: Store
) -> None:
    c, tok = client_for("rev1")
    item = _post(c, tok, "/api/queue/next", {})["item"]
    assert isinstance(item, dict) and item["kind"] == "field"
    with store.session() as s:
        first_q = s.scalar(select(ReviewItem.question).where(ReviewItem.kind == "field")
                           .order_by(ReviewItem.question, ReviewItem.form_id, ReviewItem.field).limit(1))
    assert item["question"] == first_q
    crop = c.get(str(item["image_url"]))
    assert crop.status_code == 200 and crop.content[:4] == b"\x89PNG"
    value = "" if item["answer_kind"] in ("text", "digits") else item["options"][0]["value"]
    res = _post(c, tok, f"/api/items/{item['id']}/submit",
                {"lease_token": item["lease_token"], "revision": item["revision"], "value": value})
    assert res["ok"] is True and res["done"] == item["id"]
    with store.session() as s:
        ans = s.get(AnswerRow, item["answer_id"])
        it = s.get(ReviewItem, item["id"])
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "review")).all()
    assert ans is not None and ans.value == value and ans.status == "reviewed" and ans.revision == 2
    assert it is not None and it.status == "done" and it.resolved_by == "rev1"
    assert [(e.actor, e.field, e.new) for e in ev] == [("rev1", item["field"], value)]
    nxt = res["next"]
    assert isinstance(nxt, dict) and nxt["id"] != item["id"]


def test_reload_gives_back_the_held_item_and_skip_moves_on(client_for: Make) -> None:
    c, tok = client_for("rev1")
    a = _post(c, tok, "/api/queue/next", {})["item"]
    again = _post(c, tok, "/api/queue/next", {})["item"]
    assert isinstance(a, dict) and isinstance(again, dict) and again["id"] == a["id"]
    skipped = _post(c, tok, f"/api/items/{a['id']}/skip", {"lease_token": a["lease_token"]})
    assert isinstance(skipped["next"], dict) and skipped["next"]["id"] != a["id"]
    # the skipped item is free for another reviewer
    c2, tok2 = client_for("rev2")
    b = _post(c2, tok2, "/api/queue/next", {})["item"]
    assert isinstance(b, dict) and b["id"] == a["id"]


def test_stale_revision_and_lost_lease_are_refused_with_409(client_for: Make, store: Store) -> None:
    c1, t1 = client_for("rev1")
    c2, t2 = client_for("admin")
    _english(c1, t1)
    _english(c2, t2)
    item = _post(c1, t1, "/api/queue/next", {"kind": "field", "question": "Q9"})["item"]
    assert isinstance(item, dict)
    page = _post(c2, t2, f"/api/answers/{item['answer_id']}", {"value": "3", "revision": item["revision"]})
    assert page["_status"] == 409, page  # rev1 holds the item: admin's edit must wait
    with store.session() as s:  # the lease expires and someone else takes it
        it = s.get(ReviewItem, item["id"])
        assert it is not None
        it.lease_token, it.lease_owner = "other", "rev2"
    res = _post(c1, t1, f"/api/items/{item['id']}/submit",
                {"lease_token": item["lease_token"], "revision": item["revision"], "value": "1"})
    assert res["_status"] == 409 and "rev2" in str(res["error"]) and "reload" in str(res["error"])
    assert res["ok"] is False and res["status"] == 409 and res["errors"] == [res["error"]]
    with store.session() as s:
        ans = s.get(AnswerRow, item["answer_id"])
    assert ans is not None and ans.revision == item["revision"] and ans.status == "flagged"


def test_bulk_grid_sorted_by_darkness_and_confirm_recomputes_values(client_for: Make, store: Store) -> None:
    c, tok = client_for("rev1")
    grid = c.get("/api/bulk/mini/Q9").json()
    boxes = grid["boxes"]
    assert boxes and [b["darkness"] for b in boxes] == sorted((b["darkness"] for b in boxes), reverse=True)
    assert c.get("/bulk/mini/Q9").status_code == 200
    assert c.get(boxes[0]["image_url"]).content[:4] == b"\x89PNG"
    # every borderline box counts as marked: fields with one marked box get that value
    marked = [b["id"] for b in boxes]
    revisions = {b["answer_id"]: b["revision"] for b in boxes}
    res = _post(c, tok, "/api/bulk/mini/Q9", {"marked": marked, "unmarked": [], "revisions": revisions})
    assert res["ok"] is True and res["answers_changed"] == len(revisions)
    with store.session() as s:
        for b in boxes:
            row = s.get(BoxRow, b["id"])
            assert row is not None and row.state == "marked"
            states = {x.value: x.state for x in s.scalars(select(BoxRow).where(
                BoxRow.form_id == b["form_id"], BoxRow.field == b["field"]))}
            ans = s.get(AnswerRow, b["answer_id"])
            marked_values = [v for v, st in states.items() if st == "marked"]
            assert ans is not None
            if len(marked_values) == 1:
                assert ans.value == marked_values[0] and ans.status == "reviewed"
            else:
                assert ans.value == "*" and ans.status == "flagged"
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "bulk-box")).all()
    # a second confirm with the old revisions is refused
    again = _post(c, tok, "/api/bulk/mini/Q9", {"marked": marked, "unmarked": [], "revisions": revisions})
    assert again["_status"] in (404, 409)


def test_unidentified_page_gets_an_identity(client_for: Make, ws: Built, store: Store) -> None:
    c, tok = client_for("rev1")
    _english(c, tok)
    item = _post(c, tok, "/api/queue/next", {"kind": "unidentified_page"})["item"]
    assert isinstance(item, dict) and item["page_id"] == ws.unidentified_page
    assert c.get(str(item["image_url"])).status_code == 200
    bad = _post(c, tok, f"/api/items/{item['id']}/submit",
                {"lease_token": item["lease_token"], "form_id": ws.unidentified_form[:7] + "?", "page_number": 1})
    assert bad["_status"] == 400 and "form id" in str(bad["error"])
    shown = ws.unidentified_form[:4] + "-" + ws.unidentified_form[4:].lower()
    ok = _post(c, tok, f"/api/items/{item['id']}/submit",
               {"lease_token": item["lease_token"], "form_id": shown, "page_number": 1})
    assert ok["ok"] is True
    with store.session() as s:
        page = s.get(PageRow, ws.unidentified_page)
        ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "identify"))
    assert page is not None and page.form_id == ws.unidentified_form and page.page_number == 1
    assert page.template == "mini" and ev is not None and ev.actor == "rev1" and ev.new == f"{ws.unidentified_form}#1"
    # The page was read again at once with the typed identity (no longer waiting for a re-read).
    with store.session() as s:
        reread = s.scalar(select(AuditEvent).where(AuditEvent.action == "reread",
                                                   AuditEvent.page_id == ws.unidentified_page))
    assert reread is not None and page.outcome in ("read", "review")
    assert "re-reading" not in (page.reason or "") and page.homography is not None


def counted_key(store: Store, form_id: str, page_number: int) -> str:
    """``file#page`` of the page that counts as page ``page_number`` of form ``form_id``."""
    with store.session() as s:
        path, index = s.execute(
            select(InputFile.path, PageRow.page_index).join(InputFile, InputFile.id == PageRow.file_id)
            .where(PageRow.form_id == form_id, PageRow.page_number == page_number, PageRow.outcome.in_(COUNTED))
        ).one()
    return f"{path}#{index + 1}"


def test_identifying_a_page_as_a_form_page_already_counted_is_a_conflict(
    client_for: Make, ws: Built, store: Store
) -> None:
    c, tok = client_for("rev1")
    _english(c, tok)
    item = _post(c, tok, "/api/queue/next", {"kind": "unidentified_page"})["item"]
    assert isinstance(item, dict) and item["page_id"] == ws.unidentified_page
    taken = ws.form_ids[0]  # its page 1 was read from the sample batch
    res = _post(c, tok, f"/api/items/{item['id']}/submit",
                {"lease_token": item["lease_token"], "form_id": taken, "page_number": 1})
    assert res["_status"] == 409 and res["ok"] is False
    error = str(res["error"])
    assert f"already counted from {counted_key(store, taken, 1)}" in error and "skip this item" in error
    with store.session() as s:
        page = s.get(PageRow, ws.unidentified_page)
        it = s.get(ReviewItem, item["id"])
        identified = s.scalars(select(AuditEvent).where(AuditEvent.action == "identify")).all()
    assert page is not None and page.form_id is None and page.reason == "QR unreadable"
    assert it is not None and it.status != "done" and identified == []
    # the reviewer can still give the page its right identity
    ok = _post(c, tok, f"/api/items/{item['id']}/submit",
               {"lease_token": item["lease_token"], "form_id": ws.unidentified_form, "page_number": 1})
    assert ok["ok"] is True


def test_two_reviewers_giving_two_pages_one_identity_at_once(ws: Built, store: Store) -> None:
    """rev2 identifies another page as the same form page just before rev1's change is written: the unique
    index on counted pages refuses rev1's, who gets a conflict naming rev2's page (not a server error)."""
    with store.session() as s:  # a fourth page of the unidentified page's file, unidentified too
        file_id, path = s.execute(select(InputFile.id, InputFile.path).join(PageRow, PageRow.file_id == InputFile.id)
                                  .where(PageRow.id == ws.unidentified_page)).one()
        second = PageRow(file_id=file_id, page_index=3, outcome="review", reason="QR unreadable",
                         raw_image_path="raw/unidentified.png")
        s.add(second)
        s.flush()
        second_id, second_key = second.id, f"{path}#4"
    other_station = open_store(ws.workspace, ws.db_url, create=False)
    won: list[int] = []

    def meanwhile(session: Session, _context: object, _instances: object) -> None:
        if not won and any(isinstance(obj, PageRow) for obj in session.dirty):
            with other_station.session() as s2:
                won.append(identify_page(s2, second_id, ws.unidentified_form, 1, actor="rev2").id)

    event.listen(store.sessions, "before_flush", meanwhile)
    try:
        with pytest.raises(ConflictError) as refused, store.session() as s:
            identify_page(s, ws.unidentified_page, ws.unidentified_form, 1, actor="rev1")
    finally:
        event.remove(store.sessions, "before_flush", meanwhile)
        other_station.engine.dispose()
    assert won == [second_id]
    assert f"already counted from {second_key} (page #{second_id})" in str(refused.value)
    assert refused.value.http_status == 409
    with store.session() as s:
        page = s.get(PageRow, ws.unidentified_page)
        assert page is not None and page.form_id is None
        actors = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "identify")).all()
        assert actors == ["rev2"]


def test_unaligned_page_corners_make_a_homography_and_aligned_image(
    client_for: Make, ws: Built, store: Store
) -> None:
    c, tok = client_for("rev1")
    item = _post(c, tok, "/api/queue/next", {"kind": "unaligned_page"})["item"]
    assert isinstance(item, dict)
    swapped = [ws.unaligned_corners[i] for i in (0, 2, 1, 3)]
    bad = _post(c, tok, f"/api/items/{item['id']}/submit", {"lease_token": item["lease_token"], "corners": swapped})
    assert bad["_status"] == 400
    ok = _post(c, tok, f"/api/items/{item['id']}/submit",
               {"lease_token": item["lease_token"], "corners": [list(p) for p in ws.unaligned_corners]})
    assert ok["ok"] is True, ok
    with store.session() as s:
        page = s.get(PageRow, ws.unaligned_page)
    assert page is not None and page.homography is not None and len(page.homography) == 9
    assert page.image_path and (ws.workspace / page.image_path).is_file()
    import numpy as np

    h = np.array(page.homography).reshape(3, 3)
    p = h @ np.array([7 + 6, 7 + 6, 1.0])  # top-left marker centre in mm
    assert np.allclose(p[:2] / p[2], ws.unaligned_corners[0], atol=0.5)
    assert c.get(f"/img/pages/{ws.unaligned_page}/aligned.png").status_code == 200


def test_page_and_form_views_with_json_twins(client_for: Make, ws: Built, store: Store) -> None:
    c, tok = client_for("rev1")
    with store.session() as s:
        page_id = s.scalar(select(PageRow.id).where(PageRow.form_id == ws.form_ids[0]))
    data = c.get(f"/api/pages/{page_id}").json()
    assert data["ok"] and data["boxes"] and all(0 <= b["left"] <= 100 for b in data["boxes"])
    html = c.get(f"/pages/{page_id}")
    assert html.status_code == 200 and 'class="ov st-' in html.text and "rel=\"alternate\"" in html.headers["link"]
    ans = data["answers"][0]
    res = _post(c, tok, f"/api/answers/{ans['id']}", {"value": "2" if ans["kind"] != "text" else "x",
                                                      "revision": ans["revision"]})
    assert res["ok"] is True
    stale = _post(c, tok, f"/api/answers/{ans['id']}", {"value": "1", "revision": ans["revision"]})
    assert stale["_status"] == 409 and "rev1" in str(stale["error"])
    form = c.get(f"/api/forms/{ws.form_ids[0]}").json()
    assert form["missing"] == [] and form["pages"][0]["page_id"] == page_id
    assert any(e["action"] == "edit" and e["actor"] == "rev1" for e in form["audit"])
    assert c.get(f"/forms/{ws.form_ids[0]}").status_code == 200
    missing = c.get(f"/api/forms/{ws.unidentified_form}").json()
    assert missing["missing"] == [1]


def test_bad_value_is_a_400_naming_the_field(client_for: Make, store: Store) -> None:
    c, tok = client_for("rev1")
    item = _post(c, tok, "/api/queue/next", {"question": "Q9"})["item"]
    assert isinstance(item, dict)
    res = _post(c, tok, f"/api/items/{item['id']}/submit",
                {"lease_token": item["lease_token"], "revision": item["revision"], "value": "7"})
    assert res["_status"] == 400 and str(item["field"]) in str(res["error"])


def test_progress_counts_and_throughput(client_for: Make, ws: Built) -> None:
    c, tok = client_for("rev1")
    for _ in range(3):
        item = _post(c, tok, "/api/queue/next", {"question": "Q9"})["item"]
        assert isinstance(item, dict)
        _post(c, tok, f"/api/items/{item['id']}/submit",
              {"lease_token": item["lease_token"], "revision": item["revision"], "value": ""})
    a, _ = client_for("ana")
    data = a.get("/api/progress").json()
    fields = next(r for r in data["items"] if r["key"] == "field")
    assert fields["done"] == 3 and fields["open"] + fields["leased"] == ws.flagged - 3
    rev = next(r for r in data["reviewers"] if r["actor"] == "rev1")
    assert rev["total"] == 3 and rev["last_hour"] == 3
    assert data["forms_total"] == 6
    assert a.get("/progress").status_code == 200


def test_html_pages_render_in_both_languages(client_for: Make) -> None:
    c, tok = client_for("rev1")
    assert "Hàng đợi" in c.get("/queue").text
    r = c.post("/lang", data={"lang": "en", "back": "/queue", "csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303
    assert "Queue" in c.get("/queue").text and "Bulk review" in c.get("/bulk").text
