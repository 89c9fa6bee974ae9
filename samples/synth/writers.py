"""Store scanned pages the way scanners do: multi-page PDF or TIFF batches, or one JPEG/PNG a page.

* PDF: one full-page image per page — a baseline JPEG (DCTDecode), or for bilevel (fax) pages a
  CCITT Group 4 image — at the page's resolution; no text, no timestamps (same input, same bytes).
* TIFF: multi-page; Group 4 for bilevel pages, JPEG-in-TIFF otherwise (Deflate when lossless).
* JPEG / PNG: one file per page, resolution in the JFIF / pHYs header.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, TiffImagePlugin

from samples.synth.choices import FORMATS as FORMATS  # re-exported
from samples.synth.choices import Format as Format
from samples.synth.degrade import jpeg_artifacts
from samples.synth.scan import ScannedPage

EXTENSIONS: dict[Format, str] = {"pdf": ".pdf", "tiff": ".tif", "jpeg": ".jpg", "png": ".png"}
MULTI_PAGE: frozenset[Format] = frozenset({"pdf", "tiff"})


def _pil(page: ScannedPage) -> Image.Image:
    if page.bilevel:
        return Image.fromarray(page.image > 127)
    return Image.fromarray(page.image)


def encode_jpeg(page: ScannedPage) -> bytes:
    """The page as a baseline JPEG with its resolution in the JFIF header."""
    buf = io.BytesIO()
    _pil(page).save(buf, "JPEG", quality=page.jpeg or 92, dpi=(page.dpi, page.dpi))
    return buf.getvalue()


def encode_png(page: ScannedPage) -> bytes:
    """The page as PNG (1-bit for bilevel pages); a lossy scan keeps its JPEG artefacts."""
    buf = io.BytesIO()
    image = page.image
    if page.jpeg is not None and not page.bilevel:
        image = jpeg_artifacts(image, quality=page.jpeg)
    pil = Image.fromarray(image > 127) if page.bilevel else Image.fromarray(image)
    pil.save(buf, "PNG", dpi=(page.dpi, page.dpi))
    return buf.getvalue()


def encode_g4(page: ScannedPage) -> bytes:
    """The raw CCITT Group 4 data of a bilevel page (one strip, 0 = white as fax machines send)."""
    buf = io.BytesIO()
    # Pillow stores mode "1" as min-is-black; inverting first yields the fax convention (0 = white)
    # that PDF's CCITTFaxDecode assumes by default (/BlackIs1 false).
    Image.fromarray(page.image <= 127).save(buf, "TIFF", compression="group4", strip_size=2**30)
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as tiff:
        if not isinstance(tiff, TiffImagePlugin.TiffImageFile):
            raise TypeError("Pillow did not write a TIFF")
        offsets, counts = tiff.tag_v2[273], tiff.tag_v2[279]
    if isinstance(offsets, tuple) and len(offsets) != 1:
        raise RuntimeError("Group 4 encoding produced more than one strip")
    offset = offsets[0] if isinstance(offsets, tuple) else offsets
    count = counts[0] if isinstance(counts, tuple) else counts
    return data[int(offset) : int(offset) + int(count)]


def _pdf_image(page: ScannedPage) -> tuple[bytes, bytes]:
    """The image XObject dictionary (without /Length) and its stream data."""
    rows, cols = page.image.shape[:2]
    if page.bilevel:
        data = encode_g4(page)
        head = (f"/Type /XObject /Subtype /Image /Width {cols} /Height {rows} /ColorSpace /DeviceGray "
                f"/BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns {cols} "
                f"/Rows {rows} /BlackIs1 false >>")
    else:
        data = encode_jpeg(page)
        space = "/DeviceRGB" if page.image.ndim == 3 else "/DeviceGray"
        head = (f"/Type /XObject /Subtype /Image /Width {cols} /Height {rows} /ColorSpace {space} "
                "/BitsPerComponent 8 /Filter /DCTDecode")
    return head.encode(), data


@dataclass(frozen=True)
class _PdfPage:
    head: bytes
    data: bytes
    width_pt: float
    height_pt: float


def _pdf_page(page: ScannedPage) -> _PdfPage:
    rows, cols = page.image.shape[:2]
    head, data = _pdf_image(page)
    return _PdfPage(head, data, cols * 72.0 / page.dpi, rows * 72.0 / page.dpi)


def _pdf_bytes(pages: Sequence[_PdfPage]) -> bytes:
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")
    pages_obj = add(b"")
    kids: list[int] = []
    for page in pages:
        w_pt, h_pt = page.width_pt, page.height_pt
        image = add(b"<< " + page.head + b" /Length %d >>\nstream\n" % len(page.data) + page.data
                    + b"\nendstream")
        content = f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q".encode()
        contents = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(
            f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {w_pt:.4f} {h_pt:.4f}] "
            f"/Resources << /XObject << /Im0 {image} 0 R >> >> /Contents {contents} 0 R >>".encode()
        ))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    objects[pages_obj - 1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    )
    info = add(b"<< /Producer (sipas synth) /Creator (sipas synth: synthetic scans with ground truth) >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def write_pdf(pages: Sequence[ScannedPage], path: Path) -> None:
    """A scanner's PDF: one page per scan, each one full-page image at the scan's resolution."""
    path.write_bytes(_pdf_bytes([_pdf_page(p) for p in pages]))


def _tiff_options(page: ScannedPage) -> dict[str, object]:
    options: dict[str, object] = {"dpi": (page.dpi, page.dpi)}
    if page.bilevel:
        options["compression"] = "group4"
    elif page.jpeg is not None:
        options.update(compression="jpeg", quality=page.jpeg)
    else:
        options["compression"] = "tiff_adobe_deflate"
    return options


def write_tiff(pages: Sequence[ScannedPage], path: Path) -> None:
    """A multi-page TIFF: Group 4 for bilevel pages, JPEG for lossy scans, Deflate otherwise."""
    with BatchWriter(path, "tiff") as writer:
        for page in pages:
            writer.add(page)


class BatchWriter:
    """Writes one scanner batch page by page, holding only encoded pages in memory.

    For ``pdf`` and ``tiff`` every page goes into ``path``; for ``jpeg`` and ``png`` page *k*
    (1-based) goes into ``<stem>-p<k:03d><ext>`` beside it. :meth:`add` returns the file name and
    the page's 0-based index in that file.
    """

    def __init__(self, path: Path, fmt: Format) -> None:
        self.path, self.fmt = path, fmt
        self.count = 0
        self._pdf: list[_PdfPage] = []
        self._fh: BinaryIO | None = None
        self._tiff: TiffImagePlugin.AppendingTiffWriter | None = None
        if fmt == "tiff":
            self._fh = path.open("w+b")
            self._tiff = TiffImagePlugin.AppendingTiffWriter(self._fh, new=True)

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, page: ScannedPage) -> tuple[str, int]:
        self.count += 1
        if self.fmt == "pdf":
            self._pdf.append(_pdf_page(page))
            return self.path.name, self.count - 1
        if self._tiff is not None:
            _pil(page).save(self._tiff, "TIFF", **_tiff_options(page))
            self._tiff.newFrame()
            return self.path.name, self.count - 1
        single = self.path.with_name(f"{self.path.stem}-p{self.count:03d}{EXTENSIONS[self.fmt]}")
        write_single(page, single, self.fmt)
        return single.name, 0

    def close(self) -> None:
        if self.fmt == "pdf" and self._pdf:
            self.path.write_bytes(_pdf_bytes(self._pdf))
            self._pdf = []
        if self._tiff is not None:
            self._tiff.close()
            self._tiff = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def write_single(page: ScannedPage, path: Path, fmt: Format) -> None:
    """One page as one JPEG or PNG file."""
    path.write_bytes(encode_jpeg(page) if fmt == "jpeg" else encode_png(page))


def decode_check(path: Path) -> int:
    """How many pages a written TIFF/JPEG/PNG holds (a cheap self-check for tests and tools)."""
    with Image.open(path) as im:
        return int(getattr(im, "n_frames", 1))


