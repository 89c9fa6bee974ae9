"""Shared fixtures: the PostgreSQL test server and a headless Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, TypedDict

import pytest

from omr._tools import chromium_path
from omr.errors import MissingDependencyError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
)


class ChromiumLaunchArgs(TypedDict):
    """Keyword arguments for ``playwright.sync_api.BrowserType.launch``."""

    executable_path: str
    headless: bool
    args: list[str]


@pytest.fixture(scope="session")
def pg_url() -> str:
    """SQLAlchemy URL of the throwaway server that `make test` starts (scripts/pg-test-server.sh)."""
    url = os.environ.get("SIPAS_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("SIPAS_REQUIRE_PG") == "1":
        pytest.fail("SIPAS_REQUIRE_PG=1 but SIPAS_TEST_PG_URL is not set; run the suite with `make test`")
    pytest.skip("PostgreSQL test server not running; `make test` starts one")


@pytest.fixture(scope="session")
def chromium_launch_args() -> ChromiumLaunchArgs:
    """Debian's Chromium, headless (Playwright's own browser download is never used)."""
    try:
        executable = chromium_path()
    except MissingDependencyError as exc:
        pytest.fail(str(exc))
    return {"executable_path": str(executable), "headless": True, "args": list(CHROMIUM_ARGS)}


@pytest.fixture(scope="session")
def browser(chromium_launch_args: ChromiumLaunchArgs) -> Iterator[Browser]:
    """One headless Chromium for the whole session; give each test its own page or context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**chromium_launch_args)
        try:
            yield launched
        finally:
            launched.close()
