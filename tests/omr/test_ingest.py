"""Ingest on real files of every format, and a corpus of broken inputs that must not stop a batch."""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from omr.ingest import (
    MAX_PIXELS,
    file_sha256,
    iter_input_paths,
    iter_pages,
    load_page,
    open_scan_file,
    page_refs,
)
from omr.render import new_copies, render_pdf
from omr.template.load import load_template
from omr.types import PageError, PageImage

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml"


def pattern(w: int = 240, h: int = 320, seed: int = 0) -> np.ndarray:
    """Light paper with a dark block at a known place (top-left quarter) and a little noise."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w), 235, np.uint8)
    img[h // 8: h // 4, w // 8: w // 4] = 20
    return np.clip(img.astype(int) + rng.integers(-3, 4, img.shape), 0, 255).astype(np.uint8)


def pages(paths: list[Path]) -> list[PageImage | PageError]:
    return list(iter_pages(paths))


def only_images(items: list[PageImage | PageError]) -> list[PageImage]:
    assert all(isinstance(p, PageImage) for p in items), [p for p in items if isinstance(p, PageError)]
    return [p for p in items if isinstance(p, PageImage)]


def assert_pattern(img: np.ndarray, tolerance: int = 20) -> None:
    h, w = img.shape
    assert img.dtype == np.uint8
    assert abs(int(img[h * 3 // 16, w * 3 // 16]) - 20) <= tolerance  # the dark block
    assert abs(int(img[h * 3 // 4, w * 3 // 4]) - 235) <= tolerance  # paper


def test_jpeg_150_dpi(tmp_path: Path) -> None:
    path = tmp_path / "page.jpg"
    Image.fromarray(pattern()).save(path, quality=92, dpi=(150, 150))
    (page,) = only_images(pages([path]))
    assert page.image.shape == (320, 240) and page.dpi == 150 and page.index == 0
    assert page.source == str(path) and page.key == f"{path}#1"
    assert_pattern(page.image)


def test_colour_jpeg_named_png_is_read_as_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "really-a-jpeg.png"
    Image.fromarray(pattern()).convert("RGB").save(path, format="JPEG", quality=92)
    (page,) = only_images(pages([path]))
    assert page.image.ndim == 2 and page.dpi is None
    assert_pattern(page.image)


def test_jpeg_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90° clockwise to view
    Image.fromarray(pattern()).save(path, quality=92, exif=exif)
    (page,) = only_images(pages([path]))
    assert page.image.shape == (240, 320)


def test_png_600_dpi_with_alpha_and_16_bit(tmp_path: Path) -> None:
    rgba = np.dstack([pattern()] * 3 + [np.full((320, 240), 255, np.uint8)])
    rgba[0:10, :, 3] = 0  # transparent strip → white paper
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png", dpi=(600, 600))
    Image.fromarray(pattern().astype(np.uint16) * 257).save(tmp_path / "b.png")
    a, b = only_images(pages([tmp_path / "a.png", tmp_path / "b.png"]))
    assert a.dpi == pytest.approx(600, abs=1) and int(a.image[0:10].min()) == 255
    assert_pattern(a.image)
    assert b.image.dtype == np.uint8
    assert_pattern(b.image, tolerance=4)  # the pattern's noise is ±3


def test_multipage_tiff_g4_and_gray(tmp_path: Path) -> None:
    bits = [Image.fromarray(pattern(seed=i)).point(lambda v: 255 if v > 128 else 0).convert("1") for i in range(3)]
    g4 = tmp_path / "batch.tif"
    bits[0].save(g4, compression="group4", save_all=True, append_images=bits[1:], dpi=(300, 300))
    gray = tmp_path / "gray.tiff"
    frames = [Image.fromarray(pattern(seed=i)) for i in range(2)]
    frames[0].save(gray, compression="tiff_lzw", save_all=True, append_images=frames[1:], dpi=(200, 200))
    scan = open_scan_file(g4)
    assert not isinstance(scan, PageError) and (scan.kind, scan.pages) == ("tiff", 3)
    out = only_images(pages([g4, gray]))
    assert [(p.source, p.index) for p in out] == [(str(g4), 0), (str(g4), 1), (str(g4), 2), (str(gray), 0),
                                                   (str(gray), 1)]
    for p in out[:3]:
        assert set(np.unique(p.image).tolist()) == {0, 255} and p.dpi == 300
        assert (p.image[60, 45], p.image[240, 180]) == (0, 255)  # ink block black, paper white
    assert out[3].dpi == 200
    assert np.array_equal(out[4].image, pattern(seed=1))  # lossless


def _embedded_jpeg_pdf(path: Path, count: int, dpi: int, full_page: bool = True) -> list[tuple[int, int]]:
    c = Canvas(str(path), invariant=1)
    sizes = []
    for i in range(count):
        img = pattern(400 + 10 * i, 560, seed=i)
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=90)
        buf.seek(0)
        w_pt, h_pt = img.shape[1] / dpi * 72, img.shape[0] / dpi * 72
        c.setPageSize((w_pt, h_pt))
        from reportlab.lib.utils import ImageReader

        scale = 1.0 if full_page else 0.5
        c.drawImage(ImageReader(buf), 0, 0, width=w_pt * scale, height=h_pt * scale)
        c.showPage()
        sizes.append(img.shape)
    c.save()
    return sizes


def test_scanned_pdf_gives_the_embedded_images_at_their_own_dpi(tmp_path: Path) -> None:
    path = tmp_path / "scanner.pdf"
    sizes = _embedded_jpeg_pdf(path, 3, 150)
    out = only_images(pages([path]))
    assert [p.image.shape for p in out] == sizes  # extracted natively, not re-rasterised at 300 dpi
    assert [p.dpi for p in out] == [150.0] * 3 and [p.index for p in out] == [0, 1, 2]
    for p in out:
        assert_pattern(p.image)


def test_pdf_page_that_is_not_one_full_page_image_is_rasterised(tmp_path: Path) -> None:
    path = tmp_path / "half.pdf"
    _embedded_jpeg_pdf(path, 1, 150, full_page=False)
    (page,) = only_images(pages([path]))
    assert page.dpi == 300 and page.image.shape == (1120, 800)  # 3.73 × 5.33 in at 300 dpi


def test_vector_pdf_is_rasterised_at_300_dpi(tmp_path: Path) -> None:
    path = tmp_path / "forms.pdf"
    path.write_bytes(render_pdf(load_template(MINI), new_copies(2, seed=1)))
    out = only_images(pages([path]))
    assert [(p.index, p.image.shape, p.dpi) for p in out] == [(0, (3508, 2481), 300.0), (1, (3508, 2481), 300.0)]
    assert out[0].image.min() == 0 and np.median(out[0].image) == 255  # black print on white paper


def test_folder_walk_is_natural_sorted_and_skips_hidden_and_companions(tmp_path: Path) -> None:
    Image.fromarray(pattern()).save(tmp_path / "scan10.png")
    Image.fromarray(pattern()).save(tmp_path / "scan2.png")
    (tmp_path / "sub").mkdir()
    Image.fromarray(pattern()).save(tmp_path / "sub" / "scan1.jpg")
    (tmp_path / ".hidden").mkdir()
    Image.fromarray(pattern()).save(tmp_path / ".hidden" / "x.png")
    Image.fromarray(pattern()).save(tmp_path / ".thumb.png")
    (tmp_path / "forms.manifest.csv").write_text("form_id\n", encoding="utf-8")
    (tmp_path / "truth.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "letter.docx").write_bytes(b"PK\x03\x04 not a scan")
    found = list(iter_input_paths([tmp_path, tmp_path / "missing.pdf"]))
    names = [p.name if isinstance(p, Path) else p.source for p in found]
    assert names == ["letter.docx", "scan2.png", "scan10.png", "scan1.jpg", str(tmp_path / "missing.pdf")]
    assert isinstance(found[-1], PageError) and "no such file" in found[-1].reason
    docx = open_scan_file(tmp_path / "letter.docx")
    assert isinstance(docx, PageError) and "not a supported scan file" in docx.reason


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    data = random.Random(0).randbytes(3 << 20)
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def _png_header_only(path: Path, w: int, h: int) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


@pytest.fixture
def corrupt_corpus(tmp_path: Path) -> dict[str, Path]:
    """Every kind of broken input an operator meets, plus one good page at the end."""
    good = pattern()
    files: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        files[name] = tmp_path / name
        files[name].write_bytes(data)

    put("a-zero.pdf", b"")
    pdf = tmp_path / "whole.pdf"
    _embedded_jpeg_pdf(pdf, 2, 150)
    put("b-truncated.pdf", pdf.read_bytes()[: pdf.stat().st_size // 2])
    buf = io.BytesIO()
    Image.fromarray(good).save(buf, format="JPEG", quality=90)
    put("c-truncated.jpg", buf.getvalue()[: len(buf.getvalue()) // 2])
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(pdf))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    put("d-encrypted.pdf", out.getvalue())
    put("e-text.pdf", b"Minutes of the meeting\nnot a PDF at all\n")
    put("f-random.png", random.Random(1).randbytes(5000))
    buf = io.BytesIO()
    Image.fromarray(good).save(buf, format="PNG")
    png = buf.getvalue()
    put("g-damaged.png", png[:60] + random.Random(2).randbytes(len(png) - 60))
    files["h-huge.png"] = tmp_path / "h-huge.png"
    _png_header_only(files["h-huge.png"], 13_000, 13_000)
    Image.fromarray(good).save(tmp_path / "z-good.png")
    files["z-good.png"] = tmp_path / "z-good.png"
    pdf.unlink()
    return files


EXPECTED = {
    "a-zero.pdf": (None, "the file is empty (0 bytes)"),
    "b-truncated.pdf": (None, "damaged PDF"),
    "c-truncated.jpg": (0, "truncated"),
    "d-encrypted.pdf": (None, "protected by a password"),
    "e-text.pdf": (None, "not a PDF file although it is named .pdf"),
    "f-random.png": (None, "not a PNG file although it is named .png"),
    "g-damaged.png": (0, "cannot decode the PNG image"),
    "h-huge.png": (0, f"more than the {MAX_PIXELS / 1e6:.0f} MP limit"),
}


def test_corrupt_inputs_each_give_a_clear_error_and_the_batch_goes_on(corrupt_corpus: dict[str, Path]) -> None:
    folder = corrupt_corpus["z-good.png"].parent
    out = pages([folder])
    errors = {Path(e.source).name: e for e in out if isinstance(e, PageError)}
    assert set(errors) == set(EXPECTED)
    for name, (index, text) in EXPECTED.items():
        assert errors[name].index == index, name
        assert text in errors[name].reason, (name, errors[name].reason)
    good = [p for p in out if isinstance(p, PageImage)]
    assert [Path(p.source).name for p in good] == ["z-good.png"]  # the last file, after all the broken ones


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    path.chmod(0)
    err = open_scan_file(path)
    assert isinstance(err, PageError) and "permission denied" in err.reason


def test_a_permission_error_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", deny)
    err = open_scan_file(path)
    assert isinstance(err, PageError) and err.index is None
    assert "permission denied" in err.reason and "chmod" in err.reason


def test_load_page_by_reference_matches_the_stream(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    _embedded_jpeg_pdf(path, 2, 200)
    scan = open_scan_file(path)
    assert not isinstance(scan, PageError)
    refs = list(page_refs(scan))
    assert [r.key for r in refs] == [f"{path}#1", f"{path}#2"]
    assert refs[1].pdf is not None and refs[1].pdf.single_full_page_image
    second = load_page(refs[1])
    assert isinstance(second, PageImage) and second.index == 1 and second.image.shape == (560, 410)


def test_a_truncated_multipage_tiff_keeps_its_good_pages(tmp_path: Path) -> None:
    frames = [Image.fromarray(pattern(seed=i)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    path = tmp_path / "cut.tif"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    out = pages([path])
    assert isinstance(out[0], PageImage) and np.array_equal(out[0].image, pattern(seed=0))
    assert all(isinstance(p, PageError) and p.index == i for i, p in enumerate(out) if i > 0) and len(out) >= 2
    assert isinstance(out[1], PageError) and "page 2" in out[1].reason and "truncated" in out[1].reason
