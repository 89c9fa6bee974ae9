"""The report renders in a browser (Vietnamese title, SVG charts, nothing overflowing) and prints to PDF."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scoring.data import Dataset
from scoring.report import render_html, write_report
from scoring.units import compute_results

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def test_html_is_self_contained(mini_dataset: Dataset) -> None:
    html = render_html(compute_results(mini_dataset), "vi")
    assert "<h1>Phiếu khảo sát thử</h1>" in html and "Báo cáo kết quả" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html
    assert "80,00" in html and "Chỉ số hài lòng chung" in html  # province 01, decimal comma
    assert "Hà Nội" in html and "Hà Giang" in html  # GSO names, not codes
    assert "built-in method" not in html  # no template key resolving to a dict method
    assert "Giữa các tỉnh: thấp nhất 60,00 (Hà Giang), cao nhất 80,00 (Hà Nội)" in html
    assert "giá trị toàn quốc là trung bình cộng giá trị các tỉnh" in html  # the rules in words
    en = render_html(compute_results(mini_dataset), "en")
    assert "<h1>Test survey</h1>" in en and "Results report" in en and "80.00" in en and "80,00" not in en
    assert "Ha Noi" in en and "the national value is the mean of the provinces" in en


@pytest.mark.browser
def test_report_opens_in_chromium(tmp_path: Path, mini_dataset: Dataset, browser: Browser) -> None:
    (html,) = write_report(compute_results(mini_dataset), tmp_path, pdf=False)
    page = browser.new_page(viewport={"width": 900, "height": 800})
    try:
        page.goto(html.as_uri())
        assert page.locator("h1").inner_text() == "Phiếu khảo sát thử"
        assert page.locator("svg.chart").count() >= 3  # elements + province and district rankings
        assert page.locator("#ranking-province svg rect").count() == 2
        assert "Xếp hạng tỉnh" in page.locator("#ranking-province h2").inner_text()
        first = page.locator("#ranking-province tbody tr").first.inner_text()
        assert "Hà Nội" in first and "80,00" in first
        # nothing wider than the window (long headers and answer labels wrap instead)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # every chart label sits left of its bars: no label runs past the plot's left edge at x=0
        boxes = page.evaluate("""[...document.querySelectorAll('svg.chart text[text-anchor=end]')]
                                 .map(t => t.getBBox().x)""")
        assert boxes and min(boxes) >= 0
    finally:
        page.close()


@pytest.mark.slow
def test_pdf_has_vietnamese_text(tmp_path: Path, mini_dataset: Dataset) -> None:
    written = write_report(compute_results(mini_dataset), tmp_path, pdf=True)
    pdf = tmp_path / "report.pdf"
    assert pdf in written and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Chỉ số hài lòng chung" in text
    assert "Phiếu khảo sát thử" in text
