"""Extreme but valid stores run and give sane numbers; undefined KPIs are null, not NaN.

Also the regressions for the model bugs the property tests found (tests/test_properties.py).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from storesim.scenarios.outputs import summary, write_outputs
from storesim.scenarios.runner import replication_seed, run_scenario
from storesim.sim.store import Store

from .conftest import scenario

FLAT = ("arrivals.rate_per_hour=150", "staffing.cashiers=6")
NO_ABANDONMENT = ("abandonment.balking=false", "abandonment.reneging=false")
WAITS = ("wait_mean", "wait_p50", "wait_p90", "wait_p95", "wait_max")


def kpi_means(result) -> dict:
    """``summary.json``'s KPI means, through the same JSON the command writes (strict: no NaN)."""
    document = json.loads(json.dumps(summary(result), allow_nan=False))
    return {name: ci["mean"] for name, ci in document["kpis"].items()}


def assert_conserved(result) -> None:
    for rep in result.replications:
        k = rep.kpis
        assert k["customers_arrived"] == k["customers_served"] + k["customers_balked"] + k["customers_reneged"]
        assert len(rep.customers["customer_id"]) == k["customers_arrived"]


def test_zero_arrivals_leave_waits_null_and_still_pay_the_staff(tmp_path):
    result = run_scenario(scenario(*FLAT, "arrivals.rate_per_hour=0", "staffing.cashiers=3", "run.replications=2"))
    means = kpi_means(result)
    assert means["customers_arrived"] == 0 and means["queue_len_max"] == 0 and means["overtime_min"] == 0
    for name in (*WAITS, "abandon_rate", "service_level", "csat", "satisfaction_mean", "time_in_system_mean"):
        assert means[name] is None, name  # undefined without customers: null, not 0 and not NaN
    assert means["utilization_checkout"] == 0 and means["labor_cost"] > 0
    write_outputs(tmp_path, result)
    assert (tmp_path / "customers.csv").read_text().count("\n") == 1  # the header alone


