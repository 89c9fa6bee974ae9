"""The fieldwork role in the review app: identities reachable by role fieldwork only, every view audited."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from _fieldwork import LONG_BIEN
from _fw_web import add_role_users, login
from sqlalchemy import select

from omr.store.db import Store, open_store
from omr.store.schema import AuditEvent
from review_ui.app import create_app
from sipas.cli import main

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2 (not installed); httpx 0.28 works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROLES = ("admin", "operator", "reviewer", "analyst", "fieldwork")
ROUTES = ("/fieldwork", "/api/fieldwork", "/fieldwork/lists/official", "/api/fieldwork/lists/official",
          "/fieldwork/lists/reserve?stratum=004/tnmt", "/api/fieldwork/lists/reserve", "/fieldwork/rejects",
          "/api/fieldwork/rejects", "/fieldwork/files/official.csv", "/fieldwork/files/rejects.xlsx",
          "/fieldwork/files/draw.json")
IDENTITY_ROUTES = ROUTES[2:]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    ws = tmp_path_factory.mktemp("ws")
    out = ws / "fieldwork"
    assert main(["synth", "frame", "--survey", str(LONG_BIEN), "--records", "400", "--seed", "1",
                 "--out", str(ws / "list.xlsx")]) == 0
    assert main(["fieldwork", "frame", str(ws / "list.xlsx"), "--survey", str(LONG_BIEN), "--out", str(out)]) == 0
    assert main(["fieldwork", "draw", "--survey", str(LONG_BIEN), "--out", str(out)]) == 0
    s = open_store(ws)
    add_role_users(s, ROLES)
    yield s
    s.engine.dispose()


def _client(store: Store, role: str) -> TestClient:
    return login(store, role)[0]


def _names(store: Store) -> list[str]:
    text = (store.workspace / "fieldwork" / "official.csv").read_text(encoding="utf-8").splitlines()
    return [line.split(",")[6] for line in text[1:4]]


@pytest.mark.parametrize("role", ("admin", "operator", "reviewer", "analyst"))
def test_other_roles_never_reach_identities(store: Store, role: str) -> None:
    with _client(store, role) as c:
        for route in ROUTES:
            r = c.get(route)
            assert r.status_code == 403, (role, route, r.status_code)
            assert not any(n in r.text for n in _names(store))


def test_anonymous_is_refused(store: Store) -> None:
    with TestClient(create_app(store, secret="x" * 32), raise_server_exceptions=False) as c:
        for route in ROUTES:
            assert c.get(route, follow_redirects=False).status_code in (401, 302, 303, 307), route


def test_fieldwork_sees_lists_and_every_view_is_audited(store: Store) -> None:
    with store.session() as s:
        before = len(s.scalars(select(AuditEvent)).all())
    with _client(store, "fieldwork") as c:
        for route in ROUTES:
            assert c.get(route).status_code == 200, route
        page = c.get("/fieldwork/lists/official").text
        assert all(n in page for n in _names(store))
        overview = c.get("/api/fieldwork").json()
        assert overview["seed"] == 20200922 and len(overview["strata"]) == 8
        assert not any(n in str(overview) for n in _names(store))
        assert c.get("/fieldwork/files/..%2Fsipas.db").status_code == 404
    with store.session() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[before:]
    viewed = [(e.actor, e.action, e.field) for e in events]
    identity_views = len(IDENTITY_ROUTES) + 1  # every download is audited, and the official page was seen twice
    assert len([v for v in viewed if v[1] in ("view-identities", "download-identities")]) == identity_views
    assert ("u-fieldwork", "view-identities", "official.csv") in viewed
    assert ("u-fieldwork", "download-identities", "rejects.xlsx") in viewed
