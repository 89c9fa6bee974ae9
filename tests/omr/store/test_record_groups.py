"""Several pages per transaction: a group is recorded whole or not at all, each page exactly once."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

import omr.store.records
from omr.errors import StorageError
from omr.formid import PageIdentity, new_form_id
from omr.store.db import Store
from omr.store.records import FileState, PageResult, PageToRecord, record_pages, register_file
from omr.store.schema import AnswerRow, AuditEvent, InputFile, PageRow
from omr.template.load import load_template
from omr.template.model import Template
from omr.types import BoxReading, FieldReading, PageImage, PageReading

MINI = Path(__file__).resolve().parents[2] / "fixtures" / "mini.yaml"
FORMS = [new_form_id(random.Random(seed)) for seed in range(1, 5)]


def lookup(name: str) -> Template | None:
    return load_template(MINI) if name == "mini" else None


def result(index: int, form_id: str) -> PageResult:
    fields = (FieldReading("A1", "single", "1", "auto", 0.99), FieldReading("Q9_1", "grid", "4", "auto", 0.97))
    boxes = (BoxReading("A1", "1", "marked", 0.99, 0.3), BoxReading("A1", "2", "empty", 0.99, 0.0))
    reading = PageReading("read", PageIdentity("mini", "1", form_id, 1, 1), None, fields, boxes,
                          tuple(float(v) for v in np.eye(3).ravel()), 0.3, np.full((60, 40), 250, np.uint8), 0)
    return PageResult.from_reading(PageImage("scan.pdf", index, np.full((300, 200), 240, np.uint8)), reading)


def a_file(store: Store, pages: int) -> FileState:
    return register_file(store, sha256="ab" * 32, path="/scans/batch.pdf", size=1000, page_count=pages)


def count(store: Store, table: type) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_a_group_is_recorded_in_order_and_closes_its_file(store: Store) -> None:
    f = a_file(store, 4)
    group = [PageToRecord(f, result(i, form), finishes_file=i == 3) for i, form in enumerate(FORMS)]
    recorded = record_pages(store, group, lookup)
    assert [(r.key, r.outcome, r.form_id) for r in recorded] == [
        (f"/scans/batch.pdf#{i + 1}", "read", form) for i, form in enumerate(FORMS)]
    with store.session() as s:
        assert list(s.scalars(select(PageRow.page_index).order_by(PageRow.id))) == [0, 1, 2, 3]
        assert s.scalar(select(InputFile.status)) == "done"
    assert count(store, AuditEvent) == 4 and count(store, AnswerRow) == 8


def test_a_group_that_fails_midway_leaves_nothing_and_is_recorded_once_again(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    f = a_file(store, 4)
    group = [PageToRecord(f, result(i, form), finishes_file=i == 3) for i, form in enumerate(FORMS)]
    real = omr.store.records.save_image
    saved: list[str] = []

    def dies_on_the_third(workspace: Path, name: str, data: bytes) -> str:
        saved.append(name)
        if len(saved) == 3:
            raise StorageError("disk full (as if the run were killed here)")
        return real(workspace, name, data)

    monkeypatch.setattr(omr.store.records, "save_image", dies_on_the_third)
    with pytest.raises(StorageError):
        record_pages(store, group, lookup)
    assert count(store, PageRow) == 0 and count(store, AnswerRow) == 0 and count(store, AuditEvent) == 0
    with store.session() as s:
        assert s.scalar(select(InputFile.status)) == "pending"
    monkeypatch.setattr(omr.store.records, "save_image", real)
    record_pages(store, group, lookup)
    again = record_pages(store, group, lookup)  # a re-run records nothing twice
    assert all(r.already for r in again)
    with store.session() as s:
        keys = s.execute(select(PageRow.file_id, PageRow.page_index)).all()
        assert len(keys) == len(set(keys)) == 4
    assert count(store, AuditEvent) == 4


def test_a_duplicate_within_a_group_is_recorded_as_one(store: Store) -> None:
    f = a_file(store, 2)
    recorded = record_pages(store, [PageToRecord(f, result(0, FORMS[0])), PageToRecord(f, result(1, FORMS[0]))],
                            lookup)
    assert [r.outcome for r in recorded] == ["read", "rejected"]
    assert recorded[1].reason == "duplicate of /scans/batch.pdf#1"
