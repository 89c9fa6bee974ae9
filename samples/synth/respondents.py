"""One respondent drawn from a family: their hand (pen, mark style, loops, untidiness) and habits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samples.synth.families import FamilyChoice, PenSpec, RespondentFamily, families_of
from samples.synth.ink import Pen, Rng, random_pen
from samples.synth.loops import NEAT_LOOPS, LoopStyle
from samples.synth.marks import MarkShape, MarkStyle, random_style
from samples.synth.profile import AnswerProfile

FAINT_PENCIL = 0.5
"""A pencil lighter than this reflectance makes marks a careful reader hesitates over."""


@dataclass(frozen=True)
class Hand:
    """How one respondent writes: their pen, their marking habits and how untidy they are."""

    pen: Pen
    style: MarkStyle
    strays_per_page: float
    loops: LoopStyle = NEAT_LOOPS


@dataclass(frozen=True)
class Respondent:
    """A respondent of a named family, with the habits that hold for their whole form."""

    family: str
    hand: Hand
    circles_all: bool
    """Circles every answer instead of marking boxes."""
    label_loops: float
    """Of their circles, the share drawn around the option's label."""


def random_hand(rng: Rng) -> Hand:
    """A respondent's hand as drawn before families existed (foreign pages, the gallery)."""
    return Hand(random_pen(rng), random_style(rng), float(rng.choice([0.0, 0.5, 2.0], p=[0.5, 0.35, 0.15])))


def _pen(spec: PenSpec, rng: Rng) -> Pen:
    spread = float(rng.uniform(*spec.spread)) if spec.spread[1] > 0 else 0.0
    return Pen(spec.kind, float(rng.uniform(*spec.reflectance)), float(rng.uniform(*spec.width_mm)), spec.grain,
               spread)


def _pick(rng: Rng, weights: list[float]) -> int:
    w = np.asarray(weights, np.float64)
    return int(rng.choice(len(w), p=w / w.sum()))


def draw_family(choice: FamilyChoice, rng: Rng) -> RespondentFamily:
    """A respondent family from the chosen group, by the families' weights."""
    pool = families_of(choice)
    return pool[_pick(rng, [f.weight for f in pool])]


def draw_respondent(family: RespondentFamily, profile: AnswerProfile, rng: Rng) -> Respondent:
    """A respondent of ``family``: pen, style and loops within the family's ranges."""
    s = family.scales
    u = rng.random()
    p_pencil = min(1.0, profile.pencil * s.pencil)
    p_felt = min(1.0 - p_pencil, profile.felt_pen * s.felt_pen)
    if u < p_pencil:
        pen = _pen(family.pencil, rng)
    elif u < p_pencil + p_felt:
        pen = _pen(family.felt, rng)
    else:
        pen = _pen(family.pens[_pick(rng, [w for _, w in family.pens])][0], rng)
    shapes: tuple[MarkShape, ...] = ("cross", "tick", "slash")
    shape = shapes[_pick(rng, list(family.shapes))]
    style = MarkStyle(
        shape=shape,
        size=float(rng.uniform(*family.size)),
        oversize_share=(0.0, 0.03, 0.15)[_pick(rng, list(family.oversize))],
        wobble=float(rng.uniform(*family.wobble)),
        angle_sd=float(rng.uniform(*family.angle_sd)),
    )
    strays = (0.0, 0.5, 2.0)[_pick(rng, list(family.strays))]
    circles_all = bool(rng.random() < min(1.0, profile.circle_all * s.circle_all))
    label_loops = float(np.clip(rng.normal(family.label_loops, 0.1), 0.0, 1.0))
    return Respondent(family.name, Hand(pen, style, strays, family.loops), circles_all, label_loops)


def hesitant_pen(pen: Pen) -> bool:
    """Marks of this pen are faint enough for a careful reader to hesitate over."""
    return pen.kind == "pencil" and pen.reflectance >= FAINT_PENCIL
