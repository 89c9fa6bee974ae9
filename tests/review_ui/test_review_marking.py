"""Deciding a field's value from its box states under the marking rule."""

from __future__ import annotations

from _workspace import MINI

from omr.template.load import load_template
from omr.types import MULTIPLE
from review_ui.marking import decide

T = load_template(MINI)


def test_single_choice_rules() -> None:
    assert decide(T, "Q9_1", {"1": "empty", "2": "marked", "3": "empty"}).value == "2"
    two = decide(T, "Q9_1", {"1": "marked", "4": "marked"})
    assert two.value == MULTIPLE and two.needs_review
    corrected = decide(T, "Q9_1", {"1": "filled", "4": "marked"})  # check-correct: filled = cancelled
    assert corrected.value == "4" and not corrected.needs_review
    alone = decide(T, "A1", {"1": "filled", "2": "empty"})
    assert alone.value == "" and alone.needs_review
    assert decide(T, "A1", {"1": "empty", "2": "empty"}).value == ""


def test_ambiguous_keeps_best_guess_and_asks() -> None:
    d = decide(T, "Q9_2", {"3": "marked", "5": "ambiguous"})
    assert d.value == "3" and d.needs_review and d.reason == "ambiguous box"


def test_multi_joins_in_template_order() -> None:
    assert decide(T, "Q2", {"3": "marked", "1": "marked", "2": "filled"}).value == "1;3"
