"""The statistics of integrity screening on tiny arrays (fieldwork/integrity_stats.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fieldwork.integrity_stats import (
    MISSING,
    agreement_null,
    binomial_upper,
    chi2_lower,
    clusters,
    encode_answers,
    form_mix,
    item_profile,
    pair_agreement,
    poisson_binomial_upper,
    straight_lined,
    variance_lower_p,
)


def test_binomial_upper_matches_the_sum() -> None:
    n, p = 10, 0.3
    for k in range(0, 12):
        exact = sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))
        assert binomial_upper(k, n, p) == pytest.approx(exact, rel=1e-9, abs=1e-15)
    assert binomial_upper(3, 5, 0.0) == 0.0
    assert binomial_upper(3, 5, 1.0) == 1.0


def test_poisson_binomial_equals_binomial_for_equal_chances_and_enumeration_otherwise() -> None:
    assert poisson_binomial_upper(4, [0.3] * 10) == pytest.approx(binomial_upper(4, 10, 0.3), rel=1e-9)
    probs = [0.1, 0.5, 0.9]
    brute = 0.0
    for mask in range(8):
        chance = 1.0
        for i, p in enumerate(probs):
            chance *= p if mask >> i & 1 else 1 - p
        if bin(mask).count("1") >= 2:
            brute += chance
    assert poisson_binomial_upper(2, probs) == pytest.approx(brute)
    assert poisson_binomial_upper(0, probs) == 1.0
    assert poisson_binomial_upper(4, probs) == 0.0


def test_chi2_lower_known_values() -> None:
    assert chi2_lower(2.0, 2) == pytest.approx(1 - math.exp(-1.0))  # df 2 is exponential with mean 2
    assert chi2_lower(3.841458820694124, 1) == pytest.approx(0.95, abs=1e-9)
    assert chi2_lower(0.0, 5) == 0.0
    with pytest.raises(ValueError):
        chi2_lower(1.0, 0)


def test_variance_lower_p_small_for_a_tiny_variance_and_not_for_the_same() -> None:
    assert variance_lower_p(0.001, 20, 0.04) < 1e-6
    assert 0.3 < variance_lower_p(0.04, 20, 0.04) < 0.7
    assert variance_lower_p(0.01, 1, 0.04) == 1.0


def test_encode_answers_and_pair_agreement() -> None:
    m = encode_answers([["1", "2", "", "5"], ["1", "3", "4", "*"]], ["1", "2", "3", "4", "5"])
    assert m.tolist() == [[0, 1, MISSING, 4], [0, 2, 3, MISSING]]
    assert pair_agreement(m[0], m[1]) == (1, 2)


def test_agreement_null_keeps_each_respondents_leaning() -> None:
    levels = 5
    flat = np.ones((10, levels))  # items × levels: no item differs from the others
    straight = np.full(10, 4, np.int64)
    mixed = np.array([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], np.int64)
    two_straight = agreement_null(straight, straight, flat, levels)
    two_mixed = agreement_null(mixed, mixed, flat, levels)
    assert two_straight.shape == (10,)
    assert two_straight.min() > 0.6  # two all-5 respondents agree by their leaning alone
    assert two_mixed.max() < 0.3  # two who use the whole scale rarely agree by chance
    mix = form_mix(mixed, levels)
    assert mix.sum() == pytest.approx(1.0)


def test_item_profile_shows_an_item_everyone_rates_low() -> None:
    answers = np.array([[0, 4], [0, 4], [0, 3], [1, 4]], np.int64)
    prof = item_profile(answers, 5)
    assert prof[0, 0] > 1.5 and prof[1, 0] < 0.5
    assert prof[1, 4] > 1.5


def test_straight_lined_needs_enough_rows() -> None:
    assert straight_lined(np.array([3] * 10, np.int64))
    assert not straight_lined(np.array([3] * 9 + [2], np.int64))
    assert straight_lined(np.array([3] * 9 + [MISSING], np.int64))
    assert not straight_lined(np.array([3] * 4 + [MISSING] * 6, np.int64))


def test_clusters_single_linkage_largest_first() -> None:
    assert clusters(6, [(0, 1), (1, 2), (4, 5)]) == [[0, 1, 2], [4, 5]]
    assert clusters(3, []) == []
