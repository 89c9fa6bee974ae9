"""The demo's first step: the draw, its summary printed, verified."""

from __future__ import annotations

from pathlib import Path

import pytest

from sipas.commands.demo import _draw_step


def test_demo_draws_first_and_prints_its_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _draw_step(tmp_path, tmp_path / "workspace")
    text = capsys.readouterr().out
    assert "$ sipas fieldwork draw" in text and "total" in text and "verified: same lists" in text
    assert (tmp_path / "workspace" / "fieldwork" / "draw.json").is_file()
