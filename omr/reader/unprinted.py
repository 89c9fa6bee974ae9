"""Identify, align and read a page of a form we did not print (a template with a fixed layout).

Called by the page driver (:mod:`omr.reader.page`) when a page carries neither our corner markers nor
our QR code, and some loaded template states a fixed layout. The page is identified by, in order:
what a reviewer or the page's position said; a barcode matching a page's ``barcode`` pattern; the only
page there is; the blank page it resembles most once aligned; its position in its file. Its form id,
which such a form does not print, is derived from the page itself (one-page forms: the image content,
so a re-scan of the same file gets the same id) or from its file and position (longer forms).
"""

from __future__ import annotations

import hashlib
import random

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray

from omr.formid import PageIdentity, new_form_id
from omr.reader.align import Alignment
from omr.reader.boxes import calibrate_page, smooth_page
from omr.reader.bubbles import measure, read_marks
from omr.reader.content import ocr_call, read_content, read_digit_fields
from omr.reader.context import ReaderContext
from omr.reader.fiducials import MarkerScan
from omr.reader.fields import flag_unanswered
from omr.reader.frame import align_frame
from omr.reader.handwriting import check_writing, crop_box, decide_text
from omr.types import BoxReading, FieldReading, PageImage, PageOutcome, PageReading

PageKey3 = tuple[str, str, int]
_SIMILAR_SIDE = 160  # long side of the thumbnails compared with the blank pages
_STANDS_OUT = 0.08  # correlation lead of the most similar blank that lets it be tried first and alone...
_SURE_ALIGNED = 0.5  # ...when, aligned, the page correlates with it at least this much


def read_unprinted(image: NDArray[np.uint8], scan: MarkerScan, ctx: ReaderContext, page: PageImage,
                   given: PageIdentity | None = None) -> PageReading | None:
    """Read ``page`` as a page of a loaded fixed-layout template; None when none is loaded (or ``given``
    names one of our own templates)."""
    candidates = _candidates(ctx, given)
    if not candidates:
        return None
    candidates = _by_barcode(image, scan, ctx, candidates)
    candidates, sure = _ranked(scan, ctx, candidates)
    fits: list[tuple[PageKey3, Alignment]] = []
    reasons: list[str] = []
    for cand in candidates:
        fit = align_frame(image, scan, ctx.fixed_page(*cand).frame, config=ctx.config)
        if isinstance(fit, Alignment):
            fits.append((cand, fit))
            if sure and (_similarity(fit.aligned, ctx.fixed_page(*cand).blank) or 0.0) >= _SURE_ALIGNED:
                break  # the blank it resembled most, confirmed once aligned: the others need not be tried
        else:
            reasons.append(f"{cand[0]} page {cand[2]}: {fit.reason}")
    if not fits:
        why = reasons[0] if len(reasons) == 1 else f"no loaded form fits ({'; '.join(reasons[:3])})"
        return PageReading("review" if given else "rejected", identity=given,
                           reason=f"not a page of a known template: {why}" if not given else f"alignment failed: {why}")
    chosen = _choose(fits, ctx, page, given)
    if isinstance(chosen, str):
        first = fits[0][1]
        return PageReading("review", reason=f"unidentified page: {chosen}", aligned=first.aligned,
                           homography=tuple(float(v) for v in first.homography.ravel()),
                           residual_px=round(first.residual_px, 3))
    (name, version, number), fit = chosen
    pages = len(ctx.templates[(name, version)].pages)
    identity = given or PageIdentity(name, version, _form_id(page, name, version, pages), number, pages)
    boxes, fields = _read(image, fit, ctx, (name, version, number))
    flagged = [f for f in fields if f.status != "auto"]
    notes = [f"a form we did not print, aligned by {fit.method}"]
    if flagged:
        notes.append(f"{len(flagged)} field(s) flagged, first {flagged[0].field}: {flagged[0].reason}")
    outcome: PageOutcome = "review" if flagged else "read"
    return PageReading(outcome, identity=identity, reason="; ".join(notes), fields=fields, boxes=boxes,
                       homography=tuple(float(v) for v in fit.homography.ravel()),
                       residual_px=round(fit.residual_px, 3), aligned=fit.aligned, rotation=fit.rotation)


def _candidates(ctx: ReaderContext, given: PageIdentity | None) -> list[PageKey3]:
    if given is not None:
        key = (given.template, given.version)
        return [(given.template, given.version, given.page)] if key in ctx.fixed else []
    return [(name, version, n) for name, version in ctx.fixed
            for n in range(1, len(ctx.templates[(name, version)].pages) + 1)]


def _by_barcode(image: NDArray[np.uint8], scan: MarkerScan, ctx: ReaderContext,
                candidates: list[PageKey3]) -> list[PageKey3]:
    """The candidates whose barcode pattern a barcode on the page matches (all of them when none does)."""
    patterns = {c: ctx.fixed_page(*c).barcode for c in candidates}
    if not any(patterns.values()):
        return candidates
    texts = [r.text for r in zxingcpp.read_barcodes(np.ascontiguousarray(scan.small))]
    if not texts:
        texts = [r.text for r in zxingcpp.read_barcodes(np.ascontiguousarray(image))]
    matched = [c for c, pat in patterns.items() if pat is not None and any(pat.fullmatch(t) for t in texts)]
    return matched or candidates


