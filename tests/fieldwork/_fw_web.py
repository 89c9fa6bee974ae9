"""Users of every role and logged-in clients, for the tests of the fieldwork pages."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from omr.store.db import Store
from review_ui.app import create_app
from review_ui.users import add_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.x asks for httpx2 (not installed); httpx 0.28 works
    from fastapi.testclient import TestClient


def password(role: str) -> str:
    return f"pw-{role}-long-enough"


def add_role_users(store: Store, roles: Iterable[str]) -> None:
    """One user ``u-<role>`` per role."""
    for role in roles:
        add_user(store, f"u-{role}", role, password(role))


def login(store: Store, role: str) -> tuple[TestClient, str]:
    """A client logged in as ``u-<role>`` and its CSRF token."""
    c = TestClient(create_app(store, secret="x" * 32), raise_server_exceptions=False)
    token = c.get("/api/session").json()["csrf_token"]
    r = c.post("/api/login", json={"name": f"u-{role}", "password": password(role)},
               headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    return c, c.get("/api/session").json()["csrf_token"]
