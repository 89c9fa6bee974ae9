"""The 2025 reorganisation: a 63-province result re-aggregated onto the 34 provinces, checked by hand."""

from __future__ import annotations

import pytest

from omr.template.model import Template
from scoring.data import Dataset, _frame
from scoring.options import OVERALL
from scoring.provinces import provinces
from scoring.regroup import regroup_results
from scoring.report import render_html
from scoring.units import IntervalOptions, compute_results

ITEMS = ("Q9_1", "Q9_2", "Q9_5", "Q9_3", "Q9_4")
FAST = IntervalOptions(replicates=50)


def _form(value: str, **override: str) -> dict[str, str]:
    return {**dict.fromkeys(ITEMS, value), **override}


# 2024-style forms: Hải Dương (30) and Hải Phòng (31) became the new Hải Phòng (31) on 1 July 2025;
# Quảng Ninh (22) stayed as it was.
FORMS = {"A1": _form("5"), "A2": _form("1"), "B1": _form("4", Q9_2=""), "C1": _form("1", Q9_1="5")}
UNITS = {"A1": {"province": "30"}, "A2": {"province": "30"}, "B1": {"province": "31"}, "C1": {"province": "22"}}


@pytest.fixture()
def legacy(mini_template: Template) -> Dataset:
    return Dataset(mini_template, _frame(mini_template, FORMS, UNITS), source="hand-coded 2024")


def test_weighted_by_forms_from_a_results_file(legacy: Dataset) -> None:
    old = compute_results(legacy, intervals=FAST)
    assert old.scheme == "legacy" and len(old.level_units("province")) == 3
    # by hand, old provinces: Hải Dương every item 1 of 2 satisfied → 50; Hải Phòng every answered item
    # satisfied → 100 (Q9_2 blank: no value); Quảng Ninh Q9_1 only → 20
    by_code = {u.code: u for u in old.level_units("province")}
    assert by_code["30"].values[OVERALL] == pytest.approx(50.0)
    assert by_code["31"].values[OVERALL] == pytest.approx(100.0)
    new = regroup_results(old)
    assert new.scheme == "2025" and new.regrouped == "weighted"
    merged = {u.code: u for u in new.level_units("province")}
    assert set(merged) == {"31", "22"}
    hp = merged["31"]
    assert hp.label == "Hải Phòng" and hp.merged_from == ("30", "31") and hp.forms == 3
    assert hp.values[OVERALL] == pytest.approx((2 * 50.0 + 1 * 100.0) / 3)  # forms-weighted mean
    assert hp.values["Q9_2"] == pytest.approx(50.0)  # only Hải Dương has a Q9_2 value
    assert hp.counts["Q9_1"] == (2, 3)  # counts are summed
    assert hp.ranks[OVERALL] == 1 and merged["22"].ranks[OVERALL] == 2
    assert new.national().values[OVERALL] == pytest.approx(((2 * 50 + 100) / 3 + 20.0) / 2)


def test_pooled_from_the_forms(legacy: Dataset) -> None:
    new = compute_results(legacy, scheme="2025", intervals=FAST)
    assert new.scheme == "2025" and new.regrouped == "pooled"
    hp = next(u for u in new.level_units("province") if u.code == "31")
    # by hand: 3 forms; Q9_1, Q9_5, Q9_3, Q9_4 → 2 of 3 satisfied; Q9_2 → 1 of 2 (B1 blank)
    assert hp.values["Q9_2"] == pytest.approx(50.0)
    assert hp.values[OVERALL] == pytest.approx((4 * 200.0 / 3 + 50.0) / 5)
    assert hp.merged_from == ("30", "31") and hp.label == "Hải Phòng"
    assert "district" not in new.levels


def test_previous_legacy_results_compare_like_with_like(legacy: Dataset) -> None:
    old = compute_results(legacy, intervals=FAST)
    now = compute_results(legacy, scheme="2025", previous=old, previous_name="2024.json", intervals=FAST)
    assert now.previous_regrouped == "weighted"
    hp = next(u for u in now.level_units("province") if u.code == "31")
    assert hp.delta[OVERALL] == pytest.approx((4 * 200.0 / 3 + 50.0) / 5 - (2 * 50.0 + 100.0) / 3)
    html = render_html(now, "vi")
    assert "trung bình có trọng số là số phiếu" in html and "gồm Hải Dương, Hải Phòng" in html


def test_the_report_ranks_34_provinces(mini_template: Template) -> None:
    forms = {f"F{code}": _form("5" if int(code) % 3 else "2") for code in provinces("legacy")}
    units = {f"F{code}": {"province": code} for code in provinces("legacy")}
    data = Dataset(mini_template, _frame(mini_template, forms, units))
    r = compute_results(data, scheme="2025", intervals=IntervalOptions(replicates=0))
    assert len(r.level_units("province")) == 34
    assert {u.code for u in r.level_units("province")} == set(provinces("2025"))
    html = render_html(r, "en")
    ranking = html.split('id="ranking-province"')[1].split("</section>")[0]
    assert ranking.count("<tr") == 35  # header + 34 provinces
    assert "the 34 provinces and two tiers" in html and "Bac Ninh" in html and "Bac Giang" in html  # formerly
