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

This module plans and dispatches; the formats themselves are decoded by :mod:`omr.pdfpages`
(poppler) and :mod:`omr.imagepages` (Pillow).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from omr.imagepages import MAX_PIXELS, Decoded, decode_image, tiff_page_count, to_gray
from omr.pdfpages import PdfPageInfo, load_pdf_page, pdf_page_infos
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

SUPPORTED_HINT = "use PDF, TIFF, JPEG or PNG scans"


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
                    yield _not_regular(p) or p.absolute()
        elif path.exists():
            yield _not_regular(path) or path.absolute()
        else:
            yield PageError(str(path), None, "no such file or folder; check the path")


def _not_regular(path: Path) -> PageError | None:
    """A :class:`PageError` for a named pipe, socket, device or broken link (reading one could hang)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return PageError(str(path), None, f"cannot read it ({exc.strerror or exc}); skipped")
    if stat.S_ISREG(mode):
        return None
    what = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return PageError(str(path), None, f"{what}, not a scan file; skipped (move it out of the scan folder)")


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
        infos = pdf_page_infos(path)
        if isinstance(infos, str):
            return PageError(where, None, infos)
        return ScanFile(path, kind, len(infos), size, infos)
    if kind == "tiff":
        frames = tiff_page_count(path)
        if isinstance(frames, str):
            return PageError(where, None, frames)
        return ScanFile(path, kind, frames, size)
    return ScanFile(path, kind, 1, size)


def page_refs(scan_file: ScanFile) -> Iterator[PageRef]:
    """The pages of a file, in order."""
    for i in range(scan_file.pages):
        pdf = scan_file.pdf_pages[i] if scan_file.pdf_pages else None
        yield PageRef(scan_file.path, scan_file.kind, i, pdf)


def load_page(ref: PageRef, *, long_side: int | None = None) -> PageImage | PageError:
    """Decode one page to grayscale; a :class:`PageError` naming the file and page if impossible.

    ``long_side``: the reader's working long side (``ReaderConfig.detect_long_side_px``). With it a
    JPEG page (a file, or the one image of a PDF page) is decoded reduced when the reader would reduce
    it by 2, 4 or 8 anyway (:func:`omr.imagepages.jpeg_reduction`); the page then carries a loader
    of its full-size image (:attr:`PageImage.full`) for the stages that need it.
    """
    result = _decode(ref, long_side)
    if isinstance(result, str):
        return PageError(str(ref.path), ref.index, result)
    image = result.image
    if image.ndim != 2 or min(image.shape) < 16:
        return PageError(str(ref.path), ref.index, f"the page image is only {image.shape[1]}×{image.shape[0]} px; "
                                                   "scan at 150–600 dpi")
    full = _full_loader(ref) if result.factor > 1 else None
    return PageImage(str(ref.path), ref.index, np.ascontiguousarray(image), result.dpi, result.factor, full,
                     result.jpeg)


def _decode(ref: PageRef, long_side: int | None) -> Decoded | str:
    if ref.kind == "pdf":
        return load_pdf_page(ref.path, ref.index, ref.pdf, long_side=long_side)
    return decode_image(ref.path, ref.index, f"{KIND_NAMES[ref.kind]} image"
                        + (f" page {ref.index + 1}" if ref.kind == "tiff" else ""), long_side=long_side)


def _full_loader(ref: PageRef) -> Callable[[], NDArray[np.uint8]]:
    """Decodes the page at full size again (raises :class:`OSError` naming why if it no longer can)."""

    def load() -> NDArray[np.uint8]:
        result = _decode(ref, None)
        if isinstance(result, str):
            raise OSError(result)
        return np.ascontiguousarray(result.image)

    return load


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
