"""An unidentified page of a form that prints no id (a fixed-layout template) starts a new form."""

from __future__ import annotations

import pytest
from _workspace import Built
from sqlalchemy import select

from omr.errors import BadArgumentsError
from omr.store.db import Store
from omr.store.schema import AuditEvent, FormRow, PageRow
from omr.template.load import load_template, parse_template
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
