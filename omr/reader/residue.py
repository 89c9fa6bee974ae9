"""Stage 4c: dots left of faint marks (light pencil that a fax or a pale copy broke up).

A light pencil cross that goes through a fax's thresholding survives only as a few scattered dots:
too little ink, in strokes too short, for :mod:`omr.reader.marks` to call the box marked, so the box
is "empty" with full confidence and its question reads blank. What gives it away is the company it
keeps: a printed empty box is clean on every scan quality (on a fax with dithered shading, all the
boxes of a row carry the same dot texture), so a question whose boxes are all empty but one of which
holds clearly more ink than its siblings has most likely lost its answer in the scan.

For every question (single, multi, grid row) whose boxes are all empty, each box's *stand-out* is
its line-free ink share (:attr:`omr.reader.boxes.BoxMeasures.line_free`) less the ink its siblings
carry (their median, raised by ``residue_texture`` for the variation of a dot texture), counted only
when the ink spreads over a real part of the box and is scattered or pale (a speck of toner or one
solid dot of a pen is no cross). A box that stands out by ``residue_stand_out`` or more loses
confidence, so its question is flagged, never accepted as blank. Single-choice questions with an
answer are left alone (their mark says where the ink went); a multiple-choice question is not (a
second choice may have faded).
The same comparison finds a respondent's firm *dot*: one compact stroke (not scattered), at least
``dot_min_extent`` wide and ``dot_min_strength`` dark, standing out from its siblings by
``residue_stand_out``. It is no mark, but it may be the answer: :attr:`Residue.dots` lets
:func:`omr.reader.fields.decide_fields` flag its question rather than accept a blank.
And when a page holds such dots and other signs of a light pen (more dots, very pale marks), the
respondent's pen is too light for the scan: :func:`flag_light_page` then flags the page's other
blank questions too, whose marks may have vanished entirely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from omr.reader.boxes import BoxMeasures
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.types import BoxReading, FieldReading

CHECKBOX_KINDS = ("single", "multi", "grid")
_LOST_KINDS = (*CHECKBOX_KINDS, "digits")
"""Kinds whose blank is doubted on a light-pen page (a date is rarely left out; free text often is)."""


@dataclass(frozen=True)
class Residue:
    """Dot residue of the checkboxes of one page.

    Attributes
    ----------
    stand_out : (N,) ndarray of float64
        Per box: line-free ink share above what its siblings carry (0 in questions with an
        answer or where the dots are a speck).
    questions : frozenset of str
        Answer codes with an empty box standing out by at least ``residue_stand_out``: a faint mark
        lost in the scan?
    pale : frozenset of str
        Answer codes with a mark (or an unclear box) whose ink is paler than the faint ramp starts.
    """

    stand_out: NDArray[np.float64]
    questions: frozenset[str]
    pale: frozenset[str] = frozenset()
    dots: frozenset[int] = frozenset()
    """Boxes (page indices) holding one firm dot that stands out from their empty siblings: a
    respondent's dot, perhaps their answer (``dot_min_extent``, ``dot_min_strength``)."""

    def flagged(self, index: int, *, config: ReaderConfig = DEFAULT_CONFIG) -> bool:
        """Whether box ``index`` holds enough dots to doubt its question's blank."""
        return bool(self.stand_out[index] >= config.residue_stand_out)


