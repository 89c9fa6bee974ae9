"""Every template written as YAML reads back as the same template (a seeded, deterministic property check).

The templates: the built-in ones, a small queXF import, a small OMRChecker import, a from-scan proposal
of a page of our own form, and each of them again with awkward texts (``yes``, ``null``, ``a: b``,
line breaks, control characters...), awkward numbers (full-precision floats, 1e-9, whole floats) and
a custom page size put in by a seeded random generator.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from omr.errors import TemplateError
from omr.template import yamlout
from omr.template.detect import detect_page
from omr.template.fromscan import propose_template
from omr.template.importers import omrchecker, quexf
from omr.template.layout import FormLayout
from omr.template.load import builtin_templates, load_template, parse_template
from omr.template.model import Template
from omr.template.yamlout import template_yaml, write_template

SEEDS = range(12)

AWKWARD_TEXTS = (
    "yes", "No", "off", "true", "null", "~", "1.5", "0x1F", "1e3", "007", "+1", "1_000", ".inf", ".nan", "2023-01-01",
    "12:30:00", "- item", "a: b", "a #b", "#not a comment", " leading space", "trailing space ", "two\nlines",
    "ends with a break\n", "crlf\r\nbreak", "it's", 'say "hi"', "{x}", "[y]", "=", "<<", "@at", "`tick", "%pct", "!tag",
    "&anchor", "*alias", "?", "|", ">", "tab\there", "bell\x07", "nel\x85x", "line\u2028separator", "\u00a0nbsp",
    "Tiếng Việt có dấu: Phường Hòa Khánh", "emoji 🙂", "x" * 300,
)
"""Texts YAML can misread when written plainly (booleans, numbers, dates, syntax, breaks, escapes)."""

SPECIAL_FLOATS = (0.1 + 0.2, 1e-9, 5e-324, 1 / 3, 30.0, 12.5, 59.267, 5.927, 2.0**-30, 99.99999999999999)


# -- the templates ---------------------------------------------------------------------------------
def _qx_box(x: int, y: int, value: str = "", label: str = "", size: int = 61) -> str:
    return (f"<box><tlx>{x}</tlx><tly>{y}</tly><brx>{x + size}</brx><bry>{y + size}</bry>"
            f"<value>{value}</value><label>{label}</label></box>")


def _qx_group(kind: int, varname: str, order: int, label: str, boxes: str) -> str:
    return (f"<boxgroup><type>{kind}</type><width>1</width><varname>{varname}</varname>"
            f"<sortorder>{order}</sortorder><label>{label}</label><groupsection idref=\"1\"/>{boxes}</boxgroup>")


QUEXF = f"""<?xml version="1.0"?>
<queXF><questionnaire><id>3</id>
  <section id="1"><label>Yes</label><title>A</title></section>
  <page><id>00000301</id><tlx>180</tlx><tly>180</tly><rotation>0</rotation>
    {_qx_group(1, "q 1", 1, "Null? :", _qx_box(301, 307, "1", "yes") + _qx_box(613, 307, "2", "no"))}
    {_qx_group(1, "G_a", 2, "Rate : Roads", _qx_box(1201, 601, "1", "Low") + _qx_box(1499, 601, "2", "High"))}
    {_qx_group(1, "G_b", 3, "Rate : Parks", _qx_box(1201, 703, "1", "Low") + _qx_box(1499, 703, "2", "High"))}
    {_qx_group(4, "AGE", 4, "Age", _qx_box(301, 903, size=71) + _qx_box(372, 903, size=71))}
    {_qx_group(6, "NOTE", 5, "Comments", "<box><tlx>301</tlx><tly>1301</tly><brx>2099</brx><bry>1777</bry></box>")}
  </page>
