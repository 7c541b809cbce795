"""Employees, shifts, floor work and cross-training (issue: staff who switch roles under load)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import pytest
from hypothesis import given, settings, strategies as st

from storesim.analysis.stats import paired_difference
from storesim.scenarios.config import ConfigError
from storesim.scenarios.runner import run_scenario
from storesim.sim import run_replication
from storesim.sim.roster import build_roster, stacked_shifts

from .conftest import scenario

REPS = "run.replications=12"


def paired(a, b, kpi):
    """CI of a - b per replication (same seeds, so common random numbers)."""
    return paired_difference(a.kpi_values(kpi), b.kpi_values(kpi))


@pytest.fixture(scope="module")
def lean_runs():
    none = run_scenario(scenario(REPS, "staffing=lean", "policy/cross_training=none"))
    threshold = run_scenario(scenario(REPS, "staffing=lean", "policy/cross_training=threshold"))
    return none, threshold


def test_cross_training_cuts_peak_waits_and_costs_floor_waits(lean_runs):
    none, threshold = lean_runs
    peak = paired(threshold, none, "peak_wait_p90")
    floor = paired(threshold, none, "floor_wait_mean")
    assert peak.ci_high < 0, peak
    assert floor.ci_low > 0, floor
    assert min(threshold.kpi_values("role_switches")) > 0
    assert max(none.kpi_values("role_switches")) == 0


def test_same_customers_under_both_policies(lean_runs):
    none, threshold = lean_runs
    assert none.kpi_values("customers_arrived") == threshold.kpi_values("customers_arrived")
    assert none.kpi_values("floor_customers_arrived") == threshold.kpi_values("floor_customers_arrived")


def test_peak_all_lanes_cuts_peak_waits_for_more_labour():
    lean = run_scenario(scenario(REPS, "staffing=lean"))
    peak = run_scenario(scenario(REPS, "staffing=peak_all_lanes"))
    assert paired(peak, lean, "peak_wait_p90").ci_high < 0
    assert paired(peak, lean, "labor_cost").ci_low > 0


def intervals_by_employee(timeline):
    by = defaultdict(list)
    for employee, state, start, end in timeline:
        by[employee].append((start, end, state))
    return {e: sorted(v) for e, v in by.items()}


@pytest.mark.parametrize("policy", ["none", "threshold"])
def test_one_state_at_a_time_and_no_work_off_shift(policy):
    params = scenario("run.replications=1", "staffing=lean", f"policy/cross_training={policy}",
                      "staffing.break_after_hours=4")
    result = run_replication(params, 5)
    shifts = {s.employee_id: s.shift for s in build_roster(params)}
    timelines = intervals_by_employee(result.staff_timeline)
    assert set(timelines) == set(shifts)
    for employee, intervals in timelines.items():
        shift = shifts[employee]
        assert intervals[0][0] == 0.0 and intervals[-1][1] == result.ended_at
        for (s0, e0, _), (s1, _, _) in zip(intervals, intervals[1:]):
            assert e0 == s1, (employee, intervals)  # contiguous, never overlapping
        for start, end, state in intervals:
            if state != "off":
                assert start >= shift.start, (employee, start, state)
            if start >= shift.end:
                assert state in ("off", "serving", "lane_idle", "floor"), (employee, start, state)
        assert any(state == "break" for _, _, state in intervals)


def test_cool_down_bounds_switching_when_the_line_hovers():
    hover = ("run.replications=3", "staffing=lean", "policy/cross_training=threshold",
             "policy.cross_training.open_at=1.0", "policy.cross_training.close_below=1.0")
    jumpy = run_scenario(scenario(*hover, "policy.cross_training.cooldown_min=0"))
    calm = run_scenario(scenario(*hover, "policy.cross_training.cooldown_min=20"))
    hours, helpers = 14, 2
    per_hour = max(calm.kpi_values("role_switches")) / hours
    # Each helper's round trip takes at least the cool-down plus two walks.
    assert per_hour <= helpers * 2 * 60 / (20 + 2 * 2)
    assert sum(calm.kpi_values("role_switches")) < sum(jumpy.kpi_values("role_switches"))


def test_labour_cost_follows_paid_hours():
    params = scenario("run.replications=1", "staffing=lean", "abandonment.reneging=false",
                      "abandonment.balking=false")
    result = run_replication(params, 2)
    kpis = result.kpis
    managers = params.managers.count * result.ended_at / 60 * params.managers.wage_per_hour  # on duty until the end
    scheduled = 6 * 14 * 18.0 + 2 * 14 * 16.0 + managers
    assert scheduled <= kpis["labor_cost"] <= scheduled + 6 * 18.0 * kpis["overtime_min"] / 60 + 1e-6


def test_stacked_shifts_reproduce_the_hourly_counts():
    shifts = stacked_shifts([2, 1, 2, 0, 1])
    assert sorted(shifts) == [(0, 1), (0, 3), (2, 3), (4, 5)]
    for hour, count in enumerate([2, 1, 2, 0, 1]):
        assert sum(start <= hour < end for start, end in shifts) == count


def test_explicit_roster_runs():
    roster = ("staffing.roster=[{id: A, start_hour: 8, end_hour: 15}, {id: B, start_hour: 15, end_hour: 22},"
              " {id: M, start_hour: 12, end_hour: 20, speed: 1.5},"
              " {id: F, home_role: floor, skills: [floor, checkout], start_hour: 8, end_hour: 22}]")
    params = scenario("run.replications=1", "staffing=roster", roster, "policy/cross_training=threshold")
    kpis = run_replication(params, 1).kpis
    assert kpis["customers_served"] > 0 and kpis["floor_customers_arrived"] > 0


@pytest.mark.parametrize("overrides,key", [
    (["policy.cross_training.close_below=5"], "policy.cross_training.close_below"),
    (["policy.cross_training.trigger=vibes"], "policy.cross_training.trigger"),
    (["policy.cross_training.cross_trained=ids", "policy.cross_training.ids=[Z9]"], "policy.cross_training.ids"),
    (["staffing=roster", "staffing.roster=[{id: A, start_hour: 8, end_hour: 12}]"], "staffing.roster"),
    (["staffing=roster", "staffing.roster=[{id: A, skills: [checkout, juggling]}]"], "staffing.roster[0].skills"),
    (["staffing.roster=[{id: A}]"], "staffing.cashiers"),  # a roster and counts: choose one
    (["staffing=from_profile", "staffing.cashiers=5"], "staffing.cashiers"),
    (["staffing.cashiers=null"], "staffing.cashiers"),
])
def test_bad_staff_settings_name_their_key(overrides, key):
    with pytest.raises(ConfigError) as error:
        scenario("policy/cross_training=threshold", *overrides)
    assert key in str(error.value)


def test_command_line_runs_cross_training_with_peak_staffing(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import main; main()",
                           "policy/cross_training=threshold", "staffing=peak_all_lanes", "run.replications=2",
                           f"hydra.run.dir={tmp_path}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kpis = json.loads((tmp_path / "summary.json").read_text())["kpis"]
    for name in ("floor_wait_mean", "floor_abandon_rate", "role_switches", "staff_idle_fraction",
                 "utilization_checkout"):
        assert kpis[name]["mean"] is not None


@settings(max_examples=200, deadline=None)
@given(start=st.integers(0, 10), length=st.integers(1, 14), every=st.sampled_from([0.5, 1.0, 2.0, 4.0]),
       minutes=st.sampled_from([5.0, 15.0, 29.0]), stagger=st.integers(0, 7))
def test_breaks_split_a_shift_into_work_and_never_start_it_overlap_or_outlast_it(start, length, every, minutes,
                                                                                  stagger):
    from storesim.sim.roster import _breaks

    begin, end = start * 60.0, (start + length) * 60.0
    if minutes >= every * 60:
        return  # refused by validation (a break as long as the work between breaks)
    breaks = _breaks(begin, end, every, minutes, stagger)
    assert len(breaks) == (0 if length <= every else int(length // every))
    edges = [begin] + [x for at, m in breaks for x in (at, at + m)] + [end]
    assert all(b - a > 0 for a, b in zip(edges, edges[1:])), breaks  # work before, between and after
