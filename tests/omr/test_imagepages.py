"""Decoding image pages: a JPEG decoded reduced when the reader would reduce it anyway, its bytes kept."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from omr.imagepages import decode_image, jpeg_reduction
from omr.ingest import ScanFile, load_page, open_scan_file, page_refs
from omr.types import PageImage


@pytest.mark.parametrize(("size", "dpi", "long_side", "factor"), [
    ((2480, 3508), 300.0, 2000, 2),     # A4 at 300 dpi: halved, 150 dpi
    ((2575, 3602), None, 2000, 2),      # dpi not said: the size decides
    ((4960, 7016), 600.0, 2000, 4),     # 600 dpi: a quarter, 150 dpi
    ((2976, 4209), 360.0, 2000, 1),     # the reader reduces by 3: libjpeg cannot
    ((1984, 2806), 240.0, 2000, 1),     # halved would be 120 dpi: the reader samples the full page
    ((1240, 1754), 150.0, 2000, 1),     # small enough already
    ((2480, 3508), 300.0, None, 1),     # not asked
])
def test_jpeg_reduction(size: tuple[int, int], dpi: float | None, long_side: int | None, factor: int) -> None:
    assert jpeg_reduction(size, dpi, long_side) == factor


def _jpeg(path: Path, shape: tuple[int, int], *, dpi: int = 300, orientation: int | None = None) -> bytes:
    rng = np.random.default_rng(1)
    image = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, dpi=(dpi, dpi), exif=exif.tobytes())
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def test_a_jpeg_is_decoded_reduced_and_its_bytes_kept(tmp_path: Path) -> None:
    data = _jpeg(tmp_path / "a.jpg", (80, 63))
    decoded = decode_image(tmp_path / "a.jpg", 0, "JPEG image", long_side=40)
    assert not isinstance(decoded, str)
    assert (decoded.image.shape, decoded.factor, decoded.dpi, decoded.jpeg) == ((40, 32), 2, 300.0, data)
    full = decode_image(tmp_path / "a.jpg", 0, "JPEG image")
    assert not isinstance(full, str)
    assert (full.image.shape, full.factor, full.jpeg) == ((80, 63), 1, None)
    means = full.image[:80, :62].reshape(40, 2, 31, 2).mean(axis=(1, 3))
    assert np.abs(decoded.image[:, :31] - means).mean() < 8  # each pixel the mean of its 2×2 block


def test_a_turned_jpeg_is_decoded_upright_and_not_kept_as_it_is(tmp_path: Path) -> None:
    _jpeg(tmp_path / "t.jpg", (80, 64), orientation=6)  # 90° clockwise
    decoded = decode_image(tmp_path / "t.jpg", 0, "JPEG image", long_side=40)
    assert not isinstance(decoded, str)
    assert (decoded.image.shape, decoded.factor, decoded.jpeg) == ((32, 40), 2, None)


def test_a_reduced_page_loads_its_full_size_on_demand(tmp_path: Path) -> None:
    _jpeg(tmp_path / "p.jpg", (4000, 2800))
    scanned = open_scan_file(tmp_path / "p.jpg")
    assert isinstance(scanned, ScanFile)
    ref = next(page_refs(scanned))
    page = load_page(ref, long_side=2000)
    assert isinstance(page, PageImage)
    assert page.image.shape == (2000, 1400) and page.factor == 2 and page.full is not None
    assert page.full().shape == (4000, 2800)
    plain = load_page(ref)
    assert isinstance(plain, PageImage)
    assert plain.image.shape == (4000, 2800) and plain.factor == 1 and plain.full is None
