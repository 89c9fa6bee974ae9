"""Steps the browser tests share: log in through the form, and read the queue's current item."""

from __future__ import annotations

from typing import TYPE_CHECKING

from _workspace import password

if TYPE_CHECKING:
    from playwright.sync_api import Page


def login(page: Page, base: str, name: str, then: str) -> None:
    """Log ``name`` in through the login form and wait for the page ``then``."""
    page.goto(f"{base}/login?next={then}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password(name))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{then}")


def current_item(page: Page) -> str:
    """The id of the review item the queue shows."""
    return str(page.eval_on_selector("#item", "e => e.dataset.itemId"))
