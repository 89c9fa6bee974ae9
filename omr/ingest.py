"""Turn scan files into page images, one page at a time (never a whole batch in memory).

Inputs are files or folders (walked recursively in natural order, hidden entries skipped). The
format is told by the file's first bytes, not by its name: PDF (a page that is one full-page
image gives that image back at its own resolution, any other page is rasterised at 300 dpi by
poppler), TIFF (multi-page, 1-bit CCITT G4 included), JPEG, PNG, BMP and WebP. Everything comes
out as 8-bit grayscale, paper light and ink dark.

Planning and decoding are split so a batch driver can plan in one process and decode in many:
:func:`open_scan_file` sniffs a file and counts its pages (cheap), :func:`page_refs` names its
pages, and :func:`load_page` decodes one page (costly). A file or page that cannot be read becomes
a :class:`~omr.types.PageError` naming the file, the page and what to do; it never stops a batch.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from omr._tools import which_or_raise
from omr.types import PageError, PageImage

FileKind = Literal["pdf", "tiff", "jpeg", "png", "bmp", "webp"]
KIND_NAMES: dict[str, str] = {"pdf": "PDF", "tiff": "TIFF", "jpeg": "JPEG", "png": "PNG", "bmp": "BMP",
                              "webp": "WebP"}
EXTENSIONS: dict[str, FileKind] = {
    ".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff", ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg",
    ".png": "png", ".bmp": "bmp", ".webp": "webp",
}
SIDECAR_EXTENSIONS = frozenset({".csv", ".json", ".txt", ".md", ".yaml", ".yml", ".log", ".xml", ".ini",
                                ".sqlite", ".sqlite-wal", ".sqlite-shm", ".db"})
"""Companion files met in scan folders (manifests, truth tables, notes): skipped in folder walks."""

MAX_PIXELS = 150_000_000
"""Larger pages are refused (an A4 page at 1200 dpi is 139 MP); protects against decompression bombs."""
RASTER_DPI = 300
SUPPORTED_HINT = "use PDF, TIFF, JPEG or PNG scans"
_TIMEOUT_S = 300
_FULL_PAGE_TOLERANCE = 0.03
_EXIF_ORIENTATION = 0x0112
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


@dataclass(frozen=True)
class ScanFile:
    """A sniffed input file: its format and page count (what a batch needs to plan its pages)."""

    path: Path
    kind: FileKind
    pages: int
    size: int
    pdf_pages: tuple[PdfPageInfo, ...] = ()


@dataclass(frozen=True)
class PageRef:
    """One page of a :class:`ScanFile`: small and cheap to send to a worker process."""

    path: Path
    kind: FileKind
    index: int
    pdf: PdfPageInfo | None = None

    @property
    def key(self) -> str:
        return f"{self.path}#{self.index + 1}"


def _natural_key(name: str) -> list[tuple[int, int | str]]:
    """``scan2`` before ``scan10``."""
    return [(0, int(part)) if part.isdigit() else (1, part.lower()) for part in re.split(r"(\d+)", name)]


def iter_input_paths(paths: Sequence[Path]) -> Iterator[Path | PageError]:
    """Every file named or found under a named folder, in natural order; hidden entries skipped."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted((d for d in dirs if not d.startswith(".")), key=_natural_key)
                for name in sorted(files, key=_natural_key):
                    p = Path(root) / name
                    if name.startswith(".") or p.suffix.lower() in SIDECAR_EXTENSIONS:
                        continue
                    yield p.absolute()
        elif path.exists():
            yield path.absolute()
        else:
            yield PageError(str(path), None, "no such file or folder; check the path")


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content (hex), read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _sniff(head: bytes) -> FileKind | None:
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


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


def _open_pdf(path: Path, size: int) -> ScanFile | PageError:
    pdfinfo = which_or_raise("pdfinfo", "poppler-utils")
    done = _run([str(pdfinfo), str(path)], "pdfinfo")
    if isinstance(done, str):
        return PageError(str(path), None, done)
    if done.returncode != 0:
        return PageError(str(path), None, _pdf_reason(done.stderr))
    found = re.search(r"^Pages:\s+(\d+)", done.stdout.decode("utf-8", "replace"), re.M)
    pages = int(found.group(1)) if found else 0
    if pages < 1:
        return PageError(str(path), None, "the PDF has no pages; export the scan again")
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
    return ScanFile(path, "pdf", pages, size, tuple(infos))


