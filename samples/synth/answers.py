"""How respondents answer: plausible, configurable answer distributions and their ground truth.

:func:`draw_answers` decides *what* a respondent puts on a form (which boxes get a mark, which
are filled over as a correction, the digits and the phrases written); :mod:`samples.synth.marks`
decides how it looks. The truth is coded exactly as ``sipas export --format answers``: an option
value for a single field or grid row, ``;``-joined values in template order for a multi field,
the digit string, the written text, ``""`` for blank and ``"*"`` for a single-choice field with
two marks (:data:`omr.types.MULTIPLE`).

Fields on a page that is missing from the scan, or that the respondent left blank, are blank
in the truth: the correct reading of a page nobody filled (or nobody scanned) is "no answer".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from omr.template.model import (
    DigitsField,
    GridField,
    MultiField,
    Option,
    SingleField,
    Template,
    TextField,
)
from omr.types import MULTIPLE
from samples.synth.phrases import OPINIONS, nfc, write_ins_for
from samples.synth.profile import AnswerProfile

Rng = np.random.Generator
MarkRole = Literal["mark", "cancel", "fill_mark", "stray"]
"""``mark``: crossed or ticked; ``cancel``: filled over (a correction); ``fill_mark``: the
respondent filled the box as their answer (a lone fill: the reader should flag it); ``stray``: a
dot or smudge touching the box that means nothing (added by :mod:`samples.synth.habits`)."""
DrawKind = Literal["", "cross", "tick", "slash", "fill", "dot", "circle-box", "circle-label", "tick-long",
                   "beside", "scribble", "stray"]
"""How the ink of a box is drawn; ``""`` = the respondent's usual mark (``scribble``: a cross
scribbled over, a correction)."""


@dataclass(frozen=True)
class BoxIntent:
    """A box the respondent puts ink in: answer code, option value and what the ink means."""

    field: str
    value: str
    role: MarkRole
    kind: DrawKind = ""
    toward: tuple[str, str] | None = None
    """(answer code, value) of another box a stroke of this mark runs into (felt-pen bleed)."""


@dataclass(frozen=True)
class FormAnswers:
    """Everything one respondent wrote, and the truth it stands for."""

    truth: tuple[tuple[str, str], ...]
    """(answer code, value) for every answer code of the template, in template order."""
    boxes: tuple[BoxIntent, ...]
    digits: tuple[tuple[str, str], ...]
    """(field code, digit string) of the digit fields that were written."""
    texts: tuple[tuple[str, str], ...]
    """(answer code, phrase) of the text fields and write-ins that were written."""
    blank_pages: tuple[int, ...] = ()
    missing_pages: tuple[int, ...] = ()

    def value(self, code: str) -> str:
        """The truth value of one answer code."""
        for c, v in self.truth:
            if c == code:
                return v
        raise KeyError(code)


def _norm(weights: tuple[float, ...] | list[float]) -> NDArray[np.float64]:
    w = np.asarray(weights, dtype=np.float64)
    out: NDArray[np.float64] = w / w.sum()
    return out


def _code_rng(code: str) -> Rng:
    """A generator fixed by a field code (stable across runs and Python versions)."""
    return np.random.default_rng(int.from_bytes(hashlib.sha256(code.encode()).digest()[:8], "big"))


class _Respondent:
    def __init__(self, template: Template, profile: AnswerProfile, rng: Rng) -> None:
        self.t = template
        self.p = profile
        self.rng = rng
        self.tilt = float(rng.normal(0.0, profile.disposition_sd))
        # Most people skip almost nothing, a few skip a lot (mean rate = skip_question).
        careless = rng.random() < 0.2
        self.skip = profile.skip_question * (3.8 if careless else 0.05)
        self.truth: dict[str, str] = {}
        self.boxes: list[BoxIntent] = []
        self.digits: list[tuple[str, str]] = []
        self.texts: list[tuple[str, str]] = []

    # -- distributions -----------------------------------------------------------------------
    def _ordinal(self, base: tuple[float, ...]) -> NDArray[np.float64]:
        w = _norm(base)
        steps = np.arange(len(w)) - (len(w) - 1) / 2
        return _norm(list(w * np.exp(self.tilt * steps)))

    def _weights(self, label_en: str, options: list[Option], code: str) -> NDArray[np.float64]:
        p, n, low = self.p, len(options), label_en.lower()
        named: list[tuple[bool, tuple[float, ...], bool]] = [
            ("gender" in low, p.gender, False),
            ("ethnic" in low, p.ethnicity, False),
            (re.search(r"\bage\b", low) is not None, p.age, False),
            ("education" in low, p.education, False),
            ("occupation" in low, p.occupation, False),
            ("trouble" in low or "harass" in low or "payment" in low or "money" in low, p.harassment, False),
            ("satisf" in low, p.satisfaction, True),
        ]
        for hit, dist, ordinal in named:
            if hit and len(dist) == n:
                return self._ordinal(dist) if ordinal else _norm(dist)
        w = _code_rng(code).dirichlet(np.full(n, 1.5))
        for k, opt in enumerate(options):
            if opt.other:
                w[k] = p.other_option
        return _norm(list(w))

    def _scale_weights(self, scale: list[Option], code: str) -> NDArray[np.float64]:
        n = len(scale)
        if n == len(self.p.satisfaction):
            return self._ordinal(self.p.satisfaction)
        if n == len(self.p.four_point):
            return self._ordinal(self.p.four_point)
        if n == len(self.p.yes_no):
            return _norm(self.p.yes_no)
        return _code_rng(code).dirichlet(np.full(n, 1.5))

    # -- questions ---------------------------------------------------------------------------
    def _single(self, code: str, options: list[Option], weights: NDArray[np.float64], label_en: str) -> None:
        rng, p = self.rng, self.p
        if rng.random() < self.skip:
            self.truth[code] = ""
            return
        k = int(rng.choice(len(options), p=weights))
        value = options[k].value
        others = [o.value for j, o in enumerate(options) if j != k]
        u = rng.random()
        if u < p.double_mark:
            second = str(rng.choice(others))
            self.boxes += [BoxIntent(code, value, "mark"), BoxIntent(code, second, "mark")]
            self.truth[code] = MULTIPLE
        elif u < p.double_mark + p.correction:
            cancelled = str(rng.choice(others))
            self.boxes += [BoxIntent(code, cancelled, "cancel"), BoxIntent(code, value, "mark")]
            self.truth[code] = value
        elif u < p.double_mark + p.correction + p.lone_fill:
            self.boxes.append(BoxIntent(code, value, "fill_mark"))
            self.truth[code] = value
        else:
            self.boxes.append(BoxIntent(code, value, "mark"))
            self.truth[code] = value
        other = options[k].other
        if other is not None:
            self._write_in(other, label_en)

    def _write_in(self, code: str, label_en: str) -> None:
        if self.rng.random() < self.p.write_in:
            phrase = nfc(str(self.rng.choice(write_ins_for(label_en))))
            self.texts.append((code, phrase))
            self.truth[code] = phrase

    def _multi(self, f: MultiField) -> None:
        rng, p = self.rng, self.p
        if rng.random() < self.skip:
            self.truth[f.code] = ""
            return
        probs = np.array([p.other_option * 3 if o.other else p.multi_choice for o in f.options])
        chosen = rng.random(len(f.options)) < probs
        if not chosen.any():
            chosen[int(rng.integers(len(f.options)))] = True
        if f.max_choices is not None and chosen.sum() > f.max_choices:
            keep = rng.choice(np.flatnonzero(chosen), f.max_choices, replace=False)
            chosen[:] = False
            chosen[keep] = True
        unchosen = [o.value for o, c in zip(f.options, chosen, strict=True) if not c]
        if unchosen and rng.random() < p.correction:
            self.boxes.append(BoxIntent(f.code, str(rng.choice(unchosen)), "cancel"))
        values = [o.value for o, c in zip(f.options, chosen, strict=True) if c]
        self.boxes += [BoxIntent(f.code, v, "mark") for v in values]
        self.truth[f.code] = ";".join(values)
        for o, c in zip(f.options, chosen, strict=True):
            if c and o.other is not None:
                self._write_in(o.other, f.label.en)

    def _digits(self, f: DigitsField) -> None:
        rng = self.rng
        if rng.random() < self.p.digits_blank:
            self.truth[f.code] = ""
            return
        if f.groups == [2, 2, 4] or "date" in f.label.en.lower():
            lo, hi = self.p.date_years
            year = int(rng.integers(lo, hi + 1))
            month = int(rng.integers(1, 13))
            day = int(rng.integers(1, 29 if month == 2 else 31))
            text = f"{day:02d}{month:02d}{year:04d}"[: f.length].rjust(f.length, "0")
        else:
            text = "".join(str(d) for d in rng.integers(0, 10, f.length))
        self.digits.append((f.code, text))
        self.truth[f.code] = text

    def _text(self, f: TextField) -> None:
        if self.rng.random() < self.p.opinion:
            phrase = str(self.rng.choice(OPINIONS))
            if f.lines >= 2 and self.rng.random() < 0.3:
                phrase = f"{phrase}. {self.rng.choice(OPINIONS)}"
            self.texts.append((f.code, nfc(phrase)))
            self.truth[f.code] = nfc(phrase)

    def fill_page(self, number: int) -> None:
        for f in self.t.pages[number - 1].fields:
            if isinstance(f, SingleField):
                self._single(f.code, f.options, self._weights(f.label.en, f.options, f.code), f.label.en)
            elif isinstance(f, MultiField):
                self._multi(f)
            elif isinstance(f, GridField):
                for row in f.rows:
                    self._single(row.code, f.scale, self._scale_weights(f.scale, f.code), f.label.en)
            elif isinstance(f, DigitsField):
                self._digits(f)
            else:
                self._text(f)


def draw_answers(template: Template, profile: AnswerProfile, rng: Rng) -> FormAnswers:
    """One respondent's answers to ``template``, drawn from ``profile`` with ``rng``."""
    r = _Respondent(template, profile, rng)
    n = template.page_count
    blank = [p for p in range(1, n + 1) if rng.random() < profile.skip_page]
    if len(blank) == n:
        blank = blank[1:]
    missing: list[int] = []
    if n > 1 and rng.random() < profile.missing_page:
        missing = [int(rng.integers(1, n + 1))]
        blank = [p for p in blank if p not in missing]
    for number in range(1, n + 1):
        if number not in blank and number not in missing:
            r.fill_page(number)
    truth = tuple((code, r.truth.get(code, "")) for code in template.answer_codes())
    return FormAnswers(
        truth=truth,
        boxes=tuple(r.boxes),
        digits=tuple(r.digits),
        texts=tuple(r.texts),
        blank_pages=tuple(blank),
        missing_pages=tuple(missing),
    )
