"""`sipas eval` by mark kind (marks.csv) and the reliability table, on tiny hand-written CSVs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omr.errors import ExitCode
from omr.reader.evaluate import evaluate_files
from sipas.cli import main

KINDS = {"A1": "single", "A2": "single", "A3": "single", "A4": "single", "A5": "single", "DATE": "digits"}

TRUTH = """form_id,field,value
F1,A1,1
F1,A2,2
F1,A3,3
F1,A4,
F1,A5,1
F1,DATE,01022023
F2,A1,2
F2,A2,1
F2,A3,4
F2,A4,1
"""

# F2/A4 has no marks row (unmatched); DATE is no checkbox field.
MARKS = """form_id,field,value,marks,hesitate,family
F1,A1,1,cross,0,young
F1,A2,2,circle-box,1,young
F1,A3,3,circle-label;tick,1,young
F1,A4,,,0,young
F1,A5,1,cross,0,young
F2,A1,2,circle-box,1,old
F2,A2,1,pencil,1,old
F2,A3,4,tick,0,old
"""

# F1/A1 clear right · F1/A2 circled, auto blank: wrong · F1/A3 circled, flagged · F1/A4 no ink, right ·
# F1/A5 clear, wrong · F2/A1 circled, right · F2/A2 missing · F2/A3 clear, flagged · F2/A4 right.
ANSWERS = """form_id,field,value,status,confidence
F1,A1,1,auto,0.999
F1,A2,,auto,0.95
F1,A3,3,flagged,0.3
F1,A4,,auto,1.0
F1,A5,2,auto,0.6
F1,DATE,01022023,auto,0.2
F2,A1,2,auto,0.9995
F2,A3,4,flagged,0.4
F2,A4,1,auto,1.0
"""

PAGES = """file,index_in_file,kind,form_id,page,rotation,quality,dpi
a.pdf,0,form,F1,1,0,clean,300
b.pdf,0,form,F2,1,0,photo,200
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("truth", TRUTH), ("marks", MARKS), ("answers", ANSWERS), ("pages", PAGES)):
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text, encoding="utf-8")
    return out


def counts(t: object) -> tuple[int, ...]:
    return tuple(getattr(t, a) for a in ("fields", "auto", "wrong", "review", "missing"))


def test_breakdown_by_mark_kind(files: dict[str, Path]) -> None:
    r = evaluate_files(files["truth"], files["answers"], KINDS, files["pages"], files["marks"])
    b = r.by_mark
    assert b is not None
    assert b.unmatched == 1
    assert list(b.by_mark) == ["cross", "tick", "circle-box", "circle-label", "pencil", "none"]
    assert counts(b.by_mark["cross"]) == (2, 2, 1, 0, 0)
    assert counts(b.by_mark["tick"]) == (2, 0, 0, 2, 0)  # F1/A3 (with a circle) and F2/A3
    assert counts(b.by_mark["circle-box"]) == (2, 2, 1, 0, 0)
    assert counts(b.by_mark["circle-label"]) == (1, 0, 0, 1, 0)
    assert counts(b.by_mark["pencil"]) == (1, 0, 0, 0, 1)
    assert counts(b.by_mark["none"]) == (1, 1, 0, 0, 0)
    assert counts(b.by_hesitate["clear"]) == (4, 3, 1, 1, 0)
    assert counts(b.by_hesitate["hesitate"]) == (4, 2, 1, 1, 1)
    assert counts(b.by_family["young"]) == (5, 4, 2, 1, 0)
    assert counts(b.by_family["old"]) == (3, 1, 0, 1, 1)


def test_headline_figures(files: dict[str, Path]) -> None:
    b = evaluate_files(files["truth"], files["answers"], KINDS, files["pages"], files["marks"]).by_mark
    assert b is not None
    h = b.headline
    assert h.clear.error_rate == pytest.approx(1 / 3)
    assert h.clear.error_upper95 is None  # there is an error: no bound
    assert h.circled.right_or_review_share == pytest.approx(2 / 3)  # F2/A1 right, F1/A3 review; F1/A2 wrong
    assert h.hesitate.auto_wrong_share == pytest.approx(1 / 3)  # F1/A2 among 3 answered (F2/A2 missing)
    clean, photo = b.by_quality["clean"], b.by_quality["photo"]
    assert clean.clear.error_rate == pytest.approx(1 / 3) and photo.clear.error_rate is None
    assert photo.clear.review_share == 1.0
    assert clean.circled.right_or_review_share == pytest.approx(1 / 2) and photo.circled.right_or_review_share == 1
    assert clean.hesitate.auto_wrong_share == pytest.approx(1 / 2) and photo.hesitate.auto_wrong_share == 0


def test_reliability_bins(files: dict[str, Path]) -> None:
    r = evaluate_files(files["truth"], files["answers"], KINDS)
    assert r.by_mark is None
    bins = {(b.low, b.high): b for b in r.reliability}
    # Auto-accepted checkbox fields: 0.6 and 0.95 (wrong), 0.999, 0.9995, 1 and 1 (right); flagged ones
    # (0.3, 0.4) and the date are left out.
    assert bins[(0.0, 0.5)].fields == 0 and bins[(0.0, 0.5)].mean_predicted is None
    assert (bins[(0.5, 0.9)].fields, bins[(0.5, 0.9)].wrong) == (1, 1)
    assert (bins[(0.9, 0.99)].fields, bins[(0.9, 0.99)].wrong) == (1, 1)
    assert bins[(0.99, 0.999)].fields == 0
    top = bins[(0.999, 1.0)]
    assert (top.fields, top.right) == (4, 4)
    assert top.expected_wrong == pytest.approx(0.001 + 0.0005)
    assert sum(b.fields for b in r.reliability) == 6


def test_clear_error_bound_when_nothing_is_wrong() -> None:
    from omr.reader.evaltally import Tally

    assert Tally(fields=1000, auto=600, wrong=0).error_upper95 == pytest.approx(3 / 600)
    assert Tally(fields=10, auto=0).error_upper95 is None


def test_eval_command_finds_marks_beside_truth(files: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eval.json"
    code = main(["eval", "--truth", str(files["truth"]), "--answers",
                 str(files["answers"]), "--pages", str(files["pages"]), "--json", str(out),
                 "--template", "tests/fixtures/mini.yaml"])
    assert code == ExitCode.ok  # marks.csv sits beside truth.csv: used without --marks
    printed = capsys.readouterr().out
    assert "by mark kind" in printed and "circled answers: 2 of 3" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    head = data["by_mark"]["headline"]
    assert (head["clear_auto"], head["clear_wrong"]) == (3, 1)
    assert head["circled_right_or_review"] == 2 and head["hesitate_auto_wrong"] == 1
    assert data["by_mark"]["headline_by_quality"]["photo"]["circled_right_or_review_share"] == 1.0
    assert data["by_mark"]["by_mark"]["cross"]["auto_right"] == 1
    assert sum(b["fields"] for b in data["reliability"]) == 6


def test_eval_names_a_bad_marks_file(files: dict[str, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "other.csv"
    bad.write_text("form_id,field,value\n", encoding="utf-8")
    code = main(["eval", "--truth", str(files["truth"]), "--answers", str(files["answers"]), "--marks", str(bad),
                 "--template", "tests/fixtures/mini.yaml"])
    assert code == ExitCode.input_file
    err = capsys.readouterr().err
    assert "other.csv" in err and "hesitate" in err
