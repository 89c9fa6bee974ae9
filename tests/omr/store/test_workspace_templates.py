"""A workspace keeps the template files it was scanned with: review, export and score find them later."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from omr.errors import TemplateError
from omr.store.templates import load_workspace_template, remember_templates, workspace_templates
from sipas.cli import main

K = 150 / 25.4
OPTIONS = "ABCD"

FORM = """name: quiz
version: "1"
title: {vi: Bài, en: Quiz}
marking: {mode: check}
pages:
  - fields:
%s
layout:
  page_size: A5
  align: [features, image]
  pages:
    - blank: blank.png
      boxes:
%s
"""


def box(q: int, o: int) -> tuple[float, float, float, float]:
    return (40.0 + 15.0 * o, 40.0 + 15.0 * q, 5.0, 5.0)


def write_form(folder: Path) -> Path:
    """A 3-question A5 form with square boxes, its blank page and template."""
    img = np.full((round(210 * K), round(148 * K)), 255, np.uint8)
    cv2.putText(img, "QUIZ 2026", (round(20 * K), round(25 * K)), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    fields, boxes = [], []
    for q in range(3):
        cv2.putText(img, f"Q{q + 1}", (round(20 * K), round((44 + 15 * q) * K)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 1)
        opts = ", ".join(f'{{value: "{c}", label: {{vi: "{c}", en: "{c}"}}}}' for c in OPTIONS)
        fields.append(f"      - {{code: Q{q + 1}, kind: single, label: {{vi: Câu {q + 1}, en: Q{q + 1}}}, "
                      f"options: [{opts}]}}")
        for o, c in enumerate(OPTIONS):
            x, y, w, h = box(q, o)
            cv2.rectangle(img, (round(x * K), round(y * K)), (round((x + w) * K) - 1, round((y + h) * K) - 1), 0, 2)
            cv2.putText(img, c, (round((x + 7) * K), round((y + 4.5) * K)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)
            boxes.append(f'        - {{field: Q{q + 1}, value: "{c}", rect: {list(box(q, o))}}}')
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / "blank.png"), img)
    path = folder / "quiz.yaml"
    path.write_text(FORM % ("\n".join(fields), "\n".join(boxes)), encoding="utf-8")
    return path


def cross(img: np.ndarray, q: int, o: int) -> None:
    x, y, w, h = (v * K for v in box(q, o))
    cv2.line(img, (round(x + 3), round(y + 3)), (round(x + w - 3), round(y + h - 3)), 20, 3)
    cv2.line(img, (round(x + w - 3), round(y + 3)), (round(x + 3), round(y + h - 3)), 20, 3)


def test_remember_copies_the_template_and_its_images(tmp_path: Path) -> None:
    source = write_form(tmp_path / "forms")
    kept = remember_templates(tmp_path / "ws", [source, "sipas-2023"])  # built-in names are not copied
    assert [p.name for p in kept] == ["quiz.yaml"] and (kept[0].parent / "blank.png").is_file()
    assert workspace_templates(tmp_path / "ws") == kept
    assert load_workspace_template(tmp_path / "ws", "quiz").layout is not None
    assert load_workspace_template(tmp_path / "ws", "sipas-2023").name == "sipas-2023"
    (tmp_path / "forms" / "blank.png").unlink()
    with pytest.raises(TemplateError, match="blank.png does not exist"):
        remember_templates(tmp_path / "ws", [source])


def test_scan_with_the_template_then_export_without_it(tmp_path: Path) -> None:
    source = write_form(tmp_path / "forms")
    blank = cv2.imread(str(tmp_path / "forms" / "blank.png"), cv2.IMREAD_GRAYSCALE)
    scans = tmp_path / "scans"
    scans.mkdir()
    for n, answers in enumerate([(0, 2, 3), (1, 1, 0)]):
        page = blank.copy()
        for q, o in enumerate(answers):
            cross(page, q, o)
        cv2.imwrite(str(scans / f"quiz-{n}.png"), page)
    ws = tmp_path / "ws"
    assert main(["scan", str(scans), "--workspace", str(ws), "--template", str(source), "--quiet"]) == 0
    source.unlink()  # the workspace has its own copy from now on
    out = tmp_path / "answers.csv"
    assert main(["export", "--workspace", str(ws), "--format", "answers", "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = sorted("".join(r["value"] for r in rows if r["form_id"] == fid) for fid in {r["form_id"] for r in rows})
    assert got == ["ACD", "BBA"] and {r["status"] for r in rows} == {"auto"}
    wide = tmp_path / "answers-wide.csv"
    assert main(["export", "--workspace", str(ws), "--format", "csv", "--out", str(wide)]) == 0
    # a second scan run without --template still knows the form
    assert main(["scan", str(scans), "--workspace", str(ws), "--quiet"]) == 0
