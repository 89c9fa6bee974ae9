"""The architecture as a test: each package imports only the layers below it.

``omr`` (the reading engine and its store) is the bottom; ``scoring`` and ``fieldwork`` build on it;
``samples`` (synthetic data) and ``review_ui`` (the web app) on those; ``sipas`` (the command line)
composes everything and nothing imports it. Every ``import`` statement counts, including the ones
inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("omr", "scoring", "fieldwork", "samples", "review_ui", "sipas")
MAY_IMPORT: dict[str, frozenset[str]] = {
    "omr": frozenset(),
    "scoring": frozenset({"omr"}),
    "fieldwork": frozenset({"omr", "scoring"}),
    "samples": frozenset({"omr", "fieldwork"}),
    "review_ui": frozenset({"omr", "scoring", "fieldwork"}),
    "sipas": frozenset({"omr", "scoring", "fieldwork", "samples", "review_ui"}),
}


def _imported(path: Path) -> set[str]:
    """Top-level package names imported anywhere in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_the_layers_below(package: str) -> None:
    allowed = MAY_IMPORT[package] | {package}
    wrong = {f"{p.relative_to(ROOT)} imports {name}"
             for p in sorted((ROOT / package).rglob("*.py"))
             for name in _imported(p) if name in PACKAGES and name not in allowed}
    assert not wrong, sorted(wrong)


def test_the_rule_is_checked_on_real_files() -> None:
    assert len(list((ROOT / "omr").rglob("*.py"))) > 30
    assert "omr" in _imported(ROOT / "sipas" / "cli.py") or "omr" in _imported(ROOT / "sipas" / "commands" / "scan.py")
