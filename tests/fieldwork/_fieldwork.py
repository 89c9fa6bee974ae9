"""Paths and helpers shared by the fieldwork tests."""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LONG_BIEN = ROOT / "examples" / "long-bien-2020.yaml"
HOUSEHOLD = ROOT / "examples" / "ha-noi-2025-household.yaml"


def truth_of(path: Path) -> dict[tuple[str, int], dict[str, str]]:
    """``<frame>.truth.csv`` keyed by (sheet, row)."""
    with path.open(encoding="utf-8") as fh:
        return {(r["sheet"], int(r["row"])): r for r in csv.DictReader(fh)}
