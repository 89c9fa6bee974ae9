"""Documented dataclass fields: every context field carries its help text (checked against docs/review.md)."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any


def doc(text: str, default: Any = dataclasses.MISSING) -> Any:
    """A dataclass field documented by ``text`` (optionally with a default)."""
    return field(default=default, metadata={"help": text})


def field_help(cls: type) -> dict[str, str]:
    """Field name → help text of a context dataclass (empty help when a field is undocumented)."""
    return {f.name: str(f.metadata.get("help", "")) for f in dataclasses.fields(cls)}
