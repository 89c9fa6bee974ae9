"""The printed form looks official and is readable: national heading, legal basis, a framed
confidentiality statement, body text of at least 10 pt and option labels of at least 9 pt measured
on the 300-dpi raster, boxes of at least 5 mm, one diacritic convention, and pages that never overflow."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml
from numpy.typing import NDArray

from omr.errors import TemplateError
from omr.fonts import text_width_pt
from omr.render import FormCopy, render_pdf
from omr.template.layout import (
    BOX,
    MM_PER_PT,
    NATIONAL_HEADING,
    NATIONAL_MOTTO,
    RuleOp,
    TextOp,
    _Layouter,
    layout_template,
)
from omr.template.load import builtin_templates, load_template
from omr.template.model import GridField, MultiField, SingleField, Template

DPI = 300
PX_PER_MM = DPI / 25.4
TEMPLATES = sorted(builtin_templates())
FORM = FormCopy("K7M2Q9X0")

# Tall letters without diacritics whose outline in DejaVu Sans (Condensed) rises from the baseline to
# the ascender line, 1556 of 2048 font units: their printed height gives the type size.
TALL = "lhkbdT"
ASCENDER_EM = 1556 / 2048
T_EM = 1493 / 2048  # capital T: cap height


def _rasterise(template: Template, tmp: Path) -> list[NDArray[np.uint8]]:
    pdf = tmp / "f.pdf"
    pdf.write_bytes(render_pdf(template, [FORM]))
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(pdf), str(tmp / "p")], check=True)
    return [np.asarray(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE), dtype=np.uint8) for p in sorted(tmp.glob("p-*.pgm"))]


def _crossing(profile: NDArray[np.float64], level: float) -> float:
    """Sub-pixel index where ``profile`` first drops below ``level``."""
    i = int(np.argmax(profile < level))
    if i == 0:
        return 0.0
    return float((i - 1) + (profile[i - 1] - level) / (profile[i - 1] - profile[i]))


def _glyph_sizes(img: NDArray[np.uint8], op: TextOp) -> list[float]:
    """The type size in points of each tall letter of ``op``, measured from its printed height."""
    size_px = op.size * MM_PER_PT * PX_PER_MM
    width = text_width_pt(op.text, op.font, op.size) * MM_PER_PT
    x0 = op.x - (width / 2 if op.anchor == "middle" else width if op.anchor == "end" else 0.0)
    out = []
    for k, ch in enumerate(op.text):
        if ch not in TALL:
            continue
        left = x0 + text_width_pt(op.text[:k], op.font, op.size) * MM_PER_PT
        right = left + text_width_pt(ch, op.font, op.size) * MM_PER_PT
        c0, c1 = int(left * PX_PER_MM + 2), int(right * PX_PER_MM - 2)
        base = op.y * PX_PER_MM
        r0, r1 = int(base - 1.05 * size_px), int(base + 3)
        if c1 <= c0:
            continue
        crop = img[r0:r1, c0:c1].astype(float)
        profile = crop.min(axis=1)  # darkest pixel of each row across the letter's stem
        paper, ink = 255.0, float(profile.min())
        if ink > 128:
            continue
        level = (paper + ink) / 2
        top = r0 + _crossing(profile, level)
        bottom = r1 - _crossing(profile[::-1], level)
        em = T_EM if ch == "T" else ASCENDER_EM
        out.append((bottom - top) / PX_PER_MM / MM_PER_PT / em)
    return out


@pytest.mark.parametrize("name", TEMPLATES)
def test_body_text_is_at_least_10pt_and_options_9pt_on_the_raster(name: str, tmp_path: Path) -> None:
    t = load_template(name)
    layout = layout_template(t)
    pages = _rasterise(t, tmp_path)
    smallest: dict[str, float] = {}
    counts: dict[str, int] = {}
    for img, page in zip(pages, layout.pages, strict=True):
        for op in page.drawing:
            if not isinstance(op, TextOp):
                continue
            sizes = _glyph_sizes(img, op)
            if sizes:
                smallest[op.role] = min(smallest.get(op.role, 99.0), *sizes)
                counts[op.role] = counts.get(op.role, 0) + len(sizes)
    assert counts["body"] > 100 and counts["option"] > 20, counts
    # The measurement tells sizes apart: the 9 pt footer and running head measure as 9 pt or less.
    assert 8.0 < smallest["furniture"] < 9.3, smallest
    assert smallest["body"] >= 10.0, f"{name}: body text measures {smallest['body']:.2f} pt"
    assert smallest["option"] >= 9.0, f"{name}: option labels measure {smallest['option']:.2f} pt"


@pytest.mark.parametrize("name", TEMPLATES)
def test_checkboxes_are_at_least_5mm_on_the_raster(name: str, tmp_path: Path) -> None:
    t = load_template(name)
    layout = layout_template(t)
    pages = _rasterise(t, tmp_path)
    measured = []
    for img, page in zip(pages, layout.pages, strict=True):
        for box in page.boxes:
            if box.kind != "box":
                continue
            r = box.rect
            cx, cy = (int(v * PX_PER_MM) for v in r.centre)
            x0, x1 = int((r.x - 0.8) * PX_PER_MM), int((r.right + 0.8) * PX_PER_MM)
            y0, y1 = int((r.y - 0.8) * PX_PER_MM), int((r.bottom + 0.8) * PX_PER_MM)
            row, col = img[cy, x0:x1], img[y0:y1, cx]
            for profile in (row.astype(float), col.astype(float)):
                level = (255.0 + profile.min()) / 2
                extent = len(profile) - _crossing(profile[::-1], level) - _crossing(profile, level)
                measured.append(extent / PX_PER_MM)
    assert len(measured) > 200
    assert BOX >= 5.0
    assert min(measured) >= 4.95, f"{name}: a box measures {min(measured):.2f} mm"


@pytest.mark.parametrize("name", TEMPLATES)
def test_pdftotext_shows_the_national_heading_and_the_official_lines(name: str, tmp_path: Path) -> None:
    t = load_template(name)
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(render_pdf(t, [FORM]))
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    assert NATIONAL_HEADING in flat and NATIONAL_MOTTO in flat
    assert t.issuer.vi in flat
    assert f"Mẫu phiếu {t.printed_form_code}" in flat
    assert t.legal_basis.vi in flat
    assert t.confidentiality.vi in flat
    assert "Quyết định số" in t.legal_basis.vi  # the built-in templates name their decision


@pytest.mark.parametrize("name", TEMPLATES)
def test_confidentiality_statement_is_framed(name: str) -> None:
    t = load_template(name)
    page = layout_template(t).pages[0]
    lines = [op for op in page.drawing if isinstance(op, TextOp) and op.text and op.text in t.confidentiality.vi]
    assert lines
    rules = [op for op in page.drawing if isinstance(op, RuleOp)]
    top, bottom = min(op.y for op in lines) - 3.0, max(op.y for op in lines) + 3.0
    horizontal = [r for r in rules if r.y1 == r.y2 and top - 3 < r.y1 < bottom + 3 and r.x2 - r.x1 != 0
                  and abs(r.x2 - r.x1) > 150]
    vertical = [r for r in rules if r.x1 == r.x2 and min(r.y1, r.y2) <= top and max(r.y1, r.y2) >= bottom - 3]
    assert len(horizontal) == 2 and len(vertical) == 2


def test_the_2019_running_head_wraps_without_a_lone_word() -> None:
    t = load_template("sipas-2019")
    page = layout_template(t).pages[1]
    heads = [op for op in page.drawing if isinstance(op, TextOp) and op.role == "furniture" and op.y < 30]
    title_lines = [op.text for op in heads[1:]]
    assert " ".join(title_lines) == t.title.vi
    assert len(title_lines) <= 2
    assert all(len(line.split()) >= 4 for line in title_lines)


# -- one diacritic convention: the traditional tone placement (hòa, hóa, thủy, hủy) --------------
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_OPEN_PAIR = re.compile(r"^(?:ngh|ch|gh|gi|kh|ng|nh|ph|th|tr|[bcdđghklmnprstvx])?(oa|oe|uy)$")


def tone_convention(word: str) -> str | None:
    """``traditional`` (tone on the first vowel: hòa, thủy), ``modern`` (hoà, thuỷ) or None for a
    word that does not show the difference (no open oa/oe/uy syllable, no tone, or qu + y)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if not _OPEN_PAIR.match(bare):
        return None
    letters: list[bool] = []
    for c in decomposed:
        if c in _TONES and letters:
            letters[-1] = True
        elif unicodedata.category(c) != "Mn":
            letters.append(False)
    if True not in letters:
        return None
    return "modern" if letters.index(True) == len(letters) - 1 else "traditional"


