"""Re-verification in the review app: calls reachable by role monitor only, views audited, POST needs CSRF."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from _fw_web import add_role_users, login
from sqlalchemy import select
from test_fieldwork_verify import build_ledger

from omr.store.db import Store, open_store
from omr.store.schema import AuditEvent
from review_ui.app import create_app
from sipas.cli import main

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2 (not installed); httpx 0.28 works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROLES = ("admin", "operator", "reviewer", "analyst", "fieldwork", "monitor")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    survey, ws, _ = build_ledger(tmp_path_factory.mktemp("verify-web"))
    assert main(["fieldwork", "verify", "draw", "--survey", str(survey), "-w", str(ws), "--share", "25%",
                 "--seed", "5"]) == 0
    s = open_store(ws)
    add_role_users(s, ROLES)
    yield s
    s.engine.dispose()


def _people(store: Store) -> dict[str, dict[str, str]]:
    path = Path(store.workspace) / "fieldwork" / "dispatch" / "identities" / "forms.identities.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["form_id"]: r for r in csv.DictReader(fh)}


def _audit(store: Store) -> list[tuple[str, str, str | None]]:
    with store.session() as s:
        return [(e.actor, e.action, e.form_id) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_only_monitors_reach_the_calls(store: Store) -> None:
    with login(store, "monitor")[0] as c:
        calls = c.get("/api/fieldwork/verify").json()["calls"]
    fid = calls[0]["form_id"]
    routes = ("/fieldwork/verify", "/api/fieldwork/verify", f"/fieldwork/verify/{fid}", f"/api/fieldwork/verify/{fid}")
    name = _people(store)[fid]["name"]
    for role in ("admin", "operator", "reviewer", "analyst", "fieldwork"):
        c, tok = login(store, role)
        with c:
            for route in routes:
                r = c.get(route)
                assert r.status_code == 403 and name not in r.text, (role, route)
            assert c.post(f"/api/fieldwork/verify/{fid}", json={"received": True},
                          headers={"X-CSRF-Token": tok}).status_code == 403
    with TestClient(create_app(store, secret="x" * 32), raise_server_exceptions=False) as c:
        for route in routes:
            assert c.get(route, follow_redirects=False).status_code in (401, 303), route


def test_monitor_sees_drawn_forms_only_and_every_view_is_audited(store: Store) -> None:
    people = _people(store)
    before = len(_audit(store))
    c, _ = login(store, "monitor")
    with c:
        page = c.get("/api/fieldwork/verify").json()
        assert len(page["calls"]) == 6 and len(page["units"]) == 3
        assert all(r["name"] == people[r["form_id"]]["name"] for r in page["calls"])
        html = c.get("/fieldwork/verify").text
        drawn = {r["form_id"] for r in page["calls"]}
        assert all(people[f]["phone"] in html for f in drawn)
        assert not any(p["name"] in html for f, p in people.items() if f not in drawn and p["name"])
        one = c.get(f"/fieldwork/verify/{page['calls'][0]['form_id']}")
        assert one.status_code == 200 and "Ông/Bà có nhận được phiếu không?" in one.text
        assert c.get("/api/fieldwork/verify?unit=00127").json()["calls"][0]["unit"] == "00127"
    views = [a for a in _audit(store)[before:] if a[1] == "view-identities"]
    assert len(views) == 4 and all(a[0] == "u-monitor" for a in views)


def test_recording_a_call_flags_interference(store: Store) -> None:
    c, tok = login(store, "monitor")
    with c:
        calls = c.get("/api/fieldwork/verify").json()["calls"]
        a, b = calls[0]["form_id"], calls[1]["form_id"]
        body = {"received": True, "self_filled": True, "told_answers": True, "note": "bị nhắc"}
        assert c.post(f"/api/fieldwork/verify/{a}", json=body).status_code == 403  # no CSRF token
        page = c.get(f"/fieldwork/verify/{a}").text
        assert 'id="verify-call"' in page and "/static/fieldwork_verify.js" in page
        r = c.post(f"/api/fieldwork/verify/{a}", json=body, headers={"X-CSRF-Token": tok})
        assert r.status_code == 200, r.text
        got = c.get(f"/api/fieldwork/verify/{a}").json()
        assert got["flagged"] and got["outcome"] == "reached" and got["note"] == "bị nhắc"
        r = c.post(f"/api/fieldwork/verify/{b}", json={"not_reached": True, "received": True},
                   headers={"X-CSRF-Token": tok})
        assert r.status_code == 400  # not reached, yet answered
        r = c.post(f"/api/fieldwork/verify/{b}", json={"received": True, "self_filled": True, "told_answers": False,
                                                       "collected_on_day": True}, headers={"X-CSRF-Token": tok})
        assert r.status_code == 200 and not r.json()["flagged"]
        # a correction un-flags, and is audited with the old answers
        r = c.post(f"/api/fieldwork/verify/{a}", json={"received": True, "self_filled": True, "told_answers": False},
                   headers={"X-CSRF-Token": tok})
        assert not r.json()["flagged"]
        units = {u["unit"]: u for u in c.get("/api/fieldwork/verify").json()["units"]}
    assert sum(u["called"] for u in units.values()) == 2 and sum(u["flagged"] for u in units.values()) == 0
    audit = _audit(store)
    assert ("u-monitor", "verify-flag", a) in audit and ("u-monitor", "verify-unflag", a) in audit
    assert sum(1 for x in audit if x[1] == "verify-call") == 3
