"""How each box's ink is drawn (a cross, a loop, a dot, …), and what a field got, for marks.csv.

:func:`draw_answers` decides which boxes get ink; :func:`apply_habits` then decides, from the
respondent's family and the :class:`~samples.synth.profile.AnswerProfile` shares, *how* each box
is inked (its :data:`~samples.synth.answers.DrawKind`), adds smudges touching boxes, and leaves
the truth unchanged. :func:`field_marks` lists the mark kinds of every checkbox answer code and
whether a careful person would hesitate over it (the rows of marks.csv).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from omr.template.layout import layout_template
from omr.template.model import GridField, MultiField, SingleField, Template
from omr.types import MULTIPLE
from samples.synth.answers import BoxIntent, DrawKind, FormAnswers
from samples.synth.families import RespondentFamily
from samples.synth.profile import AnswerProfile
from samples.synth.respondents import Respondent, hesitant_pen

Rng = np.random.Generator
CHECKBOX_KINDS = ("single", "multi", "grid")
MARK_KINDS = ("cross", "tick", "slash", "dot", "fill", "circle-box", "circle-label", "tick-long", "beside",
              "pencil", "bleed", "corrected", "double", "stray")
"""The vocabulary of marks.csv's ``marks`` column."""
HESITATE = frozenset({"circle-box", "circle-label", "beside", "double", "dot", "stray", "bleed"})
"""Mark kinds a careful person hesitates over (faint pencil is decided by the pen)."""


@dataclass(frozen=True)
class FieldMarks:
    """One row of marks.csv (without the form id and family)."""

    field: str
    value: str
    marks: tuple[str, ...]
    hesitate: bool


Key = tuple[str, str]
"""(answer code, option value) of one checkbox."""


@dataclass(frozen=True)
class _Shape:
    """Where a checkbox answer code sits: its page and option values."""

    page: int
    values: tuple[str, ...]


def checkbox_shapes(template: Template) -> dict[str, _Shape]:
    """Every single, multi and grid-row answer code with its page and option values."""
    out: dict[str, _Shape] = {}
    for number, page in enumerate(template.pages, start=1):
        for f in page.fields:
            if isinstance(f, GridField):
                for row in f.rows:
                    out[row.code] = _Shape(number, tuple(o.value for o in f.scale))
            elif isinstance(f, SingleField | MultiField):
                out[f.code] = _Shape(number, tuple(o.value for o in f.options))
    return out


BLEED_REACH_MM = 4.0
"""A felt pen's stroke runs on only into a box this close (edge to edge): the next box or row."""
_NEAR: dict[tuple[str, str], dict[Key, list[Key]]] = {}


def near_boxes(template: Template) -> dict[Key, list[Key]]:
    """For every checkbox, the other checkboxes of its page within :data:`BLEED_REACH_MM`."""
    cached = _NEAR.get((template.name, template.version))
    if cached is not None:
        return cached
    out: dict[Key, list[Key]] = {}
    for page in layout_template(template).pages:
        boxes = [b for b in page.boxes if b.kind == "box"]
        for a in boxes:
            out[(a.field, a.value)] = [
                (b.field, b.value) for b in boxes if b is not a
                and max(b.rect.x - a.rect.right, a.rect.x - b.rect.right, 0.0) ** 2
                + max(b.rect.y - a.rect.bottom, a.rect.y - b.rect.bottom, 0.0) ** 2 < BLEED_REACH_MM**2
            ]
    _NEAR[(template.name, template.version)] = out
    return out


def _usual(respondent: Respondent, rng: Rng) -> DrawKind:
    """The respondent's usual mark; now and then the other common one (as hands vary)."""
    shape = respondent.hand.style.shape
    if rng.random() < 0.08:
        return "cross" if shape != "cross" else "tick"
    return shape


def _mark_kind(respondent: Respondent, family: RespondentFamily, p: AnswerProfile, rng: Rng) -> DrawKind:
    if respondent.circles_all:
        return "circle-label" if rng.random() < respondent.label_loops else "circle-box"
    s = family.scales
    shares: list[tuple[DrawKind, float]] = [
        ("circle-box", p.circle_box * s.circle_box), ("circle-label", p.circle_label * s.circle_label),
        ("tick-long", p.tick_long * s.tick_long), ("beside", p.beside * s.beside), ("dot", p.dot * s.dot),
    ]
    u = rng.random()
    for kind, share in shares:
        if u < share:
            return kind
        u -= share
    return _usual(respondent, rng)


def apply_habits(
    template: Template, answers: FormAnswers, respondent: Respondent, family: RespondentFamily,
    profile: AnswerProfile, rng: Rng,
) -> FormAnswers:
    """``answers`` with every box intent given its draw kind, plus smudges touching boxes (truth unchanged)."""
    shapes = checkbox_shapes(template)
    felt = respondent.hand.pen.kind == "felt-tip"
    bleed = min(1.0, profile.bleed * family.scales.bleed) if felt else 0.0
    boxes: list[BoxIntent] = []
    for b in answers.boxes:
        if b.role == "cancel":
            boxes.append(replace(b, kind="scribble" if rng.random() < profile.scribble_correction else "fill"))
        elif b.role == "fill_mark":
            boxes.append(replace(b, kind="fill"))
        elif b.role == "mark":
            kind = _mark_kind(respondent, family, profile, rng)
            toward = None
            if kind in ("cross", "tick", "slash") and rng.random() < bleed:
                options = near_boxes(template).get((b.field, b.value), [])
                toward = options[int(rng.integers(len(options)))] if options else None
            boxes.append(replace(b, kind=kind, toward=toward))
        else:
            boxes.append(b)
    gone = set(answers.blank_pages) | set(answers.missing_pages)
    share = min(1.0, profile.stray_touch * family.scales.stray_touch)
    for code, shape in shapes.items():
        if shape.page not in gone and rng.random() < share:
            boxes.append(BoxIntent(code, str(rng.choice(shape.values)), "stray", "stray"))
    return replace(answers, boxes=tuple(boxes))


def _kinds(b: BoxIntent) -> set[str]:
    if b.role == "cancel":
        return {"corrected"}
    if b.role == "stray":
        return {"stray"}
    kinds: set[str] = {b.kind or "cross"}
    if b.toward is not None:
        kinds.add("bleed")
    return kinds


def field_marks(template: Template, answers: FormAnswers, respondent: Respondent) -> list[FieldMarks]:
    """One row per checkbox answer code (single, multi, grid rows) in template order."""
    kinds = template.answer_kinds()
    per: dict[str, set[str]] = {}
    for b in answers.boxes:
        per.setdefault(b.field, set()).update(_kinds(b))
        if b.toward is not None:
            per.setdefault(b.toward[0], set()).add("bleed")
    pencil = respondent.hand.pen.kind == "pencil"
    rows: list[FieldMarks] = []
    for code, value in answers.truth:
        if kinds.get(code) not in CHECKBOX_KINDS:
            continue
        got = set(per.get(code, set()))
        if got and pencil:
            got.add("pencil")
        if value == MULTIPLE:
            got.add("double")
        hesitate = bool(got & HESITATE) or ("pencil" in got and hesitant_pen(respondent.hand.pen))
        rows.append(FieldMarks(code, value, tuple(sorted(got)), hesitate))
    return rows
