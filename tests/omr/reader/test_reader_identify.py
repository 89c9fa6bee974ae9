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