def test_tone_convention_classifier() -> None:
    assert tone_convention("hòa") == tone_convention("HÓA") == tone_convention("thủy") == "traditional"
    assert tone_convention("hoà") == tone_convention("huỷ") == tone_convention("khoẻ") == "modern"
    assert tone_convention("quý") is None and tone_convention("hoàn") is None and tone_convention("hoa") is None


def _vietnamese_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        out = [v for k, v in node.items() if k == "vi" and isinstance(v, str)]
        return out + [s for v in node.values() for s in _vietnamese_texts(v)]
    if isinstance(node, list):
        return [s for v in node for s in _vietnamese_texts(v)]
    return []


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_use_only_the_traditional_tone_placement(name: str) -> None:
    data = yaml.safe_load(Path(builtin_templates()[name]).read_text(encoding="utf-8"))
    texts = _vietnamese_texts(data)
    assert len(texts) > 50
    printed = [op.text for p in layout_template(load_template(name)).pages for op in p.drawing
               if isinstance(op, TextOp)]
    words = [w for s in [*texts, *printed] for w in re.findall(r"\w+", s)]
    modern = sorted({w for w in words if tone_convention(w) == "modern"})
    assert not modern, f"{name}: modern tone placement in {modern}; write hòa/hóa/thủy/hủy (docs/forms.md)"
    assert any(tone_convention(w) == "traditional" for w in words)  # the national heading's "HÒA" at least


