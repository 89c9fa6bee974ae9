"""Files that hold identities are written private (mode 0600) from the first byte, atomically."""

from __future__ import annotations

import os
from pathlib import Path

from omr.errors import InputFileError


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        tmp.chmod(0o600)
        tmp.replace(path)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot write: {exc.strerror}") from exc


def make_private(path: Path) -> None:
    """Restrict a file another function wrote to its owner."""
    path.chmod(0o600)
