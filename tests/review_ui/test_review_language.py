"""What a reviewer reads is in the chosen language: reasons, validation messages, option labels."""

from __future__ import annotations

from collections.abc import Callable

from conftest import TestClient

from review_ui.reasons import localise

Make = Callable[[str | None], tuple[TestClient, str]]


def test_reader_reasons_have_vietnamese_forms() -> None:
    assert localise("handwriting to transcribe", "vi") == "chữ viết tay cần gõ lại"
    assert localise("2 marks (2, 4)", "vi") == "2 ô được đánh dấu (2, 4)"
    assert localise("unclear mark at value 3", "vi") == "dấu không rõ ở giá trị 3"
    assert localise("3 field(s) flagged, first Q9_1: 2 marks (1, 5)", "vi") == \
        "3 câu cần duyệt, câu đầu Q9_1: 2 ô được đánh dấu (1, 5)"
    assert localise("2 marks (2, 4)", "en") == "2 marks (2, 4)"
    assert localise("something new", "vi") == "something new"


def test_queue_reason_and_validation_message_follow_the_language(client_for: Make) -> None:
    c, tok = client_for("rev1")
    r = c.post("/api/queue/next", json={"question": "OPINION"}, headers={"X-CSRF-Token": tok})
    item = r.json()["item"]
    assert item["reason"] == "chữ viết tay cần gõ lại" and item["answer_kind"] == "text"
    r = c.post("/api/queue/next", json={"question": "Q9"}, headers={"X-CSRF-Token": tok})
    item = r.json()["item"]
    bad = c.post(f"/api/items/{item['id']}/submit", json={"lease_token": item["lease_token"],
                 "revision": item["revision"], "value": "9"}, headers={"X-CSRF-Token": tok})
    assert bad.status_code == 400 and "không phải là một trong các giá trị 1, 2, 3, 4, 5" in bad.json()["error"]
    c.post("/lang", data={"lang": "en", "csrf_token": tok}, follow_redirects=False)
    bad = c.post(f"/api/items/{item['id']}/submit", json={"lease_token": item["lease_token"],
                 "revision": item["revision"], "value": "9"}, headers={"X-CSRF-Token": tok})
    assert "is not one of the values 1, 2, 3, 4, 5" in bad.json()["error"]


def test_page_view_names_the_question_and_the_chosen_option(client_for: Make) -> None:
    c, _ = client_for("rev1")
    item = c.post("/api/queue/next", json={"question": "Q9"},
                  headers={"X-CSRF-Token": c.get("/api/session").json()["csrf_token"]}).json()["item"]
    page = c.get(f"/api/pages/{item['page_id']}").json()
    rows = {a["field"]: a for a in page["answers"]}
    q9 = rows[item["field"]]
    assert q9["label"].startswith("Mức độ hài lòng · ")
    single = [a for a in page["answers"] if a["kind"] == "grid" and a["value"] in "12345" and a["value"]]
    assert single and all(a["value_label"] for a in single)
    assert "Mức độ hài lòng" in c.get(f"/pages/{item['page_id']}").text


def test_error_messages_follow_the_language(client_for: Make) -> None:
    c, tok = client_for("rev1")
    r = c.post("/api/queue/next", json={})
    assert r.status_code == 403 and r.json()["error"] == "thiếu hoặc sai mã CSRF; hãy tải lại trang rồi thử lại"
    assert c.get("/api/pages/0").json()["error"] == "không có page_id này: hãy kiểm tra địa chỉ"
    c.post("/lang", data={"lang": "en", "csrf_token": tok}, follow_redirects=False)
    assert "CSRF" in c.post("/api/queue/next", json={}).json()["error"]


def test_request_validation_messages_follow_the_language(client_for: Make) -> None:
    c, tok = client_for("rev1")
    r = c.post("/api/items/1/submit", json={"lease_token": "", "revision": "x"}, headers={"X-CSRF-Token": tok})
    assert r.status_code == 422
    assert "body.revision: phải là một số nguyên" in r.json()["errors"]
    assert "body.lease_token: ngắn hơn 1 ký tự" in r.json()["errors"]
