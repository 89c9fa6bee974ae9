"""Two questionnaires in one workspace, both with a question Q9: queue, bulk grid and counts per template."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _workspace import MINI, SECRET, USERS, password
from conftest import TestClient
from fastapi import FastAPI
from sqlalchemy import func, select

from omr.store.db import Store, open_store
from omr.store.schema import BoxRow, FormRow
from omr.template.load import load_template
from review_ui.app import create_app
from review_ui.sample import build_sample_workspace
from review_ui.users import add_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser

Make = Callable[[str | None], tuple[TestClient, str]]
OTHER_LABEL = "Mức độ hài lòng với dịch vụ (mẫu 2)"


def _other_template(folder: Path) -> Path:
    text = MINI.read_text(encoding="utf-8").replace("name: mini\n", "name: mini2\n", 1)
    text = text.replace('label: {vi: "Mức độ hài lòng", en: "Satisfaction"}',
                        f'label: {{vi: "{OTHER_LABEL}", en: "S"}}', 1)
    text = text.replace('{value: 2, label: {vi: "Không hài lòng", en: "Dissatisfied"}}',
                        '{value: 2, label: {vi: "Chưa hài lòng", en: "D"}}', 1)
    path = folder / "mini2.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def other(tmp_path: Path) -> Path:
    return _other_template(tmp_path)


@pytest.fixture()
def store(tmp_path: Path, other: Path) -> Iterator[Store]:
    """A workspace with forms of ``mini`` and of ``mini2`` (same question codes, other labels)."""
    s = open_store(tmp_path / "ws")
    build_sample_workspace(s, load_template(MINI), forms=3, seed=7, flag_share=0.9)
    build_sample_workspace(s, load_template(other), forms=3, seed=8, flag_share=0.9)
    for name, role in USERS.items():
        if role == "reviewer":
            add_user(s, name, role, password(name))
    yield s
    s.engine.dispose()


@pytest.fixture()
def app(store: Store, other: Path) -> FastAPI:
    return create_app(store, templates=[MINI, other], secret=SECRET)


def _forms(store: Store, template: str) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(FormRow.form_id).where(FormRow.template == template)))


def test_bulk_grids_and_queue_are_per_template(client_for: Make, store: Store) -> None:
    c, tok = client_for("rev1")
    index = c.get("/api/bulk").json()["questions"]
    pairs = {(q["template"], q["question"]) for q in index}
    assert ("mini", "Q9") in pairs and ("mini2", "Q9") in pairs
    two = c.get("/api/bulk/mini2/Q9").json()
    assert two["label"] == OTHER_LABEL and two["boxes"]
    assert {b["form_id"] for b in two["boxes"]} <= _forms(store, "mini2")
    assert "Không hài lòng" not in {b["option_label"] for b in two["boxes"]}
    assert all(b["row_label"] for b in two["boxes"])
    one = c.get("/api/bulk/mini/Q9").json()
    assert {b["form_id"] for b in one["boxes"]} <= _forms(store, "mini")
    assert c.get("/api/bulk/nosuch/Q9").status_code == 404
    # the queue narrowed to one template's Q9 serves only its forms
    r = c.post("/api/queue/next", json={"question": "Q9", "template": "mini2"}, headers={"X-CSRF-Token": tok})
    item = r.json()["item"]
    assert item["form_id"] in _forms(store, "mini2") and item["template"] == "mini2" and item["label"] == OTHER_LABEL
    queue = c.get("/api/queue?template=mini2&question=Q9").json()
    rows = {(q["template"], q["key"]): q for q in queue["questions"]}
    assert queue["open_items"] == rows[("mini2", "Q9")]["open"] + rows[("mini2", "Q9")]["leased"]


def test_the_boundary_starts_where_the_reader_put_it(client_for: Make, store: Store) -> None:
    c, tok = client_for("rev1")
    grid = c.get("/api/bulk/mini/Q9").json()
    states = [b["state"] for b in grid["boxes"]]
    cut = grid["boundary"]
    wrong = sum(st == "empty" for st in states[:cut]) + sum(st == "marked" for st in states[cut:])
    best = min(sum(st == "empty" for st in states[:k]) + sum(st == "marked" for st in states[k:])
               for k in range(len(states) + 1))
    assert wrong == best
    # a confirm that settles no item says so
    ids = [b["id"] for b in grid["boxes"]]
    revisions = {b["answer_id"]: b["revision"] for b in grid["boxes"]}
    res = c.post("/api/bulk/mini/Q9", json={"marked": ids, "unmarked": [], "revisions": revisions},
                 headers={"X-CSRF-Token": tok}).json()
    assert res["ok"] is True
    with store.session() as s:
        several = {(b.form_id, b.field) for b in s.scalars(select(BoxRow).where(BoxRow.id.in_(ids)))}
    assert len(res["still_open"]) + res["items_resolved"] >= 1
    assert all(": " in line for line in res["still_open"]) and len(several) >= len(res["still_open"])


@pytest.mark.browser
@pytest.mark.slow
def test_bulk_grid_with_both_templates_in_the_browser(browser: Browser, live_server: str, store: Store) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        page.goto(f"{live_server}/login?next=/bulk")
        page.fill("input[name=name]", "rev1")
        page.fill("input[name=password]", password("rev1"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/bulk")
        links = [a.get_attribute("href") for a in page.query_selector_all("table a")]
        assert "/bulk/mini/Q9" in links and "/bulk/mini2/Q9" in links
        page.click("a[href='/bulk/mini2/Q9']")
        page.wait_for_selector("#grid .bx")
        assert OTHER_LABEL in page.inner_text("#bulk .sub")
        captions = page.eval_on_selector_all("#grid .bx figcaption", "es => es.map(e => e.innerText)")
        assert captions and not any("Không hài lòng" in t for t in captions)
        forms = {str(f.get_attribute("title")).split(" ")[0] for f in page.query_selector_all("#grid .bx")}
        assert forms <= _forms(store, "mini2")
        page.keyboard.press("Enter")
        page.wait_for_selector("#bulk[data-done='1']")
        assert page.inner_text("#status")
    finally:
        ctx.close()


def test_bulk_index_counts_only_items_with_boxes(client_for: Make, store: Store) -> None:
    from omr.store.schema import ReviewItem

    c, _ = client_for("rev1")
    with store.session() as s:
        form = s.scalars(select(FormRow).where(FormRow.template == "mini")).first()
        assert form is not None
        s.add(ReviewItem(kind="field", form_id=form.form_id, field="Q2_other", question="Q2", reason="test"))
        boxed = s.scalar(select(func.count()).select_from(ReviewItem).join(
            FormRow, FormRow.form_id == ReviewItem.form_id).where(
            FormRow.template == "mini", ReviewItem.field == "Q2", ReviewItem.status == "open")) or 0
    rows = {(q["template"], q["question"]): q["open"] for q in c.get("/api/bulk").json()["questions"]}
    assert rows.get(("mini", "Q2"), 0) == boxed  # the write-in Q2_other has no boxes: not counted
