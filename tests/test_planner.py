"""The staffing planner (issue: the cheapest hourly plan that meets the service standard)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from storesim.scenarios.planner import Planner, first_cut, rosterable, _repair
from storesim.scenarios.schema import PlanParams

from .conftest import scenario

PEAK = (9, 10)  # 17:00 and 18:00 on the default day
REPS = 20  # the command's default


@pytest.fixture(scope="module")
def default_plan():
    params = scenario("run.jobs=2")
    return params, Planner(params, PlanParams(replications=REPS)).run()


def test_final_plan_meets_the_standard_in_every_hour(default_plan):
    _, plan = default_plan
    assert all(ci.ci_low >= plan.target for ci in plan.final.hourly_service_level)


def test_first_cut_misses_the_standard_at_the_evening_peak(default_plan):
    _, plan = default_plan
    for hour in PEAK:
        assert plan.first_cut.hourly_service_level[hour].ci_high < plan.target


def test_removing_any_cashier_hour_breaks_the_standard(default_plan):
    params, plan = default_plan
    fresh = Planner(params, PlanParams(replications=REPS))  # re-simulates; nothing cached from the search
    for hour, count in enumerate(plan.final.cashiers):
        if count <= 1:
            continue
        fewer = list(plan.final.cashiers)
        fewer[hour] -= 1
        assert not fresh.evaluate(fewer).ok, f"hour {hour} could lose a cashier"


def test_first_cut_follows_the_arrival_profile():
    params = scenario()
    cut = first_cut(params, 3.0, 0.8)
    rates = params.arrivals_per_hour()
    assert cut[rates.index(max(rates))] == max(cut)
    assert all(1 <= c <= params.store.lanes for c in cut)


def test_shift_rules_are_respected():
    assert not rosterable([3, 5, 3, 3], 2)  # the 4th and 5th cashiers would work one hour
    repaired = _repair([3, 5, 3, 3, 6, 3], 3, 10)
    assert rosterable(repaired, 3)
    assert all(r >= c for r, c in zip(repaired, [3, 5, 3, 3, 6, 3]))
    plan = Planner(scenario("run.horizon_min=360", "arrivals.rate_per_hour=[60,120,250,250,120,60]",
                            "staffing.cashiers=6"), PlanParams(replications=4, min_shift_hours=3)).run()
    assert rosterable(plan.final.cashiers, 3) and rosterable(plan.first_cut.cashiers, 3)


def test_command_writes_the_plan(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import plan_main; plan_main()",
                           "run.horizon_min=240", "arrivals.rate_per_hour=[60,150,250,90]", "staffing.cashiers=6",
                           "plan.replications=4", f"hydra.run.dir={tmp_path}"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "first cut" in done.stdout and "final plan" in done.stdout
    summary = json.loads((tmp_path / "plan_summary.json").read_text())
    assert len(summary["final"]["cashiers"]) == 4
    assert (tmp_path / "plan.csv").exists() and (tmp_path / "plan.png").stat().st_size > 10_000


def test_bad_plan_setting_is_a_one_line_error(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import plan_main; plan_main()",
                           "plan.service_level=1.5", f"hydra.run.dir={tmp_path / 'run'}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["storesim-plan: error: plan.service_level: must be a share in [0, 1], "
                                                "got 1.5"]
    assert not (tmp_path / "run").exists()
