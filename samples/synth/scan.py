"""The four scan qualities: which degradations a page goes through, and how strongly.

``clean``  a good flatbed: tiny skew, slight blur and noise, 300 dpi.
``office`` a busy office ADF or copier: skew up to ~2.5°, shift, 97–103 % scale, blur, noise,
           JPEG artefacts, sometimes a darkened photocopy with speckle; 300 dpi, some at 200.
``fax``    200 dpi, 1-bit: threshold noise or halftone dither, speckle, dropped lines.
``photo``  a phone photo on a table: perspective, uneven light and shadow, blur, noise, a
           colour cast, JPEG, 150–250 dpi equivalent.

In every quality some sheets go through upside down; photos are now and then taken sideways.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samples.synth import artefacts, degrade
from samples.synth.choices import QUALITIES as QUALITIES  # re-exported
from samples.synth.choices import Quality as Quality
from samples.synth.ink import PAPER_DPI, PX_PER_MM, U8, Rng

OVERSCAN_MM = 4.0
"""Scanners capture a little more than the sheet, so a skewed page keeps its corners."""


@dataclass(frozen=True)
class ScanProfile:
    """Ranges of the degradations of one quality (each page draws its own values)."""

    quality: Quality
    dpi: tuple[float, ...]
    dpi_weights: tuple[float, ...]
    skew_deg: float
    """Standard deviation of the skew (clipped at 2.5 × this)."""
    shift_mm: float
    scale: tuple[float, float]
    blur: tuple[float, float]
    """Gaussian sigma range in output pixels."""
    noise: tuple[float, float]
    jpeg: tuple[int, int] | None
    """JPEG quality range of the stored image; None = stored losslessly."""
    photocopy_share: float = 0.0
    speckle: tuple[float, float] = (0.0, 0.0)
    """Specks per cm²."""
    bilevel: bool = False
    dither_share: float = 0.0
    perspective: float = 0.0
    """Largest corner displacement of a photo, as a share of the page width."""
    lighting: tuple[float, float] = (0.0, 0.0)
    colour: bool = False
    upside_down: float = 0.05
    sideways: float = 0.0
    backing: tuple[int, int] = (235, 255)
    """Gray of the scanner's lid or backing around the sheet (or the table of a photo)."""
    # Scanner families (samples/synth/scanners.py) vary these; the defaults are the tuning models.
    family: str = ""
    """Name of the scanner family (model) this profile stands for."""
    darkness: tuple[float, float] = (0.2, 1.0)
    copy_paper: tuple[int, int] = (215, 245)
    """Gray a photocopy's paper turns into."""
    gamma: tuple[float, float] = (1.0, 1.0)
    sharpen: tuple[float, float] = (0.0, 0.0)
    motion: tuple[float, float] = (0.0, 0.0)
    """Length (output pixels) of a blur along the feed (ADF) or of a hand's shake (photo)."""
    streaks: tuple[int, int] = (0, 0)
    threshold: tuple[int, int] = (140, 176)
    jitter: tuple[float, float] = (5.0, 20.0)
    diffusion: bool = False
    """Dither by error diffusion instead of an ordered (Bayer) pattern."""
    half_lines: float = 0.0
    """Share of faxes sent in standard mode (every other line)."""
    vignette: tuple[float, float] = (0.05, 0.25)
    shadow_share: float = 0.4
    shadow: tuple[float, float] = (0.1, 0.35)
    shadow_edge: float = 18.0
    """Sharpness of a photo's shadow edge (larger = harder)."""
    cast: tuple[tuple[float, float], tuple[float, float], tuple[float, float]] = ((1.0, 1.0), (0.93, 0.99),
                                                                                (0.80, 0.93))
    """Ranges of a photo's white balance per channel (R, G, B)."""
    papers: tuple[tuple[float, float, float], ...] = ()
    """Coloured papers a photographed form may be printed on (chosen half the time)."""


PROFILES: dict[Quality, ScanProfile] = {
    "clean": ScanProfile("clean", (300.0,), (1.0,), skew_deg=0.12, shift_mm=0.8, scale=(0.998, 1.002),
                         blur=(0.3, 0.6), noise=(1.0, 2.5), jpeg=(90, 95), speckle=(0.0, 0.02)),
    "office": ScanProfile("office", (300.0, 200.0), (0.85, 0.15), skew_deg=0.9, shift_mm=2.5, scale=(0.97, 1.03),
                          blur=(0.5, 1.1), noise=(3.0, 6.0), jpeg=(65, 88), photocopy_share=0.3,
                          speckle=(0.02, 0.25), backing=(200, 250)),
    "fax": ScanProfile("fax", (200.0,), (1.0,), skew_deg=0.8, shift_mm=2.5, scale=(0.98, 1.02),
                       blur=(0.3, 0.7), noise=(3.0, 8.0), jpeg=None, speckle=(0.05, 0.4), bilevel=True,
                       dither_share=0.5, backing=(255, 255)),
    "photo": ScanProfile("photo", (150.0, 200.0, 250.0), (0.3, 0.4, 0.3), skew_deg=1.5, shift_mm=0.0,
                         scale=(1.0, 1.0), blur=(0.5, 1.0), noise=(3.0, 7.0), jpeg=(70, 90), perspective=0.05,
                         lighting=(0.1, 0.4), colour=True, sideways=0.05, backing=(70, 170)),
}


