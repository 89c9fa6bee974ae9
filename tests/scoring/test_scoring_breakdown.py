"""The service-field rule: a declared key first, else the documented "lĩnh vực" label heuristic."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from scoring_fixtures import SCORE_MINI

from omr.errors import TemplateError
from omr.template.load import load_template
from omr.template.model import Template
from scoring.breakdown import declared_service_field, service_field


def _mini(**changes: Any) -> Template:
    """score-mini as a service-user form with a single-choice question Q1 labelled ``label``."""
    doc = yaml.safe_load(Path(SCORE_MINI).read_text(encoding="utf-8"))
    doc["instrument"] = changes.get("instrument", "service-user")
    label = changes.get("label", "Thủ tục thuộc lĩnh vực nào?")
    doc["pages"][0]["fields"].insert(0, {
        "code": "Q1", "kind": "single", "label": {"vi": label, "en": "Which field?"},
        "options": [{"value": 1, "label": {"vi": "Đất đai", "en": "Land"}},
                    {"value": 2, "label": {"vi": "Tư pháp", "en": "Justice"}}]})
    return Template.model_validate(doc)


def _declaring(template: Template, code: str | None) -> Template:
    # model_copy skips validation, so a wrong code reaches service_field(), which must refuse it.
    scoring = template.scoring.model_copy(update={"service_field": code})
    return template.model_copy(update={"scoring": scoring})


def test_builtin_templates() -> None:
    assert service_field(load_template("sipas-2019")) == "Q1"
    assert service_field(load_template("sipas-2023")) is None  # household form: no service field


def test_label_is_matched_whatever_its_case_or_unicode_form() -> None:
    assert service_field(_mini()) == "Q1"
    assert service_field(_mini(label="LĨNH VỰC của thủ tục")) == "Q1"
    decomposed = unicodedata.normalize("NFD", "Thủ tục thuộc lĩnh vực nào?")
    assert decomposed != "Thủ tục thuộc lĩnh vực nào?"
    assert service_field(_mini(label=decomposed)) == "Q1"


def test_heuristic_needs_a_service_user_form_and_the_words() -> None:
    assert service_field(_mini(instrument="household")) is None
    assert service_field(_mini(label="Ông/Bà đến làm thủ tục gì?")) is None
    assert service_field(load_template(SCORE_MINI)) is None


def test_a_scored_item_is_never_the_breakdown() -> None:
    doc = _mini().model_dump(mode="json")
    doc["scoring"]["aspects"][0]["elements"][1]["items"].append("Q1")  # Q1 now counts in an index
    assert service_field(Template.model_validate(doc)) is None
    doc["pages"][0]["fields"][2]["label"]["vi"] = "Mức độ hài lòng về lĩnh vực"  # Q5, not scored
    assert service_field(Template.model_validate(doc)) == "Q5"


def test_declared_key_wins_over_the_heuristic() -> None:
    t = _mini()
    assert declared_service_field(t) is None  # score-mini declares none
    assert service_field(_declaring(t, "Q5")) == "Q5"
    assert service_field(_declaring(_mini(instrument="household"), "Q1")) == "Q1"
    assert service_field(_declaring(t, None)) == "Q1"  # declared empty: the heuristic decides


@pytest.mark.parametrize("code", ["Q9_1", "Q2", "NOPE"])
def test_declared_key_must_name_a_single_choice_question(code: str) -> None:
    with pytest.raises(TemplateError, match=rf"scoring.service_field is '{code}'.*choose one of Q1, Q5"):
        service_field(_declaring(_mini(), code))
