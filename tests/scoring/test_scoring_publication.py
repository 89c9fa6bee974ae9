"""The 2019 report as a Ministry analyst would publish it: overall question, breakdown by level,
respondent profile, opinions without identity, no operator details, question text in headings."""

from __future__ import annotations

import pytest

from omr.template.load import load_template
from omr.template.model import Template
from scoring.breakdown import breakdown_fields, general_question, level_field
from scoring.data import Dataset, _frame
from scoring.opinions import redact, themes_of
from scoring.report import render_html
from scoring.results import FieldworkFigures, FieldworkUnit
from scoring.units import IntervalOptions, compute_results

GRID = ["Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q4_5", "Q5_1", "Q5_2", "Q5_3", "Q5_4",
        "Q5_5", "Q5_6", "Q6_1", "Q6_2", "Q6_3", "Q7_1", "Q7_2", "Q7_3", "Q7_4"]


@pytest.fixture(scope="module")
def t2019() -> Template:
    return load_template("sipas-2019")


def _dataset(t: Template) -> Dataset:
    forms = {
        "F1": {**dict.fromkeys(GRID, "5"), "A1": "1", "A2": "2", "Q1": "1", "Q2": "1", "Q8": "5",
               "OPINION": "Cán bộ một cửa làm chậm, gọi 0912 345 678 để hỏi"},
        "F2": {**dict.fromkeys(GRID, "2"), "A1": "2", "A2": "2", "Q1": "1", "Q2": "3", "Q8": "2",
               "OPINION": "Nên mở rộng dịch vụ công trực tuyến"},
        "F3": {**dict.fromkeys(GRID, "4"), "A1": "2", "A2": "", "Q1": "5", "Q2": "3", "Q8": "4", "OPINION": ""},
    }
    units = {"F1": {"province": "01"}, "F2": {"province": "01"}, "F3": {"province": "79"}}
    return Dataset(t, _frame(t, forms, units), source="/secret/path/sipas.db")


def test_rules_find_the_2019_questions(t2019: Template) -> None:
    q = general_question(t2019)
    assert q is not None and q.code == "Q8"
    assert level_field(t2019) == "Q2" and breakdown_fields(t2019) == ["Q1", "Q2"]
    assert general_question(load_template("sipas-2023")) is None


def test_overall_question_profile_and_level(t2019: Template) -> None:
    r = compute_results(_dataset(t2019), intervals=IntervalOptions(replicates=50))
    nation = r.national()
    # national = mean of provinces: Hà Nội 1 of 2 satisfied on Q8 (50 %), TP. HCM 1 of 1 (100 %)
    assert nation.shares["Q8"] == pytest.approx(75.0)
    assert "Q2" in r.levels and [u.label for u in r.level_units("Q2")] == ["Cấp tỉnh", "Cấp xã"]
    sex = next(p for p in r.profile if p.code == "A1")
    assert (sex.answered, [a.count for a in sex.answers]) == (3, [1, 2])
    age = next(p for p in r.profile if p.code == "A2")
    assert age.answered == 2 and age.blank == 1 and age.answers[1].share == pytest.approx(100.0)
    assert [p.code for p in r.profile] == ["A1", "A2", "A3", "A4"]


def test_opinions_grouped_without_identity(t2019: Template) -> None:
    r = compute_results(_dataset(t2019), intervals=IntervalOptions(replicates=0))
    texts = [(g.unit, g.theme, g.texts) for g in r.opinions]
    assert ("Hà Nội", "Dịch vụ công trực tuyến, chuyển đổi số", ("Nên mở rộng dịch vụ công trực tuyến",)) in texts
    assert all("0912" not in t for _, _, ts in texts for t in ts)
    assert redact("gọi 0912 345 678 hoặc a.b@gmail.com") == "gọi […] hoặc […]"
    assert themes_of("Không có gì") == ["Khác"]
    assert "F1" not in r.model_dump_json(include={"opinions"})


def test_published_report_has_no_operator_details(t2019: Template) -> None:
    r = compute_results(_dataset(t2019), intervals=IntervalOptions(replicates=50))
    for lang in ("vi", "en"):
        html = render_html(r, lang)
        assert "/secret/path" not in html and "sipas review" not in html
        assert "(Q1)" not in html and "(Q2)" not in html
    html = render_html(r, "vi")
    assert "Mức độ hài lòng chung (câu hỏi trực tiếp)" in html and "75,00" in html
    assert "Xếp hạng theo: Cơ quan giải quyết thủ tục hành chính đó thuộc cấp nào" in html
    assert "Thông tin người trả lời" in html and "Giới tính" in html
    assert "[…]" in html and "KTC 95 %" in html and "bootstrap" in html
    assert 'id="fieldwork"' not in html


def test_ranking_explains_why_it_is_empty(t2019: Template) -> None:
    data = _dataset(t2019)
    data.frame["province"] = ""
    html = render_html(compute_results(data, intervals=IntervalOptions(replicates=0)), "en")
    assert "No ranking by province: the forms carry no province code." in html


def test_fieldwork_figures_render_when_given(mini_dataset: Dataset) -> None:
    r = compute_results(mini_dataset, intervals=IntervalOptions(replicates=0))
    fw = FieldworkFigures(forms_issued=10, forms_returned=8, forms_valid=4, response_rate=80.0, valid_rate=50.0,
                          units=(FieldworkUnit(level="province", code="01", label="Hà Nội", issued=5, returned=4,
                                               valid=2, response_rate=80.0, valid_rate=50.0),))
    html = render_html(r.model_copy(update={"fieldwork": fw}), "vi")
    section = html.split('id="fieldwork"')[1].split("</section>")[0]
    assert "Tỷ lệ thu hồi (%)" in section and "80,00" in section and "Hà Nội" in section
