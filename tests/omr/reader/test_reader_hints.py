"""A reviewer's fix as a reading hint: the corners they clicked, the form id and page they typed."""

from __future__ import annotations

import numpy as np
from _pages import BOXES, PX, fill_of, filled_page, page_layout

from omr.formid import PageIdentity
from omr.reader import ReaderContext, read_page
from omr.types import PageImage

MARKS = fill_of([("A1", "2", "cross"), ("Q9_1", "4", "tick"), ("Q9_2", "5", "cross")])


def _white_out(img: np.ndarray, rects: list[tuple[float, float, float, float]]) -> np.ndarray:
    out = img.copy()
    for x, y, w, h in rects:
        out[int((y - 1) * PX): int((y + h + 1) * PX), int((x - 1) * PX): int((x + w + 1) * PX)] = 255
    return out


def _values(reading_fields: tuple[object, ...]) -> dict[str, str]:
    return {f.field: f.value for f in reading_fields}  # type: ignore[attr-defined]


def test_clicked_corners_align_a_page_whose_markers_are_gone(ctx: ReaderContext) -> None:
    layout = page_layout(BOXES)
    markers = [(f.rect.x, f.rect.y, f.rect.w, f.rect.h) for f in layout.fiducials]
    page = _white_out(filled_page(MARKS, name=BOXES), markers)
    # What the review app stores: template mm → image pixels (pixel centres at integers).
    h = np.array([[PX, 0, -0.5], [0, PX, -0.5], [0, 0, 1]], dtype=np.float64)
    fixed = read_page(PageImage("p.png", 0, page), ctx, homography=h)
    assert fixed.outcome == "read", fixed.reason
    values = _values(fixed.fields)
    assert (values["A1"], values["Q9_1"], values["Q9_2"]) == ("2", "4", "5")
    assert fixed.homography is not None and fixed.aligned is not None
    assert np.allclose(np.reshape(fixed.homography, (3, 3)), h)  # the clicked corners were used as given


def test_a_typed_identity_replaces_an_unreadable_qr(ctx: ReaderContext) -> None:
    layout = page_layout(BOXES)
    qr, text = layout.qr, layout.id_text
    page = _white_out(filled_page(MARKS, name=BOXES), [(qr.x, qr.y, qr.w, qr.h), (text.x, text.y, text.w, text.h)])
    t = ctx.templates[("mini-boxes", "1")]
    ident = PageIdentity(t.name, t.version, "84G7ZWY6", 1, 1)
    fixed = read_page(PageImage("p.png", 0, page), ctx, identity=ident)
    assert fixed.identity == ident
    assert fixed.outcome == "read", fixed.reason
    assert _values(fixed.fields)["Q9_2"] == "5"
