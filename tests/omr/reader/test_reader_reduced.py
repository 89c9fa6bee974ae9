"""read_page on a JPEG decoded reduced (libjpeg DCT scaling): the same reading as at full size."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from _pages import BOXES, Fill, filled_page
from numpy.typing import NDArray
from PIL import Image

import omr.reader.page
from omr.imagepages import decode_image
from omr.reader import ReaderContext, read_page
from omr.types import PageImage, PageReading

MARKS = Fill({("A1", "2"): "cross", ("Q2", "1"): "tick", ("Q9_1", "4"): "thick-cross", ("Q9_2", "5"): "cross"})


@functools.cache
def _page() -> NDArray[np.uint8]:
    return filled_page(MARKS, name=BOXES, form_id="84G7ZWY6", seed=3)


@pytest.fixture
def jpeg(tmp_path: Path) -> Path:
    """A marked page at 300 dpi as a JPEG file (A4: the reader works on it halved)."""
    path = tmp_path / "page.jpg"
    Image.fromarray(_page()).save(path, quality=92, dpi=(300, 300))
    return path


def _reduced(path: Path, calls: list[int]) -> PageImage:
    decoded = decode_image(path, 0, "JPEG image", long_side=2000)
    assert not isinstance(decoded, str) and decoded.factor == 2

    def full() -> NDArray[np.uint8]:
        calls.append(1)
        again = decode_image(path, 0, "JPEG image")
        assert not isinstance(again, str)
        return again.image

    return PageImage(str(path), 0, decoded.image, decoded.dpi, decoded.factor, full, decoded.jpeg)


def _full(path: Path, ctx: ReaderContext) -> PageReading:
    decoded = decode_image(path, 0, "JPEG image")
    assert not isinstance(decoded, str) and decoded.factor == 1
    return read_page(PageImage(str(path), 0, decoded.image, decoded.dpi), ctx)


def test_a_reduced_page_reads_as_at_full_size_without_decoding_it_again(ctx: ReaderContext, jpeg: Path) -> None:
    calls: list[int] = []
    reduced = read_page(_reduced(jpeg, calls), ctx)
    full = _full(jpeg, ctx)
    assert calls == []  # located, identified and read on the reduced image alone
    assert reduced.outcome == full.outcome == "read", reduced.reason
    assert [(f.field, f.value, f.status) for f in reduced.fields] == [(f.field, f.value, f.status) for f in full.fields]
    assert [(b.field, b.value, b.state) for b in reduced.boxes] == [(b.field, b.value, b.state) for b in full.boxes]
    assert reduced.homography is not None and full.homography is not None
    h_reduced = np.array(reduced.homography).reshape(3, 3)
    h_full = np.array(full.homography).reshape(3, 3)
    corners = np.array([[0.0, 0.0, 1.0], [210.0, 0.0, 1.0], [210.0, 297.0, 1.0], [0.0, 297.0, 1.0]]).T
    a, b = h_reduced @ corners, h_full @ corners
    assert np.abs(a[:2] / a[2] - b[:2] / b[2]).max() < 1.0  # full-size pixels, as before
    assert reduced.residual_px is not None and full.residual_px is not None
    assert abs(reduced.residual_px - full.residual_px) < 1.0


def test_a_page_whose_qr_is_not_found_reduced_is_read_again_at_full_size(
        ctx: ReaderContext, jpeg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real: Callable[..., object] = omr.reader.page.find_qr_aligned
    sizes: list[int] = []

    def only_at_full_size(image: NDArray[np.uint8], homography: NDArray[np.float64]) -> object:
        sizes.append(max(image.shape))
        return real(image, homography) if max(image.shape) > 2000 else None

    monkeypatch.setattr(omr.reader.page, "find_qr_aligned", only_at_full_size)
    calls: list[int] = []
    reading = read_page(_reduced(jpeg, calls), ctx)
    assert calls == [1] and sizes[0] <= 2000 < sizes[-1]
    assert reading.outcome == "read" and reading.identity is not None


def test_a_page_that_can_no_longer_be_decoded_at_full_size_is_rejected(ctx: ReaderContext, jpeg: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(omr.reader.page, "find_qr_aligned", lambda image, homography: None)
    decoded = decode_image(jpeg, 0, "JPEG image", long_side=2000)
    assert not isinstance(decoded, str)

    def gone() -> NDArray[np.uint8]:
        raise OSError("cannot decode the JPEG image (image file is truncated); copy or scan it again")

    reading = read_page(PageImage(str(jpeg), 0, decoded.image, 300.0, 2, gone), ctx)
    assert reading.outcome == "rejected" and reading.reason is not None and "truncated" in reading.reason
