"""Codebook rules: clean labels, sensible truncation, measure levels, derived variables."""

from __future__ import annotations

import pytest

from omr.template.load import builtin_templates, load_template
from scoring.codebook import clean_text, compose, shorten, variables


def test_labels_are_glued_without_instruction_artefacts() -> None:
    q = "Xin Ông/Bà cho biết mức độ hài lòng đối với từng nội dung dưới đây (mỗi dòng chọn một ô)."
    assert compose(q, "Thông tin dễ tìm") == ("Xin Ông/Bà cho biết mức độ hài lòng đối với từng nội dung dưới "
                                              "đây: Thông tin dễ tìm")
    assert compose("How closely do you follow each?", "Roads") == "How closely do you follow each: Roads"
    assert clean_text("Dân tộc khác (xin ghi rõ)") == "Dân tộc khác"
    assert clean_text("Internet (cổng thông tin, Zalo, Facebook…)") == "Internet (cổng thông tin, Zalo, Facebook…)"


def test_shorten_keeps_the_row_and_cuts_the_question_at_a_word() -> None:
    label = "Xin Ông/Bà cho biết mức độ hài lòng đối với từng nội dung dưới đây: Thông tin dễ tìm"
    assert shorten(label, 200) == label
    assert shorten(label, 50) == "Xin Ông/Bà cho biết mức độ hài…: Thông tin dễ tìm"
    assert shorten(label, 22, prefix="Q9") == "Q9: Thông tin dễ tìm"
    assert len(shorten("ộ" * 200, 250, 255).encode()) <= 255


@pytest.mark.parametrize("name", sorted(builtin_templates()))
def test_every_label_is_clean_and_every_multi_has_its_options(name: str) -> None:
    t = load_template(name)
    vs = variables(t, status_column=True)
    names = [v.name for v in vs]
    assert len(names) == len(set(names))
    for v in vs:
        for lab in (v.label_vi, v.label_en):
            assert ").:" not in lab and "?:" not in lab and ".:" not in lab and "  " not in lab, (v.name, lab)
    for q in t.fields():
        if q.kind == "multi":
            opts = [v for v in vs if v.kind == "option" and v.question == q.code]
            assert [v.option for v in opts] == [o.value for o in q.options]
            assert all(v.measure == "nominal" and v.numeric_codes for v in opts)
    grids = [v for v in vs if v.kind == "grid"]
    assert all(v.measure == ("ordinal" if len(v.values) > 3 else "nominal") for v in grids)  # scale + "*"
    assert {v.measure for v in vs if v.kind == "date"} == {"scale"}
    assert {v.kind for v in vs if v.name.endswith("_name")} <= {"unit-name"}


def test_the_2019_overall_satisfaction_single_is_ordinal_like_its_scale() -> None:
    vs = {v.name: v for v in variables(load_template("sipas-2019"))}
    assert vs["Q8"].measure == "ordinal" and vs["Q3_1"].measure == "ordinal"
    assert vs["Q1"].measure == "nominal" and vs["A1"].measure == "nominal" and vs["A2"].measure == "ordinal"


def test_a_grid_continued_on_a_later_page_is_labelled_with_its_question() -> None:
    t = load_template("sipas-2023")
    vs = {v.name: v for v in variables(t)}
    assert vs["Q9_39"].question == "Q9" and vs["Q9_39"].field == "Q9_39"
    assert vs["Q9_39"].label_vi.split(": ")[0] == vs["Q9_1"].label_vi.split(": ")[0]
    assert "tiếp theo" not in vs["Q9_39"].label_vi


def test_a_question_with_a_colon_is_shortened_before_its_row() -> None:
    vs = {v.name: v for v in variables(load_template("sipas-2019"))}
    assert vs["Q3_1"].short_label("en", 80) == ("Access to the service: how…: There are enough seats in the "
                                                "waiting area")
