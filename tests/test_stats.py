"""Tests for storesim.analysis.stats."""

import json
import math
import warnings

import numpy as np
import pytest

from storesim.analysis.stats import (
    ConfidenceInterval,
    paired_difference,
    t_interval,
    welch_difference,
)


# Student t quantiles in closed form (no scipy.stats): for 1, 2 and 4 degrees of freedom the
# t distribution's CDF inverts by hand; for any other df, by integrating its density.


def _t_quantile_closed(p: float, df: int) -> float:
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    if df == 4:
        alpha = 4 * p * (1 - p)
        q = math.cos(math.acos(math.sqrt(alpha)) / 3) / math.sqrt(alpha)
        return math.copysign(2 * math.sqrt(q - 1), p - 0.5)
    raise ValueError(df)


def _t_quantile_integrated(p: float, df: float) -> float:
    """Upper quantile (p > 1/2) from the t density, integrated numerically and inverted by bisection."""
    from scipy.integrate import quad
    from scipy.optimize import brentq

    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    density = lambda x: math.exp(log_norm - (df + 1) / 2 * math.log1p(x * x / df))
    above_half = lambda x: quad(density, 0.0, x, epsabs=1e-14, epsrel=1e-13)[0] - (p - 0.5)
    return brentq(above_half, 0.0, 100.0, xtol=1e-15, rtol=1e-15)


