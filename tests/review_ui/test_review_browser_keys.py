"""Headless Chromium: a key press never saves an answer the reviewer has not seen; undo; zoom."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from _browser import current_item, login
from sqlalchemy import select

from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, ReviewItem
from review_ui.i18n import translate

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]




def _answer(store: Store, item_id: str) -> tuple[str, str, str]:
    """(item status, answer value, answer status) of a field item."""
    with store.session() as s:
        it = s.get(ReviewItem, int(item_id))
        assert it is not None
        ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == it.form_id, AnswerRow.field == it.field))
        assert ans is not None
        return it.status, ans.value, ans.status


def test_digit_then_enter_never_confirms_an_unseen_item(browser: Browser, live_server: str, store: Store) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        login(page, live_server, "rev1", "/queue?question=Q9")
        page.wait_for_selector("#opts")
        assert page.inner_text("#item .keys") == translate("keys_choice", "vi")
        first = current_item(page)
        before = _answer(store, first)
        chip = "a[data-key='mini/Q9'] b"
        count = int(page.inner_text(chip))
        page.keyboard.press("2")  # chooses: shown, not saved
        page.wait_for_selector("#opts li.sel[data-value='2']")
        assert current_item(page) == first and "Đã chọn" in page.inner_text("#chosen")
        assert _answer(store, first) == before
        page.keyboard.press("Enter")  # saves the choice; a second Enter typed ahead saves nothing
        page.keyboard.press("Enter")
        page.wait_for_function("(old) => document.getElementById('item').dataset.itemId !== old", arg=first)
        second = current_item(page)
        page.wait_for_timeout(600)
        assert current_item(page) == second
        assert _answer(store, first)[:2] == ("done", "2")
        assert _answer(store, second)[0] == "open"
        page.wait_for_function("([sel, n]) => document.querySelector(sel).textContent === String(n)",
                               arg=[chip, count - 1])  # the queue's counts follow without a reload
    finally:
        ctx.close()


def test_undo_brings_the_last_answer_back(browser: Browser, live_server: str, store: Store) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        login(page, live_server, "rev2", "/queue?question=Q9")
        page.wait_for_selector("#opts")
        first = current_item(page)
        old_value = _answer(store, first)[1]
        assert page.is_hidden("#btn-undo")
        page.keyboard.press("3")
        page.keyboard.press("Enter")
        page.wait_for_function("(old) => document.getElementById('item').dataset.itemId !== old", arg=first)
        page.wait_for_selector("#btn-undo:visible")
        assert "= 3" in page.inner_text("#btn-undo")
        assert _answer(store, first)[:2] == ("done", "3")
        page.keyboard.press("u")
        page.wait_for_function("(id) => document.getElementById('item').dataset.itemId === id", arg=first)
        assert _answer(store, first) == ("open", old_value, "flagged")
        page.keyboard.press("4")
        page.keyboard.press("Enter")
        page.wait_for_function("(old) => document.getElementById('item').dataset.itemId !== old", arg=first)
    finally:
        ctx.close()
    assert _answer(store, first)[:2] == ("done", "4")
    with store.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.actor == "rev2")
                                               .order_by(AuditEvent.id))]
    assert actions == ["review", "undo", "review"]


def test_zoom_on_the_crop_by_key_and_mouse(browser: Browser, live_server: str) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        login(page, live_server, "rev1", "/queue?question=Q9")
        page.wait_for_selector("#opts")
        page.wait_for_function("() => document.getElementById('crop').complete")
        page.keyboard.press("z")
        page.wait_for_selector("#zoom img")
        small = page.eval_on_selector("#crop", "e => e.getBoundingClientRect().width")
        big = page.eval_on_selector("#zoom img", "e => e.getBoundingClientRect().width")
        assert big >= 1.9 * small
        page.keyboard.press("Escape")
        page.wait_for_selector("#zoom", state="detached")
        page.click("#crop")
        page.wait_for_selector("#zoom img")
        page.click("#zoom")
        page.wait_for_selector("#zoom", state="detached")
        page.goto(f"{live_server}/bulk/mini/A1")
        page.click("#grid .bx button.zb")
        page.wait_for_selector("#zoom img")
    finally:
        ctx.close()


def test_vietnamese_reason_and_a_multi_line_box_for_handwriting(browser: Browser, live_server: str) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        login(page, live_server, "rev1", "/queue?question=OPINION")
        page.wait_for_selector("textarea#answer")
        assert "Lý do: chữ viết tay cần gõ lại" in page.inner_text("#item .meta")
        assert int(page.get_attribute("textarea#answer", "rows") or 0) >= 2
        assert page.input_value("textarea#answer") == ""  # the OCR was not confident: nothing typed for you
        page.fill("textarea#answer", "dòng một")
        page.keyboard.press("Shift+Enter")
        page.keyboard.type("dòng hai")
        assert page.input_value("textarea#answer") == "dòng một\ndòng hai"
    finally:
        ctx.close()
