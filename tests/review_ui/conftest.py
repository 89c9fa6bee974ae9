"""Fixtures of the review app tests: a real workspace, in-process clients, a live server.

Every test that uses the workspace runs twice: on the workspace's SQLite file and on PostgreSQL
(a fresh schema of the server that ``make test`` starts; those runs carry ``@pytest.mark.postgres``
and are skipped when no server is running).
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from _workspace import MINI, SECRET, Built, build, copy_workspace, move_to_postgres, password, pg_schema
from fastapi import FastAPI

from omr.store.db import Store, open_store
from review_ui.app import create_app

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2 (not installed); httpx 0.28 works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient as TestClient


@pytest.fixture(scope="session")
def built_workspace(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("review") / "ws")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The database the workspace lives in: ``sqlite`` (its own file) or ``postgres``."""
    name: str = request.param
    return name


@pytest.fixture()
def ws(built_workspace: Built, tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[Built]:
    """A fresh copy of the workspace for one test (on PostgreSQL: in a schema of its own)."""
    copy = copy_workspace(built_workspace, tmp_path / "ws")
    if backend == "sqlite":
        yield copy
        return
    server: str = request.getfixturevalue("pg_url")
    with pg_schema(server) as url:
        yield move_to_postgres(copy, url)


@pytest.fixture()
def store(ws: Built) -> Iterator[Store]:
    s = open_store(ws.workspace, ws.db_url, create=False)
    yield s
    s.engine.dispose()


@pytest.fixture()
def app(store: Store) -> FastAPI:
    return create_app(store, templates=[MINI], secret=SECRET)


def login(client: TestClient | httpx.Client, name: str) -> str:
    """Log ``name`` in; returns the CSRF token to send with POSTs."""
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post("/api/login", json={"name": name, "password": password(name)}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


@pytest.fixture()
def client_for(app: FastAPI) -> Iterator[Callable[[str | None], tuple[TestClient, str]]]:
    made: list[TestClient] = []

    def make(name: str | None) -> tuple[TestClient, str]:
        c = TestClient(app, raise_server_exceptions=False)
        made.append(c)
        tok = login(c, name) if name else c.get("/api/session").json()["csrf_token"]
        return c, tok

    yield make
    for c in made:
        c.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def live_server(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", workers=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
