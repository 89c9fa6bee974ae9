"""The answer profile: distributions of answers and rates of respondents' slips, with defaults.

A profile can be given as a YAML (or JSON) mapping that overrides some of its fields
(``sipas synth --answers profile.yaml``); see :func:`load_answer_profile`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

from omr.errors import InputFileError


@dataclass(frozen=True)
class AnswerProfile:
    """Answer distributions and the rates of respondents' habits and slips.

    Distributions are weights per option in template order (normalised when used); a
    distribution whose length does not match a question's options falls back to a generic one.
    Rates are probabilities per question (per grid row) unless stated otherwise.
    """

    satisfaction: tuple[float, ...] = (0.02, 0.05, 0.09, 0.60, 0.24)
    """5-point satisfaction scales: ~84 % answer 4 or 5, as SIPAS publishes."""
    four_point: tuple[float, ...] = (0.08, 0.20, 0.47, 0.25)
    """4-point scales (interest, suitability, wish to improve)."""
    yes_no: tuple[float, ...] = (0.45, 0.55)
    disposition_sd: float = 0.5
    """Spread of each respondent's tilt on ordinal scales (logit per scale step): some are harsher."""
    gender: tuple[float, ...] = (0.48, 0.52)
    ethnicity: tuple[float, ...] = (0.86, 0.14)
    age: tuple[float, ...] = (0.09, 0.21, 0.33, 0.24, 0.13)
    education: tuple[float, ...] = (0.12, 0.25, 0.30, 0.17, 0.14, 0.02)
    occupation: tuple[float, ...] = (0.12, 0.14, 0.30, 0.04, 0.20, 0.17, 0.03)
    harassment: tuple[float, ...] = (0.90, 0.09, 0.01)
    """3-option "none / some / many" questions (trouble caused, informal payments)."""
    multi_choice: float = 0.35
    """Chance that each option of a multi-choice question is chosen."""
    other_option: float = 0.03
    """Weight of an "other (please specify)" option."""
    skip_question: float = 0.015
    skip_page: float = 0.01
    """Per page: the respondent left the whole page blank."""
    missing_page: float = 0.01
    """Per form: one page never came back (it is not in the scan)."""
    double_mark: float = 0.002
    correction: float = 0.005
    """A box filled over and another crossed (truth: the crossed one)."""
    lone_fill: float = 0.001
    """The chosen box filled instead of crossed, with no other mark (a reader sends it to review)."""
    write_in: float = 0.8
    """Chance of writing the text when an "other" option is chosen."""
    opinion: float = 0.3
    """Chance of writing something in a free-text question."""
    digits_blank: float = 0.03
    date_years: tuple[int, int] = (2023, 2025)
    # Behaviours (each scaled by the respondent's family, see samples/synth/families.py).
    circle_all: float = 0.025
    """Per respondent: circles every answer instead of marking the box."""
    circle_box: float = 0.01
    """Per mark: a loop drawn around the box instead of a mark in it."""
    circle_label: float = 0.005
    """Per mark: a loop around the option's printed label (in a grid, around the box's stretch of row)."""
    tick_long: float = 0.01
    """Per mark: a tick whose long stroke runs 2–4 box sides out of the box."""
    beside: float = 0.008
    """Per mark: a cross or tick made just beside the box instead of in it."""
    dot: float = 0.004
    """Per mark: a firm dot in the box."""
    pencil: float = 0.06
    """Per respondent: writes with a (light) pencil."""
    felt_pen: float = 0.07
    """Per respondent: writes with a felt pen whose ink spreads."""
    bleed: float = 0.06
    """Per mark of a felt pen: a thick stroke runs on into the next box or row."""
    stray_touch: float = 0.004
    """Per checkbox question (grid row): a dot or smudge touching one of its boxes."""
    scribble_correction: float = 0.4
    """Of corrections: the wrong box was crossed first, then scribbled over (else just filled)."""


def load_answer_profile(path: Path) -> AnswerProfile:
    """An :class:`AnswerProfile` with the fields given in a YAML (or JSON) mapping overridden."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputFileError(f"{path}: cannot read the answer profile: {exc}") from exc
    if data is None:
        return AnswerProfile()
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: an answer profile is a mapping of field: value")
    known = {f.name: f for f in fields(AnswerProfile)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InputFileError(f"{path}: unknown field(s) {', '.join(map(str, unknown))}; "
                             f"known: {', '.join(known)}")
    values: dict[str, object] = {}
    for key, value in data.items():
        default = getattr(AnswerProfile(), key)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not value or not all(isinstance(v, int | float) for v in value):
                raise InputFileError(f"{path}: {key} must be a list of numbers, e.g. {list(default)}")
            if key != "date_years" and (any(v < 0 for v in value) or sum(value) <= 0):
                raise InputFileError(f"{path}: {key} must hold non-negative weights with a positive sum")
            if key == "date_years" and (len(value) != 2 or value[0] > value[1]):
                raise InputFileError(f"{path}: date_years must be [first year, last year]")
            values[key] = tuple(int(v) for v in value) if key == "date_years" else tuple(float(v) for v in value)
        else:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise InputFileError(f"{path}: {key} must be a number, e.g. {default}")
            if key != "disposition_sd" and not 0 <= value <= 1:
                raise InputFileError(f"{path}: {key} is a probability and must lie between 0 and 1")
            values[key] = float(value)
    return replace(AnswerProfile(), **values)  # type: ignore[arg-type]


BEHAVIOURS = ("circle_all", "circle_box", "circle_label", "tick_long", "beside", "dot", "bleed", "stray_touch",
              "scribble_correction")
"""The behaviour shares added for unseen-respondent benchmarks (pens keep their shares)."""


def plain_marks(profile: AnswerProfile | None = None) -> AnswerProfile:
    """``profile`` (default: the defaults) with none of :data:`BEHAVIOURS`: boxes crossed, ticked,
    slashed or filled as before circles, long ticks, dots and smudges were drawn."""
    base = profile or AnswerProfile()
    return replace(base, **{name: 0.0 for name in BEHAVIOURS})  # type: ignore[arg-type]
