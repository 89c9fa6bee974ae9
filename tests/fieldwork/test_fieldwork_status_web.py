"""The fieldwork progress page: roles fieldwork and monitor only, the same counts as the CLI, no identity."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator

import pytest
from _fieldwork import LONG_BIEN
from _fw_status import AFTER, story_ledger, with_collection
from _fw_web import add_role_users, login
from sqlalchemy import func, select

from fieldwork.status import compute_status
from fieldwork.status_table import COLUMNS, cell
from fieldwork.survey import Survey
from omr.store.db import Store
from omr.store.schema import AuditEvent
from review_ui.app import create_app
from review_ui.roles import ROLES

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2 (not installed); httpx 0.28 works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

READERS = tuple(r for r in ("fieldwork", "monitor") if r in ROLES)
QUERY = "?today=2020-09-26"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, long_bien: Survey) -> Iterator[Store]:
    ws = tmp_path_factory.mktemp("ws")
    s = story_ledger(ws, long_bien.name)
    text = LONG_BIEN.read_text(encoding="utf-8") + "collection: {deliver_by: 2020-09-20, collect_by: 2020-09-25}\n"
    (ws / "fieldwork" / "survey.yaml").write_text(text, encoding="utf-8")
    add_role_users(s, ROLES)
    yield s
    s.engine.dispose()


def _client(store: Store, role: str) -> TestClient:
    return login(store, role)[0]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in READERS])
def test_other_roles_are_refused(store: Store, role: str) -> None:
    with _client(store, role) as c:
        for route in ("/fieldwork/status", "/api/fieldwork/status"):
            assert c.get(route).status_code == 403, (role, route)


def test_anonymous_is_refused(store: Store) -> None:
    with TestClient(create_app(store, secret="x" * 32), raise_server_exceptions=False) as c:
        assert c.get("/api/fieldwork/status").status_code == 401
        assert c.get("/fieldwork/status", follow_redirects=False).status_code in (302, 303, 307)


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_same_counts_as_the_cli(store: Store, role: str, long_bien: Survey) -> None:
    survey = with_collection(long_bien)  # what <workspace>/fieldwork/survey.yaml says
    with store.session() as s:
        audited = s.scalar(select(func.count()).select_from(AuditEvent))
    with _client(store, role) as c:
        data = c.get("/api/fieldwork/status" + QUERY).json()
        page = c.get("/fieldwork/status" + QUERY)
    assert page.status_code == 200
    assert data["survey"] == "long-bien-2020" and data["collect_by"] == "2020-09-25"
    assert data["survey_file"].endswith("survey.yaml")
    assert (data["issued"], data["returned"], data["valid"]) == (7, 3, 1)
    assert data["total"]["counts"]["overdue"] == 2
    units = {r["key"]: r for r in data["by_unit"]}
    assert units["004"]["response_pct"] == 50 and units["004"]["delivered_pct"] == 75
    assert units["00127"]["response_pct"] == 0 and units["00127"]["cells"][-1] == "—"
    cli = compute_status(store, survey, today=AFTER)
    assert [r["key"] for r in data["by_postman"]] == [r.key for r in cli.by_postman]
    assert data["by_stratum"][0]["cells"] == [cell(cli.by_stratum[0].counts, col) for col in COLUMNS]
    html = page.text
    assert "Phát ra 7 phiếu, thu về 3 phiếu, hợp lệ 1 phiếu" in html or "7 forms issued, 3 returned, 1 valid" in html
    assert html.count("<meter") == 2 * (4 + 1)  # two bars per unit and for the total
    assert "Người" not in html and "0900000000" not in html  # no identity on the page
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == audited  # counts only: nothing to audit


def test_filter_by_unit_and_bad_input(store: Store) -> None:
    with _client(store, "fieldwork") as c:
        one = c.get("/api/fieldwork/status?unit=00115&today=2020-09-26").json()
        assert [r["key"] for r in one["by_unit"]] == ["00115"] and one["issued"] == 3
        assert [r["key"] for r in one["by_stratum"]] == ["00115/tp", "00115/ldtbxh"]
        assert len(one["units"]) == 4  # the filter still offers every unit
        assert c.get("/api/fieldwork/status?unit=nowhere").status_code == 400
        assert c.get("/api/fieldwork/status?today=26/09/2020").status_code == 400
        assert c.get("/api/fieldwork/status?survey=other").status_code == 400


def test_without_a_survey_file_codes_and_a_note(store: Store, tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = store.workspace / "fieldwork"
    moved = tmp_path_factory.mktemp("aside") / "survey.yaml"
    shutil.move(ws / "survey.yaml", moved)
    try:
        with _client(store, "fieldwork") as c:
            data = c.get("/api/fieldwork/status" + QUERY).json()
    finally:
        shutil.move(moved, ws / "survey.yaml")
    assert data["survey_file"] is None and data["collect_by"] is None
    assert data["total"]["counts"]["overdue"] == 0 and data["issued"] == 7
    assert [r["key"] for r in data["by_unit"]] == ["00115", "004"]  # the ledger's units, by code
    assert any("no survey file" in n for n in data["notes"])
