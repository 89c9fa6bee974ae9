"""The index arithmetic against the published 2024 figures and hand-computed fixtures.

Every expected number is written out by hand (see the FORMS table in conftest.py), never
computed by the code under test.
"""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import pytest

from omr.template.load import load_template
from scoring.data import Dataset
from scoring.indices import satisfaction_table
from scoring.options import IndexOptions
from scoring.results import Results
from scoring.units import compute_results, rank, service_field


def _unit(results: Results, level: str, path: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return next(u for u in results.units if u.level == level and u.path == path)


# -- the published 2024 national figures (sipas.md §3.3) -------------------------------------------------
def _counts_2024() -> tuple[pd.DataFrame, list[str], list[str]]:
    t = load_template("sipas-2023")
    policy = [i for e in t.scoring.aspects[0].elements for i in e.items]
    service = [i for e in t.scoring.aspects[1].elements for i in e.items]
    row: dict[str, int] = {}
    for item in policy:
        row[f"sat:{item}"], row[f"n:{item}"] = 8384, 10000
    for item in service:
        row[f"sat:{item}"], row[f"n:{item}"] = 8409, 10000
    return pd.DataFrame([row]), policy, service


def test_2024_item_weighting_reproduces_published_overall() -> None:
    counts, policy, service = _counts_2024()
    assert (len(policy), len(service)) == (23, 16)
    table = satisfaction_table(counts, load_template("sipas-2023"), IndexOptions()).iloc[0]
    assert table["POLICY"] == pytest.approx(83.84)
    assert table["SERVICE"] == pytest.approx(84.09)
    # 23/39 × 83.84 + 16/39 × 84.09 = 83.942564…, published 83.94
    assert table["OVERALL"] == pytest.approx(83.94256410256, abs=1e-9)
    assert round(table["OVERALL"], 2) == 83.94


def test_2024_mean_of_aspects_gives_83_965() -> None:
    counts, _, _ = _counts_2024()
    table = satisfaction_table(counts, load_template("sipas-2023"), IndexOptions(overall="aspects")).iloc[0]
    assert table["OVERALL"] == pytest.approx(83.965, abs=1e-9)


# -- hand-computed fixtures --------------------------------------------------------------------------------
POOLED = IndexOptions(national="pooled")


def test_item_indices(mini_dataset: Dataset) -> None:
    v = compute_results(mini_dataset, POOLED).national().values
    assert v["Q9_1"] == pytest.approx(75.0)  # 5,2,4,4 → 3 of 4
    assert v["Q9_2"] == pytest.approx(200 / 3)  # 4,blank,1,5 → 2 of 3 valid
    assert v["Q9_3"] == pytest.approx(200 / 3)  # 3,4,*,5 → 2 of 3 valid
    assert v["Q9_4"] == pytest.approx(50.0)
    assert v["Q9_5"] == pytest.approx(75.0)


def test_blank_and_double_mark_rules(mini_dataset: Dataset) -> None:
    v = compute_results(mini_dataset, IndexOptions(national="pooled", blanks="not-satisfied",
                                                   multiple="not-satisfied")).national().values
    assert v["Q9_2"] == pytest.approx(50.0)  # blank counted: 2 of 4
    assert v["Q9_3"] == pytest.approx(50.0)  # * counted: 2 of 4
    counts = compute_results(mini_dataset, POOLED).national().counts
    assert counts["Q9_2"] == (2, 3)
    assert counts["Q9_3"] == (2, 3)


def test_element_mean_versus_pooled(mini_dataset: Dataset) -> None:
    mean = compute_results(mini_dataset, POOLED).national().values
    pooled = compute_results(mini_dataset, IndexOptions(national="pooled", element="pooled")).national().values
    assert mean["P_A"] == pytest.approx((75 + 200 / 3) / 2)  # 70.8333
    assert pooled["P_A"] == pytest.approx(500 / 7)  # (3 + 2) / (4 + 3) = 71.4286
    assert mean["S_A"] == pooled["S_A"] == pytest.approx(200 / 3)


def test_aspect_and_overall_rules(mini_dataset: Dataset) -> None:
    items = compute_results(mini_dataset, POOLED).national().values
    assert items["POL"] == pytest.approx((75 + 200 / 3 + 75) / 3)  # 72.2222
    assert items["SER"] == pytest.approx((200 / 3 + 50) / 2)  # 58.3333
    assert items["OVERALL"] == pytest.approx((75 + 200 / 3 + 75 + 200 / 3 + 50) / 5)  # 66.6667
    by_el = compute_results(mini_dataset, IndexOptions(national="pooled", aspect="elements",
                                                       overall="elements")).national().values
    assert by_el["POL"] == pytest.approx((70.833333333 + 75) / 2, abs=1e-6)  # 72.9167
    assert by_el["OVERALL"] == pytest.approx((70.833333333 + 75 + 200 / 3 + 50) / 4, abs=1e-6)  # 65.625
    by_aspect = compute_results(mini_dataset, IndexOptions(national="pooled", overall="aspects")).national().values
    assert by_aspect["OVERALL"] == pytest.approx((72.222222222 + 58.333333333) / 2, abs=1e-6)  # 65.2778


def test_perception_and_expectation_shares(mini_dataset: Dataset) -> None:
    s = compute_results(mini_dataset, POOLED).national().shares
    # Q2 multi: F3 ticked nothing, so 3 respondents: 1;2 / 2 / 3
    assert s["N2=1"] == pytest.approx(100 / 3)
    assert s["N2=2"] == pytest.approx(200 / 3)
    assert s["N2=3"] == pytest.approx(100 / 3)
    assert (s["N5=1"], s["N5=2"], s["N5=3"]) == pytest.approx((50.0, 25.0, 25.0))
    assert s["N5_NONE"] == pytest.approx(50.0)
    assert s["E1"] == pytest.approx(200 / 3)  # 4,2,3,blank → 2 of 3 want it


def test_units_and_mean_of_provinces(mini_dataset: Dataset) -> None:
    r = compute_results(mini_dataset)  # national = mean of provinces (default)
    p1 = _unit(r, "province", ("01",))
    p2 = _unit(r, "province", ("02",))
    assert (p1.forms, p2.forms) == (2, 2)
    assert p1.values["Q9_1"] == pytest.approx(50.0)
    assert p1.values["OVERALL"] == pytest.approx((50 + 100 + 100 + 50 + 100) / 5)  # 80
    assert p2.values["OVERALL"] == pytest.approx((100 + 50 + 50 + 100 + 0) / 5)  # 60
    assert r.national().values["OVERALL"] == pytest.approx(70.0)
    assert r.national().values["Q9_1"] == pytest.approx(75.0)
    d = _unit(r, "district", ("01", "012"))
    assert d.values["Q9_2"] is None  # its only answer is blank
    assert d.values["OVERALL"] == pytest.approx((0 + 100 + 100 + 100) / 4)
    assert _unit(r, "district", ("02", "021")).forms == 2
    assert p1.ranks["OVERALL"] == 1 and p2.ranks["OVERALL"] == 2
    assert p2.ranks["Q9_1"] == 1 and p1.ranks["Q9_1"] == 2
    ranks = {u.path: u.ranks["OVERALL"] for u in r.level_units("district")}
    assert ranks == {("01", "011"): 1, ("01", "012"): 2, ("02", "021"): 3}
    overall_range = next(g for g in r.ranges if g.level == "province" and g.indicator == "OVERALL")
    assert overall_range.min == pytest.approx(60.0) and overall_range.min_unit == "Hà Giang"  # GSO 02
    assert overall_range.max == pytest.approx(80.0) and overall_range.max_unit == "Hà Nội"  # GSO 01
    assert (p2.label, p2.name("en"), p2.code) == ("Hà Giang", "Ha Giang", "02")
    assert d.label == "012" and d.label_en is None  # districts keep their codes


def test_ranking_ties_share_a_rank() -> None:
    assert rank({"a": 80.0, "b": 90.0, "c": 80.0, "d": 70.0, "e": None}) == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert rank({"x": 100 / 3, "y": 1 / 3 * 100}) == {"x": 1, "y": 1}


def test_change_against_previous_results(mini_dataset: Dataset) -> None:
    current = compute_results(mini_dataset)
    units = []
    for u in current.units:
        if u.level == "province":
            before = {"01": (75.0, 2), "02": (90.0, 1)}[u.code]
            u = u.model_copy(update={"values": {**u.values, "OVERALL": before[0]}, "ranks": {"OVERALL": before[1]}})
        units.append(u)
    previous = current.model_copy(update={"units": tuple(units)})
    r = compute_results(mini_dataset, previous=previous, previous_name="last-year.json")
    p1 = _unit(r, "province", ("01",))
    p2 = _unit(r, "province", ("02",))
    assert p1.delta["OVERALL"] == pytest.approx(5.0)  # 80 − 75
    assert p2.delta["OVERALL"] == pytest.approx(-30.0)  # 60 − 90
    assert (p1.rank_change["OVERALL"], p2.rank_change["OVERALL"]) == (1, -1)
    m = next(m for m in r.movements if m.level == "province")
    assert (m.compared, m.up, m.down, m.same, m.climbed, m.fell, m.kept_rank) == (2, 1, 1, 0, 1, 1, 0)
    assert r.national().delta["OVERALL"] == pytest.approx(0.0)  # national unchanged (70 → 70)


def test_service_user_form_has_five_elements_and_field_breakdown() -> None:
    t = load_template("sipas-2019")
    assert [e.code for e in t.scoring.aspects[0].elements] == ["S_A", "S_B", "S_C", "S_D", "S_E"]
    assert service_field(t) == "Q1"
    assert service_field(load_template("sipas-2023")) is None
