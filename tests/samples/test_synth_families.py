"""Respondent and scanner families, the habits they give a form, and what marks.csv says about them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from omr.template.load import load_template
from omr.types import MULTIPLE
from samples.synth.answers import BoxIntent, FormAnswers, draw_answers
from samples.synth.families import EVALUATION, FAMILIES, TUNING, families_of
from samples.synth.habits import MARK_KINDS, apply_habits, field_marks
from samples.synth.ink import Pen, Sheet
from samples.synth.marks import MarkStyle, draw_box_mark
from samples.synth.profile import AnswerProfile, load_answer_profile
from samples.synth.respondents import Hand, Respondent, draw_family, draw_respondent
from samples.synth.scan import QUALITIES, scan_page
from samples.synth.scanners import SCANNERS, draw_scanner, scanners_of

BY_NAME = {f.name: f for f in FAMILIES}


def test_family_groups_are_disjoint_and_differ_in_kind() -> None:
    tuning, evaluation = {f.name for f in TUNING}, {f.name for f in EVALUATION}
    assert tuning and evaluation and not tuning & evaluation
    assert {f.group for f in TUNING} == {"tuning"} and {f.group for f in EVALUATION} == {"evaluation"}
    assert families_of("all") == TUNING + EVALUATION
    tuning_pens = {(spec.kind, spec.width_mm) for f in TUNING for spec, _ in f.pens}
    assert all((spec.kind, spec.width_mm) not in tuning_pens for f in EVALUATION for spec, _ in f.pens)
    for quality in QUALITIES:
        groups = {s.group for s in SCANNERS[quality]}
        assert groups == {"tuning", "evaluation"}
        names = [s.name for s in SCANNERS[quality]]
        assert len(set(names)) == len(names)
        assert {s.name for s in scanners_of(quality, "tuning")}.isdisjoint(
            {s.name for s in scanners_of(quality, "evaluation")})
    all_names = [s.name for q in QUALITIES for s in SCANNERS[q]]
    assert len(set(all_names)) == len(all_names)


def test_families_are_drawn_from_the_chosen_group_deterministically() -> None:
    picks = [draw_family("evaluation", np.random.default_rng(k)).name for k in range(60)]
    assert set(picks) == {f.name for f in EVALUATION}
    assert picks == [draw_family("evaluation", np.random.default_rng(k)).name for k in range(60)]
    assert {draw_family("tuning", np.random.default_rng(k)).group for k in range(30)} == {"tuning"}
    assert {draw_scanner("fax", "evaluation", np.random.default_rng(k)).group for k in range(30)} == {"evaluation"}


@pytest.mark.parametrize("quality", QUALITIES)
def test_evaluation_scanners_scan_a_readable_page(quality: str) -> None:
    paper = np.full((600, 500), 255, np.uint8)
    paper[200:260, 100:400] = 30  # a dark bar that must survive every scanner
    for scanner in scanners_of(quality, "evaluation"):  # type: ignore[arg-type]
        page = scan_page(paper, profile=scanner.profile, rng=np.random.default_rng(1), turns=0)
        gray = page.image.mean(axis=2) if page.image.ndim == 3 else page.image
        assert gray.min() < 90 and np.median(gray) > 120, scanner.name


def test_a_circler_circles_every_answer_and_the_truth_stays() -> None:
    template = load_template("sipas-2023")
    profile = replace(AnswerProfile(), circle_all=1.0, double_mark=0.0, correction=0.0, lone_fill=0.0)
    rng = np.random.default_rng(3)
    answers = draw_answers(template, profile, rng)
    family = BY_NAME["elderly-circlers"]
    respondent = draw_respondent(family, profile, rng)
    assert respondent.circles_all
    habits = apply_habits(template, answers, respondent, family, profile, rng)
    assert habits.truth == answers.truth
    assert {b.kind for b in habits.boxes if b.role == "mark"} <= {"circle-box", "circle-label"}
    rows = field_marks(template, habits, respondent)
    marked = [r for r in rows if r.value]
    assert marked and all(r.hesitate for r in marked)
    assert all(set(r.marks) & {"circle-box", "circle-label"} for r in marked)


def test_every_behaviour_is_reachable_and_named_from_the_vocabulary() -> None:
    template = load_template("sipas-2023")
    profile = replace(AnswerProfile(), circle_box=0.1, circle_label=0.1, tick_long=0.1, beside=0.1, dot=0.1,
                      pencil=0.3, felt_pen=0.4, bleed=0.5, stray_touch=0.1, double_mark=0.05, correction=0.05,
                      lone_fill=0.02, circle_all=0.0)
    seen: set[str] = set()
    rng = np.random.default_rng(4)
    for k in range(42):
        family = FAMILIES[k % len(FAMILIES)]
        answers = draw_answers(template, profile, rng)
        respondent = draw_respondent(family, profile, rng)
        habits = apply_habits(template, answers, respondent, family, profile, rng)
        for row in field_marks(template, habits, respondent):
            assert set(row.marks) <= set(MARK_KINDS)
            assert list(row.marks) == sorted(row.marks)
            seen.update(row.marks)
            if row.value == MULTIPLE:
                assert "double" in row.marks and row.hesitate
    assert seen == set(MARK_KINDS)


def test_marks_rows_and_hesitate_flags() -> None:
    template = load_template("tests/fixtures/mini.yaml")
    answers = FormAnswers(
        truth=(("A1", "2"), ("Q2", "1;2"), ("Q2_other", ""), ("Q9_1", MULTIPLE), ("Q9_2", "4"), ("DATE", ""),
               ("OPINION", "")),
        boxes=(BoxIntent("A1", "1", "cancel", "scribble"), BoxIntent("A1", "2", "mark", "cross"),
               BoxIntent("Q2", "1", "mark", "tick-long"), BoxIntent("Q2", "2", "mark", "cross", ("Q2", "3")),
               BoxIntent("Q9_1", "2", "mark", "cross"), BoxIntent("Q9_1", "5", "mark", "cross"),
               BoxIntent("Q9_2", "4", "mark", "circle-box")),
        digits=(), texts=(),
    )
    ballpoint = Respondent("x", Hand(Pen("ballpoint-black", 0.1, 0.35), MarkStyle("cross", 1, 0, 0, 0), 0.0),
                           False, 0.0)
    rows = {r.field: r for r in field_marks(template, answers, ballpoint)}
    assert list(rows) == ["A1", "Q2", "Q9_1", "Q9_2"]  # checkbox codes only, in template order
    assert (rows["A1"].marks, rows["A1"].hesitate) == (("corrected", "cross"), False)
    assert (rows["Q2"].marks, rows["Q2"].hesitate) == (("bleed", "cross", "tick-long"), True)
    assert (rows["Q9_1"].marks, rows["Q9_1"].hesitate) == (("cross", "double"), True)
    assert (rows["Q9_2"].marks, rows["Q9_2"].hesitate) == (("circle-box",), True)
    faint = replace(ballpoint, hand=replace(ballpoint.hand, pen=Pen("pencil", 0.64, 0.3, 0.5)))
    dark = replace(ballpoint, hand=replace(ballpoint.hand, pen=Pen("pencil", 0.45, 0.3, 0.5)))
    assert field_marks(template, answers, faint)[0] == replace(rows["A1"], marks=("corrected", "cross", "pencil"),
                                                               hesitate=True)
    assert field_marks(template, answers, dark)[0].hesitate is False


def test_answer_profile_file_sets_behaviour_shares(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("circle_all: 0.2\ntick_long: 0.05\n")
    profile = load_answer_profile(path)
    assert profile.circle_all == 0.2 and profile.tick_long == 0.05
    path.write_text("circle_all: 1.5\n")
    with pytest.raises(Exception, match="between 0 and 1"):
        load_answer_profile(path)


def test_the_lightest_evaluation_pencil_survives_the_evaluation_faxes() -> None:
    pencil = BY_NAME["pencil-hurried"].pens[0][0]
    pen = Pen("pencil", pencil.reflectance[1], pencil.width_mm[0], pencil.grain)
    tick = MarkStyle("tick", 0.6, 0.0, 0.6, 10.0)
    for scanner in scanners_of("fax", "evaluation"):
        for seed in range(6):
            sheet = Sheet(np.full((300, 300), 255, np.uint8))
            draw_box_mark(sheet, (120.0, 120.0, 53.0, 53.0), style=tick, pen=pen, rng=np.random.default_rng(seed))
            page = scan_page(sheet.image, profile=scanner.profile, rng=np.random.default_rng(seed), turns=0)
            h, w = page.image.shape
            assert (page.image[h // 2 - 25 : h // 2 + 25, w // 2 - 25 : w // 2 + 25] == 0).sum() >= 5, scanner.name
