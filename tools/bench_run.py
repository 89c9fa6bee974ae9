"""Running ``sipas`` commands for the bench and the calibration: wall time, exit code, peak memory."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Measured:
    """One command run: wall time, exit code and memory (peak of the whole process tree, sampled)."""

    seconds: float
    returncode: int
    peak_tree_mb: float
    max_process_mb: float


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run_measured(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Measured:
    """Run ``cmd`` with output to ``log``; sample the tree's memory every 20 ms."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env=None if env is None else {**os.environ, **env})
        peak = 0
        while True:
            peak = max(peak, _tree_rss_kb(proc.pid))
            waited, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if waited:
                break
            time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(time.monotonic() - start, proc.returncode, peak / 1024, usage.ru_maxrss / 1024)


def sipas(*args: str) -> list[str]:
    return [sys.executable, "-m", "sipas.cli", *args]


def scan(paths: list[Path], workspace: Path, jobs: int, log: Path, manifest: Path | None = None,
         env: dict[str, str] | None = None) -> Measured:
    """``sipas scan`` into a fresh workspace (exit code 5, some pages rejected, is expected)."""
    if workspace.exists():
        shutil.rmtree(workspace)
    extra = ["--manifest", str(manifest)] if manifest else []
    m = run_measured(sipas("scan", *map(str, paths), "--workspace", str(workspace), "--jobs", str(jobs), "--quiet",
                           *extra), log, env)
    if m.returncode not in (0, 5):  # 5: some pages rejected (the foreign pages are meant to be)
        raise RuntimeError(f"sipas scan failed with exit code {m.returncode}; see {log}")
    return m


def checked(cmd: list[str], log: Path) -> None:
    """Run a command that must succeed."""
    m = run_measured(cmd, log)
    if m.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:4])} failed with exit code {m.returncode}; see {log}")


def export_answers(workspace: Path, out: Path, template: str, log: Path) -> None:
    """Every answer of the workspace, reviewed or not (``sipas export --format answers``)."""
    checked(sipas("export", "--format", "answers", "--out", str(out), "--workspace", str(workspace),
                  "--template", template, "--include-unverified"), log)


def page_rows(folder: Path) -> list[dict[str, str]]:
    """The rows of a generated set's ``pages.csv``."""
    with (folder / "pages.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
