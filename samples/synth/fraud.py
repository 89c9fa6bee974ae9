"""Forms filled by one hand: a fieldworker who fills many forms of one unit with one answer pattern.

What integrity screening must find (``sipas fieldwork screen``): the last ``count`` forms of a synthetic
set are written by one person, with one pen, one way of marking and one set of digit shapes (one
writer's sample of each digit, where honest respondents each draw theirs from thousands of writers),
giving the same answers to every form but for a small share of answers moved one step up or down
the scale, and all carry the sample-unit codes of the first of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from omr.errors import BadArgumentsError
from omr.render import FormCopy
from omr.template.model import GridField, SingleField, Template
from samples.synth.answers import FormAnswers, draw_answers
from samples.synth.handdigits import DigitBank, digit_bank
from samples.synth.ink import Rng
from samples.synth.outputs import FormRecord
from samples.synth.profile import AnswerProfile
from samples.synth.respondents import Hand

FAMILY = "one-hand"
"""The respondent family written in pages.csv and marks.csv for the one-hand forms."""
_TRIES = 50


@dataclass(frozen=True)
class OneHand:
    """``count`` forms filled by one hand; ``noise``: share of their answers moved one scale step."""

    count: int
    noise: float = 0.05

    def __post_init__(self) -> None:
        if self.count < 1:
            raise BadArgumentsError(f"--one-hand: the count must be at least 1, not {self.count}")
        if not 0.0 <= self.noise <= 1.0:
            raise BadArgumentsError(f"one-hand forms: noise must be a share 0..1, not {self.noise}")


@dataclass(frozen=True)
class WriterHand(Hand):
    """A hand with its own digit shapes (one sample of each digit), as one person writes them."""

    digits: DigitBank | None = None


def writer_digits(hand: Hand) -> DigitBank | None:
    """The digit shapes of a :class:`WriterHand`; None (the shared bank) for any other hand."""
    return hand.digits if isinstance(hand, WriterHand) else None


def one_writer(bank: DigitBank, rng: Rng) -> DigitBank:
    """One image of each digit drawn from ``bank``: the digit shapes of one writer."""
    images, labels = [], []
    for d in range(10):
        images.append(bank.pick(d, rng))
        labels.append(d)
    return DigitBank(np.stack(images).astype(np.uint8), np.asarray(labels, np.int64))


def _scales(template: Template) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in template.fields():
        if isinstance(f, GridField):
            out.update({r.code: [o.value for o in f.scale] for r in f.rows})
        elif isinstance(f, SingleField):
            out[f.code] = [o.value for o in f.options]
    return out


def vary(template: Template, answers: FormAnswers, noise: float, rng: Rng) -> FormAnswers:
    """``answers`` with each plainly marked single answer moved one scale step with chance ``noise``."""
    scales = _scales(template)
    truth = dict(answers.truth)
    marks = Counter(b.field for b in answers.boxes)
    boxes = []
    for b in answers.boxes:
        values = scales.get(b.field)
        if (values and b.role == "mark" and marks[b.field] == 1 and truth.get(b.field) == b.value
                and b.value in values and rng.random() < noise):
            k = values.index(b.value)
            steps = [j for j in (k - 1, k + 1) if 0 <= j < len(values)]
            new = values[steps[int(rng.integers(len(steps)))]]
            b = replace(b, value=new)
            truth[b.field] = new
        boxes.append(b)
    return replace(answers, truth=tuple((c, truth[c]) for c, _ in answers.truth), boxes=tuple(boxes))


def _pattern(template: Template, profile: AnswerProfile, rng: Rng) -> FormAnswers:
    """One complete answer set (no blank or missing page) to copy onto every form."""
    for _ in range(_TRIES):
        answers = draw_answers(template, profile, rng)
        if not answers.blank_pages and not answers.missing_pages:
            return answers
    raise ValueError(f"{template.name}: no answer set without a blank or missing page in {_TRIES} draws; "
                     "lower skip_page / missing_page in the answer profile")


def one_hand_forms(template: Template, forms: list[FormRecord], spec: OneHand, profile: AnswerProfile,
                   rng: Rng) -> list[FormRecord]:
    """``forms`` with the last ``spec.count`` filled by one hand with one answer pattern (see module)."""
    if spec.count > len(forms):
        raise BadArgumentsError(f"--one-hand {spec.count}: the set has only {len(forms)} forms (--count); "
                                "ask for at most that many")
    first = len(forms) - spec.count
    who = forms[first].respondent
    hand = WriterHand(who.hand.pen, who.hand.style, 0.0, who.hand.loops, one_writer(digit_bank(), rng))
    writer = replace(who, family=FAMILY, hand=hand, circles_all=False, label_loops=0.0)
    pattern = _pattern(template, profile, rng)
    units = dict(forms[first].copy.units)
    out = forms[:first]
    for f in forms[first:]:
        copy = FormCopy(f.copy.form_id, dict(units), f.copy.identity)
        out.append(FormRecord(copy, vary(template, pattern, spec.noise, rng), writer))
    return out
