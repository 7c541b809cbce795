"""Tests for storesim.analysis.stats."""

import json
import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from storesim.analysis.stats import (
    ConfidenceInterval,
    paired_difference,
    t_interval,
    welch_difference,
)


def test_t_interval_matches_scipy():
    values = [3.1, 2.4, 5.0, 4.2, 3.3, 2.9]
    ci = t_interval(values, level=0.9)
    low, high = scipy_stats.t.interval(
        0.9, len(values) - 1, loc=np.mean(values), scale=scipy_stats.sem(values)
    )
    assert ci.n == 6
    assert ci.mean == pytest.approx(np.mean(values))
    assert ci.std == pytest.approx(np.std(values, ddof=1))
    assert (ci.ci_low, ci.ci_high) == pytest.approx((low, high))
    assert ci.half_width == pytest.approx((high - low) / 2)


def test_t_interval_ignores_non_finite():
    ci = t_interval([1.0, float("nan"), 2.0, 3.0, float("inf")])
    assert ci.n == 3
    assert ci.mean == pytest.approx(2.0)
    assert ci == t_interval([1.0, 2.0, 3.0])


def test_t_interval_degenerate_samples():
    empty = t_interval([float("nan")])
    assert empty.n == 0 and math.isnan(empty.mean) and math.isnan(empty.ci_low)
    single = t_interval([4.0])
    assert single.n == 1 and single.mean == 4.0
    assert math.isnan(single.std) and math.isnan(single.ci_low) and math.isnan(single.ci_high)
    assert math.isnan(single.half_width)
    constant = t_interval([0.1] * 5)
    assert constant.std == 0.0 and constant.ci_low == constant.ci_high == constant.mean
    assert constant.half_width == 0.0


def test_t_interval_rejects_bad_level():
    with pytest.raises(ValueError):
        t_interval([1.0, 2.0], level=1.0)


def test_as_dict_is_json_shape():
    ci = t_interval(np.array([1.0, 2.0, 4.0], dtype=np.float32))
    d = ci.as_dict()
    assert set(d) == {"mean", "std", "ci_low", "ci_high"}
    assert all(type(v) is float for v in d.values())
    json.dumps(d)


def _binomial_tolerance(p: float, trials: int, z: float = 4.0) -> float:
    return z * math.sqrt(p * (1 - p) / trials)


def test_t_interval_coverage():
    rng = np.random.default_rng(2024)
    trials, true_mean = 1000, 5.0
    samples = rng.normal(true_mean, 2.0, size=(trials, 10))
    covered = 0
    for row in samples:
        ci = t_interval(row)
        covered += ci.ci_low <= true_mean <= ci.ci_high
    assert abs(covered / trials - 0.95) < _binomial_tolerance(0.95, trials)


def test_welch_coverage_unequal_variances():
    rng = np.random.default_rng(7)
    trials = 1000
    covered = 0
    for _ in range(trials):
        a = rng.normal(1.0, 0.5, size=8)
        b = rng.normal(0.0, 3.0, size=15)
        ci = welch_difference(a, b, level=0.9)
        covered += ci.ci_low <= 1.0 <= ci.ci_high
    assert abs(covered / trials - 0.9) < _binomial_tolerance(0.9, trials)


def test_welch_matches_scipy():
    a = [1.2, 3.4, 2.2, 5.1, 4.0]
    b = [0.3, 0.9, 1.1, 0.2, 0.8, 1.5, 0.4]
    ci = welch_difference(a, b)
    result = scipy_stats.ttest_ind(a, b, equal_var=False)
    low, high = result.confidence_interval(0.95)
    assert ci.mean == pytest.approx(np.mean(a) - np.mean(b))
    assert (ci.ci_low, ci.ci_high) == pytest.approx((low, high))
    assert ci.std == pytest.approx(math.sqrt(np.var(a, ddof=1) + np.var(b, ddof=1)))
    assert ci.n == 5


def test_paired_narrower_than_welch_with_common_random_numbers():
    rng = np.random.default_rng(99)
    common = rng.normal(10.0, 3.0, size=20)  # shared randomness per replication
    a = common + rng.normal(0.5, 0.3, size=20)
    b = common + rng.normal(0.0, 0.3, size=20)
    paired = paired_difference(a, b)
    unpaired = welch_difference(a, b)
    assert paired.mean == pytest.approx(unpaired.mean)
    assert paired.half_width < unpaired.half_width / 3
    assert paired.std < unpaired.std
    assert paired.ci_low > 0.0  # the paired design detects the 0.5 difference


def test_paired_difference_checks_and_drops_pairs():
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])
    ci = paired_difference([1.0, float("nan"), 3.0, 5.0], [0.0, 1.0, 1.0, 2.0])
    assert ci.n == 3
    assert ci.mean == pytest.approx(2.0)


def test_welch_degenerate_samples():
    one = welch_difference([1.0], [2.0, 3.0])
    assert one.n == 1 and one.mean == pytest.approx(-1.5) and math.isnan(one.ci_low)
    none = welch_difference([], [2.0, 3.0])
    assert none.n == 0 and math.isnan(none.mean)
    flat = welch_difference([2.0, 2.0], [1.0, 1.0, 1.0])
    assert flat == ConfidenceInterval(1.0, 0.0, 1.0, 1.0, 2)
