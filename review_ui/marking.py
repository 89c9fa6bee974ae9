"""Recompute a field's value from its box states under the template's marking rule.

Used after a reviewer settles boxes in the bulk grid: the boxes change, and the value of every
affected field follows from them exactly as the reader would have decided it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omr.template.model import GridField, MarkingRule, MultiField, SingleField, Template
from omr.types import MULTIPLE


@dataclass(frozen=True)
class Decision:
    """The value of a field and whether a person still has to look at it."""

    value: str
    needs_review: bool
    reason: str | None = None


def option_values(template: Template, code: str) -> list[str]:
    """The value codes of a single/multi field or grid row, in print order."""
    q = template.question_of(code)
    if isinstance(q, GridField):
        return [o.value for o in q.scale]
    if isinstance(q, SingleField | MultiField) and q.code == code:
        return [o.value for o in q.options]
    return []


def _marked(states: Mapping[str, str], rule: MarkingRule) -> tuple[list[str], list[str]]:
    marked = [v for v, s in states.items() if s == "marked"]
    filled = [v for v, s in states.items() if s == "filled"]
    if rule.mode in ("check", "fill"):
        return marked + filled, []
    return marked, filled


def decide(template: Template, code: str, states: Mapping[str, str]) -> Decision:
    """The value of answer ``code`` given ``states`` (option value → box state)."""
    q = template.question_of(code)
    order = option_values(template, code)
    states = {v: states[v] for v in order if v in states}
    if any(s == "ambiguous" for s in states.values()):
        best = decide(template, code, {v: "empty" if s == "ambiguous" else s for v, s in states.items()})
        return Decision(best.value, True, "ambiguous box")
    rule = template.marking
    marked, filled = _marked(states, rule)
    if isinstance(q, MultiField):
        return Decision(";".join(marked), False)
    if len(marked) == 1:
        return Decision(marked[0], False)
    if len(marked) > 1:
        if rule.multiple_in_single == "blank":
            return Decision("", False)
        return Decision(MULTIPLE, True, "two marks")
    if filled:
        if rule.filled_alone == "mark" and len(filled) == 1:
            return Decision(filled[0], False)
        if rule.filled_alone == "blank":
            return Decision("", False)
        return Decision("", True, "filled box with no other mark")
    return Decision("", False)
