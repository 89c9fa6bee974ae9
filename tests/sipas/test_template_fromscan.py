"""``sipas template from-scan`` and ``overlay`` as Typer commands (registered here as the lead does)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import typer
from typer.testing import CliRunner

from sipas.commands.template_fromscan import from_scan, overlay

K = 150 / 25.4


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("from-scan")(from_scan)
    app.command("overlay")(overlay)
    return app


def test_from_scan_then_overlay(tmp_path: Path) -> None:
    img = np.full((round(297 * K), round(210 * K)), 255, np.uint8)
    for x in (20, 40, 60):
        cv2.rectangle(img, (round(x * K), round(50 * K)), (round((x + 5) * K) - 1, round(55 * K) - 1), 0, 1)
        cv2.putText(img, "Yes", (round((x + 7) * K), round(54.5 * K)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 1)
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), img)
    out = tmp_path / "form.yaml"
    runner = CliRunner()
    done = runner.invoke(_app(), ["from-scan", str(blank), "--out", str(out), "--dpi", "150", "--no-ocr"])
    assert done.exit_code == 0, done.output
    assert "3 checkboxes" in done.output and "1 single choice" in done.output and "form.overlay.png" in done.output
    (tmp_path / "form.overlay.png").unlink()
    done = runner.invoke(_app(), ["overlay", str(out)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "form.overlay.png").is_file()
