"""Fixtures of the fieldwork tests: the shipped example surveys and small synthetic frames."""

from __future__ import annotations

import pytest
from _fieldwork import HOUSEHOLD, LONG_BIEN

from fieldwork.survey import Survey, load_survey


@pytest.fixture(scope="session")
def long_bien() -> Survey:
    return load_survey(LONG_BIEN)


@pytest.fixture(scope="session")
def household() -> Survey:
    return load_survey(HOUSEHOLD)
