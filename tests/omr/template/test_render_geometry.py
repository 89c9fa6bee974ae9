"""Rendered forms agree with the geometry JSON, print Vietnamese text and carry decodable QR codes."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from numpy.typing import NDArray

from omr.formid import parse_payload
from omr.render import FormCopy, new_copies, render_pdf
from omr.template.geometry import geometry_json
from omr.template.layout import layout_template
from omr.template.load import builtin_templates, load_template
from omr.template.model import GridField, MultiField, SingleField, Template

MINI = Path(__file__).parents[2] / "fixtures" / "mini.yaml"
TEMPLATES = [str(MINI), *builtin_templates()]


def _rasterise(pdf: bytes, tmp: Path, dpi: int) -> list[NDArray[np.uint8]]:
    (tmp / "f.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(tmp / "f.pdf"), str(tmp / "p")], check=True)
    return [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in sorted(tmp.glob("p-*.pgm"))]


def _edge(profile: NDArray[np.uint8], start: float) -> float:
    """Sub-pixel position (in profile coordinates) where paper first turns to ink, scanning forward."""
    v = profile.astype(float)
    level = (v[:3].mean() + v.min()) / 2
    i = int(np.argmax(v < level))
    assert i > 0, "no paper before the edge"
    return start + (i - 1) + (v[i - 1] - level) / (v[i - 1] - v[i]) + 0.5


def _measured_edges(img: NDArray[np.uint8], rect: list[float], probe: tuple[float, float]) -> list[float]:
    """Outer ink edges (left, top, right, bottom) of a printed rectangle, probing at fractions ``probe``."""
    x, y, w, h = rect
    px, py = int(x + w * probe[0]), int(y + h * probe[1])
    m = 8
    lx0, ty0 = int(x) - m, int(y) - m
    left = _edge(img[py, lx0 : lx0 + 2 * m], lx0)
    top = _edge(img[ty0 : ty0 + 2 * m, px], ty0)
    rx0, by0 = int(x + w) + m, int(y + h) + m
    right = rx0 + 1 - _edge(img[py, rx0 - 2 * m + 1 : rx0 + 1][::-1], 0)
    bottom = by0 + 1 - _edge(img[by0 - 2 * m + 1 : by0 + 1, px][::-1], 0)
    return [left, top, right, bottom]


def _shared_edges(rect: list[float], others: list[list[float]]) -> set[int]:
    """Edges of ``rect`` that touch another rectangle (comb cells share their sides)."""
    x, y, w, h = rect
    out: set[int] = set()
    for ox, oy, ow, _oh in others:
        if abs(oy - y) < 0.5 and abs(ox + ow - x) < 0.5:
            out.add(0)
        if abs(oy - y) < 0.5 and abs(x + w - ox) < 0.5:
            out.add(2)
    return out


@pytest.mark.parametrize("name", TEMPLATES)
def test_rendered_boxes_match_geometry_within_one_pixel(name: str, tmp_path: Path) -> None:
    t = load_template(name)
    pages = _rasterise(render_pdf(t, new_copies(1, seed=3)), tmp_path, 300)
    geo = geometry_json(t, layout_template(t), 300)
    assert len(pages) == len(geo["pages"]) == t.page_count
    worst = 0.0
    for img, page in zip(pages, geo["pages"], strict=True):
        assert abs(img.shape[0] - 3508) <= 1 and abs(img.shape[1] - 2480) <= 1
        boxes = [b["rect"] for b in page["boxes"]]
        items = [(r, (0.5, 0.5)) for r in boxes]
        # Markers: probe through their black border cells; the QR: through its finder patterns.
        items += [(f["rect"], (1 / 12, 1 / 12)) for f in page["fiducials"]]
        items += [(page["qr"]["rect"], (0.05, 0.05))]
        for rect, probe in items:
            got = _measured_edges(img, rect, probe)
            want = [rect[0], rect[1], rect[0] + rect[2], rect[1] + rect[3]]
            skip = _shared_edges(rect, boxes)
            errs = [abs(a - b) for i, (a, b) in enumerate(zip(got, want, strict=True)) if i not in skip]
            worst = max(worst, *errs)
            assert max(errs) <= 1.0, f"{name} page {page['page']}: edges {want} printed at {got}"
    assert worst > 0.0  # the measurement really ran


def test_geometry_json_scales_with_dpi() -> None:
    t = load_template(str(MINI))
    a = geometry_json(t, layout_template(t), 300)
    b = geometry_json(t, layout_template(t), 150)
    ra, rb = a["pages"][0]["boxes"][0]["rect"], b["pages"][0]["boxes"][0]["rect"]
    assert ra == pytest.approx([2 * v for v in rb], abs=0.02)
    assert a["page_size_px"] == [2480.31, 3507.87]
    fields = {box["field"] for box in a["pages"][0]["boxes"]}
    assert fields == set(t.answer_codes())


def _labels(t: Template) -> list[str]:
    out = [t.title.vi]
    for f in t.fields():
        if isinstance(f, SingleField | MultiField):
            out += [o.label.vi for o in f.options]
        elif isinstance(f, GridField):
            out += [o.label.vi for o in f.scale] + [r.label.vi for r in f.rows]
    return out


@pytest.mark.parametrize("name", TEMPLATES)
def test_pdftotext_gives_back_the_vietnamese_labels(name: str, tmp_path: Path) -> None:
    t = load_template(name)
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(render_pdf(t, new_copies(1, seed=1)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    for label in _labels(t):
        # Labels may wrap over lines; every word must be printed, in NFC.
        for word in unicodedata.normalize("NFC", label).split():
            assert word in flat, f"{name}: {word!r} of {label!r} not in the PDF text"


@pytest.mark.parametrize("name", TEMPLATES)
def test_qr_on_every_page_decodes_to_template_form_and_page(name: str, tmp_path: Path) -> None:
    t = load_template(name)
    copies = [FormCopy("K7M2Q9X0"), *new_copies(1, seed=9)]
    copies[0] = FormCopy(new_copies(1, seed=4)[0].form_id)
    pages = _rasterise(render_pdf(t, copies), tmp_path, 200)
    assert len(pages) == 2 * t.page_count
    for i, img in enumerate(pages):
        found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(found) == 1
        ident = parse_payload(found[0].text)
        assert ident is not None
        assert (ident.template, ident.version) == (t.name, t.version)
        assert ident.form_id == copies[i // t.page_count].form_id
        assert (ident.page, ident.pages) == (i % t.page_count + 1, t.page_count)


def test_render_is_deterministic_for_the_same_ids() -> None:
    t = load_template(str(MINI))
    copies = new_copies(3, seed=5)
    assert render_pdf(t, copies) == render_pdf(t, copies)
    assert new_copies(3, seed=5) == copies
    assert len({c.form_id for c in copies}) == 3
