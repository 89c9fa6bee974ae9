"""Every scan degradation is reachable and changes the image the way it says (tiny arrays)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from samples.synth import degrade
from samples.synth.fill import blank_back
from samples.synth.scan import PROFILES, QUALITIES, draw_dpi, draw_turns, scan_page


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _page(rows: int = 60, cols: int = 40) -> np.ndarray:
    """White paper with a black bar in the upper left and a mid-gray band below it."""
    img = np.full((rows, cols), 255, np.uint8)
    img[5:15, 5:20] = 0
    img[30:40, :] = 200
    return img


def test_affine_scan_identity_shift_rotation_and_resample() -> None:
    img = _page()
    same = degrade.affine_scan(img, angle=0.0, shift=(0.0, 0.0), scale=1.0, factor=1.0, out_shape=img.shape)
    np.testing.assert_array_equal(same, img)
    moved = degrade.affine_scan(img, angle=0.0, shift=(3.0, 2.0), scale=1.0, factor=1.0, out_shape=img.shape,
                                background=128)
    np.testing.assert_array_equal(moved[7:17, 8:23], img[5:15, 5:20])
    assert moved[0, 0] == 128  # scanner backing shows where the paper moved away
    turned = degrade.affine_scan(img, angle=10.0, shift=(0.0, 0.0), scale=1.0, factor=1.0, out_shape=img.shape)
    assert not np.array_equal(turned, img)
    half = degrade.affine_scan(img, angle=0.0, shift=(0.0, 0.0), scale=1.0, factor=0.5, out_shape=(30, 20))
    assert half.shape == (30, 20)
    assert half[5, 6] < 60 and half[25, 15] == 255
    assert img[5, 5] == 0  # input untouched


def test_blur_softens_edges_and_zero_is_a_copy() -> None:
    img = _page()
    soft = degrade.blur(img, sigma=1.5)
    assert 0 < soft[10, 20] < 255  # the bar's edge is now gray
    copy = degrade.blur(img, sigma=0.0)
    np.testing.assert_array_equal(copy, img)
    assert copy is not img


def test_gaussian_noise_has_the_asked_spread() -> None:
    flat = np.full((200, 200), 128, np.uint8)
    noisy = degrade.gaussian_noise(flat, sigma=6.0, rng=_rng())
    assert abs(float(noisy.mean()) - 128) < 0.5
    assert 5.0 < float(noisy.std()) < 7.0
    white = degrade.gaussian_noise(np.full((50, 50), 255, np.uint8), sigma=6.0, rng=_rng())
    assert white.max() == 255 and white.min() < 250  # saturates, never wraps around
    np.testing.assert_array_equal(degrade.gaussian_noise(flat, sigma=0.0, rng=_rng()), flat)


def test_jpeg_artifacts_change_pixels_a_little() -> None:
    img = _page()
    lossy = degrade.jpeg_artifacts(img, quality=30)
    diff = np.abs(lossy.astype(int) - img)
    assert diff.max() > 0
    assert diff.mean() < 20


def test_photocopy_darkens_grays_grays_the_paper_and_leaves_a_streak() -> None:
    img = _page()
    copy = degrade.photocopy(img, darkness=1.0, paper=230, rng=_rng(3))
    assert copy[0, 0] <= 230 and copy.max() <= 230  # white paper turns gray
    assert copy[35, 30] < 200 * 230 / 255  # mid-gray band darkens more than the paper
    column_means = copy[45:, :].mean(axis=0)
    assert column_means.min() < column_means.max() - 10  # a toner streak


def test_speckle_adds_dark_dots_and_white_dropouts() -> None:
    white = np.full((400, 400), 255, np.uint8)
    dusty = degrade.speckle(white, density=2.0, rng=_rng())
    dark = int((dusty < 128).sum())
    assert dark > 50
    black = np.zeros((400, 400), np.uint8)
    assert int((degrade.speckle(black, density=2.0, rng=_rng()) == 255).sum()) > 0
    np.testing.assert_array_equal(degrade.speckle(white, density=0.0, rng=_rng()), white)


def test_binarise_is_bilevel_and_dither_halftones_mid_grays() -> None:
    img = _page()
    plain = degrade.binarise(img, threshold=150, jitter=0.0, dither=False, rng=_rng())
    assert set(np.unique(plain)) <= {0, 255}
    assert (plain[30:40] == 255).all()  # light gray band vanishes at a plain threshold
    assert (plain[5:15, 5:20] == 0).all()
    dithered = degrade.binarise(img, threshold=150, jitter=0.0, dither=True, rng=_rng())
    band = dithered[30:40]
    assert 0 < (band == 0).mean() < 0.5  # the band becomes a dot pattern
    noisy = degrade.binarise(np.full((50, 50), 150, np.uint8), threshold=150, jitter=20.0, dither=False, rng=_rng())
    assert 0.2 < (noisy == 0).mean() < 0.8  # threshold noise makes ragged edges


def test_line_dropouts_repeat_or_blank_scan_lines() -> None:
    img = np.tile(np.arange(60, dtype=np.uint8)[:, None] * 4, (1, 8))
    out = degrade.line_dropouts(img, count=5, rng=_rng(1))
    changed = [r for r in range(60) if not np.array_equal(out[r], img[r])]
    assert changed
    for r in changed:
        assert np.array_equal(out[r], out[r - 1]) or (out[r] == 255).all()


def test_photograph_puts_the_page_on_a_table_in_perspective() -> None:
    img = np.full((100, 70), 255, np.uint8)
    corners = np.array([[20.0, 10.0], [75.0, 15.0], [80.0, 110.0], [10.0, 105.0]])
    photo = degrade.photograph(img, corners=corners, factor=1.0, out_shape=(120, 90), background=90)
    assert photo.shape == (120, 90)
    assert photo[0, 0] == 90 and photo[119, 89] == 90  # table
    assert photo[60, 45] == 255  # page centre
    small = degrade.photograph(img, corners=corners / 2, factor=0.5, out_shape=(60, 45), background=90)
    assert small.shape == (60, 45) and small[30, 22] == 255


def test_uneven_lighting_darkens_one_side_and_the_shadow() -> None:
    flat = np.full((160, 160), 240, np.uint8)
    lit = degrade.uneven_lighting(flat, strength=0.4, angle=0.0, vignette=0.0, shadow=0.0)
    assert lit[80, 150] < lit[80, 10] - 40  # falls off to the right (angle 0)
    shaded = degrade.uneven_lighting(flat, strength=0.0, angle=0.0, vignette=0.0, shadow=0.5)
    assert shaded.min() < 150 and shaded.max() > 230
    rgb = degrade.uneven_lighting(np.full((32, 32, 3), 200, np.uint8), strength=0.3, angle=90.0, vignette=0.2,
                                  shadow=0.0)
    assert rgb.shape == (32, 32, 3)


def test_colour_cast_tints_a_gray_page() -> None:
    rgb = degrade.colour_cast(np.full((4, 4), 200, np.uint8), tint=(1.0, 0.95, 0.8))
    assert rgb.shape == (4, 4, 3)
    assert tuple(rgb[0, 0]) == (200, 190, 160)


def test_rotate_quadrant_turns_clockwise() -> None:
    img = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(degrade.rotate_quadrant(img, turns=2), img[::-1, ::-1])
    cw = degrade.rotate_quadrant(img, turns=1)
    assert cw.shape == (3, 2) and cw[0, 1] == img[0, 0]  # top-left goes to top-right
    np.testing.assert_array_equal(degrade.rotate_quadrant(img, turns=4), img)


def test_blank_back_is_almost_white_with_faint_mirrored_bleed() -> None:
    front = np.full((200, 160), 255, np.uint8)
    front[20:60, 10:50] = 0
    back = blank_back(front, rng=_rng())
    assert back.min() > 200  # faint
    left, right = back[20:60, 10:50].mean(), back[20:60, 110:150].mean()
    assert right < left  # mirrored: the ink shows on the other side
    assert back[150, 80] == 255


@pytest.mark.parametrize("quality", QUALITIES)
def test_each_quality_scans_a_page(quality: str) -> None:
    profile = PROFILES[quality]  # type: ignore[index]
    paper = np.full((297, 210), 255, np.uint8)
    paper[20:40, 20:40] = 0
    page = scan_page(paper, profile=profile, rng=_rng(2), turns=0, dpi=profile.dpi[0])
    assert page.dpi == profile.dpi[0]
    if profile.bilevel:
        assert set(np.unique(page.image)) <= {0, 255}
        assert page.jpeg is None
    if profile.colour:
        assert page.image.ndim == 3
    else:
        assert page.image.ndim == 2
    assert page.image.min() < 128  # the black square survives


def test_turns_and_dpi_choices_are_reachable() -> None:
    rng = _rng()
    always_down = replace(PROFILES["office"], upside_down=1.0)
    assert draw_turns(always_down, rng) == 2
    sideways = replace(PROFILES["photo"], upside_down=0.0, sideways=1.0)
    assert {draw_turns(sideways, rng) for _ in range(40)} == {1, 3}
    assert {draw_dpi(PROFILES["office"], rng) for _ in range(200)} == {200.0, 300.0}
    paper = np.full((297, 210), 255, np.uint8)
    upright = scan_page(paper, profile=PROFILES["photo"], rng=_rng(1), turns=0)
    turned = scan_page(paper, profile=PROFILES["photo"], rng=_rng(1), turns=1)
    assert turned.image.shape[:2] == upright.image.shape[1::-1]
    assert turned.turns == 1
