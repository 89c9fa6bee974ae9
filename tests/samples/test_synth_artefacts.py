"""The evaluation scanners' artefacts, each on a tiny array."""

from __future__ import annotations

import numpy as np

from samples.synth import artefacts
from samples.synth.degrade import binarise, colour_cast, photograph, uneven_lighting


def _page() -> np.ndarray:
    img = np.full((64, 64), 255, np.uint8)
    img[20:44, 30:34] = 20  # a vertical stroke
    img[50:60, 5:60] = 200  # a light shaded band
    return img


def test_tone_curve_darkens_or_lightens_mid_grays_only() -> None:
    img = _page()
    dark, light = artefacts.tone(img, gamma=1.5), artefacts.tone(img, gamma=0.7)
    assert dark[55, 20] < 200 < light[55, 20]
    assert dark[0, 0] == light[0, 0] == 255 and dark[30, 31] <= 20
    np.testing.assert_array_equal(artefacts.tone(img, gamma=1.0), img)


def test_sharpen_overshoots_at_edges() -> None:
    soft = np.asarray(np.clip(np.linspace(0, 255, 64)[None, :].repeat(8, 0) * 3 - 255, 0, 255), np.uint8)
    sharp = artefacts.sharpen(soft, amount=1.0)
    assert np.abs(np.diff(sharp.astype(int), axis=1)).max() >= np.abs(np.diff(soft.astype(int), axis=1)).max()
    np.testing.assert_array_equal(artefacts.sharpen(soft, amount=0.0), soft)


def test_motion_blur_smears_along_one_direction() -> None:
    img = np.full((41, 41), 255, np.uint8)
    img[20, 20] = 0
    down = artefacts.motion_blur(img, length=7.0, angle=90.0)
    dark = np.argwhere(down < 250)
    assert np.ptp(dark[:, 0]) >= 4 and np.ptp(dark[:, 1]) <= 1


def test_streaks_are_lines_along_the_feed() -> None:
    img = np.full((50, 80), 230, np.uint8)
    out = artefacts.streaks(img, count=3, rng=np.random.default_rng(1))
    changed = np.flatnonzero((out != img).any(axis=0))
    assert 1 <= len(changed) <= 9
    assert ((out[:, changed] != img[:, changed]).all(axis=0)).all()  # whole columns, top to bottom


def test_error_diffusion_keeps_the_mean_of_a_gray() -> None:
    gray = np.full((64, 64), 200, np.uint8)
    bits = artefacts.diffusion_dither(gray)
    assert set(np.unique(bits)) == {0, 255}
    assert abs(bits.mean() - 200) < 10
    page = _page()
    out = binarise(page, threshold=150, jitter=0.0, dither=True, rng=np.random.default_rng(0), diffusion=True)
    assert set(np.unique(out)) <= {0, 255} and (out[30, 30:34] == 0).all()
    assert 0 < (out[51:59, 8:57] == 0).mean() < 0.5  # the shaded band is halftoned, not lost or black


def test_standard_fax_repeats_every_other_line() -> None:
    img = np.arange(36, dtype=np.uint8).reshape(6, 6)
    out = artefacts.standard_fax_lines(img)
    np.testing.assert_array_equal(out[1::2], img[0::2])
    np.testing.assert_array_equal(out[0::2], img[0::2])


def test_coloured_paper_goes_through_a_photo() -> None:
    tinted = artefacts.paper_tint(_page(), tint=(1.0, 0.95, 0.78))
    assert tinted.shape == (64, 64, 3) and tinted[0, 0].tolist() == [255, 242, 199]
    assert tinted[30, 31].max() <= 20  # ink stays dark
    corners = np.array([[4, 4], [60, 6], [58, 60], [6, 58]], np.float64)
    photo = photograph(tinted, corners=corners, factor=1.0, out_shape=(64, 64), background=90)
    assert photo.shape == (64, 64, 3) and photo[0, 0].tolist() == [90, 90, 90]
    lit = uneven_lighting(photo, strength=0.3, angle=0.0, vignette=0.3, shadow=0.4, edge=45.0)
    assert lit.shape == photo.shape and lit.mean() < photo.mean()
    cast = colour_cast(lit, tint=(0.9, 1.0, 1.0))
    assert cast.shape == lit.shape and cast[..., 0].mean() < lit[..., 0].mean()
