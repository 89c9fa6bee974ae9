"""The evaluation arithmetic on tiny CSVs, and the `sipas eval` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omr.errors import ExitCode
from omr.reader.evaluate import evaluate, evaluate_files, normalise_value
from sipas.cli import main

KINDS = {"A1": "single", "Q2": "multi", "Q9_1": "grid", "Q9_2": "grid", "DATE": "digits", "OPINION": "text"}

TRUTH = """form_id,field,value
F1,A1,1
F1,Q2,1;3
F1,Q9_1,4
F1,Q9_2,*
F1,DATE,01022023
F1,OPINION,Tốt
F2,A1,2
F2,Q2,
F2,Q9_1,5
F2,Q9_2,3
F2,DATE,15012023
F2,OPINION,
"""

ANSWERS = """form_id,field,value,status,confidence
F1,A1,1,auto,0.99
F1,Q2,3;1,auto,0.9
F1,Q9_1,4,auto,1.0
F1,Q9_2,*,flagged,0.4
F1,DATE,01022023,auto,0.99
F1,OPINION,tốt ,reviewed,1.0
F2,A1,1,auto,0.95
F2,Q2,,auto,1.0
F2,Q9_1,5,flagged,0.3
F2,DATE,15012028,auto,0.98
F2,OPINION,,auto,1.0
F9,A1,1,auto,1.0
"""

PAGES = """file,index_in_file,kind,form_id,page,rotation,quality,dpi
a.pdf,0,form,F1,1,0,clean,300
b.pdf,0,form,F2,1,0,fax,200
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    paths = (tmp_path / "truth.csv", tmp_path / "answers.csv", tmp_path / "pages.csv")
    for path, text in zip(paths, (TRUTH, ANSWERS, PAGES), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def test_tallies(files: tuple[Path, Path, Path]) -> None:
    truth, answers, pages = files
    r = evaluate_files(truth, answers, KINDS, pages)
    # Checkbox fields: 8 in truth; F2/Q9_2 missing; F1/Q9_2 and F2/Q9_1 flagged; 5 auto, F2/A1 wrong.
    assert (r.marks.fields, r.marks.auto, r.marks.wrong, r.marks.review, r.marks.missing) == (8, 5, 1, 2, 1)
    assert r.marks.error_rate == pytest.approx(1 / 5)
    assert r.marks.review_share == pytest.approx(2 / 7)
    assert r.by_kind["multi"].wrong == 0  # "3;1" equals "1;3"
    assert r.by_kind["text"].review == 1 and r.by_kind["text"].auto == 1  # reviewed counts as review
    assert r.digit_accuracy == pytest.approx(1 / 2)
    assert r.missing == (("F2", "Q9_2"),)
    assert r.extra == 1
    assert [(m.form_id, m.field) for m in r.mismatches] == [("F2", "A1"), ("F2", "DATE")]
    assert r.by_quality["clean"]["marks"].wrong == 0 and r.by_quality["fax"]["marks"].wrong == 1
    assert r.overall.fields == 12


def test_a_double_mark_is_right_only_when_flagged() -> None:
    truth = [{"form_id": "F", "field": "A1", "value": "*"}]
    auto = [{"form_id": "F", "field": "A1", "value": "*", "status": "auto", "confidence": "1"}]
    flagged = [{"form_id": "F", "field": "A1", "value": "1", "status": "flagged", "confidence": "0.2"}]
    assert evaluate(truth, auto, KINDS).marks.wrong == 1
    assert evaluate(truth, flagged, KINDS).marks.wrong == 0
    assert evaluate(truth, flagged, KINDS).marks.review == 1


def test_value_normalisation() -> None:
    assert normalise_value(" 3;1 ", "multi") == "1;3"
    assert normalise_value("Tốt  lắm", "text") == normalise_value("tốt lắm", "text")
    assert normalise_value("0102", "digits") != normalise_value("102", "digits")


def test_eval_command(files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth, answers, pages = files
    out = tmp_path / "eval.json"
    code = main(["eval", "--truth", str(truth), "--answers", str(answers), "--pages", str(pages),
                 "--json", str(out), "--template", "tests/fixtures/mini.yaml"])
    assert code == ExitCode.ok
    printed = capsys.readouterr().out
    assert "checkbox fields" in printed and "missing" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["marks"]["wrong"] == 1 and data["missing_count"] == 1
    assert set(data["by_quality"]) == {"clean", "fax"}


def test_eval_names_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "truth.csv"
    bad.write_text("form,field\n", encoding="utf-8")
    code = main(["eval", "--truth", str(bad), "--answers", str(bad), "--template", "tests/fixtures/mini.yaml"])
    assert code == ExitCode.input_file
    assert "truth.csv" in capsys.readouterr().err
