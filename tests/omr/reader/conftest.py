"""Fixtures of the page-reader tests: reader contexts and rendered, marked pages (see _pages.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the _pages helper module

from _pages import BOXES, MINI  # noqa: E402

from omr.digits import DEFAULT_MODEL_PATH  # noqa: E402
from omr.reader import ReaderContext  # noqa: E402


@pytest.fixture(scope="session")
def ctx() -> ReaderContext:
    """A reader that knows the checkbox-only mini template and the full mini template."""
    return ReaderContext.load([BOXES, MINI])


@pytest.fixture(scope="session")
def digit_model() -> Path:
    """The committed digit model (tests of comb fields need it)."""
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.skip(f"{DEFAULT_MODEL_PATH} is not built yet (tools/train_digits.py)")
    return DEFAULT_MODEL_PATH
