"""Summaries of a batch and of the whole workspace."""

from __future__ import annotations

import random
from pathlib import Path

from omr.formid import PageIdentity, new_form_id
from omr.store.db import Store
from omr.store.manifest import import_manifest
from omr.store.records import PageResult, record_file_error, record_page, register_file
from omr.store.summary import DUPLICATE_GROUP, summary
from omr.types import FieldReading, PageReading

A, B, C = (new_form_id(random.Random(seed)) for seed in (11, 12, 13))


def page(form_id: str, number: int, outcome: str = "read", flagged: bool = False) -> PageReading:
    status = "flagged" if flagged else "auto"
    fields = (FieldReading(f"P{number}", "single", "1", status, 0.9, "two marks" if flagged else None),)  # type: ignore[arg-type]
    return PageReading(outcome, PageIdentity("t", "1", form_id, number, 2), None, fields,  # type: ignore[arg-type]
                       homography=(1.0,) * 9)


def test_summary_counts_pages_reasons_and_forms(store: Store, tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"form_id,template,version,pages\n{A},t,1,2\n{B},t,1,2\n{C},t,1,2\n", encoding="utf-8")
    import_manifest(store, manifest)
    one = register_file(store, sha256="1" * 64, path="/s/one.pdf", size=1, page_count=6)
    two = register_file(store, sha256="2" * 64, path="/s/two.pdf", size=1, page_count=2)
    bad = register_file(store, sha256="3" * 64, path="/s/bad.pdf", size=1, page_count=None)
    lookup = lambda _name: None  # noqa: E731
    for i, r in enumerate([page(A, 1), page(A, 2), page(B, 1, "review", flagged=True),
                           PageReading("blank"), PageReading("rejected", None, "not a page of a known template"),
                           PageReading("review", None, "no QR code found")]):
        record_page(store, one, PageResult(i, r), lookup)
    record_page(store, two, PageResult(0, page(A, 2)), lookup)  # a re-scan of A's page 2
    record_page(store, two, PageResult(1, page(C, 2)), lookup)
    record_file_error(store, bad, "damaged PDF")

    run = summary(store, [one.id, two.id, bad.id])
    assert (run.files, run.pages, run.read, run.review, run.rejected, run.blank) == (3, 9, 3, 2, 3, 1)
    assert (run.fields_flagged, run.pages_to_review) == (1, 1)
    reasons = {g.reason: (g.count, g.examples) for g in run.rejected_reasons}
    assert reasons == {
        DUPLICATE_GROUP: (1, ("/s/two.pdf#1",)),
        "not a page of a known template": (1, ("/s/one.pdf#5",)),
        "damaged PDF": (1, ("/s/bad.pdf#1",)),
    }
    assert run.forms_complete == 1
    assert [(g.form_id, g.missing) for g in run.forms_incomplete] == sorted([(B, (2,)), (C, (1,))])
    assert run.forms_not_returned is None and run.any_rejected

    only_two = summary(store, [two.id])
    assert (only_two.pages, only_two.read, only_two.rejected) == (2, 1, 1)
    assert [(g.form_id, g.missing) for g in only_two.forms_incomplete] == [(C, (1,))]

    everything = summary(store)
    assert everything.pages == 9 and everything.files == 3 and everything.forms_not_returned == 0


def test_an_empty_batch(store: Store) -> None:
    s = summary(store, [])
    assert (s.pages, s.files, s.forms_complete, s.any_rejected) == (0, 0, 0, False)
    assert summary(store).forms_not_returned == 0
