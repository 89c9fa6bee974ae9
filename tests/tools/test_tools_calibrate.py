"""tools/calibrate.py: the calibration points joined from tiny CSVs, and the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console

from omr.reader import calibration as cal
from tools.calibrate import Points, join, report

KINDS = {"A1": "single", "Q2": "multi", "Q9_1": "grid", "DATE": "digits"}

TRUTH = """form_id,field,value
F1,A1,1
F1,Q2,1;3
F1,Q9_1,*
F1,DATE,01022023
F2,A1,2
F2,Q9_1,4
"""

ANSWERS = """form_id,field,value,status,confidence
F1,A1,1,auto,0.9
F1,Q2,3;1,flagged,0.3
F1,Q9_1,4,auto,0.8
F1,DATE,01022023,auto,0.99
F2,A1,*,flagged,0.1
F2,Q9_1,5,reviewed,1.0
F3,A1,1,auto,1.0
"""


def test_join_keeps_the_checkbox_fields_the_reader_accepted(tmp_path: Path) -> None:
    truth, answers = tmp_path / "truth.csv", tmp_path / "answers.csv"
    truth.write_text(TRUTH, encoding="utf-8")
    answers.write_text(ANSWERS, encoding="utf-8")
    got = join(truth, answers, KINDS, "fax")
    # Not counted: flagged and reviewed fields, the date (no checkbox), a form not in the truth.
    assert got == Points((0.9, 0.8), ("single", "grid"), (True, False), ("fax: ? @ 0.80",))
    (tmp_path / "marks.csv").write_text("form_id,field,value,marks,hesitate,family\nF1,Q9_1,*,cross;double,1,a\n",
                                        encoding="utf-8")
    assert join(truth, answers, KINDS, "fax").wrong_marks == ("fax: cross;double @ 0.80",)


def test_report_prints_reliability_and_levels() -> None:
    rng = np.random.default_rng(3)
    raw = rng.uniform(0, 1, 2000)
    right = rng.uniform(0, 1, raw.size) < raw
    points = Points(tuple(raw.tolist()), ("single",) * raw.size, tuple(right.tolist()))
    prov = cal.Provenance("d", "tuning", ("clean",), (1,), 10, raw.size, cal.config_hash())
    fitted = cal.fit(points.raw, points.right, points.kinds, prov)
    console = Console(record=True, width=200)
    report(fitted, points, console)
    text = console.export_text()
    assert "2000 checkbox fields" in text and "accept at p ≥ 0.999" in text and "curve single" in text
