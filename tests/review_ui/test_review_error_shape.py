"""One JSON error shape for every /api/ error; error.html for pages."""

from __future__ import annotations

from collections.abc import Callable

from conftest import TestClient

Make = Callable[[str | None], tuple[TestClient, str]]


def assert_canonical_error(body: dict[str, object], status: int) -> None:
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["errors"], list) and body["error"] == "; ".join(body["errors"])


def test_error_shapes(client_for: Make) -> None:
    c, tok = client_for("rev1")
    cases = [
        (c.get("/api/pages/999999"), 404),
        (c.get("/api/forms/NOPE"), 404),
        (c.get("/api/nothing-here"), 404),
        (c.post("/api/items/1/submit", json={"lease_token": 5}, headers={"X-CSRF-Token": tok}), 422),
        (c.post("/api/queue/next", json={}), 403),
        (c.get("/api/bulk/mini/DATE"), 400),
    ]
    for r, status in cases:
        assert r.status_code == status, r.text
        assert_canonical_error(r.json(), status)
    page = c.get("/pages/999999")
    assert page.status_code == 404 and "page 999999 does not exist" in page.text and "<html" in page.text
