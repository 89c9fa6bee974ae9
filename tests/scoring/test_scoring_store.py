"""Scoring from a real SQLite workspace: the verified-only rule, the answers export and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scoring_fixtures import FORMS, SCORE_MINI, UNITS

from omr.store.db import Store, open_store
from omr.store.schema import AnswerRow, FormRow, InputFile, PageRow
from omr.template.model import Template
from scoring.data import load_store_dataset
from scoring.export import export_answers
from sipas.cli import main

# form id → (pages scanned with outcome, answers status override)
PAGES = {"F1": {1: "read", 2: "read"}, "F2": {1: "review", 2: "read"}, "F3": {1: "read", 2: "read"},
         "F4": {1: "read", 2: "read"}, "G1": {1: "read"}, "G2": {1: "read", 2: "rejected"}, "G3": {}}
FLAGGED = {"F4": {"Q9_3", "Q9_4"}}


def _build(tmp_path: Path, template: Template) -> Store:
    store = open_store(tmp_path / "ws")
    extra = {"G1": FORMS["F1"], "G2": FORMS["F2"], "G3": {}}
    with store.session() as s:
        f = InputFile(sha256="0" * 64, path="scan.pdf", size=1, page_count=20, status="done")
        s.add(f)
        s.flush()
        index = 0
        for fid, pages in PAGES.items():
            s.add(FormRow(form_id=fid, template=template.name, version="1", pages_expected=2,
                          units=UNITS.get(fid, {"province": "03", "district": "031"}), in_manifest=True))
            s.flush()
            for number, outcome in pages.items():
                s.add(PageRow(file_id=f.id, page_index=index, outcome=outcome, form_id=fid, page_number=number,
                              template=template.name, version="1"))
                index += 1
            s.flush()
            for code, value in {**FORMS, **extra}[fid].items():
                status = "flagged" if code in FLAGGED.get(fid, set()) else ("reviewed" if fid == "F2" else "auto")
                s.add(AnswerRow(form_id=fid, field=code, kind="grid", value=value, machine_value=value,
                                status=status, confidence=0.9876 if status != "flagged" else 0.5))
    return store


def test_only_verified_forms_are_scored(tmp_path: Path, mini_template: Template) -> None:
    ds = load_store_dataset(_build(tmp_path, mini_template), mini_template)
    assert list(ds.frame["form_id"]) == ["F1", "F2", "F3"]
    assert ds.left_out_counts() == {"incomplete": 2, "review": 1}
    reasons = {lo.form_id: (lo.reason, lo.detail) for lo in ds.left_out}
    assert reasons == {"F4": ("review", "2 flagged answers"), "G1": ("incomplete", "missing page 2"),
                       "G2": ("incomplete", "missing page 2")}
    assert ds.not_returned == 1
    assert ds.flagged_answers == 2
    assert ds.frame.loc[1, "Q9_2"] == "" and ds.frame.loc[0, "province"] == "01"
    everything = load_store_dataset(_build(tmp_path / "b", mini_template), mini_template, include_unverified=True)
    assert list(everything.frame["form_id"]) == ["F1", "F2", "F3", "F4", "G1", "G2"]


def test_answers_export_is_the_long_contract(tmp_path: Path, mini_template: Template) -> None:
    store = _build(tmp_path, mini_template)
    out = tmp_path / "answers.csv"
    # the store names template "score-mini", which is not built in: print order falls back to codes
    export_answers(store, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "form_id,field,value,status,confidence"
    f4 = [line for line in lines if line.startswith("F4,")]
    assert "F4,Q9_3,5,flagged,0.5000" in f4 and "F4,Q9_4,2,flagged,0.5000" in f4
    assert "F2,Q9_2,,reviewed,0.9876" in lines
    assert len(lines) == 1 + 8 * 6  # six forms with answers, eight answers each, flagged included
    keys = [tuple(line.split(",")[:2]) for line in lines[1:]]
    assert keys == sorted(keys)


def test_score_command_writes_results_tables_and_report(tmp_path: Path, mini_template: Template,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _build(tmp_path, mini_template)
    out = tmp_path / "out"
    code = main(["score", "--workspace", str(tmp_path / "ws"), "--template", str(SCORE_MINI), "--out", str(out),
                 "--no-pdf", "--national", "pooled"])
    assert code == 0
    text = capsys.readouterr().out
    assert "forms used: 3; left out: 3 (2 incomplete" in text and "sipas review" in text
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["schema"] == "sipas-results/2"
    national = next(u for u in results["units"] if u["level"] == "national")
    # F1–F3 pooled: Q9_1 = 5,2,4 → 2 of 3
    assert national["values"]["Q9_1"] == pytest.approx(200 / 3)
    assert (out / "indices.csv").read_text(encoding="utf-8").startswith("level,unit_path,unit,forms,indicator")
    assert "Phiếu khảo sát thử" in (out / "report.html").read_text(encoding="utf-8")
    again = main(["score", "--workspace", str(tmp_path / "ws"), "--template", str(SCORE_MINI), "--out",
                  str(tmp_path / "out2"), "--no-pdf", "--previous", str(out / "results.json")])
    assert again == 0
    assert main(["score", "--workspace", str(tmp_path / "ws"), "--out", str(out), "--element", "median"]) == 1


def test_export_command(tmp_path: Path, mini_template: Template) -> None:
    _build(tmp_path, mini_template)
    ws = str(tmp_path / "ws")
    assert main(["export", "--format", "answers", "--out", str(tmp_path / "a.csv"), "--workspace", ws]) == 0
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "d.csv"), "--workspace", ws,
                 "--template", str(SCORE_MINI)]) == 0
    assert (tmp_path / "d.csv").read_text(encoding="utf-8").splitlines()[0].startswith("form_id,province,district")
    assert (tmp_path / "d.csv.codebook.md").is_file() and (tmp_path / "d.csv.codebook.json").is_file()
    assert main(["export", "--format", "pdf", "--out", str(tmp_path / "x"), "--workspace", ws]) == 1


def test_score_with_no_verified_form_reports_it_instead_of_failing(
    tmp_path: Path, mini_template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _build(tmp_path, mini_template)
    with store.session() as s:  # every answer waits for a reviewer
        for answer in s.query(AnswerRow).all():
            answer.status = "flagged"
    out = tmp_path / "out"
    code = main(["score", "--workspace", str(tmp_path / "ws"), "--template", str(SCORE_MINI), "--out", str(out),
                 "--no-pdf"])
    assert code == 0
    text = capsys.readouterr().out
    assert "forms used: 0" in text and "sipas review" in text
    assert (out / "report.html").exists()