</questionnaire></queXF>"""

OMRCHECKER: dict[str, Any] = {
    "pageDimensions": [301, 397], "bubbleDimensions": [19, 21], "preProcessors": [],
    "fieldBlocks": {
        "MCQ": {"fieldType": "QTYPE_MCQ5", "origin": [77, 43], "fieldLabels": ["q1..3"], "bubblesGap": 41.5,
                "labelsGap": 47.3},
        "Roll": {"fieldType": "QTYPE_INT", "origin": [41, 201], "fieldLabels": ["roll1..2"], "bubblesGap": 17.7,
                 "labelsGap": 23.1},
    },
}


def _quexf_template() -> Template:
    banding = quexf.parse_banding(QUEXF, "t.xml")
    return quexf.build_template(banding, "qx", "queXF", [(210.0, 297.0)], source="t.xml",
                                blanks=["qx-p1.png"]).template


def _omrchecker_template(marks: bool = False) -> Template:
    if not marks:
        sheet = omrchecker.parse_sheet(OMRCHECKER, "template.json")
        return omrchecker.build_template(sheet, "oc", "OMRChecker", source="template.json").template
    crop = {"name": "CropOnMarkers", "options": {"relativePath": "m.jpg"}}
    sheet = omrchecker.parse_sheet(OMRCHECKER | {"preProcessors": [crop]}, "template.json")
    return omrchecker.build_template(sheet, "oc", "OMRChecker", source="template.json",
                                     marks=omrchecker.MarkSpec("oc-mark.jpg", 10.0), blank="oc-p1.png").template


@pytest.fixture(scope="module")
def templates(unmarked_pages: tuple[FormLayout, dict[int, NDArray[np.uint8]]]) -> dict[str, Template]:
    _, images = unmarked_pages
    found = {name: load_template(path) for name, path in builtin_templates().items()}
    found["quexf"] = _quexf_template()
    found["omrchecker"] = _omrchecker_template()
    found["omrchecker-marks"] = _omrchecker_template(marks=True)
    found["from-scan"] = propose_template([detect_page(images[3], 150.0)], name="scan", blanks=["p.png"]).template
    return found


# -- awkward variants ------------------------------------------------------------------------------
def _float(rng: random.Random, top: float) -> float:
    return rng.choice(SPECIAL_FLOATS) if rng.random() < 0.3 else rng.uniform(0.0, top)


def _size(rng: random.Random, top: float) -> float:
    return max(_float(rng, top), 1e-9)


def _awkward(value: Any, rng: random.Random, key: str = "") -> Any:
    """``value`` (a dumped template) with its texts and positions replaced by awkward ones, still valid."""
    if isinstance(value, dict):
        if set(value) == {"vi", "en"}:
            return {"vi": rng.choice(AWKWARD_TEXTS), "en": rng.choice(AWKWARD_TEXTS)}
        if key == "marks":
            return value | {"image": rng.choice(AWKWARD_TEXTS), "width": _size(rng, 20.0),
                            "centres": [[_float(rng, 150.0), _float(rng, 200.0)] for _ in value["centres"]]}
        return {k: _awkward(v, rng, k) for k, v in value.items()}
    if isinstance(value, list) and key in ("rect", "label") and len(value) == 4:  # inside a 150 × 200 mm page
        return [_float(rng, 100.0), _float(rng, 150.0), _size(rng, 50.0), _size(rng, 50.0)]
    if isinstance(value, list):
        return [_awkward(v, rng) for v in value]
    if key in ("note", "version", "blank", "barcode", "source") and isinstance(value, str):
        return rng.choice(AWKWARD_TEXTS)
    return value


def _variant(template: Template, seed: int) -> Template:
    rng = random.Random(seed)
    data = _awkward(template.model_dump(mode="json"), rng)
    if data.get("layout") is not None and rng.random() < 0.5:
        data["layout"]["page_size"] = {"width": rng.uniform(150.0, 2000.0), "height": rng.uniform(200.0, 2000.0)}
    return Template.model_validate(data)


# -- the property ---------------------------------------------------------------------------------
def _reads_back(template: Template, header: str = "") -> None:
    text = template_yaml(template, header)
    assert parse_template(text, "t.yaml") == template, text


def test_every_template_reads_back_as_written(templates: dict[str, Template]) -> None:
    assert {"sipas-2019", "sipas-2023", "quexf", "omrchecker", "omrchecker-marks", "from-scan"} <= set(templates)
    assert templates["omrchecker-marks"].layout is not None and templates["omrchecker-marks"].layout.marks is not None
    for template in templates.values():
        _reads_back(template, "where it came from\n\nwhat to check: a: b # c")


@pytest.mark.parametrize("seed", SEEDS)
def test_awkward_texts_and_numbers_read_back(templates: dict[str, Template], seed: int) -> None:
    for n, template in enumerate(templates.values()):
        _reads_back(_variant(template, seed * 100 + n))


def test_imported_positions_keep_all_their_decimals() -> None:
    template = _quexf_template()
    assert template.layout is not None
    rects = [b.rect for b in template.layout.pages[0].boxes]
    assert any(round(v, 2) != v for r in rects for v in r)  # the case two decimals lost (59.267 mm → 59.27)
    text = template_yaml(template, "")
    back = parse_template(text, "t.yaml")
    assert back.layout is not None and [b.rect for b in back.layout.pages[0].boxes] == rects
    assert "rect: [25.485, 25.993, 5.164, 5.164]" in text  # 301, 307 px and 61 px at 300 dpi, as imported


def test_whole_numbers_are_written_without_a_decimal_point() -> None:
    text = template_yaml(_omrchecker_template(), "")
    assert ".0," not in text and ".0]" not in text and "schema_version: 1\n" in text


# -- writing the file ------------------------------------------------------------------------------
def test_write_template_creates_the_folder_and_says_where_it_came_from(tmp_path: Path) -> None:
    template = _omrchecker_template()
    out = write_template(template, "\nImported for a test\ncheck the boxes\n", tmp_path / "new" / "oc.yaml")
    assert out == tmp_path / "new" / "oc.yaml"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported for a test\n# check the boxes\nschema_version: 1\n")
    assert load_template(out) == template


def test_write_template_refuses_text_that_reads_back_differently(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    template = _omrchecker_template()
    other = template.model_copy(update={"version": "2"})
    monkeypatch.setattr(yamlout, "template_yaml", lambda t, header: template_yaml(other, header))
    out = tmp_path / "oc.yaml"
    with pytest.raises(TemplateError, match=r"oc\.yaml: the YAML written for template oc does not read back"):
        write_template(template, "", out)
    assert not out.exists()
