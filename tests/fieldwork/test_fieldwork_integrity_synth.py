"""The one-hand forms of ``sipas synth`` that integrity screening is tested on (samples/synth/fraud.py)."""

from __future__ import annotations

import numpy as np
import pytest

from omr.errors import BadArgumentsError
from omr.render import FormCopy
from omr.template.load import load_template
from samples.synth.answers import draw_answers
from samples.synth.fraud import FAMILY, OneHand, WriterHand, one_hand_forms, vary, writer_digits
from samples.synth.handdigits import DigitBank
from samples.synth.outputs import FormRecord
from samples.synth.profile import AnswerProfile
from samples.synth.respondents import draw_family, draw_respondent


def _forms(n: int) -> list[FormRecord]:
    t = load_template("sipas-2023")
    out = []
    for i in range(n):
        rng = np.random.default_rng(i)
        who = draw_respondent(draw_family("tuning", rng), AnswerProfile(), rng)
        out.append(FormRecord(FormCopy(f"F{i:07d}", {"commune": f"{i:05d}"}), draw_answers(t, AnswerProfile(), rng),
                              who))
    return out


def test_the_last_forms_share_one_hand_one_unit_and_nearly_one_pattern() -> None:
    t = load_template("sipas-2023")
    forms = one_hand_forms(t, _forms(8), OneHand(5, noise=0.05), AnswerProfile(), np.random.default_rng(3))
    honest, fraud = forms[:3], forms[3:]
    assert [f.copy.form_id for f in forms] == [f"F{i:07d}" for i in range(8)]
    assert {f.copy.units["commune"] for f in fraud} == {"00003"}
    assert all(f.respondent.family != FAMILY for f in honest)
    hands = {id(f.respondent.hand) for f in fraud}
    assert len(hands) == 1 and isinstance(fraud[0].respondent.hand, WriterHand)
    bank = writer_digits(fraud[0].respondent.hand)
    assert isinstance(bank, DigitBank) and sorted(bank.labels.tolist()) == list(range(10))
    assert writer_digits(honest[0].respondent.hand) is None
    q9 = [c for c, _ in fraud[0].answers.truth if c.startswith("Q9_")]
    a, b = dict(fraud[0].answers.truth), dict(fraud[1].answers.truth)
    same = sum(a[c] == b[c] for c in q9) / len(q9)
    assert same >= 0.75
    patterns = {tuple(dict(f.answers.truth)[c] for c in q9) for f in fraud}
    assert len(patterns) > 1  # the small noise: not five identical copies
    assert dict(fraud[0].answers.digits) == dict(fraud[1].answers.digits)  # one date written on all


def test_vary_moves_about_the_asked_share_one_step() -> None:
    t = load_template("sipas-2023")
    base = draw_answers(t, AnswerProfile(skip_question=0.0), np.random.default_rng(1))
    moved = vary(t, base, 0.3, np.random.default_rng(2))
    before, after = dict(base.truth), dict(moved.truth)
    q9 = [c for c in before if c.startswith("Q9_") and before[c]]
    changed = [c for c in q9 if before[c] != after[c]]
    assert 0.1 < len(changed) / len(q9) < 0.5
    assert all(abs(int(before[c]) - int(after[c])) == 1 for c in changed)
    marked = {b.field: b.value for b in moved.boxes if b.role == "mark"}
    assert all(marked[c] == after[c] for c in changed)


def test_bad_one_hand_requests_are_refused() -> None:
    with pytest.raises(BadArgumentsError):
        OneHand(0)
    with pytest.raises(BadArgumentsError, match="only 2 forms"):
        one_hand_forms(load_template("sipas-2023"), _forms(2), OneHand(3), AnswerProfile(), np.random.default_rng(0))
