"""The overlay PNG: every box of a fixed-layout template outlined on its blank page."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from omr.errors import TemplateError
from omr.template.load import load_template
from omr.template.model import Template
from omr.template.overlay import overlay_image, write_overlay
from omr.template.yamlout import template_yaml

DPI = 100.0
K = DPI / 25.4


def _template(blank: str | None) -> Template:
    return Template.model_validate({
        "name": "t", "version": "1", "title": {"vi": "T", "en": "T"}, "marking": {"mode": "check"},
        "pages": [{"fields": [{"code": "Q1", "kind": "single", "label": {"vi": "Q", "en": "Q"},
                               "options": [{"value": "1", "label": {"vi": "A", "en": "A"}},
                                           {"value": "2", "label": {"vi": "B", "en": "B"}}]}]}],
        "layout": {"page_size": {"width": 100, "height": 60}, "align": ["page"], "pages": [{"blank": blank, "boxes": [
            {"field": "Q1", "value": "1", "rect": [20, 30, 5, 5]},
            {"field": "Q1", "value": "2", "rect": [60, 30, 5, 5], "shape": "circle"}]}]},
    })


def test_boxes_are_drawn_in_colour_where_stated() -> None:
    blank = np.full((round(60 * K), round(100 * K)), 255, np.uint8)
    out = overlay_image(_template(None), [blank], DPI)
    assert out.shape == (*blank.shape, 3)
    edge = out[round(32.5 * K), round(20 * K)]
    assert edge[0] > edge[2] + 100  # blue (BGR) on the box's left side
    assert (out[5:15, 5:15] > 200).all()  # paper away from boxes stays light


def test_write_overlay_from_a_template_file(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "p1.png"), np.full((round(60 * K), round(100 * K)), 255, np.uint8))
    path = tmp_path / "t.yaml"
    path.write_text(template_yaml(_template("p1.png"), "test"), encoding="utf-8")
    out = write_overlay(load_template(path), path, tmp_path / "t.overlay.png")
    assert cv2.imread(str(out)).shape[:2] == (round(60 * K), round(100 * K))


def test_missing_blank_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    with pytest.raises(TemplateError, match="gone.png"):
        write_overlay(_template("gone.png"), path, tmp_path / "o.png")
