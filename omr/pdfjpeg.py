"""A PDF page's one JPEG image, read straight from the file (no poppler process).

A scanner's PDF page is one full-page image, most often a baseline JPEG stored as it is (a single
``/DCTDecode`` filter). Its bytes are that JPEG file: :func:`page_jpeg` reads them with pypdf, which
costs well under a millisecond once the file is open, where ``pdfimages`` takes about 20 ms of CPU a
page (a process, poppler loading the file). Anything else — several images, a filter chain, a decode
array, a mask, an indexed, CMYK or Lab colour space, bytes that do not look like a JPEG, a file pypdf
cannot parse — gives None, and the caller asks poppler as before (:mod:`omr.pdfpages`).

Each process keeps the last PDF it read open (pages of a batch come file by file), keyed by the
file's path, size and modification time.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any

_ALLOWED_SPACES = frozenset({"/DeviceGray", "/DeviceRGB", "/CalGray", "/CalRGB"})
_open: tuple[tuple[str, int, int], IO[bytes], Any] | None = None


def _reader(path: Path) -> Any:
    """The pypdf reader of ``path``, opened once per process for the last file asked for."""
    global _open
    from pypdf import PdfReader

    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if _open is not None and _open[0] == key:
        return _open[2]
    close()
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes: poppler has the last word anyway
    fh = path.open("rb")
    try:
        reader = PdfReader(fh)
    except BaseException:
        fh.close()
        raise
    _open = (key, fh, reader)
    return reader


def close() -> None:
    """Close the PDF kept open (if any)."""
    global _open
    if _open is not None:
        _open[1].close()
        _open = None


def _plain_colour_space(space: Any) -> bool:
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, list):  # [/ICCBased <stream>] with 1 or 3 components; other arrays are not plain
        if len(space) == 2 and space[0] == "/ICCBased":
            return int(space[1].get_object().get("/N", 0)) in (1, 3)
        return False
    return str(space) in _ALLOWED_SPACES


def page_jpeg(path: Path, index: int, size: tuple[int, int] | None = None) -> bytes | None:
    """The JPEG file that page ``index`` (0-based) of a PDF is, or None when it is not simply one.

    Parameters
    ----------
    path : Path
        The PDF.
    index : int
        The page, 0-based.
    size : (int, int), optional
        The image's width and height as poppler listed them; an image of another size gives None.

    Returns
    -------
    bytes or None
        The image's stream as stored: a JPEG file with its own header (no other filter applied).
    """
    try:
        page = _reader(path).pages[index]
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return None
        images = [x.get_object() for x in xobjects.get_object().values()
                  if x.get_object().get("/Subtype") == "/Image"]
        if len(images) != 1:
            return None
        image = images[0]
        filters = image.get("/Filter")
        filters = filters.get_object() if hasattr(filters, "get_object") else filters
        if isinstance(filters, list):
            filters = filters[0] if len(filters) == 1 else None
        if filters != "/DCTDecode" or image.get("/DecodeParms") not in (None, {}):
            return None
        if any(k in image for k in ("/Decode", "/Mask", "/SMask", "/ImageMask")):
            return None
        if not _plain_colour_space(image.get("/ColorSpace", "/DeviceGray")):
            return None
        if size is not None and (int(image.get("/Width", 0)), int(image.get("/Height", 0))) != size:
            return None
        data = image._data
        return bytes(data) if isinstance(data, bytes | bytearray) and data[:3] == b"\xff\xd8\xff" else None
    except Exception:  # noqa: BLE001 - anything pypdf cannot make of it: poppler decides
        return None


__all__ = ["close", "page_jpeg"]
