"""Empowerment, hiring, satisfaction and costs (issue: empowerment, hiring and satisfaction)."""

from __future__ import annotations

import csv
import math
import subprocess
import sys

import numpy as np
import pytest

from storesim.analysis.stats import paired_difference
from storesim.scenarios.config import ConfigError
from storesim.scenarios.runner import run_scenario
from storesim.sim.hiring import speed_after
from storesim.sim.params import HiringParams, SatisfactionParams
from storesim.sim.satisfaction import SatisfactionModel
from storesim.sim.store import Store

from .conftest import scenario

REPS = "run.replications=12"


def paired(a, b, kpi):
    return paired_difference(a.kpi_values(kpi), b.kpi_values(kpi))


@pytest.fixture(scope="module")
def empowerment_runs():
    approval = run_scenario(scenario(REPS, "policy/empowerment=manager_approval"))
    empowered = run_scenario(scenario(REPS, "policy/empowerment=empowered"))
    return approval, empowered


def test_empowered_cashiers_cut_holds_and_waits_behind_exceptions_at_a_cost_in_wrong_grants(empowerment_runs):
    approval, empowered = empowerment_runs
    assert paired(empowered, approval, "hold_time_mean").ci_high < 0
    assert paired(empowered, approval, "wait_behind_exception_mean").ci_high < 0
    assert paired(empowered, approval, "discount_cost").ci_low > 0
    assert max(approval.kpi_values("discount_cost")) == 0


def test_empowerment_frees_the_managers_for_their_duties(empowerment_runs):
    """Calls from the lanes take less of the managers' time, and their own duties start sooner."""
    approval, empowered = empowerment_runs
    assert paired(empowered, approval, "manager_approval_share").ci_high < 0
    assert paired(empowered, approval, "manager_utilization").ci_high < 0
    assert paired(empowered, approval, "manager_duty_wait_mean").ci_high < 0
    for result in empowerment_runs:
        for rep in result.replications:
            k = rep.kpis
            assert 0 < k["manager_approval_share"] < k["manager_utilization"] <= 1
            assert k["manager_duty_backlog_min"] >= 0


def test_managers_time_on_calls_matches_the_calls_they_answered():
    """Each call keeps a manager for the walk plus the decision (1 + 1 min); with no duties the
    managers' busy time is 2 min per call, and manager_utilization is that over their time."""
    store = Store(scenario("managers.duties_per_hour=0", "output.customers=false"), 3)
    k = store.run().kpis
    calls = len(store.exceptions.holds)
    assert calls > 50
    assert store.managers.on_calls.area == pytest.approx(2.0 * calls)
    assert k["manager_approval_share"] == pytest.approx(2.0 * calls / (2 * store.env.now))
    assert k["manager_utilization"] == k["manager_approval_share"]
    assert k["manager_duty_backlog_min"] == 0 and math.isnan(k["manager_duty_wait_mean"])


def test_friendly_trained_hires_are_friendlier_and_slower_at_first():
    new = ("run.replications=6", "policy.hiring.tenure_days=0")
    friendly = run_scenario(scenario(*new, "policy/hiring=friendly_trained"))
    experienced = run_scenario(scenario(*new, "policy/hiring=experienced"))
    assert paired(friendly, experienced, "courtesy_mean").ci_low > 0
    assert paired(friendly, experienced, "service_time_mean").ci_low > 0


def test_the_speed_gap_shrinks_with_days_since_hire():
    friendly = HiringParams(speed_trained=1.1, start_speed=0.6)
    experienced = HiringParams(speed_trained=1.15, start_speed=0.95)
    gaps = [speed_after(d, experienced) - speed_after(d, friendly) for d in (0, 15, 30, 60, 120, 365)]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))
    # And in the simulation: the service time gap after 120 days is smaller than on day 0.
    def gap(days):
        runs = [run_scenario(scenario("run.replications=4", f"policy.hiring.tenure_days={days}",
                                      f"policy/hiring={profile}")) for profile in ("friendly_trained", "experienced")]
        return paired(runs[0], runs[1], "service_time_mean").mean
    assert gap(120) < gap(0)


@pytest.mark.parametrize("informed", [False, True])
def test_satisfaction_never_rises_when_only_the_wait_grows(informed):
    model = SatisfactionModel(SatisfactionParams(informed=informed), warmup=0.0)
    waits = np.linspace(0, 60, 601)
    for expected in (0.5, 2.0, 4.0, 10.0):
        for friendliness in (0.0, 0.5, 1.0):
            for competence in (0.3, 0.0, -1.5):
                scores = [model.score(w, expected, friendliness, competence) for w in waits]
                assert all(b <= a for a, b in zip(scores, scores[1:]))
                assert min(scores) >= 1.0 and max(scores) <= 5.0


