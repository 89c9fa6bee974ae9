"""The bench's figures and report on tiny inputs (no set is generated or scanned)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from omr.store.db import open_store
from omr.store.schema import InputFile, PageRow
from tools.bench_figures import mark_figures, page_figures, pooled_reliability
from tools.bench_report import render

PAGES = """file,index_in_file,kind,form_id,page,rotation,quality,dpi,respondent_family,scanner_family
batch-001.pdf,0,form,F1,1,0,fax,200,r1,s1
batch-001.pdf,1,form,F1,2,0,fax,200,r1,s1
batch-001.pdf,2,blank_back,,,0,fax,200,,
batch-002.pdf,0,form,F2,1,180,fax,200,r2,s1
batch-002.pdf,1,form,F2,2,0,fax,200,r2,s1
"""


def test_page_figures(tmp_path: Path) -> None:
    pages = tmp_path / "pages.csv"
    pages.write_text(PAGES, encoding="utf-8")
    store = open_store(tmp_path / "ws")
    with store.session() as s:
        a = InputFile(sha256="a" * 64, path=str(tmp_path / "set" / "batch-001.pdf"), size=1, page_count=3,
                      status="done")
        b = InputFile(sha256="b" * 64, path="batch-002.pdf", size=1, page_count=2, status="done")
        s.add_all([a, b])
        s.flush()
        s.add_all([PageRow(file_id=a.id, page_index=0, outcome="read", form_id="F1", page_number=1),
                   PageRow(file_id=a.id, page_index=1, outcome="review", form_id="F1", page_number=2),
                   PageRow(file_id=a.id, page_index=2, outcome="blank"),
                   PageRow(file_id=b.id, page_index=0, outcome="review"),  # not identified
                   PageRow(file_id=b.id, page_index=1, outcome="read", form_id="F9", page_number=2)])  # wrong form
    store.engine.dispose()
    got = page_figures(tmp_path / "ws", pages)
    assert got == {"form_pages": 4, "identified": 2, "misidentified": 1, "identified_share": 0.5}


def _bin(low: float, high: float, fields: int, right: int, mean: float | None, expected: float) -> dict[str, Any]:
    return {"low": low, "high": high, "fields": fields, "right": right, "mean_predicted": mean,
            "expected_wrong": expected}


def test_pooled_reliability() -> None:
    one = [_bin(0, 0.5, 2, 1, 0.3, 1.4), _bin(0.5, 1, 0, 0, None, 0.0)]
    two = [_bin(0, 0.5, 2, 2, 0.4, 1.2), _bin(0.5, 1, 10, 9, 0.9, 1.0)]
    low, high = pooled_reliability([one, two])
    assert (low["fields"], low["right"], low["wrong"]) == (4, 3, 1)
    assert low["mean_predicted"] == pytest.approx(0.35) and low["observed"] == pytest.approx(0.75)
    assert low["expected_wrong"] == pytest.approx(2.6)
    assert (high["fields"], high["mean_predicted"], high["observed"]) == (10, 0.9, 0.9)


def test_mark_figures_flatten_the_eval_json() -> None:
    assert mark_figures({"by_mark": None}) == {}
    tally = {"fields": 3, "auto": 2, "auto_right": 1, "wrong": 1, "review": 1, "missing": 0, "error_rate": 0.5}
    ev = {"by_mark": {"headline": {"clear_auto": 2, "clear_wrong": 1}, "by_mark": {"cross": tally},
                      "by_hesitate": {"clear": tally}, "unmatched": 0}}
    got = mark_figures(ev)
    assert got["clear_wrong"] == 1 and got["marks_unmatched"] == 0
    assert got["by_mark"]["cross"] == {"fields": 3, "auto_right": 1, "wrong": 1, "review": 1, "missing": 0}


def _quality(**over: Any) -> dict[str, Any]:
    base = {"pages": 10, "mark_auto": 100, "mark_wrong": 0, "review_share": 0.01, "digit_accuracy": 1.0,
            "digit_review_share": 0.05, "digit_cell_review_share": 0.01, "pages_per_s_1_job": 5.0,
            "pages_per_s_2_jobs": 9.0, "peak_memory_mb": 500.0, "form_pages": 8, "identified": 8,
            "identified_share": 1.0, "clear_auto": 90, "clear_wrong": 0, "clear_error_rate": 0.0,
            "clear_error_upper95": 3 / 90, "circled_right_or_review_share": 0.98, "hesitate_auto_wrong_share": 0.0,
            "by_mark": {"cross": {"fields": 5, "auto_right": 4, "wrong": 1, "review": 0, "missing": 0}},
            "reliability": [{"low": 0.999, "high": 1.0, "fields": 90, "right": 89, "wrong": 1,
                             "mean_predicted": 0.9995, "observed": 89 / 90, "expected_wrong": 0.05}]}
    return {**base, **over}


def test_render_checks_each_bar() -> None:
    result = {"cores": 2, "template": "sipas-2023", "seed": 1,
              "qualities": {"clean": _quality(), "photo": _quality(identified=7, identified_share=0.875),
                            "fax": {"error": "RuntimeError: boom"}},
              "reliability": [{"low": 0.999, "high": 1.0, "fields": 90, "right": 90, "wrong": 0,
                               "mean_predicted": 0.9995, "observed": 1.0, "expected_wrong": 0.05}]}
    console = Console(record=True, width=400)
    render(result, console)
    text = console.export_text()
    clean = next(line for line in text.splitlines() if "│ clean" in line or line.startswith("│   clean"))
    assert "100.00% ✓" in clean  # pages identified
    assert "98.00% ✗" in clean  # circled answers below 99 %
    photo = next(line for line in text.splitlines() if "photo" in line and "│" in line)
    assert "87.50% ✗" in photo
    assert "cross" in text and "5 · 1 · 0 (80.00%)" in text
    assert "0.9995" in text and "failed fax: RuntimeError: boom" in text
    assert "expected (sum of 1 − p) vs observed: clean 0.1 vs 1, photo 0.1 vs 1" in text
