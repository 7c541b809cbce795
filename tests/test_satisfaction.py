"""Satisfaction per encounter (issue 17, point 1): each driver moves the score in its
documented direction (docs/satisfaction.md), the zone of tolerance, loss aversion, the line
and the hour forming expectations, keeping customers informed, and slips and skips."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storesim.analysis.stats import paired_difference
from storesim.scenarios.config import ConfigError
from storesim.scenarios.runner import run_scenario
from storesim.sim.params import SatisfactionParams
from storesim.sim.satisfaction import DELIGHTED, DISSATISFIED, SATISFIED, Overtakes, SatisfactionModel

from .conftest import scenario

P = SatisfactionParams()
waits = st.floats(0, 60)
expected = st.floats(0.1, 20)
friendliness = st.floats(0, 1)
promised = st.floats(0, 30)
overtakes = st.integers(0, 20)


def model(**settings_) -> SatisfactionModel:
    return SatisfactionModel(SatisfactionParams(**settings_), warmup=0.0, mean_service_min=3.0,
                             peak_window=(480.0, 600.0))


@given(w1=waits, w2=waits, e=expected, f=friendliness, pr=promised, n=overtakes, informed=st.booleans())
def test_a_longer_wait_never_scores_higher(w1, w2, e, f, pr, n, informed):
    m = model(informed=informed)
    short, long_ = sorted((w1, w2))
    assert m.score(long_, e, f, 0.0, pr, n) <= m.score(short, e, f, 0.0, pr, n)


@given(w=waits, e=expected, f1=friendliness, f2=friendliness, pr=promised, n=overtakes)
def test_a_more_courteous_server_never_scores_lower(w, e, f1, f2, pr, n):
    m = model()
    low, high = sorted((f1, f2))
    assert m.score(w, e, high, 0.0, pr, n) >= m.score(w, e, low, 0.0, pr, n)


@given(w=waits, e=expected, f=friendliness, pr=promised, n=overtakes)
def test_more_overtakes_never_score_higher(w, e, f, pr, n):
    m = model()
    assert m.score(w, e, f, 0.0, pr, n + 1) <= m.score(w, e, f, 0.0, pr, n)


def test_each_driver_moves_the_score_strictly_in_its_direction():
    m = model()
    e = 4.0
    assert m.score(2 * e, e, 0.5) < m.score(e, e, 0.5)  # beyond the adequate wait (1.5 e)
    assert m.score(0.0, e, 0.9) > m.score(0.0, e, 0.5) > m.score(0.0, e, 0.1)  # courtesy both sides of the zone
    assert m.score(e, e, 0.5, 0.0, 0.0, 3) == pytest.approx(m.score(e, e, 0.5) - 3 * P.overtake_weight)
    assert m.score(0.0, e, 0.5, 0.0, 6.0) > m.score(0.0, e, 0.5, 0.0, 0.0)  # well under the line's promise


def test_an_announced_wait_shortens_the_perceived_wait():
    plain, informed = model(), model(informed=True)
    e = 4.0
    for wait in (7.0, 8.0, 9.0):  # beyond the adequate wait, above the clamp
        assert informed.score(wait, e, 0.5) > plain.score(wait, e, 0.5)
    assert informed.score(2 * e, e, 0.5) == plain.score(2 * e * P.informed_factor, e, 0.5)


def test_no_wait_in_a_quiet_store_is_satisfied_not_delighted():
    m = model()
    e, promise = m.expect(4.0, 60.0, ahead=0)
    assert promise == 0.0
    assert m.category(m.score(0.0, e, 0.5, 0.0, promise)) == SATISFIED
    assert m.score(0.0, e, 0.5, 0.0, promise) == P.base
    # ... unless something exceeded expectations:
    assert m.category(m.score(0.0, e, 1.0, 0.0, promise)) == DELIGHTED  # a very courteous server
    assert m.category(m.score(0.0, e, 0.5, P.resolved_at_once, promise)) == DELIGHTED  # settled at once
    e2, promise2 = m.expect(4.0, 60.0, ahead=3)  # the line promised 9 minutes
    assert m.category(m.score(0.0, e2, 0.5, 0.0, promise2)) == DELIGHTED


def test_the_zone_of_tolerance_has_three_parts():
    m = model()
    e = 4.0
    assert m.score(0.5 * e, e, 0.5) == m.score(1.5 * e, e, 0.5) == P.base  # within: unmoved
    assert m.category(m.score(4 * e, e, 0.5)) == DISSATISFIED  # far beyond adequate
    assert m.category(m.score(0.0, e, 0.05)) == DISSATISFIED  # far below adequate courtesy


@given(x=st.floats(0.01, 0.2))
def test_a_shortfall_weighs_more_than_a_surplus_of_the_same_size(x):
    m = model(base=3.0)  # no clamp in reach
    e, promise = 4.0, 4.0
    desired, adequate = P.desired_wait_share * promise, P.adequate_wait_factor * e
    in_zone = m.score(adequate, e, 0.5, 0.0, promise)
    gain = m.score(desired - x * e, e, 0.5, 0.0, promise) - in_zone
    loss = in_zone - m.score(adequate + x * e, e, 0.5, 0.0, promise)
    assert gain > 0 and loss == pytest.approx(P.loss_aversion * gain)
    assert m.score(0.5, e, P.desired_courtesy + x) - m.score(0.5, e, 0.5) == pytest.approx(P.courtesy_weight * x)
    assert m.score(0.5, e, 0.5) - m.score(0.5, e, P.adequate_courtesy - x) == pytest.approx(
        P.loss_aversion * P.courtesy_weight * x)


def test_expectations_follow_the_line_and_the_hour():
    m = model()
    quiet, _ = m.expect(4.0, 60.0, 0)
    line, promise = m.expect(4.0, 60.0, 4)
    peak, _ = m.expect(4.0, 500.0, 0)
    assert promise == 12.0 and line > quiet
    assert quiet == pytest.approx((1 - P.line_weight) * 4.0)
    assert peak == pytest.approx(P.peak_expectation_factor * quiet)


def test_the_announced_wait_carries_the_displays_error_and_bias():
    exact = model(informed=True, announcement_error_cv=0.0, announcement_bias=0.5)
    assert exact.expect(4.0, 0.0, 4)[1] == 6.0
    noisy = SatisfactionModel(SatisfactionParams(informed=True, announcement_error_cv=0.5), 0.0,
                              mean_service_min=1.0, rng=np.random.default_rng(1))
    told = np.array([noisy.expect(4.0, 0.0, 10)[1] for _ in range(4000)])
    assert told.std() > 0
    se = told.std() / math.sqrt(len(told))
    assert abs(told.mean() - 10.0) < 4 * se  # unbiased on average


@settings(max_examples=50)
@given(order=st.permutations(range(40)))
def test_overtakes_count_the_later_arrivals_served_first(order):
    counter, started = Overtakes(), []
    for k in order:
        assert counter.start(k) == sum(j > k for j in started)
        started.append(k)


@settings(max_examples=50)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 400))
def test_overtakes_trimmed_to_the_customers_waiting_count_the_same(seed, steps):
    """Customers arrive in number order or one of those waiting, at random, starts; dropping
    the numbers below everyone still waiting leaves every count as the full list gives it."""
    rng = random.Random(seed)
    waiting: list[int] = []
    trimmed = Overtakes(lambda highest: min(waiting, default=highest + 1), keep=4)
    full, arrived = Overtakes(), 0
    for _ in range(steps):
        if rng.random() < 0.5 or not waiting:
            waiting.append(arrived)
            arrived += 1
        else:
            k = waiting.pop(rng.randrange(len(waiting)))
            assert trimmed.start(k) == full.start(k)


def test_overtakes_keep_about_the_customers_waiting_not_all_served():
    waiting: list[int] = []
    counter = Overtakes(lambda highest: min(waiting, default=highest + 1), keep=16)
    for k in range(10_000):  # two in line, served in turn
        waiting.append(k)
        if len(waiting) > 2:
            assert counter.start(waiting.pop(0)) == 0
    assert len(counter) < 32
    with pytest.raises(ValueError, match="arrival order"):
        counter.start(0)  # below the numbers dropped


def test_a_pooled_line_has_no_overtakes_per_lane_lines_do():
    lanes = run_scenario(scenario("run.replications=2"))
    pooled = run_scenario(scenario("run.replications=2", "queue.discipline=single_line"))
    assert all(v > 0 for v in lanes.kpi_values("overtakes_per_customer"))
    assert all(v == 0 for v in pooled.kpi_values("overtakes_per_customer"))
    fair = run_scenario(scenario("run.replications=2", "satisfaction.overtake_weight=0"))
    assert lanes.kpi_values("wait_mean") == fair.kpi_values("wait_mean")
    assert paired_difference(lanes.kpi_values("satisfaction_mean"), fair.kpi_values("satisfaction_mean")).mean < 0


def test_informed_customers_balk_when_told_a_wait_beyond_their_patience():
    plain = run_scenario(scenario("run.replications=3", "staffing=lean", "output.customers=true"))
    informed = run_scenario(scenario("run.replications=3", "staffing=lean", "output.customers=true",
                                     "satisfaction=informed"))
    assert paired_difference(informed.kpi_values("customers_balked"), plain.kpi_values("customers_balked")).ci_low > 0
    assert all((rep.customers["outcome"] == "balked").any() for rep in informed.replications)


def test_informed_customers_who_may_not_balk_give_up_at_once():
    common = ("run.replications=3", "staffing=lean", "abandonment.balking=false", "output.customers=true")
    plain = run_scenario(scenario(*common))
    informed = run_scenario(scenario(*common, "satisfaction=informed"))
    for result in (plain, informed):
        assert sum(result.kpi_values("customers_balked")) == 0
    at_once = [np.sum((r.customers["outcome"] == "reneged") & (r.customers["wait_min"] == 0))
               for r in informed.replications]
    assert all(n > 0 for n in at_once)
    assert all(np.sum((r.customers["outcome"] == "reneged") & (r.customers["wait_min"] == 0)) == 0
               for r in plain.replications)
    # giving up at once instead of after waiting: less time in line before leaving
    assert paired_difference(informed.kpi_values("time_in_line_mean"), plain.kpi_values("time_in_line_mean")).ci_high < 0


def test_informed_without_patience_changes_no_wait():
    common = ("run.replications=2", "abandonment.reneging=false")
    plain = run_scenario(scenario(*common))
    informed = run_scenario(scenario(*common, "satisfaction=informed"))
    assert plain.kpi_values("wait_mean") == informed.kpi_values("wait_mean")
    assert plain.kpi_values("csat") != informed.kpi_values("csat")


def test_a_courtesy_zone_upside_down_names_its_key():
    with pytest.raises(ConfigError) as error:
        scenario("satisfaction.adequate_courtesy=0.8", "satisfaction.desired_courtesy=0.5")
    assert "satisfaction.desired_courtesy" in str(error.value)
