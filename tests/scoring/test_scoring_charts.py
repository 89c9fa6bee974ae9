"""Bar charts: labels fit or wrap, values use the report's decimal mark, the reference is in the legend."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from scoring.charts import CHAR_W, CHART_W, MAX_LABEL_SHARE, Bar, bar_chart, wrap_label

SVG = "{http://www.w3.org/2000/svg}"


def test_short_labels_stay_on_one_line() -> None:
    assert wrap_label("Hà Nội", 200) == ("Hà Nội",)


def test_long_labels_wrap_between_words_and_shorten_only_beyond_two_lines() -> None:
    text = "Công chức trực tiếp giải quyết công việc một cách tận tình chu đáo"
    lines = wrap_label(text, 36 * CHAR_W)
    assert len(lines) == 2 and " ".join(lines) == text
    assert all(len(line) <= 36 for line in lines)
    long = wrap_label(text * 2, 30 * CHAR_W)
    assert len(long) == 2 and long[1].endswith("…") and len(long[1]) <= 30
    assert wrap_label("x" * 50, 20 * CHAR_W)[0].endswith("-")


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_chart_is_valid_svg_with_one_bar_per_unit_and_values_in_vietnamese() -> None:
    bars = [Bar("Quảng Ninh", 87.004, 1, "top"), Bar("Bắc Kạn", 64.01, 2, "bottom")]
    svg = bar_chart(bars, title="Xếp hạng tỉnh", reference=78.08, reference_label="Toàn quốc")
    root = _parse(svg)
    rects = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [r.find(f"{SVG}title").text for r in rects] == ["1. Quảng Ninh: 87,00", "2. Bắc Kạn: 64,01"]  # type: ignore[union-attr]
    assert float(rects[0].get("width", 0)) > float(rects[1].get("width", 0))
    texts = "".join(root.itertext())
    assert "Toàn quốc: 78,08" in texts and "87,00" in texts and "78.08" not in texts
    assert "50" in texts  # the axis starts below the lowest value (64 → 50) and says so
    en = bar_chart(bars, title="Ranking", reference=78.08, reference_label="National", decimal_comma=False)
    assert "National: 78.08" in "".join(_parse(en).itertext())


def test_labels_never_run_off_the_left_edge() -> None:
    label = "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị của người dân và tổ chức về quy định hành chính"
    svg = bar_chart([Bar(label, 75.0), Bar("Thủ tục", 80.0)], title="t")
    root = _parse(svg)
    plot_x = min(float(r.get("x", 0)) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None)
    assert plot_x <= MAX_LABEL_SHARE * CHART_W
    for span in root.iter(f"{SVG}tspan"):
        assert len(span.text or "") * CHAR_W <= plot_x  # right-aligned at plot_x - 8: starts at x >= 0
    spans = [s.text for s in root.iter(f"{SVG}tspan")]
    assert len(spans) == 3  # the long label on two lines


def test_values_are_drawn_last_with_a_halo() -> None:
    svg = bar_chart([Bar("A", 70.0), Bar("B", 80.0)], title="t", reference=75.0, reference_label="R")
    last_line = svg.rindex("<line")
    values = [m.start() for m in re.finditer(r'paint-order="stroke">\d', svg)]
    assert len(values) == 2 and min(values) > last_line


def test_no_bars_no_chart() -> None:
    assert bar_chart([], title="t") == ""
