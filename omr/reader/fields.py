"""Stage 5a: apply the template's marking rule to the boxes of each checkbox field.

Modes (``template.marking.mode``):

``check-correct`` (SIPAS) a cross or tick marks a box; a box filled over is a correction
                  (cancelled, not counted) when another box of the question is marked; a filled box
                  alone follows ``marking.filled_alone`` (review, mark or blank).
``check``         any ink that is a mark or a fill counts as a mark.
``fill``          only a filled box counts; a cross where a fill is expected goes to review.

A single-choice field or grid row with two marks gets :data:`omr.types.MULTIPLE` and is flagged
(or blank, per ``marking.multiple_in_single``); a multi field joins the marked values with ``;`` in
template order; a field whose boxes are all confidently empty is blank (``""``) and accepted. Any
ambiguous or low-confidence box flags its field, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omr.reader.boxes import BoxMeasures
from omr.reader.calibration import Calibration
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.marks import BoxDecisions
from omr.reader.residue import Residue
from omr.template.layout import Box
from omr.template.model import MarkingRule, MultiField, Template
from omr.types import MULTIPLE, BoxReading, BoxState, FieldReading, FieldStatus


@dataclass(frozen=True)
class _Group:
    """The boxes of one answer code, with their readings."""

    code: str
    kind: str
    readings: tuple[BoxReading, ...]
    faint: tuple[bool, ...]

    def values(self, *states: BoxState) -> list[str]:
        return [r.value for r in self.readings if r.state in states]


def box_readings(boxes: Sequence[Box], decisions: BoxDecisions, measures: BoxMeasures) -> list[BoxReading]:
    """One :class:`BoxReading` per checkbox (darkness = ink coverage of the interior)."""
    return [
        BoxReading(b.field, b.value, decisions.states[i], float(decisions.confidence[i]),
                   round(float(measures.coverage[i]), 4))
        for i, b in enumerate(boxes)
    ]


def decide_fields(
    template: Template,
    readings: Sequence[BoxReading],
    faint: Sequence[bool],
    *,
    residue: Residue | None = None,
    notes: Mapping[str, str] | None = None,
    calibration: Calibration | None = None,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> list[FieldReading]:
    """Decide the value of every checkbox field (single, multi, grid row) on a page.

    Parameters
    ----------
    template : Template
        Gives the marking rule and each code's kind.
    readings : sequence of BoxReading
        The checkboxes of the page (from :func:`box_readings`), in layout order.
    faint : sequence of bool
        Per box: ink present but faint (light pencil).
    residue : Residue, optional
        Dots of faint marks (:func:`omr.reader.residue.find_residue`), for the reason of a flag.
    notes : mapping of str to str, optional
        Answer code → why the ink around its boxes must be looked at
        (:func:`omr.reader.settle.settle_boxes`): such a question is flagged with that reason.
    calibration : Calibration, optional
        Turns a field's raw confidence (the least confident box) into the probability that its
        value is right (:mod:`omr.reader.calibration`, fitted on the tuning families only); a field
        is then accepted only at ``field_accept`` or above. Without it the raw confidence is kept.
    config : ReaderConfig, optional
        ``box_accept``, ``field_accept`` (and ``residue_stand_out``) are used.

    Returns
    -------
    list of FieldReading
        One per answer code that has checkboxes, in layout order.
    """
    kinds = template.answer_kinds()
    groups: dict[str, tuple[list[BoxReading], list[bool], list[int]]] = {}
    for i, (r, f) in enumerate(zip(readings, faint, strict=True)):
        entry = groups.setdefault(r.field, ([], [], []))
        entry[0].append(r)
        entry[1].append(f)
        entry[2].append(i)
    out = []
    for code, (rs, fs, where) in groups.items():
        group = _Group(code, kinds.get(code, "single"), tuple(rs), tuple(fs))
        question = template.question_of(code)
        max_choices = question.max_choices if isinstance(question, MultiField) else None
        value, status, reason = _decide(group, template.marking, max_choices)
        confidence = min(r.confidence for r in rs)
        if status == "auto":
            weak = [i for i, r in enumerate(rs) if r.confidence < config.box_accept]
            if weak:
                status = "flagged"
                i = weak[0]
                if residue is not None and residue.flagged(where[i], config=config):
                    reason = f"dots in the empty box at value {rs[i].value}: a faint mark lost in the scan?"
                else:
                    what = "faint mark" if group.faint[i] else f"unclear box ({rs[i].state})"
                    reason = f"{what} at value {rs[i].value}"
        if status == "auto" and residue is not None and residue.dots:
            chosen = value.split(";")
            dotted = [i for i, r in zip(where, rs, strict=True) if i in residue.dots and r.value not in chosen]
            if dotted:
                status, reason = "flagged", f"a dot in the box at value {readings[dotted[0]].value}"
        if status == "auto" and notes and code in notes:
            status, reason = "flagged", notes[code]
        if calibration is not None:
            confidence = calibration.probability(confidence, group.kind)
            if status == "auto" and confidence < config.field_accept:
                i = min(range(len(rs)), key=lambda j: rs[j].confidence)
                status = "flagged"
                reason = f"unsure reading at value {rs[i].value} (probability {confidence:.3f})"
        out.append(FieldReading(code, group.kind, value, status, round(confidence, 4), reason))
    return out


def flag_unanswered(fields: Sequence[FieldReading], *, config: ReaderConfig = DEFAULT_CONFIG) -> list[FieldReading]:
    """Flag the blank fields of a page whose checkbox questions are (almost) all blank.

    A respondent rarely skips a whole page, while light pencil on a fax or a pale photocopy can
    vanish from the scan; accepting such a page as blank would lose answers silently.
    """
    boxed = [f for f in fields if f.kind in ("single", "multi", "grid")]
    blank = [f for f in boxed if f.value == "" and f.status == "auto"]
    if len(boxed) < config.unanswered_min_fields or len(blank) < config.unanswered_share * len(boxed):
        return list(fields)
    reason = f"{len(blank)} of {len(boxed)} questions on the page blank: marks too faint to scan?"
    return [
        FieldReading(f.field, f.kind, f.value, "flagged", f.confidence, reason)
        if f.value == "" and f.status == "auto" else f
        for f in fields
    ]


def _decide(group: _Group, rule: MarkingRule, max_choices: int | None) -> tuple[str, FieldStatus, str | None]:
    """Value, status and reason of one group under the marking rule."""
    fills: list[str] = []
    if rule.mode == "check":
        marks = group.values("marked", "filled")
    elif rule.mode == "fill":
        marks = group.values("filled")
        crosses = group.values("marked")
        if crosses:
            guess = _join(group, marks + crosses) if group.kind == "multi" else (crosses + marks)[0]
            return guess, "flagged", f"a cross or tick where a fill is expected (value {crosses[0]})"
    else:
        marks, fills = group.values("marked"), group.values("filled")
    unclear = group.values("ambiguous")
    if group.kind == "multi":
        return _decide_multi(group, rule, marks, fills, unclear, max_choices)
    if unclear:
        guess = marks[0] if len(marks) == 1 else (MULTIPLE if len(marks) > 1 else unclear[0])
        return guess, "flagged", f"unclear mark at value {unclear[0]}"
    if len(marks) == 1:
        return marks[0], "auto", None
    if len(marks) > 1:
        if rule.multiple_in_single == "blank":
            return "", "auto", None
        return MULTIPLE, "flagged", f"{len(marks)} marks ({', '.join(marks)})"
    if fills:
        return _filled_alone(rule, fills, single=True)
    return "", "auto", None


def _decide_multi(
    group: _Group, rule: MarkingRule, marks: list[str], fills: list[str], unclear: list[str], max_choices: int | None
) -> tuple[str, FieldStatus, str | None]:
    """A multi field: every marked value; fills are corrections unless nothing else is marked."""
    if unclear:
        return _join(group, marks), "flagged", f"unclear mark at value {unclear[0]}"
    if not marks and fills:
        return _filled_alone(rule, fills, single=False, group=group)
    if max_choices is not None and len(marks) > max_choices:
        return _join(group, marks), "flagged", f"{len(marks)} choices, at most {max_choices} allowed"
    return _join(group, marks), "auto", None


def _filled_alone(
    rule: MarkingRule, fills: list[str], *, single: bool, group: _Group | None = None
) -> tuple[str, FieldStatus, str | None]:
    """Boxes filled over with no other mark in the question, per ``marking.filled_alone``."""
    if rule.filled_alone == "blank":
        return "", "auto", None
    if single:
        value = fills[0] if len(fills) == 1 else MULTIPLE
    else:
        assert group is not None
        value = _join(group, fills)
    if rule.filled_alone == "mark" and (not single or len(fills) == 1):
        return value, "auto", None
    n = len(fills)
    return value, "flagged", f"{'a box' if n == 1 else f'{n} boxes'} filled over and no other mark"


def _join(group: _Group, values: list[str]) -> str:
    """Values in template order joined with ``;``."""
    chosen = set(values)
    return ";".join(r.value for r in group.readings if r.value in chosen)
