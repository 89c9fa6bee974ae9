"""The recorder on hand-built readings: one transaction per page, idempotent, duplicates, reviewed answers kept."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from omr.formid import PageIdentity, new_form_id
from omr.store.db import Store
from omr.store.manifest import import_manifest
from omr.store.records import (
    FileState,
    PageResult,
    finish_file,
    record_file_error,
    record_page,
    register_file,
)
from omr.store.schema import AnswerRow, AuditEvent, BoxRow, FormRow, InputFile, PageRow, ReviewItem
from omr.template.load import load_template
from omr.template.model import Template
from omr.types import BoxReading, FieldReading, PageImage, PageReading

MINI = Path(__file__).resolve().parents[2] / "fixtures" / "mini.yaml"
FORM_A, FORM_B = (new_form_id(random.Random(seed)) for seed in (1, 2))


def lookup(name: str) -> Template | None:
    return load_template(MINI) if name == "mini" else None


def reading(form_id: str, *, q9_1: str = "4", flagged: bool = False, outcome: str = "read") -> PageReading:
    fields = (
        FieldReading("A1", "single", "1", "auto", 0.99),
        FieldReading("Q9_1", "grid", q9_1, "flagged" if flagged else "auto", 0.4 if flagged else 0.97,
                     "faint mark" if flagged else None),
        FieldReading("Q9_2", "grid", "5", "auto", 0.98),
    )
    boxes = (BoxReading("A1", "1", "marked", 0.99, 0.3), BoxReading("A1", "2", "empty", 0.99, 0.0))
    aligned = np.full((60, 40), 250, np.uint8)
    return PageReading(outcome, PageIdentity("mini", "1", form_id, 1, 1), None, fields, boxes,  # type: ignore[arg-type]
                       tuple(float(v) for v in np.eye(3).ravel()), 0.3, aligned, 0)


def page_image(index: int = 0) -> PageImage:
    return PageImage("scan.pdf", index, np.full((300, 200), 240, np.uint8), 300.0)


def a_file(store: Store, name: str, pages: int = 2) -> FileState:
    return register_file(store, sha256=name.encode().hex().ljust(64, "0")[:64], path=f"/scans/{name}",
                         size=1000, page_count=pages)


def count(store: Store, table: type) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_a_read_page_is_recorded_whole(store: Store) -> None:
    f = a_file(store, "a.pdf")
    done = record_page(store, f, PageResult.from_reading(page_image(), reading(FORM_A)), lookup)
    assert (done.outcome, done.form_id, done.flagged, done.already) == ("read", FORM_A, 0, False)
    with store.session() as s:
        page = s.scalars(select(PageRow)).one()
        assert page.homography is not None and len(page.homography) == 9 and page.residual_px == 0.3
        assert (page.template, page.version, page.page_number) == ("mini", "1", 1)
        assert page.image_path == f"pages/{f.sha256[:12]}-0.jpg" and page.raw_image_path is None
        assert (store.workspace / page.image_path).read_bytes()[:3] == b"\xff\xd8\xff"
        form = s.get(FormRow, FORM_A)
        assert form is not None and (form.pages_expected, form.in_manifest) == (1, False)
        answers = {a.field: (a.value, a.status, a.page_id) for a in s.scalars(select(AnswerRow))}
        assert answers == {"A1": ("1", "auto", page.id), "Q9_1": ("4", "auto", page.id),
                           "Q9_2": ("5", "auto", page.id)}
        assert s.scalar(select(func.count()).select_from(BoxRow)) == 2
        events = s.scalars(select(AuditEvent)).all()
        assert [(e.action, e.page_id) for e in events] == [("scan", page.id)]
        assert events[0].actor.startswith("scan:")
    assert count(store, ReviewItem) == 0


def test_recording_the_same_page_again_adds_nothing(store: Store) -> None:
    f = a_file(store, "a.pdf")
    result = PageResult.from_reading(page_image(), reading(FORM_A, flagged=True))
    first = record_page(store, f, result, lookup)
    again = record_page(store, register_file(store, sha256=f.sha256, path=f.path, size=1, page_count=2),
                        result, lookup)
    assert again.already and again.page_id == first.page_id
    assert (count(store, PageRow), count(store, AnswerRow), count(store, ReviewItem), count(store, BoxRow),
            count(store, AuditEvent)) == (1, 3, 1, 2, 1)
    state = register_file(store, sha256=f.sha256, path="/elsewhere/a.pdf", size=1, page_count=2)
    assert state.recorded == frozenset({0}) and not state.new and state.path == "/scans/a.pdf"


def test_a_flagged_field_gets_a_review_item_grouped_by_question(store: Store) -> None:
    f = a_file(store, "a.pdf")
    done = record_page(store, f, PageResult.from_reading(page_image(), reading(FORM_A, flagged=True,
                                                                               outcome="review")), lookup)
    assert (done.outcome, done.flagged) == ("review", 1)
    with store.session() as s:
        item = s.scalars(select(ReviewItem)).one()
        assert (item.kind, item.status, item.form_id, item.field, item.question, item.reason) == (
            "field", "open", FORM_A, "Q9_1", "Q9", "faint mark")
        assert s.scalars(select(AnswerRow).where(AnswerRow.field == "Q9_1")).one().status == "flagged"


def test_an_unidentified_page_keeps_a_raw_image_and_a_review_item(store: Store) -> None:
    f = a_file(store, "a.pdf")
    unknown = PageReading("review", None, "no QR code found", rotation=0)
    big = PageImage("scan.pdf", 1, np.full((4000, 2800), 230, np.uint8), 400.0)
    done = record_page(store, f, PageResult.from_reading(big, unknown), lookup)
    assert (done.outcome, done.form_id) == ("review", None)
    with store.session() as s:
        page = s.scalars(select(PageRow)).one()
        assert page.image_path is None and page.raw_image_path == f"pages/{f.sha256[:12]}-1-raw.jpg"
        item = s.scalars(select(ReviewItem)).one()
        assert (item.kind, item.page_id, item.form_id, item.reason) == (
            "unidentified_page", page.id, None, "no QR code found")
    with Image.open(store.workspace / str(page.raw_image_path)) as raw:
        assert raw.size == (1400, 2000)  # longest side 2000 px, aspect kept


def test_an_unaligned_page_gets_an_unaligned_item(store: Store) -> None:
    f = a_file(store, "a.pdf")
    unaligned = PageReading("review", PageIdentity("mini", "1", FORM_A, 1, 1), "corner markers not found")
    record_page(store, f, PageResult.from_reading(page_image(), unaligned), lookup)
    with store.session() as s:
        item = s.scalars(select(ReviewItem)).one()
        assert (item.kind, item.form_id) == ("unaligned_page", FORM_A)
        assert s.get(FormRow, FORM_A) is not None
        assert s.scalars(select(PageRow)).one().raw_image_path is not None


def test_the_same_form_page_from_another_file_is_a_duplicate(store: Store) -> None:
    a, b = a_file(store, "a.pdf"), a_file(store, "b.pdf")
    record_page(store, a, PageResult.from_reading(page_image(0), reading(FORM_A)), lookup)
    dup = record_page(store, b, PageResult.from_reading(page_image(1), reading(FORM_A, q9_1="2")), lookup)
    assert dup.outcome == "rejected" and dup.reason == "duplicate of /scans/a.pdf#1"
    with store.session() as s:
        first, second = s.scalars(select(PageRow).order_by(PageRow.id)).all()
        assert second.duplicate_of == first.id and second.form_id == FORM_A and second.image_path is None
        assert s.scalars(select(AnswerRow).where(AnswerRow.field == "Q9_1")).one().value == "4"
    assert count(store, BoxRow) == 2


def test_a_rescan_never_overwrites_a_reviewed_answer(store: Store) -> None:
    a, b = a_file(store, "a.pdf"), a_file(store, "b.pdf")
    record_page(store, a, PageResult.from_reading(page_image(), reading(FORM_A, flagged=True)), lookup)
    with store.session() as s:
        s.scalars(select(AnswerRow).where(AnswerRow.field == "Q9_1")).one().status = "reviewed"
        s.scalars(select(ReviewItem)).one().status = "done"
        answer_a1 = s.scalars(select(AnswerRow).where(AnswerRow.field == "A1")).one()
        answer_a1.status = "flagged"  # pretend the first reading doubted it
        s.add(ReviewItem(kind="field", status="open", form_id=FORM_A, field="A1", question="A1"))
        s.scalars(select(PageRow)).one().outcome = "rejected"  # an operator discarded the first scan
    record_page(store, b, PageResult.from_reading(page_image(), reading(FORM_A, q9_1="2")), lookup)
    with store.session() as s:
        answers = {x.field: x for x in s.scalars(select(AnswerRow))}
        assert (answers["Q9_1"].value, answers["Q9_1"].status, answers["Q9_1"].revision) == ("4", "reviewed", 1)
        assert (answers["A1"].status, answers["A1"].revision) == ("auto", 2)
        items = {x.field: x.status for x in s.scalars(select(ReviewItem))}
        assert items == {"Q9_1": "done", "A1": "done"}
        rescans = s.scalars(select(AuditEvent).where(AuditEvent.action == "rescan")).all()
        assert [(e.field, e.old, e.new) for e in rescans] == [("A1", "1 (flagged)", "1 (auto)")]


def test_a_page_contradicting_the_manifest_is_rejected(store: Store, tmp_path: Path) -> None:
    manifest = tmp_path / "forms.manifest.csv"
    manifest.write_text(f"form_id,template,version,pages,province\n{FORM_A},sipas-2023,1,4,01\n", encoding="utf-8")
    import_manifest(store, manifest)
    done = record_page(store, a_file(store, "a.pdf"), PageResult.from_reading(page_image(), reading(FORM_A)),
                       lookup)
    assert done.outcome == "rejected" and done.reason is not None
    assert "sipas-2023 v1 form of 4 pages in the manifest" in done.reason and "mini v1" in done.reason
    assert count(store, AnswerRow) == 0


def test_a_file_error_is_one_rejected_page_and_a_failed_file(store: Store) -> None:
    f = a_file(store, "broken.pdf", pages=0)
    done = record_file_error(store, f, "damaged PDF")
    assert (done.outcome, done.reason, done.key) == ("rejected", "damaged PDF", "/scans/broken.pdf#1")
    state = register_file(store, sha256=f.sha256, path=f.path, size=1, page_count=None)
    assert state.finished and state.status == "failed"
    with store.session() as s:
        assert s.scalars(select(InputFile)).one().error == "damaged PDF"


def test_finish_file_marks_done(store: Store) -> None:
    f = a_file(store, "a.pdf")
    assert not f.finished and f.new
    finish_file(store, f.id)
    assert register_file(store, sha256=f.sha256, path=f.path, size=1, page_count=2).finished


def test_a_decode_error_becomes_a_rejected_page(store: Store) -> None:
    from omr.types import PageError

    f = a_file(store, "a.tif")
    done = record_page(store, f, PageResult.from_error(PageError("/scans/a.tif", 1, "cannot decode")), lookup)
    assert (done.outcome, done.reason, done.key) == ("rejected", "cannot decode", "/scans/a.tif#2")


@pytest.mark.parametrize("outcome", ["blank", "rejected"])
def test_blank_and_rejected_pages_carry_no_answers(store: Store, outcome: str) -> None:
    f = a_file(store, "a.pdf")
    r = PageReading(outcome, None, None if outcome == "blank" else "not a page of a known template")  # type: ignore[arg-type]
    record_page(store, f, PageResult.from_reading(page_image(), r), lookup)
    assert (count(store, AnswerRow), count(store, FormRow), count(store, ReviewItem)) == (0, 0, 0)
    with store.session() as s:
        page = s.scalars(select(PageRow)).one()
        assert page.outcome == outcome
        assert (page.raw_image_path is not None) == (outcome == "rejected")
