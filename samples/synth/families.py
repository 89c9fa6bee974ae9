"""Named respondent families: pens, marking habits and their shapes, split into tuning and evaluation.

A reader is tuned on the ``tuning`` families and its figures are reported on the ``evaluation``
families, which differ in kind (other pens, other proportions of habits, other shapes of loops
and ticks), not only in seed. Every family stays humanly readable: a careful person can read
every answer that is truly on the page.

The habit scales multiply the shares of :class:`~samples.synth.profile.AnswerProfile` (a family
of respondents who circle a lot has a large ``circle_all`` scale); see :mod:`samples.synth.habits`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from samples.synth.choices import FamilyChoice as FamilyChoice  # re-exported
from samples.synth.ink import PenKind
from samples.synth.loops import LoopStyle

Group = Literal["tuning", "evaluation"]
FAMILY_CHOICES: tuple[FamilyChoice, ...] = ("tuning", "evaluation", "all")


@dataclass(frozen=True)
class PenSpec:
    """A kind of pen and the ranges its respondents' pens are drawn from."""

    kind: PenKind
    reflectance: tuple[float, float]
    width_mm: tuple[float, float]
    grain: float = 0.0
    spread: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class HabitScales:
    """Multipliers of the profile's behaviour shares for one family (1 = the profile's share)."""

    circle_all: float = 1.0
    circle_box: float = 1.0
    circle_label: float = 1.0
    tick_long: float = 1.0
    beside: float = 1.0
    dot: float = 1.0
    pencil: float = 1.0
    felt_pen: float = 1.0
    bleed: float = 1.0
    stray_touch: float = 1.0


@dataclass(frozen=True)
class RespondentFamily:
    """A kind of respondent: pens, mark shapes and sizes, loops, untidiness and habit scales."""

    name: str
    group: Group
    weight: float
    """Relative share of the family within its group."""
    pens: tuple[tuple[PenSpec, float], ...]
    """Usual pens and their weights (a pencil or felt pen replaces them at the profile's share)."""
    pencil: PenSpec
    felt: PenSpec
    shapes: tuple[float, float, float]
    """Weights of crosses, ticks and slashes as the usual mark."""
    size: tuple[float, float]
    oversize: tuple[float, float, float]
    """Chances of an oversize share of 0, 0.03 and 0.15 (marks drawn well beyond the box)."""
    wobble: tuple[float, float]
    angle_sd: tuple[float, float]
    loops: LoopStyle
    label_loops: float
    """Of a respondent's circles, the share drawn around the label instead of the box."""
    strays: tuple[float, float, float]
    """Chances of 0, 0.5 and 2 stray marks per page (away from every box)."""
    scales: HabitScales = field(default_factory=HabitScales)


BLACK = PenSpec("ballpoint-black", (0.08, 0.22), (0.30, 0.45), 0.05)
BLUE = PenSpec("ballpoint-blue", (0.25, 0.45), (0.30, 0.45), 0.08)
PENCIL = PenSpec("pencil", (0.42, 0.62), (0.30, 0.50), 0.4)
FELT = PenSpec("felt-tip", (0.04, 0.15), (0.55, 0.85), 0.0)
# Evaluation pens: not seen while tuning.
GEL = PenSpec("gel", (0.12, 0.32), (0.38, 0.55), 0.02)
SOFT_PENCIL = PenSpec("pencil", (0.40, 0.54), (0.30, 0.45), 0.45)
WIDE_FELT = PenSpec("felt-tip", (0.05, 0.22), (0.75, 1.10), 0.0, (0.5, 0.9))
OLD_BLUE = PenSpec("ballpoint-blue", (0.30, 0.50), (0.35, 0.55), 0.15)
HEAVY_BLACK = PenSpec("ballpoint-black", (0.05, 0.18), (0.42, 0.62), 0.1)