CLOSE = dict(rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("values, df", [([1.0, 3.0], 1), ([2.0, 4.0, 9.0], 2), ([3.1, 2.4, 5.0, 4.2, 3.3], 4)])
@pytest.mark.parametrize("level", [0.5, 0.9, 0.95, 0.99])
def test_t_interval_against_closed_form(values, df, level):
    mean, std = sum(values) / len(values), math.sqrt(sum((v - sum(values) / len(values)) ** 2 for v in values) / df)
    half = _t_quantile_closed(0.5 + level / 2, df) * std / math.sqrt(len(values))
    ci = t_interval(values, level=level)
    assert ci.n == len(values) and ci.mean == pytest.approx(mean, **CLOSE) and ci.std == pytest.approx(std, **CLOSE)
    assert (ci.ci_low, ci.ci_high) == pytest.approx((mean - half, mean + half), **CLOSE)
    assert ci.half_width == pytest.approx(half, **CLOSE)


def test_paired_difference_against_closed_form():
    """Differences 1, 4, 2, 6, 2 (mean 3, sample variance 4) over 4 degrees of freedom."""
    a, b = [11.0, 14.0, 12.0, 16.0, 12.0], [10.0, 10.0, 10.0, 10.0, 10.0]
    ci = paired_difference(a, b, level=0.95)
    half = _t_quantile_closed(0.975, 4) * math.sqrt(4.0 / 5)
    assert (ci.mean, ci.n) == (pytest.approx(3.0, **CLOSE), 5) and ci.std == pytest.approx(2.0, **CLOSE)
    assert (ci.ci_low, ci.ci_high) == pytest.approx((3.0 - half, 3.0 + half), **CLOSE)


def test_welch_against_closed_form():
    """Equal sizes and variances make Welch's degrees of freedom whole: 2 (n = 2) and 4 (n = 3)."""
    ci = welch_difference([0.0, 2.0], [5.0, 7.0], level=0.9)  # se = sqrt(2/2 + 2/2)
    half = _t_quantile_closed(0.95, 2) * math.sqrt(2.0)
    assert (ci.ci_low, ci.ci_high) == pytest.approx((-5.0 - half, -5.0 + half), **CLOSE)
    assert ci.std == pytest.approx(2.0, **CLOSE) and ci.n == 2
    ci = welch_difference([0.0, 1.0, 2.0], [3.0, 5.0, 4.0])  # se = sqrt(1/3 + 1/3)
    half = _t_quantile_closed(0.975, 4) * math.sqrt(2 / 3)
    assert (ci.ci_low, ci.ci_high) == pytest.approx((-3.0 - half, -3.0 + half), **CLOSE)


def test_welch_with_fractional_degrees_of_freedom():
    """Welch–Satterthwaite df by hand, the quantile from the integrated t density."""
    a = [1.2, 3.4, 2.2, 5.1, 4.0]
    b = [0.3, 0.9, 1.1, 0.2, 0.8, 1.5, 0.4]
    share_a, share_b = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (share_a + share_b) ** 2 / (share_a**2 / (len(a) - 1) + share_b**2 / (len(b) - 1))
    assert df != round(df)
    mean = np.mean(a) - np.mean(b)
    half = _t_quantile_integrated(0.975, df) * math.sqrt(share_a + share_b)
    ci = welch_difference(a, b)
    assert ci.mean == pytest.approx(mean, **CLOSE) and ci.n == 5
    assert (ci.ci_low, ci.ci_high) == pytest.approx((mean - half, mean + half), **CLOSE)
    assert ci.std == pytest.approx(math.sqrt(np.var(a, ddof=1) + np.var(b, ddof=1)), **CLOSE)


def test_welch_with_one_constant_sample_is_the_other_samples_t_interval():
    """s_a = 0: Welch's df is n_b - 1 and its interval that of b's mean, shifted; no warning."""
    b = [3.1, 2.4, 5.0, 4.2, 3.3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ci = welch_difference([0.1] * 4, b)
    half = _t_quantile_closed(0.975, 4) * np.std(b, ddof=1) / math.sqrt(5)
    assert (ci.ci_low, ci.ci_high) == pytest.approx((0.1 - np.mean(b) - half, 0.1 - np.mean(b) + half), **CLOSE)


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


# --- Intervals inside their domain (issue 15, section 4) ---------------------------------

from hypothesis import given, settings
from hypothesis import strategies as st

from storesim.analysis.kpi_domains import SCORE, domain_of
from storesim.analysis.stats import NON_NEGATIVE, SHARE, UNBOUNDED, Domain, rough_intervals, rough_note
from storesim.scenarios.console import kpi_table
from storesim.scenarios.outputs import summary
from storesim.scenarios.runner import run_scenario

from .conftest import scenario


@pytest.fixture(scope="module")
def two_replications():
    """The issue's example: ``storesim run.replications=2`` (the default day)."""
    params = scenario("run.replications=2")
    params.output.customers = False
    return run_scenario(params)


def test_issue_example_every_interval_inside_its_domain(two_replications):
    result = two_replications
    for name, ci in result.kpis().items():
        domain = domain_of(name)
        assert domain is not None, f"{name} has no domain"
        raw = t_interval(result.kpi_values(name))
        assert (ci.mean, ci.std, ci.n) == (raw.mean, raw.std, raw.n), name
        assert ci.ci_low == min(max(raw.ci_low, domain.low), domain.high), name
        assert ci.ci_high == max(min(raw.ci_high, domain.high), domain.low), name
        assert domain.low <= ci.ci_low <= ci.mean <= ci.ci_high <= domain.high, (name, ci)


def test_issue_example_values(two_replications):
    """The four intervals the issue quotes, outside their domain before, at its edge now."""
    kpis, result = two_replications.kpis(), two_replications
    for name, edge, bound in (("abandon_rate", "ci_low", 0.0), ("service_level", "ci_high", 1.0),
                              ("utilization_checkout", "ci_high", 1.0), ("lost_sales", "ci_low", 0.0)):
        raw = getattr(t_interval(result.kpi_values(name)), edge)
        assert (raw < bound) if edge == "ci_low" else (raw > bound), (name, raw)  # the issue's symptom
        assert getattr(kpis[name], edge) == bound, name
    assert kpis["abandon_rate"].ci_high == pytest.approx(t_interval(result.kpi_values("abandon_rate")).ci_high)


def test_rough_intervals_are_flagged_below_five_replications(two_replications):
    doc = summary(two_replications)
    assert doc["rough_intervals"] is True
    table = kpi_table(two_replications).splitlines()
    assert table[-1] == rough_note(2) and "rough" in table[-1] and "run.replications=5" in table[-1]
    assert [rough_intervals(n) for n in (1, 2, 4, 5, 20)] == [True, True, True, False, False]
    assert rough_note(5) is None and rough_note(1).startswith("note: 1 replication gives no intervals")
    five = run_scenario(scenario("experiment=mmc", "run.replications=5", "run.horizon_min=60", "run.warmup_min=0",
                                 "output.customers=false"))
    assert summary(five)["rough_intervals"] is False
    assert "note" not in kpi_table(five)


def test_every_kpi_of_the_default_day_and_mmc_has_a_domain(two_replications):
    mmc = run_scenario(scenario("experiment=mmc", "run.replications=1", "output.customers=false"))
    names = set(two_replications.replications[0].kpis) | set(mmc.replications[0].kpis)
    assert len(names) > 30
    assert [n for n in sorted(names) if domain_of(n) is None] == []
    assert domain_of("service_level") is SHARE and domain_of("lost_sales") is NON_NEGATIVE
    assert domain_of("satisfaction_mean") is SCORE and domain_of("csat_commuters") is SHARE
    assert domain_of("satisfaction_mean_retirees") is SCORE and domain_of("courtesy_mean") is SHARE
    assert domain_of("no_such_kpi") is None


def _sample(domain: Domain) -> st.SearchStrategy:
    low = -1e6 if math.isinf(domain.low) else domain.low
    high = 1e6 if math.isinf(domain.high) else domain.high
    value = st.floats(low, high, allow_nan=False)
    edge = st.sampled_from([low, high])  # replications often sit on the edge: no abandonment, all served
    return st.tuples(st.lists(st.one_of(value, edge), min_size=2, max_size=30), value,
                     st.sampled_from([0.5, 0.9, 0.95, 0.99]))


@pytest.mark.parametrize("domain", [SHARE, NON_NEGATIVE, SCORE, UNBOUNDED], ids=lambda d: d.name)
def test_clipped_interval_property(domain):
    @settings(max_examples=300, deadline=None)
    @given(_sample(domain))
    def check(case):
        values, true_mean, level = case
        raw, ci = t_interval(values, level), t_interval(values, level, domain=domain)
        assert (ci.mean, ci.std, ci.n) == (raw.mean, raw.std, raw.n)
        assert domain.low <= ci.ci_low <= ci.ci_high <= domain.high
        assert ci.ci_low <= ci.mean <= ci.ci_high or math.isclose(ci.ci_low, ci.ci_high)  # rounding at an edge
        assert raw.ci_low <= ci.ci_low and ci.ci_high <= raw.ci_high  # only impossible values removed
        if domain.low <= raw.ci_low and raw.ci_high <= domain.high:
            assert ci == raw
        # a mean inside the domain is covered by the clipped interval exactly when by the raw one
        assert (ci.ci_low <= true_mean <= ci.ci_high) == (raw.ci_low <= true_mean <= raw.ci_high)

    check()


def test_clipped_coverage_of_a_rare_share():
    """Abandonment near 0 over 3 replications: the clipped interval keeps the t interval's coverage."""
    rng = np.random.default_rng(15)
    rates = rng.binomial(200, 0.01, size=(2000, 3)) / 200
    covered = [t_interval(row, domain=SHARE) for row in rates]
    assert all(0.0 <= c.ci_low and c.ci_high <= 1.0 for c in covered)
    assert sum(c.ci_low == 0.0 for c in covered) > 1000  # clipping is what keeps them in the domain
    hits = np.mean([c.ci_low <= 0.01 <= c.ci_high for c in covered])
    raw = np.mean([t_interval(row).ci_low <= 0.01 <= t_interval(row).ci_high for row in rates])
    assert hits == raw


def test_paired_differences_are_not_clipped():
    """A difference of two shares may be negative: paired_difference never clips."""
    low_share, high_share = [0.10, 0.20, 0.15, 0.12], [0.30, 0.35, 0.50, 0.40]
    diff = paired_difference(low_share, high_share)
    assert diff.ci_high < 0 and diff.ci_low < diff.ci_high
    plain = t_interval(np.subtract(low_share, high_share))
    assert (diff.mean, diff.std, diff.n) == (plain.mean, plain.std, plain.n)
    assert (diff.ci_low, diff.ci_high) == pytest.approx((plain.ci_low, plain.ci_high), **CLOSE)


def test_domain_rejects_an_empty_range():
    with pytest.raises(ValueError):
        Domain("empty", 1.0, 0.0)
    assert SHARE.contains(1.0) and not SHARE.contains(float("nan")) and not NON_NEGATIVE.contains(-1e-9)
