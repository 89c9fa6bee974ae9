"""Respondents' answers: truth coded like the answers export, plausible distributions, every slip reachable."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from omr.errors import InputFileError
from omr.template.load import load_template
from omr.template.model import DigitsField, GridField, MultiField, SingleField, Template
from omr.types import MULTIPLE
from samples.synth.answers import draw_answers
from samples.synth.profile import AnswerProfile, load_answer_profile

SLIPPY = AnswerProfile(double_mark=0.2, correction=0.2, lone_fill=0.2, skip_page=0.2, missing_page=0.5,
                       skip_question=0.1, opinion=1.0, write_in=1.0)


def _options(template: Template) -> dict[str, list[str]]:
    """Allowed values per single-like answer code (grid rows share their scale)."""
    out: dict[str, list[str]] = {}
    for f in template.fields():
        if isinstance(f, GridField):
            for row in f.rows:
                out[row.code] = [o.value for o in f.scale]
        elif isinstance(f, SingleField | MultiField):
            out[f.code] = [o.value for o in f.options]
    return out


def _check_coding(template: Template, truth: tuple[tuple[str, str], ...]) -> None:
    assert [code for code, _ in truth] == template.answer_codes()
    kinds = template.answer_kinds()
    allowed = _options(template)
    for code, value in truth:
        kind = kinds[code]
        if value == "":
            continue
        if kind in ("single", "grid"):
            assert value == MULTIPLE or value in allowed[code], (code, value)
        elif kind == "multi":
            chosen = value.split(";")
            assert chosen == [v for v in allowed[code] if v in chosen], (code, value)  # template order
        elif kind == "digits":
            field = template.field(code)
            assert isinstance(field, DigitsField)
            assert value.isdigit() and len(value) == field.length
        else:
            assert value.strip() == value and value


@pytest.mark.parametrize("name", ["sipas-2023", "sipas-2019", "tests/fixtures/mini.yaml"])
def test_truth_uses_the_answers_export_coding(name: str) -> None:
    template = load_template(name)
    rng = np.random.default_rng(11)
    for _ in range(40):
        _check_coding(template, draw_answers(template, SLIPPY, rng).truth)


def test_satisfaction_is_skewed_to_four_like_the_published_index() -> None:
    template = load_template("sipas-2019")
    rng = np.random.default_rng(1)
    values = [v for _ in range(300) for code, v in draw_answers(template, AnswerProfile(), rng).truth
              if code.startswith(("Q3_", "Q4_", "Q5_", "Q6_", "Q7_")) and v not in ("", MULTIPLE)]
    share = np.mean([v in ("4", "5") for v in values])
    assert 0.78 < share < 0.90
    assert max(set(values), key=values.count) == "4"


def test_demographics_follow_the_profile() -> None:
    template = load_template("sipas-2023")
    rng = np.random.default_rng(2)
    profile = replace(AnswerProfile(), gender=(0.2, 0.8), skip_question=0.0, double_mark=0.0)
    genders = [draw_answers(template, profile, rng).value("A1") for _ in range(300)]
    assert 0.7 < genders.count("2") / len(genders) < 0.9


def test_every_slip_is_reachable_and_coded() -> None:
    template = load_template("sipas-2023")
    rng = np.random.default_rng(3)
    forms = [draw_answers(template, SLIPPY, rng) for _ in range(30)]
    roles = {b.role for f in forms for b in f.boxes}
    assert roles == {"mark", "cancel", "fill_mark"}
    assert any(v == MULTIPLE for f in forms for _, v in f.truth)
    assert any(f.blank_pages for f in forms) and any(f.missing_pages for f in forms)
    page_of = {}
    for number, page in enumerate(template.pages, start=1):
        for field in page.fields:
            page_of[field.code] = number
    for f in forms:
        gone = set(f.blank_pages) | set(f.missing_pages)
        for code, value in f.truth:
            if page_of.get(template.question_of(code).code) in gone:
                assert value == "", (code, value)
        # A correction's truth is the crossed box, never the filled-over one.
        for b in f.boxes:
            if b.role == "cancel" and template.answer_kinds()[b.field] != "multi":
                assert f.value(b.field) not in ("", b.value)
    assert any(code in ("A2_other", "A4_other", "A5_other", "Q2_other") and v for f in forms for code, v in f.truth)
    assert all(len(d) == 8 for f in forms for _, d in f.digits)


def test_dates_are_plausible() -> None:
    template = load_template("sipas-2023")
    rng = np.random.default_rng(4)
    for _ in range(100):
        date = draw_answers(template, AnswerProfile(), rng).value("DATE")
        if date:
            day, month, year = int(date[:2]), int(date[2:4]), int(date[4:])
            assert 1 <= day <= 30 and 1 <= month <= 12 and 2023 <= year <= 2025


def test_same_generator_state_same_answers() -> None:
    template = load_template("sipas-2019")
    a = draw_answers(template, SLIPPY, np.random.default_rng(9))
    b = draw_answers(template, SLIPPY, np.random.default_rng(9))
    assert a == b


def test_answer_profile_file(tmp_path: Path) -> None:
    good = tmp_path / "p.yaml"
    good.write_text("satisfaction: [1, 1, 1, 1, 6]\ndouble_mark: 0.01\ndate_years: [2024, 2024]\n")
    profile = load_answer_profile(good)
    assert profile.satisfaction == (1.0, 1.0, 1.0, 1.0, 6.0)
    assert profile.double_mark == 0.01 and profile.date_years == (2024, 2024)
    for text, words in (("colour: 3\n", "unknown field"), ("double_mark: 2\n", "between 0 and 1"),
                        ("gender: [a, b]\n", "list of numbers"), ("- 1\n", "mapping")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(InputFileError, match=words):
            load_answer_profile(bad)
