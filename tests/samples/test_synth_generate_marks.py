"""Synthetic sets with families: marks.csv beside truth.csv, families in pages.csv, --pages, same bytes."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from omr.errors import BadArgumentsError, ExitCode
from omr.template.load import load_template
from samples.synth.families import EVALUATION, TUNING
from samples.synth.generate import SynthOptions, generate
from samples.synth.habits import CHECKBOX_KINDS, HESITATE, MARK_KINDS
from samples.synth.scanners import SCANNERS
from sipas.cli import main

TEMPLATE = "sipas-2023"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_marks_csv_covers_every_checkbox_code_with_its_truth(tmp_path: Path) -> None:
    options = SynthOptions(template=TEMPLATE, count=2, seed=11, quality="clean", format="jpeg", out=tmp_path / "a",
                           families="evaluation")
    generate(options)
    out = options.out
    truth, marks = _rows(out / "truth.csv"), _rows(out / "marks.csv")
    assert list(marks[0]) == ["form_id", "field", "value", "marks", "hesitate", "family"]
    kinds = load_template(TEMPLATE).answer_kinds()
    expected = [(r["form_id"], r["field"], r["value"]) for r in truth if kinds[r["field"]] in CHECKBOX_KINDS]
    assert [(r["form_id"], r["field"], r["value"]) for r in marks] == expected
    evaluation = {f.name for f in EVALUATION}
    for r in marks:
        got = [k for k in r["marks"].split(";") if k]
        assert set(got) <= set(MARK_KINDS) and got == sorted(got)
        assert r["hesitate"] in ("0", "1") and r["family"] in evaluation
        if set(got) & HESITATE:
            assert r["hesitate"] == "1", r
        if r["value"] and "corrected" not in got:
            assert got, r  # an answer always has ink
    pages = _rows(out / "pages.csv")
    assert list(pages[0])[-2:] == ["respondent_family", "scanner_family"]
    family_of = {r["form_id"]: r["family"] for r in marks}
    scanners = {s.name for s in SCANNERS["clean"] if s.group == "evaluation"}
    for p in pages:
        assert p["scanner_family"] in scanners
        if p["kind"] == "form":
            assert p["respondent_family"] == family_of[p["form_id"]]
        else:
            assert p["respondent_family"] == ""
    described = json.loads((out / "synth.json").read_text(encoding="utf-8"))
    assert described["families"] == "evaluation" and set(described["respondent_families"]) <= evaluation
    # The same seed writes the same bytes.
    generate(SynthOptions(**{**options.__dict__, "out": tmp_path / "b"}))
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    # Another group, other families, same answers.
    generate(SynthOptions(**{**options.__dict__, "out": tmp_path / "c", "families": "tuning"}))
    assert {r["family"] for r in _rows(tmp_path / "c" / "marks.csv")} <= {f.name for f in TUNING}
    assert (tmp_path / "c" / "truth.csv").read_bytes() == (out / "truth.csv").read_bytes()


@pytest.mark.slow
def test_pages_option_writes_only_those_pages_and_their_codes(tmp_path: Path) -> None:
    out = tmp_path / "p"
    generate(SynthOptions(template=TEMPLATE, count=2, seed=3, quality="office", format="png", out=out,
                          pages=(2,)))
    pages = [r for r in _rows(out / "pages.csv") if r["kind"] == "form"]
    assert pages and {r["page"] for r in pages} == {"2"}
    template = load_template(TEMPLATE)
    on_page = {f.code for f in template.pages[1].fields} | {
        row.code for f in template.pages[1].fields for row in getattr(f, "rows", [])}
    truth_codes = {r["field"] for r in _rows(out / "truth.csv")}
    assert truth_codes and truth_codes <= on_page | {c for c in truth_codes if c.endswith("_other")}
    assert {r["field"] for r in _rows(out / "marks.csv")} <= truth_codes
    with pytest.raises(BadArgumentsError, match="--pages"):
        generate(SynthOptions(template=TEMPLATE, count=1, seed=3, quality="office", format="png",
                              out=tmp_path / "q", pages=(9,)))


def test_cli_takes_families_and_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    args = ["synth", "--template", "tests/fixtures/mini.yaml", "--count", "1", "--seed", "5", "--quality", "clean",
            "--format", "png", "--out", str(out), "--families", "tuning", "--pages", "1"]
    assert main(args) == 0
    assert "marks.csv" in capsys.readouterr().out
    assert {r["family"] for r in _rows(out / "marks.csv")} <= {f.name for f in TUNING}
    assert main([*args[:-2], "--pages", "x", "--force"]) == ExitCode.bad_args
    assert main([*args[:-4], "--families", "holdout", "--force"]) != 0
