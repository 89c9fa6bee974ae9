"""``sipas user`` and ``sipas review --help``."""

from __future__ import annotations

import io
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _workspace import pg_schema

from omr.errors import ExitCode
from omr.store.db import open_store
from review_ui.users import authenticate
from sipas.cli import main


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (the workspace's SQLite) or the URL of a fresh PostgreSQL schema (``--db``)."""
    if request.param == "sqlite":
        yield None
        return
    with pg_schema(request.getfixturevalue("pg_url")) as url:
        yield url


def test_user_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                       db_url: str | None) -> None:
    ws = str(tmp_path / "ws")
    db = ["--db", db_url] if db_url else []
    open_store(Path(ws), db_url).engine.dispose()  # `sipas user` needs an existing workspace
    monkeypatch.setattr(sys, "stdin", io.StringIO("first-password\n"))
    assert main(["user", "add", "lan", "--role", "reviewer", "--password-stdin", "-w", ws, *db]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("other-password\n"))
    assert main(["user", "add", "lan", "--role", "reviewer", "--password-stdin", "-w", ws, *db]) == ExitCode.conflict
    monkeypatch.setattr(sys, "stdin", io.StringIO("second-password\n"))
    assert main(["user", "passwd", "lan", "--password-stdin", "-w", ws, *db]) == 0
    store = open_store(Path(ws), db_url)
    assert authenticate(store, "lan", "second-password") is not None
    assert authenticate(store, "lan", "first-password") is None
    assert main(["user", "add", "x", "--role", "boss", "--password-stdin", "-w", ws, *db]) == ExitCode.bad_args
    assert main(["user", "disable", "lan", "-w", ws, *db]) == 0
    assert authenticate(store, "lan", "second-password") is None
    capsys.readouterr()
    assert main(["user", "list", "-w", ws, *db]) == 0
    assert "lan\treviewer\tdisabled" in capsys.readouterr().out
    assert main(["user", "disable", "nobody", "-w", ws, *db]) == ExitCode.not_found
    store.engine.dispose()


def test_review_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--workspace" in out and "--db" in out and "--port" in out


def test_commands_refuse_a_missing_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "sipas-worksapce"
    monkeypatch.setattr(sys, "stdin", io.StringIO("first-password\n"))
    assert main(["user", "add", "lan", "--role", "reviewer", "--password-stdin", "-w", str(typo)]) == \
        ExitCode.not_found
    assert main(["review", "-w", str(typo)]) == ExitCode.not_found
    err = capsys.readouterr().err
    assert str(typo) in err and "sipas scan" in err
    assert not typo.exists()


def test_a_taken_port_says_so_with_its_own_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    open_store(ws).engine.dispose()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["review", "-w", str(ws), "--port", str(port)]) == ExitCode.port_taken
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port} is taken" in err and "--port" in err and "Errno" not in err
