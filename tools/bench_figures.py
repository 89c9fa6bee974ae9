"""Figures the bench reads from a scanned workspace and from ``sipas eval``'s JSON."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import select

from omr.reader.digitfields import cells_to_review
from omr.store.db import open_store
from omr.store.schema import AnswerRow, InputFile, PageRow


def digit_figures(workspace: Path, truth: Path) -> dict[str, Any]:
    """Comb-field figures read from the store (the answers export has no reasons): per field, dates read
    right among those accepted automatically and dates sent to review; per digit, the cells a reviewer
    must read and the digits right among the fields accepted automatically.

    A field counts when the truth holds digits, or when it went to review though the respondent left it
    blank (a review that costs a reviewer's time); a blank accepted as blank has nothing to read."""
    with truth.open(encoding="utf-8", newline="") as fh:
        truths = {(r["form_id"], r["field"]): r["value"] for r in csv.DictReader(fh)}
    store = open_store(workspace, create=False)
    try:
        with store.session() as s:
            rows = s.execute(select(AnswerRow.form_id, AnswerRow.field, AnswerRow.value, AnswerRow.status,
                                    AnswerRow.reason).where(AnswerRow.kind == "digits")).all()
    finally:
        store.engine.dispose()
    fields = auto = wrong = cells = review = auto_cells = auto_right = 0
    for form_id, field, value, status, reason in rows:
        expected = truths.get((form_id, field))
        if expected is None or (not expected and status == "auto"):
            continue  # not in the truth, or a blank read as blank: no digit to read
        fields += 1
        cells += len(expected)
        if status == "auto":
            auto += 1
            wrong += value != expected
            auto_cells += len(expected)
            auto_right += sum(a == b for a, b in zip(value, expected, strict=False))
        else:
            review += cells_to_review(reason, len(expected)) if expected else 0
    return {"digit_fields": fields, "digit_auto": auto, "digit_wrong": wrong,
            "digit_accuracy": (auto - wrong) / auto if auto else None,
            "digit_review_share": (fields - auto) / fields if fields else None,
            "digit_cells": cells, "digit_cell_review_share": review / cells if cells else None,
            "digit_auto_cells": auto_cells, "digit_right_cells": auto_right,
            "digit_cell_accuracy": auto_right / auto_cells if auto_cells else None}


def page_figures(workspace: Path, pages_csv: Path) -> dict[str, Any]:
    """Form pages of the set (``pages.csv`` rows of kind ``form``) that the scan identified: recorded
    with the right form id and page number. ``misidentified`` pages were given another form or page."""
    with pages_csv.open(encoding="utf-8", newline="") as fh:
        truth = {(r["file"], int(r["index_in_file"])): (r["form_id"], int(r["page"]))
                 for r in csv.DictReader(fh) if r["kind"] == "form"}
    store = open_store(workspace, create=False)
    try:
        with store.session() as s:
            rows = s.execute(select(InputFile.path, PageRow.page_index, PageRow.form_id, PageRow.page_number)
                             .join(InputFile, PageRow.file_id == InputFile.id)).all()
    finally:
        store.engine.dispose()
    read: dict[tuple[str, int], set[tuple[str, int | None]]] = {}
    for path, index, form_id, page in rows:
        if form_id:
            read.setdefault((Path(path).name, index), set()).add((form_id, page))
    identified = sum(1 for key, want in truth.items() if want in read.get(key, set()))
    wrong = sum(1 for key, want in truth.items() if read.get(key, set()) - {want})
    return {"form_pages": len(truth), "identified": identified, "misidentified": wrong,
            "identified_share": identified / len(truth) if truth else None}


def mark_figures(ev: dict[str, Any]) -> dict[str, Any]:
    """The headline figures and the per-mark-kind counts of an eval JSON (``sipas eval --json``),
    flattened for ``bench/last.json``; empty when the set had no ``marks.csv``."""
    marks = ev.get("by_mark")
    if not marks:
        return {}
    keep = ("fields", "auto_right", "wrong", "review", "missing")
    return {**marks["headline"],
            "by_mark": {k: {c: t[c] for c in keep} for k, t in marks["by_mark"].items()},
            "by_hesitate": {k: {c: t[c] for c in keep} for k, t in marks["by_hesitate"].items()},
            "marks_unmatched": marks["unmatched"]}


def pooled_reliability(groups: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The reliability bins of several eval JSONs added up (same bin edges in all)."""
    out: list[dict[str, Any]] = []
    for bins in zip(*groups, strict=True):
        fields = sum(b["fields"] for b in bins)
        right = sum(b["right"] for b in bins)
        mean = sum(b["mean_predicted"] * b["fields"] for b in bins if b["fields"]) / fields if fields else None
        out.append({"low": bins[0]["low"], "high": bins[0]["high"], "fields": fields, "right": right,
                    "wrong": fields - right, "mean_predicted": mean, "observed": right / fields if fields else None,
                    "expected_wrong": sum(b["expected_wrong"] for b in bins)})
    return out
