"""Stage 3: which form, template and page is this?

1. The QR code (``SIPAS1|template|version|form id|page|pages``) is decoded with zxing-cpp
   restricted to QR, first on a small crop around its printed place resampled upright from the
   scan (about 2 ms), then on that crop with its finder, timing and alignment patterns repainted
   (:mod:`omr.reader.qrrepair`: a blot on a finder pattern no longer hides the whole symbol), then
   on the whole working copy, then on the full-resolution image.
2. When no QR of ours can be read, the printed id under it (``K7M2-Q9XH  2/4``, DejaVu Sans Mono)
   is OCR'd with a whitelist of the id alphabet and validated by its check symbol. When the id read
   fails its check symbol, or is not one the workspace knows, it is matched against the known form
   ids (:class:`omr.idmatch.KnownIds`, given to the reader context): only an unambiguous nearest
   match one character off is taken, and the page's reason says so ("printed id read as
   SRCB-EFBN, matched to SRCB-EF8N"). A valid id the workspace does not know is taken as read when
   no manifest was imported (a new form), and sent to review when one was (two misread symbols
   pass the check one time in 32). The printed id does not name the template, so the
   template page is chosen by matching the aligned page against the box pattern of every known page
   (:mod:`omr.reader.layoutmatch`), restricted to the page number and page count printed next to
   the id.
3. A page placed by its position in its file (:mod:`omr.placement`) is read with that identity
   only when its layout agrees (:func:`layout_disagrees`).
4. A QR naming a template or version this reader does not know makes the page "not a page of a
   known template".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import zxingcpp
from numpy.typing import NDArray

from omr.formid import ALPHABET, PAYLOAD_PREFIX, PageIdentity, display_form_id, normalise_form_id, parse_payload
from omr.idmatch import KnownIds
from omr.reader.layoutmatch import LayoutIndex, PageKey
from omr.reader.ocr import OcrEngine
from omr.reader.sampling import sample_rect
from omr.template.layout import ID_TEXT_RECT, QR_RECT

_QR_MARGIN_MM = 3.0
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_QR_DPI = 200.0
_ID_DPI = 300.0
_MATCH_MIN = 0.12
_MATCH_LEAD = 0.06
_ID_RE = re.compile(r"([0-9A-Z]{4})\s*[-–—]?\s*([0-9A-Z]{4})")
_PAGE_RE = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})\s*$")
_NOT_ID = re.compile(f"[^{ALPHABET}]")
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


@dataclass(frozen=True)
class QrRead:
    """A decoded QR: its text and its four corners on the image it was found on (input pixels)."""

    text: str
    corners: NDArray[np.float64]


@dataclass(frozen=True)
class Identification:
    """What a page is, where that came from, and why not when it is unknown."""

    identity: PageIdentity | None
    source: Literal["qr", "printed id", "nearest known id", "reviewer", "position", "none"]
    unknown_template: str | None = None
    """Set (the reason) when a readable QR names a template or version that is not loaded."""
    note: str | None = None
    qr: QrRead | None = None


def decode_qr(
    image: NDArray[np.uint8], *, scale: float = 1.0, offset: tuple[float, float] = (0.0, 0.0)
) -> list[QrRead]:
    """Every QR code on a grayscale image (zxing-cpp, QR only).

    ``scale`` and ``offset`` map the image's pixel coordinates back to the caller's image
    (``caller = pixel * scale + offset``) for the reported corners.
    """
    found = []
    for code in zxingcpp.read_barcodes(np.ascontiguousarray(image), formats=_QR_ONLY):
        p = code.position
        pts = np.array([[q.x, q.y] for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)], np.float64)
        found.append(QrRead(code.text, pts * scale + np.array(offset)))
    return found


def _ours(reads: list[QrRead]) -> QrRead | None:
    """The first QR whose payload has our prefix (other QR codes on a page are ignored)."""
    return next((r for r in reads if r.text.startswith(PAYLOAD_PREFIX + "|")), None)


def find_qr_aligned(image: NDArray[np.uint8], homography: NDArray[np.float64]) -> QrRead | None:
    """Decode the QR from its printed place, resampled upright from the scan."""
    crop = sample_rect(image, homography, QR_RECT, dpi=_QR_DPI, margin_mm=_QR_MARGIN_MM)
    return _ours(decode_qr(crop))


def find_qr_anywhere(image: NDArray[np.uint8], small: NDArray[np.uint8], factor: int) -> QrRead | None:
    """Decode the QR anywhere on the page: on the working copy first, then at full resolution."""
    hit = _ours(decode_qr(small, scale=factor, offset=((factor - 1) / 2, (factor - 1) / 2)))
    if hit is None and factor > 1:
        hit = _ours(decode_qr(image))
    return hit


def classify_payload(qr: QrRead, known: set[tuple[str, str]]) -> Identification:
    """Turn a QR of ours into an identification (or an unknown-template verdict)."""
    identity = parse_payload(qr.text)
    if identity is None:
        return Identification(None, "none", note="QR code damaged (payload does not parse)", qr=qr)
    if (identity.template, identity.version) not in known:
        names = sorted({t for t, _ in known})
        why = (f"the QR names template {identity.template} version {identity.version}, which is not loaded "
               f"(known: {', '.join(f'{t} {v}' for t, v in sorted(known)) or 'none'})")
        if identity.template in names:
            why += "; a new version needs its template file"
        return Identification(None, "qr", unknown_template=why, qr=qr)
    return Identification(identity, "qr", qr=qr)


@dataclass(frozen=True)
class PrintedId:
    """What OCR made of the printed id line: the validated id and the page numbers, when readable."""

    text: str
    form_id: str | None
    page: int | None
    pages: int | None
    chars: str = ""
    """The id symbols read (look-alikes mapped, dashes and spaces dropped), valid or not; 7 to 12
    of them, else empty."""


def read_printed_id(image: NDArray[np.uint8], homography: NDArray[np.float64], ocr: OcrEngine) -> PrintedId:
    """OCR the printed ``XXXX-XXXX  p/N`` line under the QR, from the scan at 300 dpi."""
    crop = sample_rect(image, homography, ID_TEXT_RECT, dpi=_ID_DPI, margin_mm=1.0)
    result = ocr.read(crop, lang="eng", psm=7, whitelist=ALPHABET + "OIL-/ ")
    text = result.text.upper()
    form_id = None
    for m in _ID_RE.finditer(text.replace(" ", "")):
        form_id = normalise_form_id(m.group(1) + m.group(2))
        if form_id:
            break
    page = pages = None
    pm = _PAGE_RE.search(text)
    if pm and 1 <= int(pm.group(1)) <= int(pm.group(2)):
        page, pages = int(pm.group(1)), int(pm.group(2))
    chars = _NOT_ID.sub("", (text[:pm.start()] if pm else text).translate(_LOOKALIKE))
    return PrintedId(text, form_id, page, pages, chars if 7 <= len(chars) <= 12 else "")


def _windows(chars: str) -> list[str]:
    """What the id may be in the symbols read: all of them (up to 9: one extra is an edit), or the 8
    at either end (a blot or the QR's edge read as extra symbols beside the id)."""
    out = [chars] if len(chars) <= 9 else []
    if len(chars) > 8:
        out += [chars[-8:], chars[:8]]
    return list(dict.fromkeys(out))


def _resolve_id(printed: PrintedId, known: KnownIds | None) -> tuple[str | None, str | None]:
    """The form id to take from the printed id, and a note when it was matched (or why not)."""
    if printed.form_id is not None and (not known or printed.form_id in known):
        return printed.form_id, None
    if not known or not printed.chars:
        return printed.form_id, None
    tried = [known.match(w) for w in _windows(printed.chars)]
    hits = {m.form_id for m in tried if m.form_id is not None}
    if len(hits) != 1:
        why = tried[0].note if len(hits) == 0 else f"{printed.chars} could be several known form ids"
        if printed.form_id is not None and known.manifest:
            return None, f"{display_form_id(printed.form_id)} is a valid id but no form of the manifest, and {why}"
        return printed.form_id, None if printed.form_id else why
    found = next(m for m in tried if m.form_id is not None)
    shown = display_form_id(printed.chars) if len(printed.chars) == 8 else printed.chars
    return found.form_id, f"printed id read as {shown}, {found.note}"


def identify_by_print(
    printed: PrintedId, smoothed: NDArray[np.float32], contrast: float, index: LayoutIndex,
    known: KnownIds | None = None,
) -> Identification:
    """Identify an aligned page from its printed id and the best-fitting known page layout.

    ``known``: the form ids the workspace knows; an id that fails its check symbol or is unknown is
    matched against them (see the module docstring).
    """
    said = f"printed id {printed.text!r}" if printed.text else "no printed id readable"
    form_id, matched = _resolve_id(printed, known)
    if form_id is None:
        return Identification(None, "none", note=f"QR unreadable, {said}" + (f": {matched}" if matched else ""))
    scores = index.scores(smoothed, contrast)
    if printed.page is not None:
        scores = [(k, s) for k, s in scores if (k.page, k.pages) == (printed.page, printed.pages)] or scores
    best = _unique_best(scores)
    if best is None:
        return Identification(None, "none", note=f"QR unreadable, {said}: the page layout matches no single known page")
    identity = PageIdentity(best.template, best.version, form_id, best.page, best.pages)
    layout = f"the page layout ({best.template} page {best.page}/{best.pages})"
    if matched:
        return Identification(identity, "nearest known id", note=f"QR unreadable; {matched}; {layout}")
    note = f"QR unreadable; identified from the printed id {display_form_id(form_id)} and {layout}"
    return Identification(identity, "printed id", note=note)


def layout_disagrees(identity: PageIdentity, smoothed: NDArray[np.float32], contrast: float,
                     index: LayoutIndex) -> str | None:
    """Why the aligned page's box pattern contradicts ``identity``'s page (None when it agrees).

    It agrees when that page fits well enough and no other known page fits clearly better.
    """
    scores = index.scores(smoothed, contrast)
    mine = next((s for k, s in scores if (k.template, k.version, k.page) ==
                 (identity.template, identity.version, identity.page)), None)
    if mine is None:
        return f"{identity.template} {identity.version} page {identity.page} is not a known page"
    top, best = scores[0]
    if mine < _MATCH_MIN:
        return f"the page layout does not fit {identity.template} page {identity.page} ({mine:.2f})"
    if best - mine >= _MATCH_LEAD:
        return (f"the page layout fits {top.template} page {top.page} ({best:.2f}) better than "
                f"page {identity.page} ({mine:.2f})")
    return None


def _unique_best(scores: list[tuple[PageKey, float]]) -> PageKey | None:
    if not scores or scores[0][1] < _MATCH_MIN:
        return None
    if len(scores) > 1 and scores[0][1] - scores[1][1] < _MATCH_LEAD:
        return None
    return scores[0][0]
