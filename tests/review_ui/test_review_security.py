"""Every route checks the session and a role; images stay inside the workspace; POSTs need CSRF."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _workspace import Built
from conftest import TestClient
from fastapi import FastAPI
from fastapi.routing import APIRoute

from review_ui.app import ROUTERS
from review_ui.middleware import FORM_PATHS
from review_ui.security import SECRET_FILE, hash_password, session_secret, verify_password

Make = Callable[[str | None], tuple[TestClient, str]]
PUBLIC = {"/login", "/api/session", "/api/login", "/lang"}
PARAMS = {"item_id": "1", "template": "mini", "question": "Q9", "page_id": "1", "form_id": "X", "answer_id": "1",
          "box_id": "1", "which": "aligned"}
EVERY_ROLE = {"/", "/logout", "/progress", "/api/progress"}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for r in (route for router in ROUTERS for route in router.routes):
        if isinstance(r, APIRoute) and r.path not in PUBLIC:
            path = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], r.path)
            out.extend((m, path) for m in sorted(r.methods or ()))
    return out


def test_route_inventory_is_complete(app: FastAPI) -> None:
    paths = {p for _m, p in _routes(app)}
    for expected in ("/queue", "/api/queue/next", "/bulk/mini/Q9", "/api/bulk/mini/Q9", "/pages/1", "/api/pages/1",
                     "/forms/X", "/api/forms/X", "/progress", "/api/progress", "/img/pages/1/aligned.png"):
        assert expected in paths


def test_anonymous_is_refused_everywhere(app: FastAPI, client_for: Make) -> None:
    c, tok = client_for(None)
    for method, path in _routes(app):
        body: dict[str, Any] = {"data": {}} if path in FORM_PATHS else {"json": {}}
        r = c.request(method, path, headers={"X-CSRF-Token": tok}, follow_redirects=False, **body)
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json() == {"ok": False, "error": r.json()["error"], "errors": [r.json()["error"]], "status": 401}
        else:
            assert r.status_code in (401, 303), (method, path, r.status_code)
            if r.status_code == 303:
                assert r.headers["location"].startswith("/login?next=")


def test_wrong_role_is_refused(app: FastAPI, client_for: Make) -> None:
    analyst, atok = client_for("ana")
    operator, otok = client_for("op")
    checked = 0
    for method, path in _routes(app):
        if path in EVERY_ROLE:
            continue
        body: dict[str, Any] = {"data": {}} if path in FORM_PATHS else {"json": {}}
        r = analyst.request(method, path, headers={"X-CSRF-Token": atok}, **body)
        assert r.status_code == 403, (method, path, r.status_code, r.text[:200])
        checked += 1
        review_only = not (path.startswith(("/pages", "/api/pages", "/forms", "/api/forms", "/img")))
        if review_only:
            r = operator.request(method, path, headers={"X-CSRF-Token": otok}, **body)
            assert r.status_code == 403, (method, path, r.status_code)
    assert checked > 15


def test_operator_sees_pages_but_cannot_edit(client_for: Make, ws: Built) -> None:
    c, tok = client_for("op")
    page = c.get(f"/api/forms/{ws.form_ids[0]}").json()["pages"][0]["page_id"]
    assert c.get(f"/api/pages/{page}").status_code == 200
    html = c.get(f"/pages/{page}").text
    assert 'class="edit"' not in html


def test_post_without_csrf_is_refused(client_for: Make) -> None:
    c, tok = client_for("rev1")
    r = c.post("/api/queue/next", json={})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    r = c.post("/api/queue/next", json={}, headers={"X-CSRF-Token": "wrong" + tok})
    assert r.status_code == 403
    r = c.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403
    anon, _ = client_for(None)
    r = anon.post("/login", data={"name": "rev1", "password": "pw-rev1-123"}, follow_redirects=False)
    assert r.status_code == 403


def test_images_only_from_inside_the_workspace(client_for: Make, ws: Built) -> None:
    c, _ = client_for("admin")
    r = c.get(f"/img/pages/{ws.outside_page}/aligned.png")
    assert r.status_code == 403 and "outside the workspace" in r.text
    r = c.get(f"/img/pages/{ws.outside_page}/raw.png")
    assert r.status_code == 403
    for path in ("/img/pages/..%2F..%2Fetc%2Fpasswd/raw.png", "/img/pages/1/..%2F..%2Fsipas.sqlite",
                 "/static/..%2Fsecurity.py", "/static/../security.py"):
        r = c.get(path)
        assert r.status_code in (404, 422) and b"def " not in r.content, path


def test_login_page_form_and_session_cookie(client_for: Make) -> None:
    c, tok = client_for(None)
    page = c.get("/login")
    assert 'name="csrf_token"' in page.text
    bad = c.post("/login", data={"name": "rev1", "password": "nope", "csrf_token": tok})
    assert bad.status_code == 401
    r = c.post("/login", data={"name": "rev1", "password": "pw-rev1-123", "csrf_token": tok, "next": "/bulk"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/bulk"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # an offsite "next" is ignored
    c2, tok2 = client_for(None)
    r = c2.post("/login", data={"name": "rev1", "password": "pw-rev1-123", "csrf_token": tok2,
                                "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/queue"


def test_disabled_user_loses_the_session(client_for: Make, store: object) -> None:
    from omr.store.db import Store
    from review_ui.users import set_disabled

    assert isinstance(store, Store)
    c, _ = client_for("rev2")
    assert c.get("/api/queue").status_code == 200
    set_disabled(store, "rev2")
    assert c.get("/api/queue").status_code == 401


def test_passwords_are_salted_scrypt() -> None:
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert verify_password("correct horse", a) and not verify_password("correct hors", a)
    assert not verify_password("x", "garbage")


def test_secret_file_is_created_once_with_mode_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIPAS_REVIEW_SECRET", raising=False)
    one = session_secret(tmp_path)
    assert session_secret(tmp_path) == one and len(one) >= 40
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600


def test_an_idle_session_ends(client_for: Make, store: object) -> None:
    import datetime as dt

    from sqlalchemy import update

    from omr.store.db import Store
    from review_ui.tables import SessionRow

    assert isinstance(store, Store)
    c, _ = client_for("rev1")
    assert c.get("/api/queue").status_code == 200
    with store.session() as s:
        s.execute(update(SessionRow).values(last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)))
    assert c.get("/api/queue").status_code == 401


def test_one_address_guessing_many_accounts_is_throttled(client_for: Make) -> None:
    c, tok = client_for(None)
    codes = [c.post("/api/login", json={"name": f"nobody{i}", "password": "wrong-password"},
                    headers={"X-CSRF-Token": tok}).status_code for i in range(21)]
    assert codes[:20] == [401] * 20 and codes[20] == 429


def test_background_refreshes_do_not_keep_an_idle_session_alive(client_for: Make, store: object) -> None:
    import datetime as dt

    from sqlalchemy import select, update

    from omr.store.db import Store
    from review_ui.audit import as_utc
    from review_ui.tables import SessionRow

    assert isinstance(store, Store)
    c, _ = client_for("rev1")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=50)
    with store.session() as s:
        s.execute(update(SessionRow).values(last_seen=old))
    assert c.get("/api/queue", headers={"X-Sipas-Background": "1"}).status_code == 200
    with store.session() as s:
        seen = s.scalar(select(SessionRow.last_seen))
    assert (as_utc(seen) or old) <= old + dt.timedelta(seconds=1)
    assert c.get("/api/queue").status_code == 200  # a real request does count
    with store.session() as s:
        seen = s.scalar(select(SessionRow.last_seen))
    assert (as_utc(seen) or old) > old + dt.timedelta(minutes=49)