# -- layout limits --------------------------------------------------------------------------------
def test_an_overflowing_page_is_a_clear_error() -> None:
    t = load_template("sipas-2023")
    data = t.model_dump(mode="json", exclude_none=True)
    grid = next(f for f in data["pages"][3]["fields"] if f["kind"] == "grid")
    grid["rows"] = grid["rows"] + [{"code": f"X{i}", "label": {"vi": "Nội dung thêm", "en": "More"}}
                                   for i in range(12)]
    with pytest.raises(TemplateError, match=r"pages\[3\] does not fit on one A4 page.*field Q9cont"):
        _Layouter(Template.model_validate(data)).layout()


def test_a_continued_grid_numbers_its_rows_on() -> None:
    t = load_template("sipas-2023")
    first, rest = (f for f in t.fields() if isinstance(f, GridField) and f.code in ("Q9", "Q9cont"))
    page = layout_template(t).pages[3]
    texts = [op.text for op in page.drawing if isinstance(op, TextOp)]
    assert any(s.startswith(f"{len(first.rows) + 1}. {rest.rows[0].label.vi[:12]}") for s in texts)
    assert not any(s.startswith("1. ") for s in texts)
    data = t.model_dump(mode="json", exclude_none=True)
    cont = next(f for f in data["pages"][3]["fields"] if f["code"] == "Q9cont")
    cont["continues"] = "Q99"
    with pytest.raises(ValueError, match="Q99"):
        Template.model_validate(data)


def test_option_labels_and_questions_use_the_bundled_face_with_vietnamese_glyphs() -> None:
    from reportlab.pdfbase import pdfmetrics

    from omr.fonts import pdf_font

    face = pdfmetrics.getFont(pdf_font("regular")).face
    for name in TEMPLATES:
        t = load_template(name)
        chars = {c for f in t.fields() if isinstance(f, SingleField | MultiField) for o in f.options
                 for c in unicodedata.normalize("NFC", o.label.vi)}
        chars |= set(NATIONAL_HEADING + NATIONAL_MOTTO + t.title.vi + t.legal_basis.vi)
        missing = sorted(c for c in chars if not c.isspace() and ord(c) not in face.charToGlyph)
        assert not missing, f"{name}: no glyph for {missing}"
