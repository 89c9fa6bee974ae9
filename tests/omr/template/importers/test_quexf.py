"""queXF banding XML import: box group types, grids, 300-dpi pixels to mm, page barcodes, blank pages.

The banding below is written for this test in queXF's format (no queXF file is used).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from omr.errors import TemplateError
from omr.template.importers.quexf import build_template, import_quexf, parse_banding
from omr.template.layout import layout_template
from omr.template.load import load_template
from omr.template.model import DigitsField, GridField, MultiField, SingleField, TextField


def _box(x: int, y: int, value: str = "", label: str = "", size: int = 60) -> str:
    return (f"<box><tlx>{x}</tlx><tly>{y}</tly><brx>{x + size}</brx><bry>{y + size}</bry>"
            f"<value>{value}</value><label>{label}</label></box>")


def _group(kind: int, varname: str, order: int, label: str, boxes: str, section: int = 1) -> str:
    return (f"<boxgroup><type>{kind}</type><width>1</width><varname>{varname}</varname>"
            f"<sortorder>{order}</sortorder><label>{label}</label><groupsection idref=\"{section}\"/>"
            f"{boxes}</boxgroup>")


def _scale(y: int) -> str:
    return _box(1200, y, "1", "Low") + _box(1500, y, "2", "High")


BANDING = f"""<?xml version="1.0"?>
<queXF><questionnaire><id>7</id>
  <section id="1"><label>About you</label><title>A</title></section>
  <section id="2"><label>Opinions</label><title>B</title></section>
  <page><id>00000701</id><tlx>180</tlx><tly>180</tly><rotation>0</rotation>
    {_group(1, "Q1", 1, "Are you a resident? :", _box(300, 300, "1", "Yes") + _box(600, 300, "2", "No"))}
    {_group(1, "G1_A", 3, "How satisfied... : Roads", _scale(600), 2)}
    {_group(1, "G1_B", 4, "How satisfied... : Parks", _scale(700), 2)}
    {_group(2, "Q2", 2, "Which services?", _box(300, 450, "1", "Water") + _box(600, 450, "1", "Power"))}
    {_group(4, "AGE", 5, "Age", _box(420, 900, size=70) + _box(300, 900, size=70) + _box(360, 900, size=70))}
    {_group(3, "NAME", 6, "Name", _box(300, 1100, size=70) + _box(370, 1100, size=70))}
    {_group(6, "NOTE", 7, "Comments", "<box><tlx>300</tlx><tly>1300</tly><brx>2100</brx><bry>1780</bry></box>")}
    {_group(5, "BC", 8, "barcode", _box(1800, 100))}
  </page>
</questionnaire></queXF>"""


def _build() -> tuple[object, list[str]]:
    result = build_template(parse_banding(BANDING, "t.xml"), "t", "Test", [(210.0, 297.0)], source="test",
                            blanks=["t-p1.png"])
    return result.template, list(result.skipped)


def test_groups_in_sort_order_become_fields_of_their_kind() -> None:
    result = build_template(parse_banding(BANDING, "t.xml"), "t", "Test", [(210.0, 297.0)], source="test")
    t = result.template
    codes = [f.code for f in t.pages[0].fields]
    assert codes == ["Q1", "Q2", "G1", "AGE", "NAME", "NOTE"]
    assert isinstance(t.field("Q1"), SingleField) and t.field("Q1").label.en == "Are you a resident?"
    q2 = t.field("Q2")
    assert isinstance(q2, MultiField) and [o.value for o in q2.options] == ["1", "2"]  # duplicate values → positions
    assert isinstance(t.field("AGE"), DigitsField) and isinstance(t.field("NAME"), TextField)
    assert t.sections["B"].en == "Opinions" and t.field("G1").section == "B"
    assert any("BC" in s and "barcode" in s for s in result.skipped)
    assert t.marking.mode == "check"


def test_matrix_items_sharing_a_scale_become_a_grid() -> None:
    t = build_template(parse_banding(BANDING), "t", "Test", [(210.0, 297.0)], source="test").template
    grid = t.field("G1")
    assert isinstance(grid, GridField) and grid.label.en == "How satisfied..."
    assert [(r.code, r.label.en) for r in grid.rows] == [("G1_A", "Roads"), ("G1_B", "Parks")]
    assert [o.label.en for o in grid.scale] == ["Low", "High"]


def test_positions_are_300_dpi_pixels_in_mm_and_pages_carry_their_barcode() -> None:
    t = build_template(parse_banding(BANDING), "t", "Test", [(210.0, 297.0)], source="test",
                       blanks=["t-p1.png"]).template
    assert t.layout is not None and t.layout.page_size == "A4" and t.layout.align == ["features", "page"]
    page = t.layout.pages[0]
    assert page.barcode == "^00000701$" and page.blank == "t-p1.png"
    boxes = {(b.field, b.value): b.rect for b in page.boxes}
    assert boxes[("Q1", "1")] == pytest.approx((25.4, 25.4, 5.08, 5.08))
    assert boxes[("AGE", "1")][0] == pytest.approx(25.4)  # comb cells numbered left to right
    assert boxes[("AGE", "3")][0] == pytest.approx(420 * 25.4 / 300)
    assert boxes[("NAME", "")] == pytest.approx((25.4, 1100 * 25.4 / 300, 140 * 25.4 / 300, 70 * 25.4 / 300), abs=1e-3)
    assert len(layout_template(t).pages[0].boxes) == 2 + 4 + 2 + 3 + 1 + 1


def test_a_banding_with_more_pages_than_the_pdf_is_refused() -> None:
    two = BANDING.replace("</page>", "</page>" + BANDING.split("<page>")[1].split("</page>")[0].replace(
        "00000701", "00000702") + "</page>", 1).replace("</page>" + "<id>", "</page><page><id>")
    banding = parse_banding(two)
    assert len(banding.pages) == 2
    with pytest.raises(TemplateError, match="2 pages but the PDF only 1"):
        build_template(banding, "t", "T", [(210.0, 297.0)], source="t.xml")


def test_a_box_with_no_area_names_its_group() -> None:
    bad = BANDING.replace("<bry>1780</bry>", "<bry>1200</bry>")
    with pytest.raises(TemplateError, match=r"^t\.xml: page 1 boxgroup 7 \(NOTE\): a box"):
        parse_banding(bad, "t.xml")


def test_not_a_banding_file_names_the_file() -> None:
    with pytest.raises(TemplateError, match=r"^x\.xml: not a queXF banding"):
        parse_banding("<html/>", "x.xml")


def test_import_renders_the_blank_pages_and_writes_a_template_that_loads(tmp_path: Path) -> None:
    xml, pdf = tmp_path / "form.xml", tmp_path / "form.pdf"
    xml.write_text(BANDING, encoding="utf-8")
    canvas = Canvas(str(pdf), pagesize=A4)
    canvas.rect(72, 72, 100, 100)
    canvas.showPage()
    canvas.save()
    out = tmp_path / "out" / "form.yaml"
    result = import_quexf(xml, pdf, out)
    blank = cv2.imread(str(tmp_path / "out" / "form-p1.png"), cv2.IMREAD_GRAYSCALE)
    assert blank is not None and blank.shape[0] == 1754 and abs(blank.shape[1] - 1240) <= 1  # A4 at 150 dpi
    t = load_template(out)
    assert t == result.template and t.name == "form"
    assert out.read_text(encoding="utf-8").startswith("# Imported from queXF banding form.xml + form.pdf")
