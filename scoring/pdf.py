"""Print an HTML file to PDF with Debian's headless Chromium (no network, throw-away profile)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from omr._tools import chromium_path
from omr.errors import MissingDependencyError, StorageError

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
)
TIMEOUT_S = 120


def html_to_pdf(html: Path, pdf: Path) -> Path:
    """Write ``pdf`` from ``html``; MissingDependencyError when Chromium is not installed."""
    binary = chromium_path()
    with tempfile.TemporaryDirectory(prefix="sipas-chromium-") as profile:
        cmd = [str(binary), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf.resolve()}",
               html.resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except FileNotFoundError as exc:
            raise MissingDependencyError(f"cannot start Chromium at {binary}: {exc}") from exc
        except subprocess.TimeoutExpired as exc:
            raise StorageError(
                f"Chromium did not print {html} within {TIMEOUT_S} s; try again or use --no-pdf"
            ) from exc
    if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise StorageError(f"Chromium could not print {html} to {pdf} (exit {proc.returncode}): {' | '.join(tail)}")
    return pdf
