"""``sipas user`` and ``sipas review --help``."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from omr.cli import main
from omr.errors import ExitCode
from omr.store.db import open_store
from review_ui.users import authenticate


def test_user_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    monkeypatch.setattr(sys, "stdin", io.StringIO("first-password\n"))
    assert main(["user", "add", "lan", "--role", "reviewer", "--password-stdin", "-w", ws]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("other-password\n"))
    assert main(["user", "add", "lan", "--role", "reviewer", "--password-stdin", "-w", ws]) == ExitCode.conflict
    monkeypatch.setattr(sys, "stdin", io.StringIO("second-password\n"))
    assert main(["user", "passwd", "lan", "--password-stdin", "-w", ws]) == 0
    store = open_store(Path(ws))
    assert authenticate(store, "lan", "second-password") is not None
    assert authenticate(store, "lan", "first-password") is None
    assert main(["user", "add", "x", "--role", "boss", "--password-stdin", "-w", ws]) == ExitCode.bad_args
    assert main(["user", "disable", "lan", "-w", ws]) == 0
    assert authenticate(store, "lan", "second-password") is None
    capsys.readouterr()
    assert main(["user", "list", "-w", ws]) == 0
    assert "lan\treviewer\tdisabled" in capsys.readouterr().out
    assert main(["user", "disable", "nobody", "-w", ws]) == ExitCode.not_found
    store.engine.dispose()


def test_review_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--workspace" in out and "--db" in out and "--port" in out
