from __future__ import annotations

from pathlib import Path

import pytest
from _fieldwork import HOUSEHOLD, LONG_BIEN

from fieldwork.errors import SurveyFileError
from fieldwork.survey import Survey, formula_size, load_survey, parse_survey
from omr.errors import ExitCode


def test_examples_validate() -> None:
    lb = load_survey(LONG_BIEN)
    assert lb.scheme == "legacy" and len(lb.units) == 4
    assert sum(lb.quota_of(g) or 0 for u in lb.units for g in lb.groups(u)) == 240
    hh = load_survey(HOUSEHOLD)
    assert hh.scheme == "2025" and all(u.level == "commune" for u in hh.units)


def test_errors_name_file_and_place(tmp_path: Path) -> None:
    text = LONG_BIEN.read_text(encoding="utf-8").replace("total: 240", "total: 250")
    with pytest.raises(SurveyFileError, match=r"s\.yaml: \(top level\): the quotas add up to 240, not the total 250"):
        parse_survey(text, "s.yaml")
    bad = LONG_BIEN.read_text(encoding="utf-8").replace("level: district", "level: hamlet")
    with pytest.raises(SurveyFileError, match=r"s\.yaml: units\[0\]\.level: Input should be") as info:
        parse_survey(bad, "s.yaml")
    assert info.value.exit_code == ExitCode.template_invalid


def test_2025_scheme_has_no_district(tmp_path: Path) -> None:
    text = LONG_BIEN.read_text(encoding="utf-8").replace("scheme: legacy", 'scheme: "2025"')
    with pytest.raises(SurveyFileError, match="the 2025 scheme has no district level"):
        parse_survey(text, "s.yaml")


def test_one_stop_shop_needs_window() -> None:
    text = "\n".join(line for line in LONG_BIEN.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("window:"))
    with pytest.raises(SurveyFileError, match="needs its transaction window"):
        parse_survey(text, "s.yaml")


def test_formula() -> None:
    assert formula_size(400, 0.05) == 200
    assert formula_size(10, 0.05) == 10
    assert formula_size(100000, 0.05) == 399
    assert formula_size(0, 0.05) == 0


def test_schema_published() -> None:
    schema = Survey.model_json_schema()
    assert "units" in schema["properties"] and "scheme" in schema["required"]


def test_published_schema_is_current() -> None:
    import json

    from _fieldwork import ROOT

    published = json.loads((ROOT / "fieldwork" / "survey.schema.json").read_text(encoding="utf-8"))
    assert published == Survey.model_json_schema(), "run: sipas fieldwork schema --out fieldwork/survey.schema.json"
