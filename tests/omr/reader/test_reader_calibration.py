"""The confidence calibration: isotonic fit, lookup, file round trip, reliability bins."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from omr.errors import InputFileError
from omr.reader import calibration as cal
from omr.reader.config import DEFAULT_CONFIG

PROV = cal.Provenance("2026-12-02", "tuning", ("clean",), (7,), 3, 4, cal.config_hash())


def test_pool_adjacent_violators_with_smoothing() -> None:
    c = cal.isotonic([0.1, 0.2, 0.3, 0.4], [1, 0, 1, 1])
    # 1, 0 violate → pooled (2 fields, 1 right); 1, 1 pooled (2 fields, 2 right).
    assert c.lower.tolist() == [0.1, 0.3] and c.upper.tolist() == [0.2, 0.4]
    assert c.fields.tolist() == [2, 2] and c.right.tolist() == [1, 2]
    assert c.probability.tolist() == pytest.approx([2 / 4, 3 / 4])
    assert c([0.25, 0.3, 0.35, 1.0]).tolist() == pytest.approx([0.5, 0.75, 0.75, 0.75])
    # Below the fitted range the raw confidence stands, capped by the first step: no evidence, no certainty.
    assert c([0.0, 0.05, 0.099]).tolist() == pytest.approx([0.0, 0.05, 0.099])
    high = cal.isotonic([0.6, 0.9], [1, 1])
    assert high([0.1, 0.59]).tolist() == pytest.approx([0.1, 0.59])
    assert high(0.7).item() == pytest.approx(3 / 4)


def test_smoothing_keeps_the_curve_non_decreasing() -> None:
    # 1,000 fields at 0.5 with 900 right (0.8992 smoothed), then 3 at 0.9 all right (only 0.8 smoothed).
    x = np.r_[np.full(1000, 0.5), np.full(3, 0.9)]
    y = np.r_[np.ones(900), np.zeros(100), np.ones(3)]
    c = cal.isotonic(x, y)
    assert len(c.probability) == 1 and c.fields.tolist() == [1003]
    assert c.probability[0] == pytest.approx((903 + 2) / (1003 + 4))


def test_a_high_probability_needs_many_fields() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 20000)
    y = rng.uniform(0, 1, x.size) < 0.5 + 0.5 * x  # P(right) = 0.5 + x / 2
    c = cal.isotonic(x, y)
    assert np.all(np.diff(c.probability) >= 0)
    got = c(np.array([0.1, 0.5, 0.9]))
    assert got == pytest.approx([0.55, 0.75, 0.95], abs=0.04)
    few = cal.isotonic(np.ones(10), np.ones(10))
    assert few.probability[0] == pytest.approx(11 / 12)  # ten right of ten is no 0.999


def test_kinds_with_few_fields_use_the_pooled_curve() -> None:
    n = cal.MIN_FIELDS
    raw = np.r_[np.linspace(0, 1, n), np.linspace(0, 1, 10)]
    right = np.r_[np.ones(n), np.zeros(10)]
    c = cal.fit(raw, right, ["single"] * n + ["grid"] * 10, PROV)
    assert set(c.curves) == {cal.ALL, "single"}
    assert c.probability(1.0, "single") == pytest.approx((n + 1) / (n + 2))
    assert c.probability(1.0, "grid") == c.probability(1.0, "multi") == float(c.curves[cal.ALL](1.0))
    many = c.probabilities([1.0, 1.0, 0.0], ["single", "grid", "single"])
    assert many.tolist() == [c.probability(1.0, "single"), c.probability(1.0, "grid"), c.probability(0.0, "single")]


def test_file_round_trip_and_errors(tmp_path: Path) -> None:
    c = cal.fit([0.1, 0.2, 0.3, 0.4], [1, 0, 1, 1], ["single"] * 4, PROV)
    path = tmp_path / "m.json"
    cal.save(c, path)
    back = cal.load(path)
    assert back.provenance == PROV
    assert back.probability(0.35, "single") == pytest.approx(c.probability(0.35, "single"))
    path.write_text('{"format": 1, "curves": {}}', encoding="utf-8")
    with pytest.raises(InputFileError, match="m.json"):
        cal.load(path)


def test_default_calibration_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.json"
    cal.save(cal.fit([0.5, 1.0], [0, 1], ["grid", "grid"], PROV), path)
    try:
        monkeypatch.setenv(cal.ENV, "off")
        cal.default_calibration.cache_clear()
        assert cal.default_calibration() is None
        monkeypatch.setenv(cal.ENV, str(path))
        cal.default_calibration.cache_clear()
        got = cal.default_calibration()
        assert got is not None and got.provenance.seeds == (7,)
    finally:
        cal.default_calibration.cache_clear()


def test_config_hash_names_the_reader() -> None:
    assert cal.config_hash() == cal.config_hash(DEFAULT_CONFIG)
    assert cal.config_hash(replace(DEFAULT_CONFIG, ambiguous_margin=0.3)) != cal.config_hash()
    assert cal.config_hash(replace(DEFAULT_CONFIG, box_accept=0.6)) == cal.config_hash()  # a level, not a value


def test_reliability_bins() -> None:
    bins = cal.reliability([0.2, 0.95, 0.999, 1.0, 1.0], [False, True, True, True, False])
    assert [b.fields for b in bins] == [1, 0, 1, 0, 3]  # 1.0 falls in the last bin
    assert bins[4].wrong == 1 and bins[4].observed == pytest.approx(2 / 3)
    assert bins[4].expected_wrong == pytest.approx(0.001)
    assert bins[1].mean_predicted is None and bins[1].observed is None
