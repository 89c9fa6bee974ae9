"""An unidentified page of a form that prints no id (a fixed-layout template) starts a new form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _workspace import MINI, SECRET, Built
from conftest import TestClient
from fastapi import FastAPI
from sqlalchemy import select

from omr.errors import BadArgumentsError
from omr.store.db import Store
from omr.store.schema import AuditEvent, FormRow, PageRow
from omr.template.load import load_template, parse_template
from review_ui.app import create_app
from review_ui.pagefix import new_form_for_page

CITY = """
name: city-survey
version: "1"
title: {vi: Phiếu, en: Survey}
marking: {mode: check}
pages:
  - fields:
      - {code: Q1, kind: single, label: {vi: Câu 1, en: Q1}, options: [{value: "1", label: {vi: Có, en: "Yes"}},
         {value: "2", label: {vi: Không, en: "No"}}]}
  - fields:
      - {code: Q2, kind: single, label: {vi: Câu 2, en: Q2}, options: [{value: "1", label: {vi: Có, en: "Yes"}},
         {value: "2", label: {vi: Không, en: "No"}}]}
layout:
  page_size: A5
  align: [image]
  pages:
    - boxes: [{field: Q1, value: "1", rect: [20, 20, 5, 5]}, {field: Q1, value: "2", rect: [40, 20, 5, 5]}]
    - boxes: [{field: Q2, value: "1", rect: [20, 20, 5, 5]}, {field: Q2, value: "2", rect: [40, 20, 5, 5]}]
"""


def test_the_page_starts_a_new_form_with_a_stable_id(ws: Built, store: Store) -> None:
    city = parse_template(CITY, "city.yaml")
    with store.session() as s:
        page = new_form_for_page(s, ws.unidentified_page, city, 2, actor="rev1")
        form_id = page.form_id
    assert form_id is not None
    with store.session() as s:
        form = s.get(FormRow, form_id)
        row = s.get(PageRow, ws.unidentified_page)
        ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "identify"))
    assert form is not None and (form.template, form.pages_expected, form.in_manifest) == ("city-survey", 2, False)
    assert row is not None and (row.form_id, row.page_number, row.template) == (form_id, 2, "city-survey")
    assert ev is not None and ev.actor == "rev1" and ev.new == f"{form_id}#2"
    # asked again for the same page, the same form id comes back (no second form)
    with store.session() as s:
        again = new_form_for_page(s, ws.unidentified_page, city, 2, actor="rev1")
        assert again.form_id == form_id
        assert len(s.scalars(select(FormRow).where(FormRow.template == "city-survey")).all()) == 1


def test_a_form_we_print_or_a_page_it_does_not_have_is_refused(ws: Built, store: Store) -> None:
    city = parse_template(CITY, "city.yaml")
    with store.session() as s, pytest.raises(BadArgumentsError, match="pages 1–2"):
        new_form_for_page(s, ws.unidentified_page, city, 3, actor="rev1")
    with store.session() as s, pytest.raises(BadArgumentsError, match="printed under its QR"):
        new_form_for_page(s, ws.unidentified_page, load_template("sipas-2023"), 1, actor="rev1")


@pytest.fixture()
def app(store: Store, tmp_path: Path) -> FastAPI:
    """The review app with the mini template and a fixed-layout one."""
    city = tmp_path / "city.yaml"
    city.write_text(CITY, encoding="utf-8")
    return create_app(store, templates=[MINI, city], secret=SECRET)


def test_the_identify_item_offers_the_fixed_templates_and_starts_a_new_form(
    client_for: Callable[[str | None], tuple[TestClient, str]], ws: Built, store: Store,
) -> None:
    c, tok = client_for("rev1")
    item = c.post("/api/queue/next", json={"kind": "unidentified_page"}, headers={"X-CSRF-Token": tok}).json()["item"]
    assert item["page_id"] == ws.unidentified_page and item["new_form_of"] == ["city-survey"]
    done = c.post(f"/api/items/{item['id']}/submit", headers={"X-CSRF-Token": tok},
                  json={"lease_token": item["lease_token"], "new_form_of": "city-survey", "page_number": 1})
    assert done.status_code == 200, done.text
    with store.session() as s:
        page = s.get(PageRow, ws.unidentified_page)
        assert page is not None and page.template == "city-survey" and page.page_number == 1
        form = s.get(FormRow, page.form_id)
    assert form is not None and form.pages_expected == 2 and not form.in_manifest
