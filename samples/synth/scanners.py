"""Named scanner families per quality, split into tuning and evaluation models.

The tuning ``-a`` models are the four profiles of :data:`samples.synth.scan.PROFILES` as they
always were; the ``-c`` models are close variants. The evaluation models (``-b``, ``-d``) are
other kinds of machine: other optics (sharpening, feed blur), tone curves, resolutions,
compression, error-diffusion faxes, standard-mode faxes, phones with hard shadows, strong
vignetting and coloured paper. All of them leave every mark readable to a careful person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from samples.synth.families import FamilyChoice, Group
from samples.synth.ink import Rng
from samples.synth.scan import PROFILES, Quality, ScanProfile

YELLOW, PINK, BLUE, GREEN = (1.0, 0.95, 0.78), (1.0, 0.88, 0.90), (0.86, 0.93, 1.0), (0.90, 1.0, 0.88)


@dataclass(frozen=True)
class ScannerFamily:
    """A scanner (or phone) model: its group and the profile it scans with."""

    name: str
    group: Group
    profile: ScanProfile


def _f(name: str, group: Group, base: ScanProfile, **changes: object) -> ScannerFamily:
    return ScannerFamily(name, group, replace(base, family=name, **changes))  # type: ignore[arg-type]


_C, _O, _F, _P = PROFILES["clean"], PROFILES["office"], PROFILES["fax"], PROFILES["photo"]

SCANNERS: dict[Quality, tuple[ScannerFamily, ...]] = {
    "clean": (
        _f("flatbed-a", "tuning", _C),
        _f("flatbed-c", "tuning", _C, blur=(0.4, 0.8), gamma=(1.05, 1.2), jpeg=(85, 92), noise=(1.5, 3.0)),
        _f("flatbed-b", "evaluation", _C, dpi=(300.0, 400.0), dpi_weights=(0.6, 0.4), sharpen=(0.5, 1.0),
           gamma=(0.8, 0.95), blur=(0.5, 0.9), jpeg=(88, 95)),
        _f("flatbed-d", "evaluation", _C, dpi=(240.0,), dpi_weights=(1.0,), blur=(0.6, 1.0), gamma=(1.15, 1.35),
           jpeg=(80, 90), noise=(2.0, 4.0), skew_deg=0.25),
    ),
    "office": (
        _f("adf-a", "tuning", _O),
        _f("copier-a", "tuning", _O, photocopy_share=0.6, jpeg=(70, 85), blur=(0.6, 1.0)),
        _f("adf-b", "evaluation", _O, motion=(1.5, 3.5), streaks=(1, 4), jpeg=(55, 75), gamma=(0.85, 1.1),
           photocopy_share=0.15, skew_deg=1.1, dpi_weights=(0.7, 0.3), noise=(3.0, 7.0)),
        _f("copier-b", "evaluation", _O, photocopy_share=0.8, darkness=(0.6, 1.0), copy_paper=(200, 230),
           dpi_weights=(0.6, 0.4), jpeg=(60, 80), speckle=(0.1, 0.4), sharpen=(0.3, 0.7)),
    ),
    "fax": (
        _f("fax-a", "tuning", _F),
        _f("fax-c", "tuning", _F, dither_share=0.0, threshold=(155, 181), jitter=(5.0, 12.0), speckle=(0.02, 0.2)),
        _f("fax-b", "evaluation", _F, dither_share=0.7, diffusion=True, threshold=(168, 194), jitter=(8.0, 20.0),
           noise=(4.0, 9.0)),
        _f("fax-d", "evaluation", _F, half_lines=1.0, dither_share=0.4, diffusion=True, threshold=(172, 198),
           blur=(0.5, 0.9)),
    ),
    "photo": (
        _f("phone-a", "tuning", _P),
        _f("phone-c", "tuning", _P, perspective=0.04, lighting=(0.1, 0.3), dpi=(200.0, 250.0),
           dpi_weights=(0.5, 0.5), cast=((1.0, 1.0), (0.95, 1.0), (0.85, 0.95)), jpeg=(75, 92)),
        _f("phone-b", "evaluation", _P, vignette=(0.25, 0.45), shadow_share=0.6, shadow=(0.25, 0.5), shadow_edge=45.0,
           papers=(YELLOW, PINK, BLUE, GREEN), perspective=0.07, lighting=(0.15, 0.45)),
        _f("phone-d", "evaluation", _P, cast=((0.85, 0.95), (0.95, 1.0), (1.0, 1.0)), motion=(1.0, 3.0),
           dpi=(150.0, 200.0), dpi_weights=(0.5, 0.5), jpeg=(60, 80), papers=(YELLOW, PINK, BLUE),
           perspective=0.06, noise=(4.0, 9.0)),
    ),
}


def scanners_of(quality: Quality, choice: FamilyChoice) -> tuple[ScannerFamily, ...]:
    """The scanner families of one quality in the chosen group (``all``: both)."""
    return tuple(s for s in SCANNERS[quality] if choice == "all" or s.group == choice)


def draw_scanner(quality: Quality, choice: FamilyChoice, rng: Rng) -> ScannerFamily:
    """A scanner family of ``quality`` from the chosen group, each equally likely."""
    pool = scanners_of(quality, choice)
    return pool[int(rng.integers(len(pool)))]