def _ranked(scan: MarkerScan, ctx: ReaderContext, candidates: list[PageKey3]) -> tuple[list[PageKey3], bool]:
    """The candidates, the blank the unaligned page resembles most first, and whether it stands out.

    A cheap look (thumbnails of the page as scanned against each blank) that spares aligning a page
    against every page of every loaded form; a turned or photographed page simply does not stand out.
    """
    if len(candidates) < 2:
        return candidates, False
    scores = [(_similarity(_thumb_like(scan.small, ctx.fixed_page(*c).blank), _thumb(ctx.fixed_page(*c).blank))
               or -1.0, c) for c in candidates]
    scores.sort(key=lambda sc: -sc[0])
    return [c for _, c in scores], scores[0][0] - scores[1][0] >= _STANDS_OUT


def _thumb(image: NDArray[np.uint8] | None) -> NDArray[np.uint8] | None:
    if image is None:
        return None
    k = max(image.shape) / _SIMILAR_SIDE
    size = (max(8, round(image.shape[1] / k)), max(8, round(image.shape[0] / k)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)


def _thumb_like(image: NDArray[np.uint8], blank: NDArray[np.uint8] | None) -> NDArray[np.uint8] | None:
    """The page resized to the blank's thumbnail (aspect ignored: scans are nearly upright and whole)."""
    shape = None if blank is None else _thumb(blank)
    if shape is None:
        return None
    return np.asarray(cv2.resize(image, (shape.shape[1], shape.shape[0]), interpolation=cv2.INTER_AREA), np.uint8)


def _choose(fits: list[tuple[PageKey3, Alignment]], ctx: ReaderContext, page: PageImage,
            given: PageIdentity | None) -> tuple[PageKey3, Alignment] | str:
    """The page among the aligned candidates: the only one, the most similar blank, or by position."""
    if len(fits) == 1 or given is not None:
        return fits[0]
    scored = [(_similarity(fit.aligned, ctx.fixed_page(*cand).blank), cand, fit) for cand, fit in fits]
    scored = [s for s in scored if s[0] is not None]
    if scored:
        scored.sort(key=lambda s: -float(s[0] or 0.0))
        if len(scored) == 1 or float(scored[0][0] or 0) - float(scored[1][0] or 0) > 0.05:
            return scored[0][1], scored[0][2]
    templates = {(c[0], c[1]) for c, _ in fits}
    if len(templates) == 1:
        number = page.index % len(ctx.templates[next(iter(templates))].pages) + 1
        for cand, fit in fits:
            if cand[2] == number:
                return cand, fit
    return "it fits several loaded forms and no barcode or blank page tells them apart"


def _similarity(aligned: NDArray[np.uint8] | None, blank: NDArray[np.uint8] | None) -> float | None:
    """Correlation of the aligned page with a blank page (thumbnails of the printed structure)."""
    if aligned is None or blank is None or blank.shape != aligned.shape:
        return None
    a = np.asarray(_thumb(aligned), np.float32).ravel()
    b = np.asarray(_thumb(blank), np.float32).ravel()
    a, b = a - a.mean(), b - b.mean()
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b / denom) if denom > 0 else None


def _form_id(page: PageImage, name: str, version: str, pages: int) -> str:
    """The form id of a form that prints none: from the page's pixels (one-page forms) or its file position."""
    h = hashlib.sha256(f"{name}|{version}|".encode())
    if pages == 1:
        h.update(np.ascontiguousarray(page.image).tobytes())
    else:
        h.update(f"{page.source}|{page.index // pages}".encode())
    return new_form_id(random.Random(h.hexdigest()))


def _read(image: NDArray[np.uint8], fit: Alignment, ctx: ReaderContext,
          key: PageKey3) -> tuple[tuple[BoxReading, ...], tuple[FieldReading, ...]]:
    """The boxes and answers of an aligned page of a fixed-layout template."""
    name, version, number = key
    template = ctx.templates[(name, version)]
    layout = ctx.layouts[(name, version)].page(number)
    refs = ctx.fixed_page(*key)
    checks = [b for b in layout.boxes if b.kind == "box"]
    if refs.blank is not None and checks and all(b.shape == "square" for b in checks):
        # printed checkboxes and a blank page: the full engine, as for our own forms (outlines, loops
        # round boxes and labels, marks beside a box, corrections, calibrated confidence)
        content = read_content(image, fit, template, layout, ctx, blank=refs.blank)
        return content.boxes, content.fields
    readings, marks = read_marks(template, measure(fit.aligned, checks, refs.blank))
    found: dict[str, FieldReading] = {f.field: f for f in marks}
    shifts = np.zeros((len(layout.boxes), 2), np.int64)
    found.update(read_digit_fields(fit.aligned, template, layout.boxes, shifts, ctx))
    texts = [(i, b) for i, b in enumerate(layout.boxes) if b.kind == "text"]
    if texts:
        calibration = calibrate_page(smooth_page(fit.aligned))
        for i, b in texts:
            area = crop_box(fit.aligned, b, shifts[i], margin_mm=-ctx.config.text_inset_mm)
            written = check_writing(area, calibration, config=ctx.config)
            found[b.field] = decide_text(b.field, written, ocr_call(lambda: (image, fit.homography), b, ctx),
                                         config=ctx.config)
    order = [c for c in template.answer_codes() if c in found]
    fields = flag_unanswered([found[c] for c in order], config=ctx.config)
    return tuple(readings), tuple(fields)