def test_satisfaction_falls_as_waits_grow():
    more = run_scenario(scenario("run.replications=8", "staffing=peak_all_lanes"))
    fewer = run_scenario(scenario("run.replications=8", "staffing=lean"))
    assert paired(fewer, more, "wait_mean").ci_low > 0
    assert paired(fewer, more, "satisfaction_mean").ci_high < 0


def test_keeping_customers_informed_raises_satisfaction_for_the_same_waits():
    # Without patience nobody's decision depends on the announced wait (tests/test_satisfaction.py)
    plain = run_scenario(scenario("run.replications=6", "satisfaction=default", "abandonment.reneging=false"))
    informed = run_scenario(scenario("run.replications=6", "satisfaction=informed", "abandonment.reneging=false"))
    assert plain.kpi_values("wait_mean") == informed.kpi_values("wait_mean")
    assert paired(informed, plain, "satisfaction_mean").ci_low > 0


def test_temporary_hires_cut_peak_waits_for_more_labour():
    base = run_scenario(scenario("run.replications=6", "staffing=lean"))
    temps = run_scenario(scenario("run.replications=6", "staffing=lean", "policy.hiring.temporary=3"))
    assert paired(temps, base, "peak_wait_mean").ci_high < 0
    assert paired(temps, base, "labor_cost").ci_low > 0


def test_total_cost_adds_labour_discounts_and_lost_sales(empowerment_runs):
    for rep in empowerment_runs[1].replications:
        k = rep.kpis
        assert k["total_cost"] == pytest.approx(k["labor_cost"] + k["discount_cost"] + k["lost_sales"])


@pytest.mark.parametrize("overrides,key", [
    (["policy.empowerment.policy=ask_the_owner"], "policy.empowerment.policy"),
    (["exceptions.coupon.share=0.7", "exceptions.returns.share=0.5"], "exceptions"),
    (["policy.hiring.policy=cheap"], "policy.hiring.policy"),
    (["satisfaction.satisfied_at=4.8"], "satisfaction.delighted_at"),
    (["policy.hiring.temporary=9"], "policy.hiring.temporary"),
    (["policy.hiring.decision_accuracy=0.99"], "policy.hiring.decision_accuracy"),
])
def test_bad_policy_settings_name_their_key(overrides, key):
    with pytest.raises(ConfigError) as error:
        scenario(*overrides)
    assert key in str(error.value)


def test_one_sweep_compares_empowerment_and_hiring(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import main; main()", "-m",
                           "policy/empowerment=manager_approval,empowered",
                           "policy/hiring=experienced,friendly_trained", "run.replications=2",
                           f"hydra.sweep.dir={tmp_path}"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    jobs = sorted(p for p in tmp_path.iterdir() if (p / "summary.json").exists())
    assert len(jobs) == 4
    with open(tmp_path / "sweep_summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    for column in ("csat_mean", "hold_time_mean_mean", "discount_cost_mean", "total_cost_mean"):
        assert column in rows[0]


SEGMENTS = ("customers.segments=[{name: commuters, share: 0.4, expected_wait_factor: 0.5, patience_factor: 0.5},"
            "{name: retirees, share: 0.6, expected_wait_factor: 1.5, patience_factor: 2.0}]")


def test_segments_get_their_own_satisfaction_kpis():
    result = run_scenario(scenario("run.replications=4", SEGMENTS))
    kpis = result.kpis()
    # Commuters expect shorter waits and give up sooner: fewer of them end up satisfied.
    diff = paired_difference(result.kpi_values("csat_commuters"), result.kpi_values("csat_retirees"))
    assert diff.ci_high < 0
    assert kpis["csat_commuters"].mean < kpis["csat"].mean < kpis["csat_retirees"].mean
    shares = np.bincount(result.replications[0].customers["segment"]) / len(result.replications[0].customers["segment"])
    assert shares == pytest.approx([0.4, 0.6], abs=0.05)


def test_segment_shares_must_add_up_to_one():
    with pytest.raises(ConfigError) as error:
        scenario("customers.segments=[{name: a, share: 0.5}, {name: b, share: 0.3}]")
    assert "customers.segments: shares must add up to 1" in str(error.value)
