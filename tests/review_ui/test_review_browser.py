"""The review app in headless Chromium, from the keyboard: then the database must agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from _browser import current_item, login
from _workspace import Built
from sqlalchemy import select

from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, BoxRow, PageRow, ReviewItem

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]




def _wait_next(page: Page, old: str) -> str:
    page.wait_for_function("(old) => document.getElementById('item').dataset.itemId !== old", arg=old)
    return current_item(page)


def test_keyboard_queue_text_and_unidentified_page(browser: Browser, live_server: str, store: Store,
                                                    ws: Built) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        login(page, live_server, "rev1", "/queue?question=Q9")
        page.wait_for_selector("#opts")
        chosen: dict[int, str] = {}
        while True:
            cur = current_item(page)
            if not cur:
                break
            key = str(len(chosen) % 5 + 1)
            chosen[int(cur)] = key
            page.keyboard.press(key)  # chooses, visibly; Enter saves
            page.wait_for_selector(f"#chosen[data-value='{key}']")
            page.keyboard.press("Enter")
            _wait_next(page, cur)
        assert page.is_visible("#empty")
        # a text field: type, Enter
        page.goto(f"{live_server}/queue?question=OPINION")
        page.wait_for_selector("#answer")
        text_item = int(current_item(page))
        page.fill("#answer", "Thủ tục còn rườm rà")
        page.keyboard.press("Enter")
        _wait_next(page, str(text_item))
        # an unidentified page: type the id printed under the QR and the page number
        page.goto(f"{live_server}/queue?kind=unidentified_page")
        page.wait_for_selector("#form-id")
        page.fill("#form-id", ws.unidentified_form[:4] + " " + ws.unidentified_form[4:])
        page.keyboard.press("Enter")
        page.wait_for_selector("#empty")
    finally:
        ctx.close()
    with store.session() as s:
        for item_id, key in chosen.items():
            it = s.get(ReviewItem, item_id)
            assert it is not None and it.status == "done" and it.resolved_by == "rev1"
            ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == it.form_id, AnswerRow.field == it.field))
            assert ans is not None and ans.value == key and ans.status == "reviewed"
        it = s.get(ReviewItem, text_item)
        assert it is not None
        ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == it.form_id, AnswerRow.field == it.field))
        assert ans is not None and ans.value == "Thủ tục còn rườm rà"
        pg = s.get(PageRow, ws.unidentified_page)
        assert pg is not None and pg.form_id == ws.unidentified_form and pg.page_number == 1
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.actor == "rev1"))]
    assert actions.count("review") == len(chosen) + 1 and actions.count("identify") == 1


def test_bulk_grid_boundary_from_the_keyboard(browser: Browser, live_server: str, store: Store) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        login(page, live_server, "rev2", "/bulk/mini/A1")
        cells = page.query_selector_all("#grid .bx")
        assert cells
        for _ in range(len(cells)):
            page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowRight")  # only the darkest box counts as marked
        assert page.eval_on_selector("#bulk", "e => e.dataset.current") == "1"
        ids = [int(c.get_attribute("data-box-id") or 0) for c in cells]
        page.keyboard.press("Enter")
        page.wait_for_selector("#bulk[data-done='1']")
    finally:
        ctx.close()
    with store.session() as s:
        states = [s.get(BoxRow, i) for i in ids]
        assert states[0] is not None and states[0].state == "marked"
        assert all(b is not None and b.state == "empty" for b in states[1:])
        for b in states:
            assert b is not None
            ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == b.form_id, AnswerRow.field == b.field))
            assert ans is not None and ans.status in ("reviewed", "flagged")
            marked = [x.value for x in s.scalars(select(BoxRow).where(
                BoxRow.form_id == b.form_id, BoxRow.field == b.field, BoxRow.state == "marked"))]
            if len(marked) == 1:
                assert ans.value == marked[0] and ans.status == "reviewed"
        assert s.scalars(select(AuditEvent).where(AuditEvent.actor == "rev2", AuditEvent.action == "bulk")).all()


def test_several_marks_key_skip_button_and_bringing_skips_back(browser: Browser, live_server: str,
                                                               store: Store) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        login(page, live_server, "rev1", "/queue?question=Q9")
        page.wait_for_selector("#opts")
        several = current_item(page)
        page.keyboard.press("*")  # the respondent really marked two boxes
        page.keyboard.press("Enter")
        skipped: list[str] = []
        cur = _wait_next(page, several)
        while cur:
            skipped.append(cur)
            page.click("#btn-skip")
            cur = _wait_next(page, cur)
        page.wait_for_selector("#reset-skips")
        assert page.inner_text("#remaining") == str(len(skipped))
        page.click("#reset-skips")
        page.wait_for_function("() => document.getElementById('item').dataset.itemId !== ''")
        assert current_item(page) in skipped
    finally:
        ctx.close()
    with store.session() as s:
        it = s.get(ReviewItem, int(several))
        assert it is not None and it.status == "done"
        ans = s.scalar(select(AnswerRow).where(AnswerRow.form_id == it.form_id, AnswerRow.field == it.field))
        assert ans is not None and ans.value == "*" and ans.status == "reviewed"
        assert all(s.get(ReviewItem, int(i)).status == "open" for i in skipped)  # type: ignore[union-attr]
