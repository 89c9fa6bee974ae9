"""A PDF page's one JPEG read straight from the file: the bytes poppler would extract, or None."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from omr.pdfjpeg import close, page_jpeg


def _jpeg(width: int, height: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _pdf(path: Path, pages: list[list[tuple[str, bytes]]]) -> None:
    """A minimal PDF: each page shows its images (extra dictionary entries, stream data) side by side."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    kids = []
    pages_id = 2 + sum(len(p) + 2 for p in pages)  # the /Pages object comes last
    add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
    for images in pages:
        names = []
        for i, (extra, data) in enumerate(images):
            head = (f"<< /Type /XObject /Subtype /Image /Width 64 /Height 48 /BitsPerComponent 8 {extra} "
                    f"/Length {len(data)} >>")
            names.append((f"/Im{i}", add(head.encode() + b"\nstream\n" + data + b"\nendstream")))
        draw = " ".join(f"q 64 0 0 48 {64 * i} 0 cm {n} Do Q" for i, (n, _) in enumerate(names)).encode()
        content = add(b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
        xobjects = " ".join(f"{n} {o} 0 R" for n, o in names)
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {64 * len(names)} 48] "
                        f"/Resources << /XObject << {xobjects} >> >> /Contents {content} 0 R >>".encode()))
    assert add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()) \
        == pages_id
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


@pytest.fixture(autouse=True)
def _closed() -> None:
    close()


GRAY = "/ColorSpace /DeviceGray /Filter /DCTDecode"


def test_a_scanner_page_gives_the_jpeg_poppler_extracts(tmp_path: Path) -> None:
    first, second = _jpeg(64, 48, 1), _jpeg(64, 48, 2)
    pdf = tmp_path / "scan.pdf"
    _pdf(pdf, [[(GRAY, first)], [(GRAY, second)]])
    assert page_jpeg(pdf, 0, (64, 48)) == first and page_jpeg(pdf, 1) == second
    subprocess.run(["pdfimages", "-j", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "x")], check=True)
    assert (tmp_path / "x-000.jpg").read_bytes() == second


@pytest.mark.parametrize("extra", [
    "/ColorSpace /DeviceGray /Filter [/FlateDecode /DCTDecode]",   # a filter chain
    "/ColorSpace /DeviceGray /Filter /DCTDecode /Decode [1 0]",     # inverted
    "/ColorSpace /DeviceCMYK /Filter /DCTDecode",                   # not gray or RGB
    "/ColorSpace /DeviceGray /Filter /FlateDecode",                 # not a JPEG
])
def test_anything_but_a_plain_jpeg_is_left_to_poppler(tmp_path: Path, extra: str) -> None:
    pdf = tmp_path / "other.pdf"
    _pdf(pdf, [[(extra, _jpeg(64, 48, 1))]])
    assert page_jpeg(pdf, 0) is None


def test_two_images_a_wrong_size_a_missing_page_or_a_damaged_file_give_none(tmp_path: Path) -> None:
    pdf = tmp_path / "two.pdf"
    _pdf(pdf, [[(GRAY, _jpeg(64, 48, 1)), (GRAY, _jpeg(64, 48, 2))], [(GRAY, _jpeg(64, 48, 3))]])
    assert page_jpeg(pdf, 0) is None
    assert page_jpeg(pdf, 1, (640, 480)) is None
    assert page_jpeg(pdf, 5) is None
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really\n")
    assert page_jpeg(broken, 0) is None


def test_a_file_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    _pdf(pdf, [[(GRAY, _jpeg(64, 48, 1))]])
    assert page_jpeg(pdf, 0) == _jpeg(64, 48, 1)
    _pdf(pdf, [[(GRAY, _jpeg(64, 48, 7))], [(GRAY, _jpeg(64, 48, 8))]])
    assert page_jpeg(pdf, 1) == _jpeg(64, 48, 8)