@dataclass(frozen=True)
class ScannedPage:
    """A page as the scanner (or phone) stored it."""

    image: U8
    """(rows, cols) grayscale, (rows, cols, 3) RGB for photos, or 0/255 bilevel for faxes."""
    dpi: float
    turns: int
    """Clockwise quarter turns applied (2 = upside down); ``rotation`` in pages.csv is 90 × this."""
    jpeg: int | None
    bilevel: bool


def draw_turns(profile: ScanProfile, rng: Rng) -> int:
    """How a sheet goes into the feeder: mostly upright, sometimes upside down or (photos) sideways."""
    u = rng.random()
    if u < profile.upside_down:
        return 2
    if u < profile.upside_down + profile.sideways:
        return 1 if rng.random() < 0.5 else 3
    return 0


def _photo(paper: U8, profile: ScanProfile, dpi: float, rng: Rng, tinted: bool) -> tuple[U8, U8 | None]:
    """The photo, and (when ``tinted``) where the paper is in it (0 … 255), to colour the paper only."""
    factor = dpi / PAPER_DPI
    page_w, page_h = paper.shape[1] * factor, paper.shape[0] * factor
    fill = float(rng.uniform(0.80, 0.92))
    rows = int(round(page_h / fill))
    cols = int(round(rows * 3 / 4))
    cx = cols / 2 + float(rng.normal(0, 0.02)) * cols
    cy = rows / 2 + float(rng.normal(0, 0.02)) * rows
    angle = np.deg2rad(float(np.clip(rng.normal(0, profile.skew_deg), -4, 4)))
    base = np.array([[-page_w / 2, -page_h / 2], [page_w / 2, -page_h / 2], [page_w / 2, page_h / 2],
                     [-page_w / 2, page_h / 2]])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    jitter = rng.uniform(-1, 1, (4, 2)) * profile.perspective * page_w
    # Keep the tilt coherent: one side nearer the camera looks wider.
    tilt = float(rng.uniform(-1, 1)) * profile.perspective * page_w
    jitter[0:2, 0] += np.array([-tilt, tilt]) * 0.5
    corners = base @ rot.T + jitter + np.array([cx, cy])
    # The whole page stays in the picture (people frame what they photograph).
    margin = 0.015 * cols
    span_x = (corners[:, 0].max() - corners[:, 0].min()) / (cols - 2 * margin)
    span_y = (corners[:, 1].max() - corners[:, 1].min()) / (rows - 2 * margin)
    shrink = max(1.0, span_x, span_y)
    corners = (corners - corners.mean(axis=0)) / shrink + corners.mean(axis=0)
    corners[:, 0] += max(0.0, margin - corners[:, 0].min()) - max(0.0, corners[:, 0].max() - (cols - margin))
    corners[:, 1] += max(0.0, margin - corners[:, 1].min()) - max(0.0, corners[:, 1].max() - (rows - margin))
    background = int(rng.integers(profile.backing[0], profile.backing[1] + 1))
    photo = degrade.photograph(paper, corners=corners, factor=factor, out_shape=(rows, cols), background=background)
    if not tinted:
        return photo, None
    sheet = np.full((int(round(page_h)), int(round(page_w))), 255, np.uint8)
    where = degrade.photograph(sheet, corners=corners * (sheet.shape[1] / page_w), factor=1.0, out_shape=(rows, cols),
                               background=0)
    return photo, where


def draw_dpi(profile: ScanProfile, rng: Rng) -> float:
    """A resolution from the profile's choices (a scanner keeps it for a whole batch)."""
    weights = np.asarray(profile.dpi_weights, np.float64)
    return float(rng.choice(profile.dpi, p=weights / weights.sum()))


