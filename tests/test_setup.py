"""The real external parts that `make setup` installs are there and work."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Browser

from omr._tools import tessdata_dir, which_or_raise
from omr.errors import MissingDependencyError

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_tessdata_dir_has_vietnamese() -> None:
    assert (tessdata_dir() / "vie.traineddata").is_file()


def test_tessdata_prefix_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    with pytest.raises(MissingDependencyError, match="TESSDATA_PREFIX"):
        tessdata_dir()
    (tmp_path / "tessdata").mkdir()
    for lang in ("eng", "vie"):
        (tmp_path / "tessdata" / f"{lang}.traineddata").write_bytes(b"")
    assert tessdata_dir() == tmp_path / "tessdata"


def test_tesserocr_reads_printed_vietnamese() -> None:
    import tesserocr

    text = "Xin chào Việt Nam"
    image = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(image).text((20, 25), text, font=ImageFont.truetype(str(DEJAVU), 48), fill=0)
    with tesserocr.PyTessBaseAPI(path=str(tessdata_dir()), lang="vie", psm=tesserocr.PSM.SINGLE_LINE) as api:
        assert "vie" in api.GetLoadedLanguages()
        api.SetImage(image)
        read = api.GetUTF8Text().strip()
    assert unicodedata.normalize("NFC", read) == text


@pytest.mark.parametrize("program", ["pdftoppm", "pdfimages"])
def test_poppler_programs_run(program: str) -> None:
    path = which_or_raise(program, "poppler-utils")
    done = subprocess.run([str(path), "-v"], capture_output=True, text=True, check=True)
    assert "poppler" in (done.stdout + done.stderr).lower()


def test_which_or_raise_names_the_package() -> None:
    with pytest.raises(MissingDependencyError, match="apt-get install no-such-package"):
        which_or_raise("sipas-no-such-program", "no-such-package")


def test_zxing_decodes_a_segno_qr() -> None:
    import segno
    import zxingcpp

    matrix = np.array(segno.make_qr("SIPAS|form=000123|page=1").matrix, dtype=np.uint8)
    image = np.pad(np.kron(1 - matrix, np.ones((8, 8), dtype=np.uint8)) * 255, 32, constant_values=255)
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    assert [r.text for r in results] == ["SIPAS|form=000123|page=1"]


@pytest.mark.browser
def test_headless_chromium_renders_vietnamese(browser: Browser) -> None:
    page = browser.new_page()
    try:
        page.goto("data:text/html;charset=utf-8,<p>Xin chào Việt Nam</p>")
        assert page.inner_text("p") == "Xin chào Việt Nam"
    finally:
        page.close()


@pytest.mark.postgres
def test_postgres_answers(pg_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar_one() == 1
            assert conn.execute(sa.text("select current_database()")).scalar_one() == "sipas_test"
    finally:
        engine.dispose()