def _tiff_frames(path: Path) -> int | str:
    """Pages of a TIFF. A damaged page after good ones counts too: reading it names the damage."""
    count = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                while True:
                    img.seek(count)
                    count += 1
    except EOFError:
        return count
    except Exception as exc:  # Pillow raises many types on damaged files
        if count == 0:
            return f"damaged TIFF ({_describe(exc)}); export the scan again"
        return count + 1


def open_scan_file(path: Path) -> ScanFile | PageError:
    """Sniff a file and count its pages without decoding them; a :class:`PageError` if unusable."""
    where = str(path)
    ext_kind = EXTENSIONS.get(path.suffix.lower())
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except PermissionError:
        return PageError(where, None, "permission denied; give the scanning user read access (chmod a+r) "
                                      "or copy the file somewhere readable")
    except OSError as exc:
        return PageError(where, None, f"cannot read the file: {exc.strerror or exc}")
    if size == 0:
        return PageError(where, None, "the file is empty (0 bytes): the scan or copy did not finish; "
                                      "scan or copy it again")
    kind = _sniff(head)
    if kind is None:
        if ext_kind is None:
            return PageError(where, None, f"not a supported scan file ({SUPPORTED_HINT})")
        return PageError(where, None, f"not a {KIND_NAMES[ext_kind]} file although it is named "
                                      f"{path.suffix} (it starts with {head[:8]!r}); export the scan again")
    if kind == "pdf":
        return _open_pdf(path, size)
    if kind == "tiff":
        frames = _tiff_frames(path)
        if isinstance(frames, str):
            return PageError(where, None, frames)
        return ScanFile(path, kind, frames, size)
    return ScanFile(path, kind, 1, size)


def page_refs(scan_file: ScanFile) -> Iterator[PageRef]:
    """The pages of a file, in order."""
    for i in range(scan_file.pages):
        pdf = scan_file.pdf_pages[i] if scan_file.pdf_pages else None
        yield PageRef(scan_file.path, scan_file.kind, i, pdf)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return text if text and isinstance(exc, OSError | SyntaxError | ValueError) else f"{exc.__class__.__name__}: {text}"


def _too_big(w: int, h: int) -> str | None:
    if w * h > MAX_PIXELS:
        return (f"the page image is {w}×{h} px ({w * h / 1e6:.0f} MP), more than the "
                f"{MAX_PIXELS / 1e6:.0f} MP limit; scan at 150–600 dpi")
    return None


def _dpi_of(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi) if dpi else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and 100 <= value <= 1200 else None


def to_gray(img: Image.Image) -> NDArray[np.uint8]:
    """A decoded Pillow image as uint8 grayscale (1-bit → 0/255, 16-bit scaled, alpha on white)."""
    if img.mode == "L":
        return np.asarray(img, dtype=np.uint8)
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(img).astype(np.float64)
        top = 65535.0 if img.mode.startswith("I;16") else max(float(arr.max()), 1.0)
        return np.clip(arr * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img.convert("RGBA"))
    return np.asarray(img.convert("L"), dtype=np.uint8)


Decoded = tuple[NDArray[np.uint8], float | None]
"""A grayscale page and its dpi when the file says."""