def test_zero_arrivals_through_the_command(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import main; main()",
                           f"hydra.run.dir={tmp_path / 'run'}", *FLAT, "arrivals.rate_per_hour=0",
                           "staffing.cashiers=2", "run.replications=2", "run.horizon_min=120"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = (tmp_path / "run" / "summary.json").read_text()
    assert "NaN" not in text and json.loads(text)["kpis"]["wait_mean"]["mean"] is None


def test_one_lane_one_cashier():
    result = run_scenario(scenario("store.lanes=1", "store.express_lanes=0", *FLAT, "staffing.cashiers=1",
                                   "arrivals.rate_per_hour=20", "run.replications=3"))
    assert_conserved(result)
    means = kpi_means(result)
    assert means["customers_served"] > 100 and 0 < means["utilization_checkout"] <= 1
    assert all((rep.customers["lane"][rep.customers["outcome"] == "served"] == 0).all()
               for rep in result.replications)


def test_a_single_customer():
    """About one customer in a one-minute day: every KPI that a single customer defines is a number."""
    params = scenario("run.horizon_min=1", *FLAT, "arrivals.rate_per_hour=60", "staffing.cashiers=2",
                      "run.replications=12", "run.seed=1")
    result = run_scenario(params)
    assert_conserved(result)
    singles = [rep for rep in result.replications if rep.kpis["customers_arrived"] == 1]
    assert singles, "no replication with exactly one customer"
    for rep in singles:
        k = rep.kpis
        assert k["customers_served"] == 1 and k["wait_mean"] == 0.0 == k["wait_max"] == k["wait_p90"]
        assert k["service_level"] == 1.0 and k["service_time_mean"] > 0
        assert k["overtime_min"] == pytest.approx(max(0.0, rep.customers["left_at_min"][0] - 1.0))
    summary(result)  # replications with none and with one customer summarise together


def test_very_high_load_grows_the_line_and_reports_overtime():
    params = scenario("store.lanes=1", "store.express_lanes=0", *FLAT, "staffing.cashiers=1", *NO_ABANDONMENT,
                      "arrivals.rate_per_hour=600", "run.horizon_min=60", "run.replications=2")
    result = run_scenario(params)
    assert_conserved(result)
    for rep in result.replications:
        k, queue = rep.kpis, rep.timeseries["queue_len_mean"]
        assert k["customers_served"] == k["customers_arrived"] > 400  # everyone inside is served, however late
        assert k["overtime_min"] > 10 * 60 and rep.ended_at == pytest.approx(60 + k["overtime_min"])
        assert queue[3] > queue[1] > 0  # the line grows while the doors are open
        assert k["queue_len_max"] > 300 and k["utilization_checkout"] > 0.99
        assert np.isfinite(rep.customers["wait_min"]).all()


def test_hour_long_service_times():
    params = scenario("service.mean_min=60", "service.distribution=exponential", "run.horizon_min=240", *FLAT,
                      "arrivals.rate_per_hour=10", "staffing.cashiers=3", "run.replications=2")
    result = run_scenario(params)
    assert_conserved(result)
    means = kpi_means(result)
    assert means["service_time_mean"] > 20 and means["overtime_min"] > 0
    assert means["abandon_rate"] > 0.3  # most customers give up on such a checkout
    assert all(value is None or math.isfinite(value) for value in means.values())


def test_a_24_hour_store():
    profile = "[10,5,5,5,5,20,40,60,90,120,150,180,160,130,130,170,250,260,190,120,70,40,20,10]"
    staff = "[1,1,1,1,1,1,2,2,3,4,5,6,6,5,5,6,9,10,8,5,4,2,1,1]"
    params = scenario("store.open_hour=0", "store.close_hour=24", f"arrivals.rate_per_hour={profile}",
                      f"staffing.cashiers={staff}", "run.replications=2")
    assert params.horizon_min == 24 * 60 and params.hours == 24
    result = run_scenario(params)
    assert_conserved(result)
    ts = result.replications[0].timeseries
    assert ts["clock"][0] == "00:00" and ts["clock"][95] == "23:45"  # then overtime wraps to the next day
    means = kpi_means(result)
    assert means["peak_wait_mean"] is not None and 0 <= means["service_level"] <= 1


def test_a_night_store_past_midnight():
    params = scenario("store.open_hour=22", "store.close_hour=30", *FLAT, "arrivals.rate_per_hour=30",
                      "staffing.cashiers=2", "run.replications=2")
    result = run_scenario(params)
    assert_conserved(result)
    clocks = result.replications[0].timeseries["clock"]
    assert clocks[0] == "22:00" and "00:00" in clocks and "05:45" in clocks
    assert kpi_means(result)["peak_wait_mean"] is None  # the evening peak lies outside: null, no crash


# -- regressions for the bugs the property tests found -------------------------------------

ONE_TO_TWO_HOURS = ("store.open_hour=0", "store.close_hour=24", "service.distribution=exponential",
                    "staffing.floor_staff=0", "floor.rate_per_hour=0", "managers.duties_per_hour=0",
                    "output.bucket_min=5", "staffing.speed=0.7")


def _store(seed: int, *overrides: str) -> tuple[Store, object]:
    store = Store(scenario(*overrides), replication_seed(seed, 0))
    return store, store.run()


def test_customers_waiting_while_no_lane_is_open_are_served_when_one_opens():
    """Bug: with no lane staffed (the lone cashier on a break), customers spread over the lines
    of closed lanes; the cashier came back to one of them and the others waited forever,
    lost from every count."""
    store, rep = _store(0, *ONE_TO_TWO_HOURS, "store.lanes=2", "store.express_lanes=0", *FLAT,
                        "arrivals.rate_per_hour=40", "abandonment.balk_line_len=1", "abandonment.reneging=false",
                        "staffing.cashiers=1", "staffing.break_after_hours=1", "staffing.break_min=10",
                        "run.horizon_min=61")
    k = rep.kpis
    assert k["customers_arrived"] == k["customers_served"] + k["customers_balked"] == len(rep.customers["outcome"])
    assert all(lane.line.waiting == 0 for lane in store.checkout.lanes)


def test_customers_who_arrive_during_the_last_break_are_served_after_closing():
    """Bug: the last cashier's break ran past closing time; the customers who came during it
    were left in line when the shift ended."""
    store, rep = _store(25954, *ONE_TO_TWO_HOURS, "store.lanes=3", "store.express_lanes=1", *FLAT,
                        "arrivals.rate_per_hour=120", "service.mean_min=6", "abandonment.balk_line_len=2",
                        "abandonment.reneging=false", "staffing.cashiers=[1,2,3,1]", "staffing.break_after_hours=1",
                        "staffing.break_min=10", "run.horizon_min=240")
    k = rep.kpis
    assert k["customers_arrived"] == k["customers_served"] + k["customers_balked"] == len(rep.customers["outcome"])
    assert rep.customers["left_at_min"].max() > 240 and k["overtime_min"] > 0


def test_a_helper_who_finds_every_lane_taken_walks_back_to_the_floor():
    """Bugs: a cross-trained helper reaching checkout with no lane free crashed the run
    ("Invalid yield value None"), and once that was mended went home mid-shift."""
    store, rep = _store(0, *ONE_TO_TWO_HOURS, "store.lanes=1", "store.express_lanes=0", "arrivals.rate_per_hour=[20,0]",
                        *NO_ABANDONMENT, "staffing.cashiers=1", "staffing.floor_staff=1",
                        "staffing.break_after_hours=1", "staffing.break_min=10", "policy/cross_training=threshold",
                        "policy.cross_training.open_at=1", "policy.cross_training.close_below=0",
                        "policy.cross_training.cooldown_min=0", "run.horizon_min=61")
    helper = [(state, start, end) for who, state, start, end in rep.staff_timeline if who == "F1"]
    assert ("walking" in [state for state, _, _ in helper]) and rep.kpis["role_switches"] == 2
    off_at = min(start for state, start, _ in helper if state == "off")
    assert off_at == store.params.horizon_min  # on the floor until the end of the shift


def test_no_wait_is_negative_even_by_a_rounding_error():
    """Bug: a customer served on arrival could show a wait of -4e-16 ("-0.0" in customers.csv)."""
    _, rep = _store(286, *ONE_TO_TWO_HOURS, "store.lanes=2", "store.express_lanes=0", "arrivals.rate_per_hour=[20,150]",
                    *NO_ABANDONMENT, "staffing.cashiers=2", "run.horizon_min=61")
    assert (rep.customers["wait_min"] >= 0).all()


def test_utilization_is_never_a_rounding_error_above_one():
    """Bug: busy and staffed lane time, summed separately, gave utilization_checkout 1.0000000000000002."""
    store, rep = _store(0, *ONE_TO_TWO_HOURS, "store.lanes=2", "store.express_lanes=0", *FLAT,
                        "arrivals.rate_per_hour=120", "service.distribution=gamma", "service.cv=1.5",
                        *NO_ABANDONMENT, "staffing.cashiers=1", "staffing.floor_staff=1",
                        "policy/cross_training=threshold", "policy.cross_training.open_at=1",
                        "policy.cross_training.close_below=0", "policy.cross_training.cooldown_min=0",
                        "policy.cross_training.walk_min=0", "run.horizon_min=60", "run.warmup_min=15")
    area = store.checkout
    assert area.busy_lanes.area / area.open_lanes.area > 1.0  # the raw ratio still rounds up ...
    assert rep.kpis["utilization_checkout"] == 1.0  # ... the KPI does not
