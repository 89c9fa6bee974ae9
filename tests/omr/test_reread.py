"""Pages a reviewer fixed are read again, and their answers join the workspace like any scan's."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent / "reader"))  # the rendered-page helper of the reader tests
from _pages import BOXES, PX, fill_of, filled_page, page_layout  # noqa: E402

from omr.batch import TemplateIndex, scan  # noqa: E402
from omr.reader import ReaderContext  # noqa: E402
from omr.reread import pending_pages, reread_pages  # noqa: E402
from omr.store.db import Store  # noqa: E402
from omr.store.schema import AnswerRow, AuditEvent, FormRow, PageRow  # noqa: E402
from review_ui.pagefix import identify_page  # noqa: E402

FORM = "84G7ZWY6"


def test_an_identified_page_is_read_again(store: Store, tmp_path: Path) -> None:
    layout = page_layout(BOXES)
    page = filled_page(fill_of([("A1", "2", "cross"), ("Q9_2", "5", "cross")]), name=BOXES, form_id=FORM)
    for r in (layout.qr, layout.id_text):  # a torn-off corner: no QR, no printed id
        page[int((r.y - 1) * PX): int((r.bottom + 1) * PX), int((r.x - 1) * PX): int((r.right + 1) * PX)] = 255
    scan_file = tmp_path / "torn.png"
    cv2.imwrite(str(scan_file), page)
    with store.session() as s:
        s.add(FormRow(form_id=FORM, template="mini-boxes", version="1", pages_expected=1, units={}, in_manifest=True))
    scan([scan_file], store, jobs=1, templates=[BOXES])
    with store.session() as s:
        row = s.scalars(select(PageRow)).one()
        assert row.outcome == "review" and row.form_id is None, row.reason
        page_id = row.id
        identify_page(s, page_id, "84G7-ZWY6", 1, actor="lan")  # what the review app does
    assert pending_pages(store) == [page_id]

    index = TemplateIndex([BOXES])
    done = reread_pages(store, ReaderContext.load(index.sources), index)

    assert [(r.page_id, r.outcome) for r in done] == [(page_id, "read")]
    assert pending_pages(store) == []
    with store.session() as s:
        answers = {a.field: a.value for a in s.scalars(select(AnswerRow).where(AnswerRow.form_id == FORM))}
        assert answers["A1"] == "2" and answers["Q9_2"] == "5"
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.page_id == page_id))]
        assert actions[-2:] == ["identify", "reread"]
        assert np.asarray(s.get(PageRow, page_id).homography).size == 9  # type: ignore[union-attr]
