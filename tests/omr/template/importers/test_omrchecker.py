"""OMRChecker template.json import: bubble geometry exactly as OMRChecker places it, fields, alignment, files.

``SHAMANTH`` is samples/community/Shamanth/template.json of OMRChecker
(https://github.com/Udayraj123/OMRChecker, MIT licence, © Udayraj Deshmukh and contributors).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from omr.errors import TemplateError
from omr.template.importers.omrchecker import (
    OmrPreprocessor,
    align_methods,
    build_template,
    frame_scale,
    import_omrchecker,
    parse_field_string,
    parse_sheet,
)
from omr.template.layout import layout_template
from omr.template.load import load_template
from omr.template.model import MultiField, SingleField

SHAMANTH: dict[str, Any] = {
    "pageDimensions": [300, 400], "bubbleDimensions": [20, 20],
    "fieldBlocks": {"MCQBlock1": {"fieldType": "QTYPE_MCQ4", "origin": [78, 41], "fieldLabels": ["q21..28"],
                                  "bubblesGap": 56, "labelsGap": 46}},
    "preProcessors": [],
}


def _sheet(**extra: Any) -> dict[str, Any]:
    return {"pageDimensions": [300, 400], "bubbleDimensions": [20, 20], "preProcessors": [], **extra}


def test_field_strings_expand_ranges() -> None:
    assert parse_field_string("q1..3") == ["q1", "q2", "q3"]
    assert parse_field_string("roll1...2") == ["roll1", "roll2"]
    assert parse_field_string("Medium") == ["Medium"]
    with pytest.raises(TemplateError, match="must go up"):
        parse_field_string("q3..1")


def test_bubbles_are_placed_as_omrchecker_places_them() -> None:
    sheet = parse_sheet(SHAMANTH)
    q21, q22 = sheet.field("q21"), sheet.field("q22")
    assert q21.values == ("A", "B", "C", "D")  # QTYPE_MCQ4 runs horizontally
    assert [(b.x, b.y) for b in q21.bubbles] == [(78, 41), (134, 41), (190, 41), (246, 41)]
    assert [(b.x, b.y) for b in q22.bubbles][0] == (78, 87)  # the next field one labelsGap down
    assert (q21.bubbles[0].width, q21.bubbles[0].height) == (20, 20)


def test_vertical_blocks_round_half_to_even_and_take_their_own_bubble_size() -> None:
    sheet = parse_sheet(_sheet(fieldBlocks={"Roll": {
        "fieldType": "QTYPE_INT", "origin": [10, 0], "fieldLabels": ["roll1..2"], "bubblesGap": 12.5,
        "labelsGap": 30, "bubbleDimensions": [10, 8]}}))
    roll1 = sheet.field("roll1")
    assert roll1.values[:3] == ("0", "1", "2")
    assert [b.y for b in roll1.bubbles[:5]] == [0, 12, 25, 38, 50]  # Python round: 12.5 → 12, 37.5 → 38
    assert {b.x for b in roll1.bubbles} == {10}
    assert sheet.field("roll2").bubbles[0].x == 40
    assert (roll1.bubbles[0].width, roll1.bubbles[0].height) == (10, 8)


def test_a_field_label_used_twice_names_the_file() -> None:
    blocks = {"A": {"fieldType": "QTYPE_MCQ4", "origin": [0, 0], "fieldLabels": ["q1"], "bubblesGap": 30,
                    "labelsGap": 30},
              "B": {"fieldType": "QTYPE_MCQ4", "origin": [0, 100], "fieldLabels": ["q1"], "bubblesGap": 30,
                    "labelsGap": 30}}
    with pytest.raises(TemplateError, match=r"^t\.json: .*\['q1'\]"):
        parse_sheet(_sheet(fieldBlocks=blocks), "t.json")


def test_questions_become_single_fields_in_mm_on_an_a4_fitted_frame() -> None:
    result = build_template(parse_sheet(SHAMANTH), "shamanth", "Shamanth", source="test")
    t = result.template
    assert frame_scale(300, 400) == pytest.approx(0.7)
    assert t.layout is not None and t.layout.size_mm == (210.0, 280.0)
    assert t.layout.align == ["image"] and t.marking.mode == "fill"
    q21 = t.field("q21")
    assert isinstance(q21, SingleField) and [o.value for o in q21.options] == ["A", "B", "C", "D"]
    box = t.layout.pages[0].boxes[1]
    assert (box.field, box.value, box.shape) == ("q21", "B", "circle")
    assert box.rect == pytest.approx((134 * 0.7, 41 * 0.7, 14.0, 14.0))
    assert len(layout_template(t).pages[0].boxes) == 32


def test_custom_labels_are_recorded_as_output_columns() -> None:
    blocks = {"Roll": {"fieldType": "QTYPE_INT", "origin": [10, 10], "fieldLabels": ["roll1..2"],
                       "bubblesGap": 25, "labelsGap": 25},
              "Q": {"fieldType": "QTYPE_MCQ4", "origin": [100, 10], "fieldLabels": ["q1"], "bubblesGap": 25,
                    "labelsGap": 25}}
    sheet = parse_sheet(_sheet(fieldBlocks=blocks, customLabels={"Roll": ["roll1..2"]}, emptyValue="-"))
    result = build_template(sheet, "roll", "Roll", source="test")
    assert [c.name for c in result.columns] == ["Roll", "q1"]  # OMRChecker sorts by prefix, then number
    roll = result.columns[0]
    assert [p.code for p in roll.parts] == ["roll1", "roll2"] and roll.parts[0].empty == "-"
    assert "Roll = roll1 + roll2" in result.header
    note = result.template.field("roll2").note
    assert note is not None and "part 2 of 2" in note


def test_one_bubble_fields_of_a_block_become_one_multi_field() -> None:
    blocks = {"YesNo": {"direction": "horizontal", "bubbleValues": ["yes"], "origin": [15, 55], "emptyValue": "no",
                        "bubblesGap": 48, "labelsGap": 48, "fieldLabels": ["q1..3"]}}
    result = build_template(parse_sheet(_sheet(fieldBlocks=blocks)), "yes-no", "Yes/no", source="test")
    field = result.template.field("YesNo")
    assert isinstance(field, MultiField) and [o.value for o in field.options] == ["q1", "q2", "q3"]
    q2 = result.columns[1].parts[0]
    assert (q2.code, q2.option, dict(q2.values), q2.empty) == ("YesNo", "q2", {"q2": "yes"}, "no")


def test_labels_and_values_that_are_not_codes_are_cleaned() -> None:
    blocks = {"S": {"bubbleValues": ["+", "-"], "direction": "vertical", "origin": [0, 0], "bubblesGap": 30,
                    "labelsGap": 30, "fieldLabels": ["Subject Code"]}}
    t = build_template(parse_sheet(_sheet(fieldBlocks=blocks)), "s", "S", source="test").template
    field = t.field("Subject_Code")
    assert isinstance(field, SingleField)
    assert [(o.value, o.label.en) for o in field.options] == [("1", "+"), ("2", "-")]
    assert field.note == "OMRChecker field 'Subject Code'"


@pytest.mark.parametrize(("names", "blank", "methods", "dropped"), [
    ([], False, ["image"], 0),
    (["CropPage"], False, ["page"], 0),
    (["GaussianBlur", "CropPage"], True, ["page", "features"], 1),
    (["CropPage", "CropOnMarkers"], False, ["marks"], 1),
    (["Levels", "FeatureBasedAlignment", "GaussianBlur"], True, ["features"], 2),
])
def test_the_last_geometric_preprocessor_defines_the_alignment(
    names: list[str], blank: bool, methods: list[str], dropped: int,
) -> None:
    got, why = align_methods([OmrPreprocessor(n, {}) for n in names], blank)
    assert got == methods and len(why) == dropped


def _write_marker_sheet(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    marker = np.full((40, 40), 255, np.uint8)
    cv2.circle(marker, (20, 20), 15, 0, -1)
    cv2.imwrite(str(folder / "omr_marker.jpg"), marker)
    data = {**SHAMANTH, "preProcessors": [
        {"name": "CropPage", "options": {"morphKernel": [10, 10]}},
        {"name": "CropOnMarkers", "options": {"relativePath": "omr_marker.jpg", "sheetToMarkerWidthRatio": 21}}]}
    path = folder / "template.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_import_writes_a_yaml_that_loads_and_copies_the_marker(tmp_path: Path) -> None:
    template_json = _write_marker_sheet(tmp_path / "Shamanth")
    out = tmp_path / "out" / "form.yaml"
    result = import_omrchecker(template_json, out)
    assert (tmp_path / "out" / "shamanth-mark.jpg").is_file()
    t = load_template(out)
    assert t == result.template and t.name == "shamanth"
    assert t.layout is not None and t.layout.align == ["marks"] and t.layout.marks is not None
    assert t.layout.marks.centres == [(0, 0), (210, 0), (210, 280), (0, 280)]
    assert t.layout.marks.width == pytest.approx(10.0)  # 210 mm / sheetToMarkerWidthRatio 21
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported from OMRChecker Shamanth/template.json")
    assert "- {field: q21, value: A, rect: [54.6, 28.7, 14, 14], shape: circle}" in text


def test_import_with_a_blank_adds_features_and_a_frame_sized_png(tmp_path: Path) -> None:
    template_json = tmp_path / "s" / "template.json"
    template_json.parent.mkdir()
    template_json.write_text(json.dumps(SHAMANTH), encoding="utf-8")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((800, 600), 255, np.uint8))
    t = import_omrchecker(template_json, tmp_path / "o" / "f.yaml", blank=blank, name="f").template
    assert t.layout is not None and t.layout.align == ["image", "features"]
    assert t.layout.pages[0].blank == "f-p1.png"
    written = cv2.imread(str(tmp_path / "o" / "f-p1.png"), cv2.IMREAD_GRAYSCALE)
    assert written is not None and written.shape == (400, 300)  # pageDimensions, as OMRChecker resizes