TUNING: tuple[RespondentFamily, ...] = (
    RespondentFamily(
        "ballpoint-crossers", "tuning", 0.4, pens=((BLACK, 0.55), (BLUE, 0.45)), pencil=PENCIL, felt=FELT,
        shapes=(0.85, 0.10, 0.05), size=(0.6, 1.0), oversize=(0.7, 0.25, 0.05), wobble=(0.1, 0.7),
        angle_sd=(2.0, 10.0), loops=LoopStyle(margin=(0.3, 0.9), stretch=(1.0, 1.25), open_share=0.1, wobble=0.3),
        label_loops=0.2, strays=(0.55, 0.35, 0.10), scales=HabitScales(pencil=0.5, felt_pen=0.7),
    ),
    RespondentFamily(
        "tickers", "tuning", 0.3, pens=((BLUE, 0.6), (BLACK, 0.4)), pencil=PENCIL, felt=FELT,
        shapes=(0.15, 0.80, 0.05), size=(0.65, 1.05), oversize=(0.5, 0.35, 0.15), wobble=(0.1, 0.8),
        angle_sd=(3.0, 12.0), loops=LoopStyle(margin=(0.3, 1.1), stretch=(1.05, 1.4), open_share=0.15, wobble=0.4),
        label_loops=0.3, strays=(0.5, 0.35, 0.15), scales=HabitScales(tick_long=3.0, beside=1.5),
    ),
    RespondentFamily(
        "mixed-hands", "tuning", 0.3, pens=((BLUE, 0.42), (BLACK, 0.45)), pencil=PENCIL, felt=FELT,
        shapes=(0.58, 0.34, 0.08), size=(0.55, 1.05), oversize=(0.6, 0.3, 0.1), wobble=(0.1, 0.9),
        angle_sd=(2.0, 12.0), loops=LoopStyle(margin=(0.3, 1.2), stretch=(1.0, 1.5), open_share=0.2, wobble=0.5),
        label_loops=0.25, strays=(0.5, 0.35, 0.15),
    ),
)

EVALUATION: tuple[RespondentFamily, ...] = (
    RespondentFamily(
        "elderly-circlers", "evaluation", 0.2, pens=((OLD_BLUE, 0.5), (HEAVY_BLACK, 0.5)), pencil=SOFT_PENCIL,
        felt=WIDE_FELT, shapes=(0.5, 0.4, 0.1), size=(0.8, 1.2), oversize=(0.3, 0.4, 0.3), wobble=(0.6, 1.0),
        angle_sd=(8.0, 20.0),
        loops=LoopStyle(margin=(0.5, 1.6), stretch=(1.15, 1.9), open_share=0.35, wobble=0.9, tilt_deg=10.0),
        label_loops=0.4, strays=(0.3, 0.4, 0.3),
        scales=HabitScales(circle_all=5.0, circle_box=3.0, circle_label=2.0, beside=3.0, stray_touch=3.0),
    ),
    RespondentFamily(
        "felt-pen", "evaluation", 0.25, pens=((WIDE_FELT, 1.0),), pencil=SOFT_PENCIL, felt=WIDE_FELT,
        shapes=(0.45, 0.45, 0.10), size=(0.7, 1.1), oversize=(0.5, 0.3, 0.2), wobble=(0.2, 0.8),
        angle_sd=(4.0, 14.0), loops=LoopStyle(margin=(0.4, 1.3), stretch=(1.1, 1.6), open_share=0.2, wobble=0.5),
        label_loops=0.3, strays=(0.5, 0.35, 0.15),
        scales=HabitScales(circle_all=0.5, dot=3.0, pencil=0.3),
    ),
    RespondentFamily(
        "pencil-hurried", "evaluation", 0.2, pens=((SOFT_PENCIL, 1.0),), pencil=SOFT_PENCIL, felt=WIDE_FELT,
        shapes=(0.15, 0.45, 0.40), size=(0.55, 0.9), oversize=(0.5, 0.3, 0.2), wobble=(0.4, 0.85),
        angle_sd=(10.0, 20.0), loops=LoopStyle(margin=(0.2, 1.0), stretch=(1.2, 1.8), open_share=0.5, wobble=0.7),
        label_loops=0.3, strays=(0.4, 0.4, 0.2),
        scales=HabitScales(circle_all=0.5, tick_long=3.0, beside=2.0, stray_touch=2.0, felt_pen=0.0),
    ),
    RespondentFamily(
        "gel-tickers", "evaluation", 0.35, pens=((GEL, 1.0),), pencil=SOFT_PENCIL, felt=WIDE_FELT,
        shapes=(0.15, 0.80, 0.05), size=(0.7, 1.15), oversize=(0.4, 0.35, 0.25), wobble=(0.2, 0.7),
        angle_sd=(10.0, 22.0), loops=LoopStyle(margin=(0.4, 1.4), stretch=(1.3, 2.0), open_share=0.25, wobble=0.4,
                                               tilt_deg=12.0),
        label_loops=0.5, strays=(0.6, 0.3, 0.1), scales=HabitScales(circle_all=0.5, tick_long=4.0),
    ),
)

FAMILIES: tuple[RespondentFamily, ...] = TUNING + EVALUATION


def families_of(choice: FamilyChoice) -> tuple[RespondentFamily, ...]:
    """The respondent families a set draws from (``all``: both groups, each with half the weight)."""
    if choice == "tuning":
        return TUNING
    if choice == "evaluation":
        return EVALUATION
    return FAMILIES