def _optics(img: U8, profile: ScanProfile, rng: Rng) -> U8:
    """The scanner model's own optics: feed blur, sharpening, streaks and tone curve (none by default)."""
    if profile.motion[1] > 0:
        img = artefacts.motion_blur(img, length=float(rng.uniform(*profile.motion)),
                                    angle=90.0 if profile.perspective == 0 else float(rng.uniform(0, 180)))
    if profile.sharpen[1] > 0:
        img = artefacts.sharpen(img, amount=float(rng.uniform(*profile.sharpen)))
    if profile.streaks[1] > 0:
        img = artefacts.streaks(img, count=int(rng.integers(profile.streaks[0], profile.streaks[1] + 1)), rng=rng)
    if profile.gamma != (1.0, 1.0):
        img = artefacts.tone(img, gamma=float(rng.uniform(*profile.gamma)))
    return img


def scan_page(
    paper: U8, *, profile: ScanProfile, rng: Rng, turns: int, dpi: float | None = None
) -> ScannedPage:
    """Put a 300-dpi paper page through the scanner of ``profile``.

    Parameters
    ----------
    paper : (rows, cols) ndarray of uint8
        The filled page at 300 dpi.
    profile : ScanProfile
        The quality.
    rng : numpy.random.Generator
        Draws this page's skew, blur, noise, …
    turns : int
        Clockwise quarter turns of the sheet (see :func:`draw_turns`).
    dpi : float, optional
        The batch's resolution; drawn from the profile when not given (e.g. for each photo).

    Returns
    -------
    ScannedPage
    """
    dpi = draw_dpi(profile, rng) if dpi is None else dpi
    img = paper
    if rng.random() < profile.photocopy_share:
        img = degrade.photocopy(img, darkness=float(rng.uniform(*profile.darkness)),
                                paper=int(rng.integers(profile.copy_paper[0], profile.copy_paper[1])), rng=rng)
    tint, where = None, None
    if profile.papers and rng.random() < 0.5:
        tint = profile.papers[int(rng.integers(len(profile.papers)))]
    if profile.perspective > 0:
        img, where = _photo(img, profile, dpi, rng, tint is not None)
    else:
        factor = dpi / PAPER_DPI
        k = dpi / 25.4
        out_shape = (int(round((paper.shape[0] / PX_PER_MM + 2 * OVERSCAN_MM) * k)),
                     int(round((paper.shape[1] / PX_PER_MM + 2 * OVERSCAN_MM) * k)))
        skew = float(np.clip(rng.normal(0, profile.skew_deg), -2.5 * profile.skew_deg, 2.5 * profile.skew_deg))
        shift = (float(rng.uniform(-1, 1)) * profile.shift_mm * k, float(rng.uniform(-1, 1)) * profile.shift_mm * k)
        img = degrade.affine_scan(img, angle=skew, shift=shift, scale=float(rng.uniform(*profile.scale)),
                                  factor=factor, out_shape=out_shape,
                                  background=int(rng.integers(profile.backing[0], profile.backing[1] + 1)))
    img = degrade.blur(img, sigma=float(rng.uniform(*profile.blur)))
    img = _optics(img, profile, rng)
    if profile.lighting[1] > 0:
        img = degrade.uneven_lighting(img, strength=float(rng.uniform(*profile.lighting)),
                                      angle=float(rng.uniform(0, 360)), vignette=float(rng.uniform(*profile.vignette)),
                                      shadow=float(rng.uniform(*profile.shadow)) if rng.random() < profile.shadow_share
                                      else 0.0, edge=profile.shadow_edge)
    img = degrade.gaussian_noise(img, sigma=float(rng.uniform(*profile.noise)), rng=rng)
    if profile.speckle[1] > 0:
        img = degrade.speckle(img, density=float(rng.uniform(*profile.speckle)), rng=rng)
    if profile.bilevel:
        img = degrade.binarise(img, threshold=int(rng.integers(*profile.threshold)),
                               jitter=float(rng.uniform(*profile.jitter)),
                               dither=bool(rng.random() < profile.dither_share), rng=rng, diffusion=profile.diffusion)
        if profile.half_lines > 0 and rng.random() < profile.half_lines:
            img = artefacts.standard_fax_lines(img)
        img = degrade.line_dropouts(img, count=int(rng.poisson(1.0)), rng=rng)
    if tint is not None and where is not None:  # coloured paper, not a coloured table
        img = artefacts.paper_tint(img, tint=tint, where=where)
    img = degrade.rotate_quadrant(img, turns=turns)
    if profile.colour:
        tint = (float(rng.uniform(*profile.cast[0])), float(rng.uniform(*profile.cast[1])),
                float(rng.uniform(*profile.cast[2])))
        img = degrade.colour_cast(img, tint=tint)
    jpeg = None if profile.jpeg is None else int(rng.integers(profile.jpeg[0], profile.jpeg[1] + 1))
    return ScannedPage(img, dpi, turns % 4, jpeg, profile.bilevel)
