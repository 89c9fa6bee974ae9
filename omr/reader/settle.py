"""Stage 4f: fold the ink around the boxes (:mod:`omr.reader.around`) into the box readings.

* a box its own loop goes round (a circled box or label) is marked, with a confidence that grows
  with how closed the loop is;
* a box a long stroke of its own passes through (a tick drawn far over the edge) is marked when
  the box measures alone left it empty or unclear;
* a box whose inside ink belongs to another box's loop (a circle around the row above cut into
  it), or to a stroke of a box of another question that holds twice as much of it (a long tick
  from the row below), is empty; a stroke spilling from a box of the same question flags it
  instead, since the spill may be a second mark (marks of two questions that merely touch keep
  their own states);
* a box read as empty that holds a real stroke of its own (``unread_ink_px`` pixels: a small
  pencil loop cutting through it, a faint mark) flags its question;
* the notes (a loop around two options, one stroke through two boxes, ink beside a box) flag their
  questions with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from omr.reader.around import Surroundings
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.marks import ramp
from omr.types import BoxReading


def settle_boxes(
    readings: Sequence[BoxReading], around: Surroundings, *, config: ReaderConfig = DEFAULT_CONFIG
) -> tuple[list[BoxReading], dict[str, str]]:
    """Box readings with the ink around them taken into account, and the questions to flag.

    Parameters
    ----------
    readings : sequence of BoxReading
        The checkboxes of a page (:func:`omr.reader.fields.box_readings`), in layout order.
    around : Surroundings
        The same boxes' surroundings (:func:`omr.reader.around.surroundings`).
    config : ReaderConfig, optional
        ``loop_coverage``, ``loop_sure``, ``cross_confidence``, ``foreign_share`` and ``foreign_confidence``.

    Returns
    -------
    readings : list of BoxReading
    notes : dict of str to str
        Answer code → the reason its question must be looked at.
    """
    out = list(readings)
    notes: dict[str, list[str]] = {}
    for i, r in enumerate(readings):
        if around.circled[i] > 0:
            sure = float(ramp(np.array([around.circled[i]]), (config.loop_coverage, config.loop_sure))[0])
            if r.state in ("empty", "ambiguous"):
                conf = round(config.box_accept + (1.0 - config.box_accept) * (0.2 + 0.8 * sure), 4)
                out[i] = replace(r, state="marked", confidence=conf)
        elif around.crossing[i] and r.state in ("empty", "ambiguous"):
            out[i] = replace(r, state="marked", confidence=config.cross_confidence)
        elif around.foreign[i] >= config.foreign_share and r.state != "empty":
            source = int(around.spill_from[i])
            if around.foreign_loop[i] or (source >= 0 and readings[source].field != r.field):
                out[i] = replace(r, state="empty", confidence=config.foreign_confidence)
            elif source >= 0:
                spill = f"ink from value {readings[source].value} runs into value {r.value}"
                notes.setdefault(r.field, []).append(spill)
        elif (r.state == "empty" and around.own_ink is not None
              and around.own_ink[i] >= config.unread_ink_px):
            notes.setdefault(r.field, []).append(f"a stroke in the box at value {r.value} that reads as no mark")
    for i, reason in around.notes:
        code = readings[i].field
        if reason not in notes.get(code, []):
            notes.setdefault(code, []).append(reason)
    return out, {code: "; ".join(reasons) for code, reasons in notes.items()}
