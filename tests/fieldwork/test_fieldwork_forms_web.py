"""The forms pages of role fieldwork: filters, pages, history, and the post's sheet uploaded as JSON."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from _fw_ledger import SURVEY, printed_ledger
from _fw_web import add_role_users, login
from sqlalchemy import select

from omr.store.db import Store
from omr.store.schema import AuditEvent


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[str]]]:
    store, ids = printed_ledger(tmp_path_factory.mktemp("forms-web"))
    add_role_users(store, ("fieldwork", "analyst"))
    yield store, ids
    store.engine.dispose()


def _upload(ids: list[str]) -> dict[str, str]:
    text = "Mã phiếu,Bưu tá,Ngày phát,Kết quả,Ngày thu\n" \
           f"{ids[0]},Trần Văn Bưu,19/12/2022,đã phát,20/12/2022\n{ids[1]},Lê Thị Phát,19/12/2022,tu choi,\n" \
           "NOTANID,,,,\n"
    return {"survey": SURVEY, "filename": "post 1.csv", "content_base64": base64.b64encode(text.encode()).decode()}


def test_other_roles_refused(ledger: tuple[Store, list[str]]) -> None:
    store, ids = ledger
    c, token = login(store, "analyst")
    for url in ("/fieldwork/forms", "/api/fieldwork/forms", f"/api/fieldwork/forms/{ids[0]}", "/fieldwork/returns"):
        assert c.get(url).status_code == 403, url
    r = c.post("/api/fieldwork/returns", json=_upload(ids), headers={"X-CSRF-Token": token})
    assert r.status_code == 403


def test_upload_then_filter_and_history(ledger: tuple[Store, list[str]]) -> None:
    store, ids = ledger
    c, token = login(store, "fieldwork")
    assert c.post("/api/fieldwork/returns", json=_upload(ids)).status_code == 403  # no CSRF token
    r = c.post("/api/fieldwork/returns", json=_upload(ids), headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["rows"], d["applied"], d["rejected"]) == (3, 2, 1)
    assert d["outcomes"][0]["result"] == "rejected" and d["outcomes"][0]["reason_code"] == "bad-form-id"
    again = c.post("/api/fieldwork/returns", json=_upload(ids), headers={"X-CSRF-Token": token}).json()
    assert again["already_imported_at"] and again["applied"] == 0
    with store.session() as s:
        audit = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "import-returns")))
    assert len(audit) == 2 and audit[0].actor == "u-fieldwork" and "2 applied" in (audit[0].new or "")

    page = c.get("/api/fieldwork/forms", params={"postman": "Trần Văn Bưu"}).json()
    assert page["total"] == 1 and page["forms"][0]["form_id"] == ids[0] and page["forms"][0]["state"] == "collected"
    assert c.get("/api/fieldwork/forms", params={"state": "refused"}).json()["forms"][0]["form_id"] == ids[1]
    units = c.get("/api/fieldwork/forms", params={"unit": "U1", "state": "printed"}).json()
    assert units["total"] == 4 and units["counts"]["refused"] == 1 and units["units"] == ["U1", "U2"]
    assert c.get("/api/fieldwork/forms", params={"state": "lost"}).status_code == 400
    html = c.get("/fieldwork/forms", params={"stratum": "U1/V1"})
    assert html.status_code == 200 and ids[0] in html.text and "Người Thử" not in html.text
    hist = c.get(f"/api/fieldwork/forms/{ids[0]}").json()
    assert [e["state"] for e in hist["events"]] == ["drawn", "printed", "delivered", "collected"]
    assert hist["events"][2]["source"] == "post" and hist["events"][2]["on"] == "2022-12-19"
    assert c.get(f"/fieldwork/forms/{ids[0]}").status_code == 200
    assert c.get("/api/fieldwork/forms/ZZZZZZZZ").status_code == 404
    assert c.get("/fieldwork/returns").status_code == 200
    saved = list((store.workspace / "fieldwork" / "returns").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("post_1.csv")


def test_pages_of_one_hundred(ledger: tuple[Store, list[str]]) -> None:
    store, _ = ledger
    c, _ = login(store, "fieldwork")
    d = c.get("/api/fieldwork/forms", params={"page": 9}).json()
    assert (d["total"], d["page"], d["pages"], len(d["forms"])) == (15, 1, 1, 15)
