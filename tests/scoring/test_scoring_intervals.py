"""95 % bootstrap intervals: reproducible, around the estimate, as wide as a share's sampling error."""

from __future__ import annotations

import pytest

from omr.template.model import Template
from scoring.data import Dataset, _frame
from scoring.options import OVERALL, IndexOptions
from scoring.units import IntervalOptions, compute_results


def _data(template: Template, n: int) -> Dataset:
    forms = {f"F{i:03d}": {"Q9_1": "5" if i % 2 else "1", "Q9_2": "4", "Q9_5": "4", "Q9_3": "4", "Q9_4": "4"}
             for i in range(n)}
    units = {f: {"province": "01"} for f in forms}
    return Dataset(template, _frame(template, forms, units))


def test_an_item_share_of_one_half_over_100_forms(mini_template: Template) -> None:
    r = compute_results(_data(mini_template, 100), IndexOptions(national="pooled"))
    lo, hi = r.national().ci["Q9_1"]
    # binomial standard error of 50 % on 100 forms is 5 points: the interval is about 50 ± 9.8
    assert 38.0 < lo < 43.0 and 57.0 < hi < 62.0
    assert r.national().ci["Q9_2"] == (100.0, 100.0)  # everybody satisfied: no spread
    assert r.interval == "bootstrap:1000:20250701"


def test_same_data_same_intervals_and_they_hold_the_estimate(mini_template: Template) -> None:
    a = compute_results(_data(mini_template, 40), intervals=IntervalOptions(replicates=200))
    b = compute_results(_data(mini_template, 40), intervals=IntervalOptions(replicates=200))
    assert a.national().ci == b.national().ci
    for u in a.units:
        lo, hi = u.ci[OVERALL]
        assert lo <= u.values[OVERALL] <= hi  # type: ignore[operator]
    c = compute_results(_data(mini_template, 40), intervals=IntervalOptions(replicates=200, seed=7))
    assert c.national().ci != a.national().ci


def test_no_intervals_when_asked(mini_dataset: Dataset) -> None:
    r = compute_results(mini_dataset, intervals=IntervalOptions(replicates=0))
    assert r.interval == "" and all(not u.ci for u in r.units)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_small_units_are_flagged(mini_dataset: Dataset, lang: str) -> None:
    from scoring.report import render_html

    html = render_html(compute_results(mini_dataset, min_forms=2, intervals=IntervalOptions(replicates=50)), lang)
    ranking = html.split('id="ranking-district"')[1].split("</section>")[0]
    assert ranking.count('class="small"') == 2  # districts 011 and 012 have one form each; 021 has two
    assert "⚠" in ranking
