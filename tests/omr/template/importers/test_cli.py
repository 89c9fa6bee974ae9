"""``sipas template import omrchecker|quexf`` (the Typer sub-app the template command mounts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omr.errors import BadArgumentsError, InputFileError
from omr.template.load import load_template
from sipas.commands.template_import import import_app

SHEET = {"pageDimensions": [300, 400], "bubbleDimensions": [20, 20], "preProcessors": [],
         "customLabels": {"Roll": ["r1..2"]},
         "fieldBlocks": {"R": {"fieldType": "QTYPE_INT", "origin": [10, 10], "fieldLabels": ["r1..2"],
                               "bubblesGap": 25, "labelsGap": 25}}}


def test_omrchecker_writes_the_yaml_and_lists_joined_columns(tmp_path: Path) -> None:
    source = tmp_path / "template.json"
    source.write_text(json.dumps(SHEET), encoding="utf-8")
    out = tmp_path / "form.yaml"
    result = CliRunner().invoke(import_app, ["omrchecker", str(source), "--out", str(out), "--name", "roll-sheet"])
    assert result.exit_code == 0, result.output
    assert "OMRChecker column Roll = r1 + r2" in result.output
    assert load_template(out).name == "roll-sheet"


def test_bad_arguments_and_missing_files_raise_the_product_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_out = runner.invoke(import_app, ["omrchecker", str(tmp_path / "t.json"), "--out", str(tmp_path / "f.txt")])
    assert isinstance(bad_out.exception, BadArgumentsError)
    missing = runner.invoke(import_app, ["quexf", str(tmp_path / "b.xml"), "--pdf", str(tmp_path / "f.pdf"),
                                         "--out", str(tmp_path / "f.yaml")])
    assert isinstance(missing.exception, InputFileError)
    assert str(tmp_path / "b.xml") in str(missing.exception)


@pytest.mark.parametrize("name", ["Bad Name", "-x"])
def test_a_name_that_is_not_a_template_name_is_refused(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(import_app, ["omrchecker", "t.json", "--out", str(tmp_path / "f.yaml"),
                                             "--name", name])
    assert isinstance(result.exception, BadArgumentsError)
