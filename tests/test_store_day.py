"""Properties of the default store day: conservation, Little's law, pooling, determinism."""

from __future__ import annotations

import json

import numpy as np

from storesim.analysis.stats import t_interval
from storesim.scenarios.outputs import summary
from storesim.scenarios.runner import run_scenario
from storesim.sim import run_replication

from .conftest import scenario


def test_every_arrival_is_served_balked_or_reneged():
    params = scenario("run.replications=3", "staffing.cashiers=[2,2,3,3,4,4,3,3,4,5,5,4,3,2]")
    for rep in run_scenario(params).replications:
        k = rep.kpis
        assert k["customers_arrived"] == k["customers_served"] + k["customers_balked"] + k["customers_reneged"]
        assert k["customers_balked"] > 0 and k["customers_reneged"] > 0  # the lean plan strains
        assert len(rep.customers["customer_id"]) == k["customers_arrived"]
        assert set(rep.customers["outcome"]) <= {"served", "balked", "reneged"}


def test_littles_law_holds_on_the_store_day():
    """Time-average line length = arrival rate x mean time in line (abandoners included)."""
    params = scenario("run.replications=10")
    gaps = []
    for rep in run_scenario(params).replications:
        c = rep.customers
        time_in_line = np.where(c["outcome"] == "balked", 0.0, c["wait_min"])
        rate = len(c["customer_id"]) / rep.ended_at
        gaps.append(rep.kpis["queue_len_mean"] - rate * time_in_line.mean())
    ci = t_interval(gaps)
    assert ci.ci_low <= 0.0 <= ci.ci_high or abs(ci.mean) < 1e-9, ci


def test_one_pooled_line_waits_no_longer_than_per_lane_lines():
    per_lane = run_scenario(scenario("run.replications=10", "queue.discipline=per_lane"))
    pooled = run_scenario(scenario("run.replications=10", "queue.discipline=single_line"))
    diff = t_interval(np.subtract(pooled.kpi_values("wait_mean"), per_lane.kpi_values("wait_mean")))
    assert diff.ci_high <= 0.0, diff
    # Same replication, same customers under both plans (common random numbers).
    assert per_lane.kpi_values("customers_arrived") == pooled.kpi_values("customers_arrived")


def test_same_seed_same_summary_whatever_the_job_count():
    one = run_scenario(scenario("run.replications=4", "run.jobs=1"))
    two = run_scenario(scenario("run.replications=4", "run.jobs=2"))
    a, b = summary(one), summary(two)
    assert a["config"]["run"].pop("jobs") == 1 and b["config"]["run"].pop("jobs") == 2
    a.pop("wall_time_s"), b.pop("wall_time_s")
    assert json.dumps(a) == json.dumps(b)  # the documented exceptions are the only differences


def test_different_replications_see_different_customers():
    params = scenario("run.replications=2")
    a, b = run_scenario(params).replications
    assert a.kpis["customers_arrived"] != b.kpis["customers_arrived"]


def test_more_cashiers_shorten_waits():
    params = scenario("run.replications=1", "staffing.cashiers=5")
    more = scenario("run.replications=1", "staffing.cashiers=8")
    assert run_replication(more, 7).kpis["wait_mean"] < run_replication(params, 7).kpis["wait_mean"]


def test_doors_close_and_everyone_inside_is_served():
    params = scenario("run.replications=1", "staffing.cashiers=3",
                      "abandonment.balking=false", "abandonment.reneging=false")
    rep = run_replication(params, 3)
    assert rep.kpis["customers_served"] == rep.kpis["customers_arrived"]
    assert rep.kpis["overtime_min"] > 0
    assert rep.ended_at == params.horizon_min + rep.kpis["overtime_min"]


def test_a_seed_sequence_given_twice_gives_the_same_day():
    """The model reads its seed without changing it: the same SeedSequence object (as
    ``replication_seed`` returns) run twice gives the same day, as the same integer does."""
    from storesim.scenarios.runner import replication_seed
    from storesim.sim import run_replication

    params = scenario("run.replications=1", "output.customers=false", "arrivals.rate_per_hour=60",
                      "staffing.cashiers=2", "staffing.floor_staff=1", "store.close_hour=10")
    seed = replication_seed(7, 0)
    first, second = run_replication(params, seed), run_replication(params, seed)
    assert first.kpis == second.kpis
    assert run_replication(params, replication_seed(7, 0)).kpis == first.kpis
