"""The report renders in a browser (Vietnamese title, SVG charts) and prints to PDF."""

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
    assert "Báo cáo kết quả: Phiếu khảo sát thử" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html
    assert "80,00" in html and "Chỉ số hài lòng chung" in html  # province 01, decimal comma
    en = render_html(compute_results(mini_dataset), "en")
    assert "Results report: Test survey" in en and "80.00" in en


@pytest.mark.browser
def test_report_opens_in_chromium(tmp_path: Path, mini_dataset: Dataset, browser: Browser) -> None:
    (html,) = write_report(compute_results(mini_dataset), tmp_path, pdf=False)
    page = browser.new_page()
    try:
        page.goto(html.as_uri())
        assert page.locator("h1").inner_text() == "Báo cáo kết quả: Phiếu khảo sát thử"
        assert page.locator("svg.chart").count() >= 3  # elements + province and district rankings
        assert page.locator("#ranking-province svg rect").count() == 2
        assert "Xếp hạng" in page.locator("#ranking-province h2").inner_text()
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