def _decode(path: Path, frame: int, what: str) -> Decoded | str:
    """Decode one frame of an image file: (gray image, dpi) or a reason."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                if frame:
                    img.seek(frame)
                if big := _too_big(*img.size):
                    return big
                if img.format == "JPEG" and img.mode in ("RGB", "YCbCr"):
                    img.draft("L", img.size)
                dpi = _dpi_of(img)
                img.load()
                turned = img.format == "JPEG" and img.getexif().get(_EXIF_ORIENTATION, 1) not in (0, 1)
                upright: Image.Image = ImageOps.exif_transpose(img) if turned else img
                return to_gray(upright), dpi
    except Image.DecompressionBombError:
        return f"the image is larger than the {MAX_PIXELS / 1e6:.0f} MP limit; scan at 150–600 dpi"
    except (Exception, MemoryError) as exc:  # Pillow raises many types on damaged files
        detail = _describe(exc)
        hint = "copy or scan it again" if "truncated" in detail else "export or scan it again"
        return f"cannot decode the {what} ({detail}); {hint}"


def _pdf_image(ref: PageRef, tmp: Path) -> Decoded | str | None:
    """The page's one embedded image at its own resolution, or None to rasterise instead."""
    info = ref.pdf
    if info is None or not info.single_full_page_image or info.image_px is None:
        return None
    if _too_big(*info.image_px):
        return None
    n = str(ref.index + 1)
    done = _run([str(which_or_raise("pdfimages", "poppler-utils")), "-j", "-f", n, "-l", n, str(ref.path),
                 str(tmp / "img")], "pdfimages")
    files = sorted(tmp.glob("img-*"))
    if isinstance(done, str) or done.returncode != 0 or len(files) != 1:
        return None
    decoded = _decode(files[0], 0, "embedded image")
    if isinstance(decoded, str):
        return decoded
    image = decoded[0]
    if float(np.median(image[::8, ::8])) < 64:
        return None  # an inverted (Decode array) or masked image: let poppler draw the page
    return image, info.image_ppi


def _pdf_raster(ref: PageRef, tmp: Path) -> Decoded | str:
    if ref.pdf is not None:
        w = round(ref.pdf.width_pt / 72 * RASTER_DPI)
        h = round(ref.pdf.height_pt / 72 * RASTER_DPI)
        if big := _too_big(w, h):
            return big
    n = str(ref.index + 1)
    done = _run([str(which_or_raise("pdftoppm", "poppler-utils")), "-r", str(RASTER_DPI), "-gray", "-f", n,
                 "-l", n, "-singlefile", str(ref.path), str(tmp / "page")], "pdftoppm")
    if isinstance(done, str):
        return done
    out = tmp / "page.pgm"
    if done.returncode != 0 or not out.exists():
        return f"the page cannot be drawn: {_pdf_reason(done.stderr)}"
    decoded = _decode(out, 0, "rendered page")
    return decoded if isinstance(decoded, str) else (decoded[0], float(RASTER_DPI))


def load_page(ref: PageRef) -> PageImage | PageError:
    """Decode one page to grayscale; a :class:`PageError` naming the file and page if impossible."""
    source = str(ref.path)
    result: Decoded | str | None
    if ref.kind == "pdf":
        with tempfile.TemporaryDirectory(prefix="sipas-page-") as tmp:
            result = _pdf_image(ref, Path(tmp))
            if result is None:
                result = _pdf_raster(ref, Path(tmp))
    else:
        result = _decode(ref.path, ref.index, f"{KIND_NAMES[ref.kind]} image"
                         + (f" page {ref.index + 1}" if ref.kind == "tiff" else ""))
    if isinstance(result, str):
        return PageError(source, ref.index, result)
    if result is None:
        return PageError(source, ref.index, "the page cannot be decoded")
    image, dpi = result
    if image.ndim != 2 or min(image.shape) < 16:
        return PageError(source, ref.index, f"the page image is only {image.shape[1]}×{image.shape[0]} px; "
                                            "scan at 150–600 dpi")
    return PageImage(source, ref.index, np.ascontiguousarray(image), dpi)


def iter_pages(paths: Sequence[Path]) -> Iterator[PageImage | PageError]:
    """Every page of every input, decoded one at a time (files or folders; errors as values)."""
    for item in iter_input_paths(paths):
        if isinstance(item, PageError):
            yield item
            continue
        scan_file = open_scan_file(item)
        if isinstance(scan_file, PageError):
            yield scan_file
            continue
        for ref in page_refs(scan_file):
            yield load_page(ref)


__all__ = ["MAX_PIXELS", "PageRef", "PdfPageInfo", "ScanFile", "file_sha256", "iter_input_paths", "iter_pages",
           "load_page", "open_scan_file", "page_refs", "to_gray"]
