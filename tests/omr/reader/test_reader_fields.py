"""The marking rule applied to box states: check-correct, check and fill modes."""

from __future__ import annotations

import pytest

from omr.reader.fields import decide_fields, flag_unanswered
from omr.template.load import load_template
from omr.template.model import MarkingRule, Template
from omr.types import MULTIPLE, BoxReading, BoxState, FieldReading

MINI = "tests/fixtures/mini.yaml"


def mini(**marking: str) -> Template:
    t = load_template(MINI)
    rule = t.marking.model_copy(update=marking)
    return t.model_copy(update={"marking": MarkingRule.model_validate(rule.model_dump())})


def boxes(
    field: str, states: dict[str, BoxState], values: tuple[str, ...], confidence: float = 0.95
) -> list[BoxReading]:
    return [BoxReading(field, v, states.get(v, "empty"), confidence, 0.0) for v in values]


SCALE = ("1", "2", "3", "4", "5")


def decide(t: Template, readings: list[BoxReading], faint: list[bool] | None = None) -> FieldReading:
    (reading,) = decide_fields(t, readings, faint or [False] * len(readings))
    return reading


def test_one_cross_is_the_answer() -> None:
    r = decide(mini(), boxes("Q9_1", {"4": "marked"}, SCALE))
    assert (r.value, r.status, r.kind) == ("4", "auto", "grid")


def test_correction_is_cancelled_under_check_correct() -> None:
    r = decide(mini(), boxes("Q9_1", {"2": "filled", "4": "marked"}, SCALE))
    assert (r.value, r.status) == ("4", "auto")


def test_two_marks_in_a_single_choice_are_multiple_and_flagged() -> None:
    r = decide(mini(), boxes("Q9_1", {"2": "marked", "4": "marked"}, SCALE))
    assert (r.value, r.status) == (MULTIPLE, "flagged")
    assert "2 marks" in (r.reason or "")


def test_two_marks_counted_blank_when_the_template_says_so() -> None:
    r = decide(mini(multiple_in_single="blank"), boxes("Q9_1", {"2": "marked", "4": "marked"}, SCALE))
    assert (r.value, r.status) == ("", "auto")


@pytest.mark.parametrize(("policy", "value", "status"), [("review", "3", "flagged"), ("mark", "3", "auto"),
                                                         ("blank", "", "auto")])
def test_filled_alone_follows_the_template(policy: str, value: str, status: str) -> None:
    r = decide(mini(filled_alone=policy), boxes("Q9_1", {"3": "filled"}, SCALE))
    assert (r.value, r.status) == (value, status)


def test_all_empty_is_blank_and_accepted() -> None:
    r = decide(mini(), boxes("Q9_1", {}, SCALE))
    assert (r.value, r.status, r.confidence) == ("", "auto", 0.95)


def test_ambiguous_box_flags_the_field_with_a_guess() -> None:
    r = decide(mini(), boxes("Q9_1", {"2": "ambiguous", "4": "marked"}, SCALE))
    assert (r.value, r.status) == ("4", "flagged")
    assert "unclear" in (r.reason or "")


def test_low_confidence_flags_and_names_a_faint_mark() -> None:
    readings = boxes("Q9_1", {"4": "marked"}, SCALE)
    readings[3] = BoxReading("Q9_1", "4", "marked", 0.3, 0.1)
    r = decide(mini(), readings, [False, False, False, True, False])
    assert (r.value, r.status) == ("4", "flagged")
    assert "faint mark" in (r.reason or "")


def test_multi_joins_in_template_order_and_cancels_fills() -> None:
    r = decide(mini(), boxes("Q2", {"3": "marked", "1": "marked", "2": "filled"}, ("1", "2", "3")))
    assert (r.value, r.status, r.kind) == ("1;3", "auto", "multi")


def test_multi_with_only_fills_follows_filled_alone() -> None:
    r = decide(mini(), boxes("Q2", {"2": "filled"}, ("1", "2", "3")))
    assert (r.value, r.status) == ("2", "flagged")


def test_check_mode_counts_fills_as_marks() -> None:
    r = decide(mini(mode="check"), boxes("Q9_1", {"2": "filled"}, SCALE))
    assert (r.value, r.status) == ("2", "auto")
    r = decide(mini(mode="check"), boxes("Q9_1", {"2": "filled", "4": "marked"}, SCALE))
    assert r.value == MULTIPLE


def test_fill_mode_wants_fills() -> None:
    assert decide(mini(mode="fill"), boxes("Q9_1", {"5": "filled"}, SCALE)).value == "5"
    r = decide(mini(mode="fill"), boxes("Q9_1", {"5": "marked"}, SCALE))
    assert (r.value, r.status) == ("5", "flagged")


def test_fields_keep_layout_order() -> None:
    t = mini()
    readings = boxes("A1", {"2": "marked"}, ("1", "2")) + boxes("Q9_1", {"1": "marked"}, SCALE)
    out = decide_fields(t, readings, [False] * len(readings))
    assert [(f.field, f.value) for f in out] == [("A1", "2"), ("Q9_1", "1")]


def _field(code: str, value: str, kind: str = "grid") -> FieldReading:
    return FieldReading(code, kind, value, "auto", 1.0)


def test_an_unanswered_page_goes_to_review() -> None:
    fields = [_field(f"Q{i}", "") for i in range(8)] + [_field("T", "", "text")]
    out = flag_unanswered(fields)
    assert all(f.status == "flagged" for f in out)
    assert "too faint" in (out[0].reason or "")


def test_a_mostly_answered_page_is_left_alone() -> None:
    fields = [_field(f"Q{i}", "" if i < 3 else "4") for i in range(8)]
    assert flag_unanswered(fields) == fields
