"""PDF pages through poppler: what each page holds (cheap, for planning) and one page as an image.

:func:`pdf_page_infos` asks ``pdfinfo`` and ``pdfimages -list`` for every page's size and images.
:func:`load_pdf_page` gives one page as 8-bit grayscale: a page that is one full-page image (a
scanner's page) gives that image back at its own resolution (a JPEG read straight from the file,
:mod:`omr.pdfjpeg`, else ``pdfimages``), any other page is
rasterised at :data:`RASTER_DPI` (``pdftoppm``). A poppler program that fails or hangs gives a
reason naming the damage and what to do, never an exception; a missing poppler raises
:class:`~omr.errors.MissingDependencyError`.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from omr._tools import which_or_raise
from omr.imagepages import Decoded, decode_image, too_big
from omr.pdfjpeg import page_jpeg

RASTER_DPI = 300
_TIMEOUT_S = 300
_FULL_PAGE_TOLERANCE = 0.03
_PDFIMAGES_ROW = re.compile(
    r"^\s*(\d+)\s+\d+\s+(\w+)\s+(\d+)\s+(\d+)\s+\S+\s+\d+\s+\d+\s+(\S+)\s+\S+\s+\d+\s+\d+\s+([\d.]+)\s+([\d.]+)"
)
_PDFINFO_SIZE = re.compile(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts")


@dataclass(frozen=True)
class PdfPageInfo:
    """What poppler says about one PDF page: its size and, when it is one image, that image."""

    width_pt: float
    height_pt: float
    image_count: int
    image_px: tuple[int, int] | None = None
    image_ppi: float | None = None

    @property
    def single_full_page_image(self) -> bool:
        """True when the page is exactly one image covering the whole page (a scanner's page)."""
        if self.image_count != 1 or self.image_px is None or not self.image_ppi:
            return False
        w_in, h_in = self.image_px[0] / self.image_ppi, self.image_px[1] / self.image_ppi
        pw, ph = self.width_pt / 72, self.height_pt / 72
        return any(abs(a - pw) <= _FULL_PAGE_TOLERANCE * pw and abs(b - ph) <= _FULL_PAGE_TOLERANCE * ph
                   for a, b in ((w_in, h_in), (h_in, w_in)))


def _run(args: list[str], what: str) -> subprocess.CompletedProcess[bytes] | str:
    """Run a poppler tool; the completed process, or a reason when it could not run in time."""
    try:
        return subprocess.run(args, capture_output=True, timeout=_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"{what} took longer than {_TIMEOUT_S} s; the PDF may be damaged or unusually complex"


def _poppler_message(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return "; ".join(dict.fromkeys(lines)) or "no message"


def _pdf_reason(stderr: bytes) -> str:
    msg = _poppler_message(stderr)
    if "password" in msg.lower():
        return ("the PDF is protected by a password; save an unprotected copy (e.g. `qpdf --decrypt "
                "--password=… in.pdf out.pdf`) and scan that")
    return f"damaged PDF ({msg}): the file is probably truncated or not a PDF; copy or export it again"


def pdf_page_infos(path: Path) -> tuple[PdfPageInfo, ...] | str:
    """Every page of a PDF as poppler sees it (one per page, at least one), or why the PDF is unusable."""
    pdfinfo = which_or_raise("pdfinfo", "poppler-utils")
    done = _run([str(pdfinfo), str(path)], "pdfinfo")
    if isinstance(done, str):
        return done
    if done.returncode != 0:
        return _pdf_reason(done.stderr)
    found = re.search(r"^Pages:\s+(\d+)", done.stdout.decode("utf-8", "replace"), re.M)
    pages = int(found.group(1)) if found else 0
    if pages < 1:
        return "the PDF has no pages; export the scan again"
    sizes = _run([str(pdfinfo), "-f", "1", "-l", str(pages), str(path)], "pdfinfo")
    dims: dict[int, tuple[float, float]] = {}
    if not isinstance(sizes, str):
        for line in sizes.stdout.decode("utf-8", "replace").splitlines():
            if m := _PDFINFO_SIZE.match(line):
                dims[int(m.group(1))] = (float(m.group(2)), float(m.group(3)))
    images: dict[int, list[tuple[str, int, int, str, float]]] = {}
    listed = _run([str(which_or_raise("pdfimages", "poppler-utils")), "-list", str(path)], "pdfimages")
    if not isinstance(listed, str):
        for line in listed.stdout.decode("utf-8", "replace").splitlines():
            if m := _PDFIMAGES_ROW.match(line):
                images.setdefault(int(m.group(1)), []).append(
                    (m.group(2), int(m.group(3)), int(m.group(4)), m.group(5), float(m.group(6))))
    infos = []
    for n in range(1, pages + 1):
        w, h = dims.get(n, (595.276, 841.89))
        rows = images.get(n, [])
        if len(rows) == 1 and rows[0][0] == "image":
            _, iw, ih, _, ppi = rows[0]
            infos.append(PdfPageInfo(w, h, 1, (iw, ih), ppi))
        else:
            infos.append(PdfPageInfo(w, h, len(rows)))
    return tuple(infos)


def _embedded_image(path: Path, index: int, info: PdfPageInfo | None, tmp: Path,
                    long_side: int | None) -> Decoded | str | None:
    """The page's one embedded image at its own resolution (a JPEG possibly reduced, see
    :func:`~omr.imagepages.decode_image`), or None to rasterise instead."""
    if info is None or not info.single_full_page_image or info.image_px is None:
        return None
    if too_big(*info.image_px):
        return None
    jpeg = page_jpeg(path, index, info.image_px)  # the page's JPEG as stored, without a poppler process
    if jpeg is not None:
        files = [tmp / "img.jpg"]
        files[0].write_bytes(jpeg)
    else:
        n = str(index + 1)
        done = _run([str(which_or_raise("pdfimages", "poppler-utils")), "-j", "-f", n, "-l", n, str(path),
                     str(tmp / "img")], "pdfimages")
        files = sorted(tmp.glob("img-*"))
        if isinstance(done, str) or done.returncode != 0 or len(files) != 1:
            return None
    decoded = decode_image(files[0], 0, "embedded image", long_side=long_side, known_dpi=info.image_ppi)
    if isinstance(decoded, str):
        return decoded
    if float(np.median(decoded.image[::8, ::8])) < 64:
        return None  # an inverted (Decode array) or masked image: let poppler draw the page
    return replace(decoded, dpi=info.image_ppi)


def _raster(path: Path, index: int, info: PdfPageInfo | None, tmp: Path) -> Decoded | str:
    """The page drawn by ``pdftoppm`` at :data:`RASTER_DPI`, or why it cannot be."""
    if info is not None:
        w = round(info.width_pt / 72 * RASTER_DPI)
        h = round(info.height_pt / 72 * RASTER_DPI)
        if big := too_big(w, h):
            return big
    n = str(index + 1)
    done = _run([str(which_or_raise("pdftoppm", "poppler-utils")), "-r", str(RASTER_DPI), "-gray", "-f", n,
                 "-l", n, "-singlefile", str(path), str(tmp / "page")], "pdftoppm")
    if isinstance(done, str):
        return done
    out = tmp / "page.pgm"
    if done.returncode != 0 or not out.exists():
        return f"the page cannot be drawn: {_pdf_reason(done.stderr)}"
    decoded = decode_image(out, 0, "rendered page")
    return decoded if isinstance(decoded, str) else replace(decoded, dpi=float(RASTER_DPI))


def load_pdf_page(path: Path, index: int, info: PdfPageInfo | None, *, long_side: int | None = None) -> Decoded | str:
    """Page ``index`` (0-based) of a PDF as a gray image with its dpi, or why it cannot be decoded.

    ``info`` is what :func:`pdf_page_infos` said about the page; without it the page is rasterised.
    ``long_side``: the reader's working long side, for a page that is one JPEG to be decoded reduced
    (:func:`~omr.imagepages.decode_image`); a rasterised page is always drawn at :data:`RASTER_DPI`.
    """
    with tempfile.TemporaryDirectory(prefix="sipas-page-") as tmp:
        result = _embedded_image(path, index, info, Path(tmp), long_side)
        if result is None:
            result = _raster(path, index, info, Path(tmp))
    return result


__all__ = ["RASTER_DPI", "PdfPageInfo", "load_pdf_page", "pdf_page_infos"]
