"""The root command lists sub-commands without importing them; each loads only what it needs for --help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sipas.cli import COMMANDS, LazyCommand, load_command

HEAVY = ("pandas", "cv2", "sqlalchemy", "fastapi", "omr.reader", "scoring.data", "samples.synth.generate",
         "review_ui.app")


def _loaded_after(args: list[str]) -> list[str]:
    code = (f"import sys, json; from sipas.cli import main; rc = main({args!r}); "
            "print(json.dumps([m for m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_root_help_imports_no_command_module() -> None:
    loaded = _loaded_after(["--help"])
    assert not [m for m in loaded if m.startswith("sipas.commands.")]
    assert not [h for h in HEAVY if h in loaded]


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_command_help_loads_no_heavy_module(name: str) -> None:
    loaded = set(_loaded_after([name, "--help"]))
    assert not [h for h in HEAVY if h in loaded], name


@pytest.mark.parametrize("entry", COMMANDS, ids=[c.name for c in COMMANDS])
def test_listed_help_is_the_command_help(entry: LazyCommand) -> None:
    cmd = load_command(entry)
    own = cmd.get_short_help_str(limit=1000)
    assert entry.help == own


def test_unknown_command_is_a_usage_error() -> None:
    from sipas.cli import main

    assert main(["no-such-command"]) == 1


def test_command_runs_through_the_lazy_group(capsys: pytest.CaptureFixture[str]) -> None:
    from sipas.cli import main

    assert main(["template", "list"]) == 0
    assert "sipas-2023" in capsys.readouterr().out
