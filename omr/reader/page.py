"""The page reader's driver: blank? → align → identify → read. One page image in, one reading out.

Pure: no database, no files written. It never raises for bad image content; the page's outcome
says what happened:

``blank``     a blank back (no markers, almost no ink);
``rejected``  not a page of a known template (no markers and no QR, or a QR naming a template that
              is not loaded), or an image that cannot be decoded;
``review``    the page could not be aligned or identified, or some field is flagged;
``read``      every field was accepted automatically.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np
from numpy.typing import NDArray

from omr.formid import PageIdentity
from omr.reader.align import (
    MIN_WARP_SOURCE_DPI,
    MM_PER_INCH,
    Alignment,
    AlignmentFailure,
    align_by_markers,
    local_scale,
    warp_to_template,
)
from omr.reader.blank import check_blank
from omr.reader.boxes import calibrate_page, smooth_page
from omr.reader.content import OcrSource, read_content
from omr.reader.context import ReaderContext
from omr.reader.features import align_by_features
from omr.reader.fiducials import find_markers
from omr.reader.identify import (
    Identification,
    classify_payload,
    find_qr_aligned,
    find_qr_anywhere,
    identify_by_print,
    layout_disagrees,
    read_printed_id,
)
from omr.reader.qrrepair import find_qr_repaired
from omr.reader.unprinted import read_unprinted
from omr.types import BoxReading, FieldReading, PageImage, PageOutcome, PageReading

log = logging.getLogger(__name__)
_MIN_SIDE = 200
NOT_A_FORM = "not a page of a known template"


def read_page(
    page: PageImage,
    ctx: ReaderContext,
    *,
    identity: PageIdentity | None = None,
    homography: NDArray[np.float64] | None = None,
    placed: str | None = None,
) -> PageReading:
    """Read one page image.

    Parameters
    ----------
    page : PageImage
        The page, grayscale (colour and other dtypes are converted).
    ctx : ReaderContext
        Built once per worker with :meth:`ReaderContext.load`.
    identity : PageIdentity, optional
        What a reviewer said the page is (form id and page typed in): the QR and the printed id are
        not looked at.
    homography : (3, 3) ndarray, optional
        Template mm → image pixels from the corner markers a reviewer clicked: the markers are not
        searched for.
    placed : str, optional
        ``identity`` was inferred from the page's position in its file (this says how): the page is
        read with it only when its box pattern agrees, and the reason carries this note.

    Returns
    -------
    PageReading
        The outcome, identity, fields, boxes, homography (template mm → input pixels), residual,
        rotation and the aligned page; see the module docstring for the outcomes.
    """
    image = _as_gray(page.image)
    if image is None or min(image.shape) < _MIN_SIDE:
        shape = "x".join(str(s) for s in np.shape(page.image))
        return PageReading("rejected", reason=f"unreadable image: {shape} pixels is not a page image")
    try:
        if identity is not None and (identity.template, identity.version) in ctx.fixed:
            unprinted = read_unprinted(image, find_markers(image, detector=ctx.detector, config=ctx.config), ctx,
                                       page, identity)
            if unprinted is not None:
                return unprinted
        if page.factor > 1 and page.full is not None:
            reduced = _Reduced(page.factor, page.full)
            if homography is None:
                try:
                    return reduced.to_full_size(_read(image, ctx, identity, None, placed, page, reduced))
                except _NeedsFullPage:
                    pass
            try:
                image = _as_gray(reduced.image())
            except OSError as exc:
                return PageReading("rejected", reason=f"unreadable image: {exc}")
            if image is None:
                return PageReading("rejected", reason="unreadable image: the full-size page is not a page image")
        return _read(image, ctx, identity, homography, placed, page)
    except cv2.error as exc:
        log.debug("%s: OpenCV failed: %s", page.key, exc)
        return PageReading("rejected", reason=f"unreadable image: {str(exc.err or exc).strip()}")


def _given_alignment(image: NDArray[np.uint8], homography: NDArray[np.float64]) -> Alignment:
    """The alignment a reviewer gave by clicking the corner markers."""
    h = np.asarray(homography, dtype=np.float64).reshape(3, 3)
    return Alignment(h, 0.0, 0.0, 0, "reviewer", (), warp_to_template(image, h))


class _NeedsFullPage(Exception):
    """A page decoded reduced needs a stage that only the full-size page serves: read it again at full size."""


class _Reduced:
    """A page decoded reduced by ``factor`` (libjpeg DCT scaling), with the loader of its full-size image.

    Read reduced, a page is located, identified by its QR and read as at full size: the reader works on
    the page reduced to about 150 dpi anyway. Only the fallbacks (markers or the QR not found, a page
    below 140 dpi once reduced) read it again at full size, and writing areas are OCR'd from the
    full-size page, decoded when the first one is written.
    """

    def __init__(self, factor: int, load: Callable[[], NDArray[np.uint8]]) -> None:
        self.factor = factor
        self.load = load
        self.full: NDArray[np.uint8] | None = None
        c = (factor - 1) / 2
        self.to_full = np.array([[factor, 0.0, c], [0.0, factor, c], [0.0, 0.0, 1.0]])
        """Reduced-image pixels → full-size pixels (pixel centres at integers)."""

    def image(self) -> NDArray[np.uint8]:
        if self.full is None:
            self.full = self.load()
        return self.full

    def ocr_source(self, homography: NDArray[np.float64]) -> OcrSource:
        """The full-size page and its homography, decoded when first called (for OCR at 300 dpi)."""

        def source() -> tuple[NDArray[np.uint8], NDArray[np.float64]]:
            try:
                full = _as_gray(self.image())
            except OSError as exc:
                raise _NeedsFullPage from exc
            if full is None:
                raise _NeedsFullPage
            return full, self.to_full @ homography

        return source

    def to_full_size(self, reading: PageReading) -> PageReading:
        """A reading made on the reduced image, its geometry in full-size pixels."""
        if reading.homography is None:
            return reading
        h = self.to_full @ np.asarray(reading.homography, np.float64).reshape(3, 3)
        h = h / h[2, 2]
        residual = None if reading.residual_px is None else round(reading.residual_px * self.factor, 3)
        return replace(reading, homography=tuple(float(v) for v in h.ravel()), residual_px=residual)


def _read(image: NDArray[np.uint8], ctx: ReaderContext, given_identity: PageIdentity | None,
          given_homography: NDArray[np.float64] | None, placed: str | None, page: PageImage,
          reduced: _Reduced | None = None) -> PageReading:
    config = ctx.config
    scan = find_markers(image, detector=ctx.detector, config=config)
    if not scan.found and given_identity is None and given_homography is None:
        blank = check_blank(scan.small, config=config)
        if blank.blank:
            return PageReading("blank", reason=f"blank page ({blank.ink_share:.2%} ink)")
    fit: Alignment | AlignmentFailure = (
        _given_alignment(image, given_homography) if given_homography is not None
        else align_by_markers(image, scan, config=config)
    )
    if reduced is not None and (not isinstance(fit, Alignment)
                                or min(local_scale(fit.homography)) * MM_PER_INCH < MIN_WARP_SOURCE_DPI):
        raise _NeedsFullPage
    if given_identity is not None:
        qr = None
        ident = (Identification(given_identity, "position", note=placed) if placed
                 else Identification(given_identity, "reviewer", note="identified by a reviewer"))
    else:
        qr = find_qr_aligned(image, fit.homography) if isinstance(fit, Alignment) else None
        if qr is None and reduced is not None:
            raise _NeedsFullPage
        if qr is None and isinstance(fit, Alignment):
            qr = find_qr_repaired(image, fit.homography)
        if qr is None:
            qr = find_qr_anywhere(image, scan.small, scan.factor)
        ident = classify_payload(qr, ctx.known) if qr is not None else Identification(None, "none")
    if ident.unknown_template:
        return PageReading("rejected", reason=f"{NOT_A_FORM}: {ident.unknown_template}")
    if isinstance(fit, AlignmentFailure) and ident.identity is not None:
        idn = ident.identity
        second = align_by_features(image, scan, ctx.reference(idn.template, idn.version, idn.page), config=config)
        fit = second if isinstance(second, Alignment) else AlignmentFailure(
            f"{fit.reason}; matching the blank page: {second.reason}", scan.ids)
    if isinstance(fit, AlignmentFailure):
        if not scan.found and qr is None:
            unprinted = read_unprinted(image, scan, ctx, page) if ctx.fixed else None
            return unprinted or PageReading("rejected", reason=f"{NOT_A_FORM}: no corner markers and no QR code found")
        return PageReading("review", identity=ident.identity, reason=f"alignment failed: {fit.reason}")
    if ident.identity is None:
        smoothed = smooth_page(fit.aligned)
        printed = read_printed_id(image, fit.homography, ctx.ocr)
        ident = identify_by_print(printed, smoothed, calibrate_page(smoothed).contrast, ctx.layout_index,
                                  ctx.known_ids)
    elif ident.source == "position" and given_identity is not None:
        smoothed = smooth_page(fit.aligned)
        why = layout_disagrees(given_identity, smoothed, calibrate_page(smoothed).contrast, ctx.layout_index)
        if why:
            return _aligned_reading("review", fit, reason=f"unidentified page: {placed}, but {why}")
    identity = ident.identity
    if identity is None:
        return _aligned_reading("review", fit, reason=f"unidentified page: {ident.note}")
    key = (identity.template, identity.version)
    if key not in ctx.layouts:
        return PageReading("rejected", identity=identity,
                           reason=f"{NOT_A_FORM}: {identity.template} {identity.version} is not loaded")
    layout = ctx.layouts[key]
    if identity.pages != len(layout.pages):
        return PageReading("rejected", identity=identity, reason=(
            f"{NOT_A_FORM}: the QR says page {identity.page}/{identity.pages} but {identity.template} "
            f"{identity.version} has {len(layout.pages)} pages"))
    content = read_content(image, fit, ctx.templates[key], layout.page(identity.page), ctx,
                           ocr_source=reduced.ocr_source(fit.homography) if reduced is not None else None)
    flagged = [f for f in content.fields if f.status != "auto"]
    notes = [ident.note] if ident.source != "qr" and ident.note else []
    if flagged:
        first = flagged[0]
        notes.append(f"{len(flagged)} field(s) flagged, first {first.field}: {first.reason}")
    if fit.method == "features":
        notes.append("aligned by matching the blank page (corner markers missing)")
    outcome: PageOutcome = "review" if flagged else "read"
    return _aligned_reading(
        outcome, fit, identity=identity, reason="; ".join(notes) or None, fields=content.fields, boxes=content.boxes
    )


def _aligned_reading(
    outcome: PageOutcome,
    fit: Alignment,
    *,
    reason: str | None,
    identity: PageIdentity | None = None,
    fields: tuple[FieldReading, ...] = (),
    boxes: tuple[BoxReading, ...] = (),
) -> PageReading:
    """A reading of an aligned page, with its geometry."""
    return PageReading(
        outcome, identity=identity, reason=reason, fields=fields, boxes=boxes,
        homography=tuple(float(v) for v in fit.homography.ravel()), residual_px=round(fit.residual_px, 3),
        aligned=fit.aligned, rotation=fit.rotation,
    )


def _as_gray(image: object) -> NDArray[np.uint8] | None:
    """The image as a 2-D uint8 array (colour converted, 1-bit and 16-bit rescaled), or None."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        arr = cv2.cvtColor(np.ascontiguousarray(arr.astype(np.uint8)), cv2.COLOR_BGR2GRAY if arr.shape[2] == 3
                           else cv2.COLOR_BGRA2GRAY)
    if arr.ndim != 2 or arr.size == 0:
        return None
    if arr.dtype == np.bool_:
        arr = np.where(arr, 255, 0).astype(np.uint8)
    elif arr.dtype == np.uint16:
        arr = (arr >> 8).astype(np.uint8)
    elif arr.dtype != np.uint8:
        return None
    return np.ascontiguousarray(arr)
