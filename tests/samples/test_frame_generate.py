"""``sipas synth frame``: realistic lists with the truth of every row; ``sipas synth`` itself unchanged."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from fieldwork.survey import load_survey
from samples.frame.generate import synth_frame
from sipas.cli import main

ROOT = Path(__file__).resolve().parents[2]
LONG_BIEN = ROOT / "examples" / "long-bien-2020.yaml"


def test_rows_truth_and_styles(tmp_path: Path) -> None:
    out = tmp_path / "lb.xlsx"
    summary = synth_frame(load_survey(LONG_BIEN), 400, 3, out, defect_share=0.2)
    assert (summary.rows, summary.defective) == (400, 80)
    with out.with_name("lb.truth.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    assert len(truth) == 400 and sum(t["expected"] != "accepted" for t in truth) == 80
    assert all(t["commune"] for t in truth if t["expected"] == "accepted")
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["004", "00115", "00127", "00136"]
    rows = [r for ws in book.worksheets for r in list(ws.iter_rows(values_only=True))[3:]]
    book.close()
    names = " ".join(str(r[1]) for r in rows)
    assert any(ch in names for ch in "ễữạờ")
    phones = [r[3] for r in rows]
    assert any(isinstance(p, int) for p in phones) and any(str(p).startswith("+84") for p in phones)
    addresses = [str(r[2]) for r in rows]
    assert any("Q. Long Biên" in a for a in addresses) and any("Quan Long Bien" in a for a in addresses)


def test_cli_and_help(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.csv"
    assert main(["synth", "frame", "--survey", str(LONG_BIEN), "--records", "50", "--seed", "1",
                 "--out", str(out)]) == 0
    assert out.is_file() and (tmp_path / "f.truth.csv").is_file()
    assert main(["synth", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--template" in text and "sipas synth frame" in text
    assert main(["synth", "frame", "--help"]) == 0
    assert "--records" in capsys.readouterr().out
    assert main(["synth", "frame", "--survey", str(LONG_BIEN), "--out", str(tmp_path / "x.txt")]) == 1
