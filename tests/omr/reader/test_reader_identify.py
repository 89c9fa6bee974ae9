"""Identification (QR, printed id + layout) and the alignment fallbacks, on rendered pages."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pytest
from _pages import BOXES, DPI, Fill, degrade, filled_page, rotate
from numpy.typing import NDArray

from omr.formid import PageIdentity
from omr.reader import ReaderContext, read_page
from omr.reader.align import Alignment, align_by_markers
from omr.reader.fiducials import find_markers
from omr.reader.identify import QrRead, classify_payload, decode_qr, read_printed_id
from omr.template.layout import QR_RECT, frame_fiducials
from omr.types import PageImage, PageReading

FORM_ID = "K7M2Q9X5"
PX = DPI / 25.4


@functools.cache
def page() -> NDArray[np.uint8]:
    from omr.formid import normalise_form_id

    assert normalise_form_id(FORM_ID) == FORM_ID
    return filled_page(Fill({("A1", "1"): "cross", ("Q9_1", "5"): "tick", ("Q9_2", "3"): "cross"}),
                       name=BOXES, form_id=FORM_ID, seed=11)


def read(ctx: ReaderContext, image: NDArray[np.uint8]) -> PageReading:
    return read_page(PageImage("id.png", 0, image), ctx)


def wipe_qr(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    out = image.copy()
    r = QR_RECT
    y0, y1, x0, x1 = (round(v * PX) for v in (r.y - 0.5, r.bottom + 0.5, r.x - 0.5, r.right + 0.5))
    out[y0:y1, x0:x1] = 250
    rng = np.random.default_rng(0)
    for _ in range(6):  # a few blots where the code was
        cy, cx = int(rng.integers(y0, y1)), int(rng.integers(x0, x1))
        cv2.circle(out, (cx, cy), 25, 20, -1)
    return out


def blot_marker(image: NDArray[np.uint8], corner: str) -> NDArray[np.uint8]:
    out = image.copy()
    fid = next(f for f in frame_fiducials() if f.corner == corner)
    r = fid.rect
    y0, y1, x0, x1 = (round(v * PX) for v in (r.y - 1, r.bottom + 1, r.x - 1, r.right + 1))
    out[y0:y1, x0:x1] = 245  # a torn-off or taped-over corner
    return out


def test_qr_is_decoded_with_its_position() -> None:
    reads = decode_qr(page())
    ours = [r for r in reads if r.text.startswith("SIPAS1|")]
    assert len(ours) == 1
    assert ours[0].text == f"SIPAS1|mini-boxes|1|{FORM_ID}|1|1"
    centre = ours[0].corners.mean(axis=0)
    np.testing.assert_allclose(centre, np.array(QR_RECT.centre) * PX, atol=5)


def test_payload_classification() -> None:
    corners = np.zeros((4, 2))
    known = {("mini-boxes", "1")}
    ok = classify_payload(QrRead(f"SIPAS1|mini-boxes|1|{FORM_ID}|1|1", corners), known)
    assert ok.identity == PageIdentity("mini-boxes", "1", FORM_ID, 1, 1) and ok.source == "qr"
    newer = classify_payload(QrRead(f"SIPAS1|mini-boxes|2|{FORM_ID}|1|1", corners), known)
    assert newer.identity is None and newer.unknown_template and "version 2" in newer.unknown_template
    damaged = classify_payload(QrRead(f"SIPAS1|mini-boxes|1|{FORM_ID[:-1]}7|1|1", corners), known)
    assert damaged.identity is None and damaged.unknown_template is None


def test_printed_id_is_read(ctx: ReaderContext) -> None:
    image = page()
    scan = find_markers(image, detector=ctx.detector)
    fit = align_by_markers(image, scan)
    assert isinstance(fit, Alignment)
    printed = read_printed_id(image, fit.homography, ctx.ocr)
    assert (printed.form_id, printed.page, printed.pages) == (FORM_ID, 1, 1)


def test_unreadable_qr_falls_back_to_the_printed_id_and_layout(ctx: ReaderContext) -> None:
    r = read(ctx, wipe_qr(page()))
    assert r.identity == PageIdentity("mini-boxes", "1", FORM_ID, 1, 1)
    assert "QR unreadable" in (r.reason or "")
    got = {f.field: f.value for f in r.fields}
    assert (got["A1"], got["Q9_1"], got["Q9_2"]) == ("1", "5", "3")


def test_unreadable_qr_and_id_is_an_unidentified_page(ctx: ReaderContext) -> None:
    image = wipe_qr(page())
    fit = align_by_markers(image, find_markers(image, detector=ctx.detector))
    assert isinstance(fit, Alignment)
    # Cover the printed id too (template frame → image pixels through the homography).
    from omr.template.layout import ID_TEXT_RECT

    r = ID_TEXT_RECT
    pts = cv2.perspectiveTransform(np.array([[[r.x - 1, r.y - 1], [r.right + 1, r.bottom + 1]]]), fit.homography)[0]
    (x0, y0), (x1, y1) = pts.astype(int)
    image[y0:y1, x0:x1] = 250
    out = read(ctx, image)
    assert out.outcome == "review" and out.identity is None
    assert (out.reason or "").startswith("unidentified page")
    assert out.aligned is not None  # the review app shows the page


@pytest.mark.parametrize("corner", ["top-left", "bottom-right"])
def test_three_markers_still_align(ctx: ReaderContext, corner: str) -> None:
    r = read(ctx, rotate(blot_marker(page(), corner), 1.5))
    assert r.outcome == "read", r.reason
    assert r.residual_px is not None and r.residual_px < 3


def test_two_markers_fall_back_to_feature_matching(ctx: ReaderContext) -> None:
    image = blot_marker(blot_marker(page(), "top-left"), "bottom-left")
    r = read(ctx, degrade(rotate(image, -2.0), blur=0.8, noise=4, jpeg=85, seed=3))
    assert r.identity is not None and r.identity.form_id == FORM_ID
    assert "matching the blank page" in (r.reason or "")
    got = {f.field: f.value for f in r.fields}
    assert (got["A1"], got["Q9_1"], got["Q9_2"]) == ("1", "5", "3")


def test_no_markers_and_no_qr_on_a_form_is_review_not_crash(ctx: ReaderContext) -> None:
    image = wipe_qr(page())
    for corner in ("top-left", "top-right", "bottom-left"):
        image = blot_marker(image, corner)
    r = read(ctx, image)
    assert r.outcome == "review"
    assert (r.reason or "").startswith("alignment failed")


# -- page identity that survives damage (issue 10 point 3) ---------------------------------------------
MISPRINT = "K7M2Q9XS"
"""FORM_ID with its last symbol misprinted (5 → S): what OCR of a damaged id gives back."""


def paint_qr(image: NDArray[np.uint8], error: str, blots: tuple[tuple[float, float, float], ...] = ()
             ) -> NDArray[np.uint8]:
    """Replace the page's QR by one of the given error-correction level, then blot it (relative
    centre y, x and radius in the QR square)."""
    from omr.render import qr_matrix

    out = image.copy()
    r = QR_RECT
    y0, x0 = round(r.y * PX), round(r.x * PX)
    side = round(r.w * PX)
    bits = qr_matrix(f"SIPAS1|mini-boxes|1|{FORM_ID}|1|1", error)
    cells = cv2.resize(bits.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST).astype(bool)
    out[y0:y0 + side, x0:x0 + side] = np.where(cells, 25, 245)
    for cy, cx, rad in blots:
        cv2.circle(out, (x0 + round(cx * side), y0 + round(cy * side)), round(rad * side), 25, -1)
    return out


def qr_crop(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    r = QR_RECT
    y0, y1, x0, x1 = (round(v * PX) for v in (r.y - 4, r.bottom + 4, r.x - 4, r.right + 4))
    return image[y0:y1, x0:x1]


def with_known(ctx: ReaderContext, *ids: str, manifest: bool = False) -> ReaderContext:
    import dataclasses

    from omr.idmatch import KnownIds

    return dataclasses.replace(ctx, known_ids=KnownIds(ids, manifest=manifest))


class FakeOcr:
    """An OCR engine that reads the given text (identification logic, not OCR, is tested)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def read(self, image: NDArray[np.uint8], *, lang: str = "vie", psm: int = 6, whitelist: str = "") -> object:
        from omr.reader.ocr import OcrResult

        return OcrResult(self.text, 0.9)

    def close(self) -> None:
        return None