def find_residue(
    readings: Sequence[BoxReading],
    measures: BoxMeasures,
    kinds: Mapping[str, str],
    *,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> Residue:
    """Measure how much each empty box of a blank question (or of any multiple-choice question) stands
    out from its empty siblings.

    Parameters
    ----------
    readings : sequence of BoxReading
        The checkboxes of a page (:func:`omr.reader.fields.box_readings`), in layout order.
    measures : BoxMeasures
        The same boxes' measures (``line_free``, ``extent`` and ``spread`` are used).
    kinds : mapping of str to str
        Answer code → field kind (:meth:`omr.template.model.Template.answer_kinds`).
    config : ReaderConfig, optional
        ``residue_texture``, ``residue_min_spread``, ``residue_scatter``, ``faint_strength`` and
        ``residue_stand_out``.

    Returns
    -------
    Residue
    """
    n = len(readings)
    stand_out = np.zeros(n)
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(readings):
        groups.setdefault(r.field, []).append(i)
    doubtful: set[str] = set()
    dots: set[int] = set()
    pale = {readings[i].field for i in range(n)
            if readings[i].state != "empty" and measures.strength[i] < config.faint_strength[0]}
    for code, idx in groups.items():
        empty = [i for i in idx if readings[i].state == "empty"]
        if len(empty) < len(idx) and kinds.get(code) != "multi":
            continue  # an answered single choice: its mark says where the ink went
        ink = np.asarray(measures.line_free[empty], np.float64)
        for k, i in enumerate(empty):
            spread = measures.spread[i]
            scattered = spread >= measures.extent[i] + config.residue_scatter
            light = measures.strength[i] < config.faint_strength[0]
            others = np.delete(ink, k)
            texture = float(np.median(others)) if others.size else 0.0
            above = float(ink[k]) - (1.0 + config.residue_texture) * texture
            if (above >= config.residue_stand_out and not scattered and measures.extent[i] >= config.dot_min_extent
                    and measures.strength[i] >= config.dot_min_strength):
                dots.add(i)  # one firm dot, bigger than a speck: the respondent's
            if spread < config.residue_min_spread or not (scattered or light):
                continue  # a speck, or one solid dot of a pen: not the remains of a stroke
            stand_out[i] = max(0.0, above)
        if empty and stand_out[empty].max() >= config.residue_stand_out:
            doubtful.add(code)
    return Residue(np.round(stand_out, 4), frozenset(doubtful), frozenset(pale), frozenset(dots))


def weigh_residue(
    readings: Sequence[BoxReading], residue: Residue, *, config: ReaderConfig = DEFAULT_CONFIG
) -> list[BoxReading]:
    """Lower the confidence of empty boxes by their stand-out.

    Below ``residue_stand_out`` the confidence of "empty" falls linearly from 1 towards
    ``box_accept``; at and above it, it drops under ``box_accept`` (half of it, less with more dots),
    so exactly the boxes of :attr:`Residue.questions` that stand out flag their question.
    """
    out = list(readings)
    limit, accept = config.residue_stand_out, config.box_accept
    for i, s in enumerate(residue.stand_out):
        if s <= 0:
            continue
        ratio = float(s) / limit
        doubt = 1.0 - (1.0 - accept) * ratio if ratio < 1.0 else 0.5 * accept / ratio
        out[i] = replace(out[i], confidence=round(min(out[i].confidence, doubt), 4))
    return out


def flag_light_page(
    fields: Sequence[FieldReading], residue: Residue, *, config: ReaderConfig = DEFAULT_CONFIG
) -> list[FieldReading]:
    """Flag every blank question of a page whose pen is too light for the scan.

    That is a page where some question holds dots of a lost mark and, counting the questions
    marked in ink paler than the faint ramp, at least ``residue_page_questions`` show the pen.

    Parameters
    ----------
    fields : sequence of FieldReading
        The fields of one page.
    residue : Residue
        From :func:`find_residue` on the same page.
    config : ReaderConfig, optional
        ``residue_page_questions`` is used.

    Returns
    -------
    list of FieldReading
        The same fields; on such a page, blank checkbox questions and comb fields accepted
        automatically are flagged.
    """
    found = len(residue.questions)
    if found == 0 or len(residue.questions | residue.pale) < config.residue_page_questions:
        return list(fields)
    reason = (f"light pen on this page ({found} question(s) with dots of lost marks): "
              "this blank may be a mark lost in the scan")
    return [
        FieldReading(f.field, f.kind, f.value, "flagged", min(f.confidence, 0.5), reason)
        if f.kind in _LOST_KINDS and f.value == "" and f.status == "auto" else f
        for f in fields
    ]
