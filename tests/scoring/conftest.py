"""Shared fixtures of the scoring tests: a small template and four hand-coded forms."""

from __future__ import annotations

import pytest
from scoring_fixtures import FORMS, SCORE_MINI, UNITS

from omr.template.load import load_template
from omr.template.model import Template
from scoring.data import Dataset, _frame


@pytest.fixture(scope="session")
def mini_template() -> Template:
    return load_template(SCORE_MINI)


@pytest.fixture()
def mini_dataset(mini_template: Template) -> Dataset:
    return Dataset(mini_template, _frame(mini_template, FORMS, UNITS), source="hand-coded")