def test_the_printed_qr_is_level_h() -> None:
    reads = decode_qr(qr_crop(page()))
    assert [r.text for r in reads] == [f"SIPAS1|mini-boxes|1|{FORM_ID}|1|1"]
    from omr.render import qr_matrix

    assert qr_matrix(reads[0].text).shape == (33, 33)  # version 4-H; the old prints were 3-Q (29)


def test_level_h_survives_blots_level_q_did_not() -> None:
    blots = ((0.45, 0.55, 0.18), (0.75, 0.7, 0.126))
    assert decode_qr(qr_crop(paint_qr(page(), "h", blots)))
    assert not decode_qr(qr_crop(paint_qr(page(), "q", blots)))


def test_pages_printed_with_a_level_q_qr_still_read(ctx: ReaderContext) -> None:
    r = read(ctx, paint_qr(page(), "q"))
    assert r.identity == PageIdentity("mini-boxes", "1", FORM_ID, 1, 1)
    assert r.outcome == "read" and r.reason is None  # identified by the QR: no note


def test_a_damaged_qr_and_a_one_character_ocr_error_are_matched_to_the_known_form(ctx: ReaderContext) -> None:
    # The page is printed with the id one symbol off (as a smudge makes OCR read it), its QR destroyed.
    image = wipe_qr(filled_page(Fill({("A1", "2"): "cross", ("Q9_1", "4"): "tick"}), name=BOXES,
                                form_id=MISPRINT, seed=12))
    plain = read(ctx, image)
    assert plain.identity is None and "QR unreadable" in (plain.reason or "")  # no known ids: not guessed
    known = with_known(ctx, FORM_ID, "84G7ZWY6", "SRCBEF8N")
    r = read(known, image)
    assert r.identity == PageIdentity("mini-boxes", "1", FORM_ID, 1, 1)
    assert "printed id read as K7M2-Q9XS, matched to K7M2-Q9X5" in (r.reason or "")
    got = {f.field: f.value for f in r.fields}
    assert (got["A1"], got["Q9_1"]) == ("2", "4")


def test_an_ambiguous_ocr_read_stays_unidentified(ctx: ReaderContext) -> None:
    import dataclasses

    # 6 read: a look-alike of G (K7M2-Q9XG, cost 1) and a plain miss of 5 (K7M2-Q9X5, cost 2): too close
    known = with_known(ctx, FORM_ID, "K7M2Q9XG")
    fake = dataclasses.replace(known, ocr=FakeOcr("K7M2-Q9X6 1/1"))
    r = read(fake, wipe_qr(page()))
    assert r.identity is None and r.outcome == "review"
    assert "several known form ids" in (r.reason or "")
    alone = dataclasses.replace(with_known(ctx, FORM_ID, "SRCBEF8N"), ocr=FakeOcr("K7M2-Q9XS 1/1"))
    assert read(alone, wipe_qr(page())).identity == PageIdentity("mini-boxes", "1", FORM_ID, 1, 1)


def test_a_placed_page_is_read_only_when_its_layout_agrees(ctx: ReaderContext) -> None:
    image = wipe_qr(page())
    ident = PageIdentity("mini-boxes", "1", FORM_ID, 1, 1)
    note = "placed by its position in scan.tif between pages 1 and 3 of K7M2-Q9X5"
    r = read_page(PageImage("id.png", 0, image), ctx, identity=ident, placed=note)
    assert r.identity == ident and note in (r.reason or "")
    from omr.reader.boxes import calibrate_page, smooth_page
    from omr.reader.identify import layout_disagrees

    white = smooth_page(np.full_like(r.aligned if r.aligned is not None else image, 245))
    why = layout_disagrees(ident, white, calibrate_page(white).contrast, ctx.layout_index)
    assert why is not None and "does not fit" in why


def test_a_valid_ocr_id_outside_the_manifest_goes_to_review(ctx: ReaderContext) -> None:
    import dataclasses

    other = "84G7ZWY6"  # a valid id, far from FORM_ID: two misread symbols can make one
    for manifest, expected in ((False, other), (True, None)):
        known = dataclasses.replace(with_known(ctx, FORM_ID, manifest=manifest), ocr=FakeOcr("84G7-ZWY6 1/1"))
        r = read(known, wipe_qr(page()))
        assert (r.identity.form_id if r.identity else None) == expected
    assert "84G7-ZWY6 is a valid id but no form of the manifest" in (r.reason or "")


def test_a_blot_on_a_finder_pattern_is_repaired(ctx: ReaderContext) -> None:
    from omr.reader.identify import find_qr_aligned
    from omr.reader.qrrepair import find_qr_repaired

    for fy, fx in ((0.08, 0.08), (0.08, 0.92), (0.92, 0.08)):
        image = page().copy()
        r = QR_RECT
        cv2.circle(image, (round((r.x + fx * r.w) * PX), round((r.y + fy * r.h) * PX)), round(2.2 * PX), 30, -1)
        fit = align_by_markers(image, find_markers(image, detector=ctx.detector))
        assert isinstance(fit, Alignment)
        assert find_qr_aligned(image, fit.homography) is None
        repaired = find_qr_repaired(image, fit.homography)
        assert repaired is not None and repaired.text == f"SIPAS1|mini-boxes|1|{FORM_ID}|1|1"
        assert read(ctx, image).reason is None  # read from its QR, no note
    old = paint_qr(page(), "q", ((0.08, 0.92, 0.12),))  # a level-Q print with a blotted finder
    fit = align_by_markers(old, find_markers(old, detector=ctx.detector))
    assert isinstance(fit, Alignment) and find_qr_aligned(old, fit.homography) is None
    again = read(ctx, old)
    assert again.identity == PageIdentity("mini-boxes", "1", FORM_ID, 1, 1) and again.reason is None
