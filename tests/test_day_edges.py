"""The edges of the working day: breaks when nobody else is on duty, balking with no lane
open, the day's end, and whom each KPI counts (Little's law from the output files alone).

The break rules are in ``sim/handover.py`` and the balking rule in ``sim/checkout.py``; the one
property that ties them together: on a one-lane store, ``per_lane`` and ``single_line``
are the same system, so every customer and every KPI must come out identical.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storesim.scenarios.outputs import summary
from storesim.scenarios.runner import replication_seed, run_scenario
from storesim.sim.customer import Customer
from storesim.sim.params import (AbandonmentParams, ArrivalParams, QueueParams, RunParams, ScenarioParams,
                                 ServiceParams, StoreParams)
from storesim.sim.params import ManagerParams
from storesim.sim.params import (BreakParams, CrossTrainingParams, EmployeeParams, FloorParams, PolicyParams,
                                       StaffingParams)
from storesim.sim.store import Store

from .conftest import scenario
from .test_properties import small_stores

ONE_CASHIER_BREAK = ["store.lanes=1", "store.express_lanes=0", "store.close_hour=10", "arrivals.rate_per_hour=40", "run.replications=1",
                     "staffing=roster",
                     "staffing.roster=[{id:C1,start_hour:8,end_hour:10,breaks:[{start_hour:9,minutes:20}]}]"]
NO_LANE_OPEN = ["store.lanes=1", "store.express_lanes=0", "staffing.cashiers=1",
                "staffing.floor_staff=0", "staffing.break_after_hours=1", "staffing.break_min=30",
                "store.close_hour=10", "arrivals.rate_per_hour=30",
                "abandonment.reneging=false", "abandonment.balk_line_len=2", "run.replications=1"]


def run(params: ScenarioParams, k: int = 0, script=None):
    store = Store(params, replication_seed(params.run.seed, k), script=script)
    return store, store.run()


def breaks_of(rep) -> list[tuple[float, float]]:
    return [(start, end) for _, state, start, end in rep.staff_timeline if state == "break"]


def assert_same_customers(a, b) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert np.array_equal(a[name], b[name], equal_nan=a[name].dtype.kind == "f"), name


def assert_same_kpis(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name] or (math.isnan(a[name]) and math.isnan(b[name])), (name, a[name], b[name])


# -- a lane whose cashier must leave --------------------------------------------------------

@pytest.mark.parametrize("k", range(3))
def test_lone_cashier_takes_the_break_the_same_way_under_both_disciplines(k):
    """Break due 60 min after opening, nobody else on duty, default deferral of 30 min."""
    runs = {d: run(scenario(*ONE_CASHIER_BREAK, f"queue.discipline={d}"), k) for d in ("per_lane", "single_line")}
    (_, lane), (_, pooled) = runs["per_lane"], runs["single_line"]
    assert_same_customers(lane.customers, pooled.customers)
    assert_same_kpis(lane.kpis, pooled.kpis)
    assert lane.ended_at == pooled.ended_at
    c = lane.customers
    [(start, end)] = breaks_of(lane)
    assert end - start == pytest.approx(20.0)
    assert lane.kpis["breaks_skipped"] == 0 and lane.kpis["break_deferred_min"] == pytest.approx(start - 60.0)
    served = c["outcome"] == "served"
    began, left = c["arrived_at_min"] + c["wait_min"], c["left_at_min"]
    assert not ((began[served] > start) & (began[served] < end)).any()  # nobody is served during the break
    if start < 90.0:  # before the deferral ran out: only once the line was empty
        assert start == 60.0 or start in set(left[served].tolist())
        assert not ((c["arrived_at_min"] < start) & (began >= start) & served).any()
    else:  # ran out: right after the customer in service at minute 90
        assert start == min(x for x in left[served] if x >= 90.0)


def scripted_lane(discipline: str, breaks: list[tuple[float, float]], defer: float | None = None):
    """One lane, cashier C1 08:00-10:00 with ``breaks`` (clock hour, minutes); a customer
    every minute from opening for 100 minutes, each served in 1.5 minutes: the line only grows."""
    staffing = StaffingParams(cashiers=None, floor_staff=None, roster=[EmployeeParams(
        id="C1", start_hour=8.0, end_hour=10.0, breaks=[BreakParams(h, m) for h, m in breaks])])
    if defer is not None:
        staffing.break_defer_max_min = defer
    params = ScenarioParams(store=StoreParams(lanes=1, express_lanes=0, open_hour=8.0, close_hour=10.0),
                            arrivals=ArrivalParams(rate_per_hour=150.0), queue=QueueParams(discipline=discipline),
                            abandonment=AbandonmentParams(balking=False, reneging=False), staffing=staffing,
                            floor=FloorParams(rate_per_hour=0.0), managers=ManagerParams(duties_per_hour=0.0))
    script = [Customer(i, float(i), 3, 1.5, math.inf, 1.0) for i in range(100)]
    return run(params, script=script)


@pytest.mark.parametrize("discipline", ["per_lane", "single_line"])
def test_a_break_is_deferred_at_most_the_limit_then_the_lane_closes_with_its_line(discipline):
    store, rep = scripted_lane(discipline, [(9.0, 20.0)])
    # Due at 60; the line never empties, so it starts when the customer in service at 90 leaves (at 90.0).
    assert breaks_of(rep) == [(90.0, 110.0)]
    assert rep.kpis["break_deferred_min"] == 30.0 and rep.kpis["breaks_skipped"] == 0
    c = rep.customers
    began = c["arrived_at_min"] + c["wait_min"]
    assert not ((began > 90.0) & (began < 110.0)).any()
    assert (c["outcome"] == "served").all()  # those in line waited through the break
    # 100 customers x 1.5 min, plus the 20-minute break: the last one leaves at 170.
    assert rep.ended_at == 170.0 and rep.kpis["overtime_min"] == 50.0


def test_no_deferral_means_the_break_starts_after_the_customer_in_service():
    _, rep = scripted_lane("per_lane", [(9.0, 20.0)], defer=0.0)
    assert breaks_of(rep) == [(60.0, 80.0)]  # customer 40 leaves at exactly 60.0
    assert rep.kpis["break_deferred_min"] == 0.0


def test_deferral_ends_in_time_for_the_break_to_fit_the_shift():
    _, rep = scripted_lane("single_line", [(9.5, 20.0)])
    # Due at 90, latest start 120 - 20 = 100: the customer in service then leaves at 100.5.
    assert breaks_of(rep) == [(100.5, 120.5)]
    assert rep.kpis["break_deferred_min"] == 10.5


def test_a_break_deferred_into_the_next_one_skips_it():
    _, rep = scripted_lane("per_lane", [(9.0, 20.0), (9.4, 10.0)])
    assert breaks_of(rep) == [(90.0, 110.0)]  # the second, due at 84, found the first still pending
    assert rep.kpis["breaks_skipped"] == 1 and rep.kpis["break_deferred_min"] == 30.0


# -- balking with no lane open ----------------------------------------------------------------

@pytest.mark.parametrize("discipline", ["single_line", "per_lane"])
def test_balking_counts_the_people_waiting_while_no_lane_is_open(discipline):
    _, rep = run(scenario(*NO_LANE_OPEN, f"queue.discipline={discipline}"))
    # balk_line_len=2: with the lane open, 1 waiting + 1 in service turn newcomers away; during
    # a break nobody is in service, so the line reaches 2 and never more.
    assert rep.kpis["queue_len_max"] == 2.0
    assert rep.kpis["customers_balked"] > 0 and len(breaks_of(rep)) == 2


def test_balking_with_no_lane_open_is_the_same_under_both_disciplines():
    _, pooled = run(scenario(*NO_LANE_OPEN, "queue.discipline=single_line"))
    _, lane = run(scenario(*NO_LANE_OPEN, "queue.discipline=per_lane"))
    assert_same_customers(pooled.customers, lane.customers)


# -- the day ends when its last customer leaves -----------------------------------------------

def test_the_day_ends_when_the_last_customer_leaves_and_summary_reports_it():
    params = scenario("run.replications=3", "staffing.break_after_hours=3", "managers.duties_per_hour=6")
    result = run_scenario(params)
    doc = summary(result)
    for rep, row in zip(result.replications, doc["per_replication"]):
        last = float(np.max(rep.customers["left_at_min"]))
        assert rep.ended_at == max(params.horizon_min, last)
        assert row["day_end_min"] == rep.ended_at
        assert rep.kpis["overtime_min"] == pytest.approx(rep.ended_at - params.horizon_min, abs=1e-12)
        assert len(rep.timeseries["bucket_start_min"]) == math.ceil(rep.ended_at / params.output.bucket_min - 1e-9)
        assert max(end for _, _, _, end in rep.staff_timeline) == rep.ended_at
        managers = params.managers.count * rep.ended_at / 60 * params.managers.wage_per_hour
        assert rep.kpis["labor_cost"] >= managers


def test_an_empty_store_ends_its_day_at_closing_time_whatever_the_staff_still_do():
    # A break running past closing, floor work and managers' duties: none keeps the day going.
    params = scenario("staffing=roster", "arrivals.rate_per_hour=0", "store.close_hour=10", "store.lanes=1",
                      "store.express_lanes=0", "run.replications=1", "managers.duties_per_hour=30",
                      "staffing.roster=[{id:C1,start_hour:8,end_hour:10,breaks:[{start_hour:9.75,minutes:15}]},"
                      "{id:F1,home_role:floor,skills:[floor],start_hour:8,end_hour:10}]")
    _, rep = run(params)
    assert rep.ended_at == 120.0 and rep.kpis["overtime_min"] == 0.0


# -- whom each KPI counts: Little's law from the outputs alone --------------------------------

def test_littles_law_holds_exactly_from_summary_json_on_the_default_day():
    """queue_len_mean = (arrived - balked) / (day_end - warm-up) x time_in_line_mean, per replication."""
    params = scenario("run.replications=3")
    doc = summary(run_scenario(params))
    warmup = doc["config"]["run"]["warmup_min"]
    for row in doc["per_replication"]:
        joined = row["customers_arrived"] - row["customers_balked"]
        rate = joined / (row["day_end_min"] - warmup)
        assert row["queue_len_mean"] == pytest.approx(rate * row["time_in_line_mean"], rel=1e-9, abs=1e-12)
        assert row["customers_reneged"] > 0 or row["customers_balked"] > 0  # abandoners are in the identity


# -- one lane: the two disciplines are the same system -----------------------------------------

@st.composite
def one_lane_stores(draw) -> ScenarioParams:
    """A one-lane store with a random roster (1-2 cashiers, possibly overlapping, with breaks)."""
    hours = draw(st.integers(1, 3))
    close = 8.0 + hours
    quarter = lambda lo, hi: draw(st.integers(int(lo * 4), int(hi * 4))) / 4  # clock hours on the quarter

    def breaks(start, end):
        out, free = [], start
        for _ in range(draw(st.integers(0, 2))):
            minutes = float(draw(st.sampled_from([5, 10, 20])))
            if free + minutes / 60 > end:
                break
            at = quarter(free, end - minutes / 60) if end - minutes / 60 >= free else free
            at = max(at, free)
            if at + minutes / 60 > end:
                break
            out.append(BreakParams(at, minutes))
            free = at + minutes / 60
        return out

    roster = []
    if hours > 1 and draw(st.booleans()):
        split = float(draw(st.integers(9, int(close) - 1)))
        overlap = draw(st.sampled_from([0.0, 0.25]))  # C2 waits by the lane for a quarter hour
        handover = split + 0.25
        roster.append(EmployeeParams(id="C1", start_hour=8.0, end_hour=handover + overlap,
                                     breaks=breaks(8.0, handover + overlap)))
        roster.append(EmployeeParams(id="C2", start_hour=handover, end_hour=close, breaks=breaks(handover, close)))
    else:
        roster.append(EmployeeParams(id="C1", start_hour=8.0, end_hour=close, breaks=breaks(8.0, close)))
    floor = draw(st.booleans())
    if floor:
        roster.append(EmployeeParams(id="F1", home_role="floor", skills=["floor", "checkout"], start_hour=8.0,
                                     end_hour=close, breaks=breaks(8.0, close)))
    return ScenarioParams(
        scenario="one_lane",
        store=StoreParams(lanes=1, express_lanes=0, open_hour=8.0, close_hour=close),
        arrivals=ArrivalParams(rate_per_hour=draw(st.sampled_from([5.0, 20.0, 40.0, 80.0]))),
        service=ServiceParams(mean_min=draw(st.none() | st.sampled_from([1.0, 2.0]))),
        abandonment=AbandonmentParams(balking=draw(st.booleans()), balk_line_len=draw(st.integers(1, 5)),
                                      reneging=draw(st.booleans()), patience_mean_min=5.0),
        staffing=StaffingParams(cashiers=None, floor_staff=None, roster=roster, break_defer_max_min=draw(st.sampled_from([0.0, 10.0, 30.0]))),
        floor=FloorParams(rate_per_hour=10.0 if floor else 0.0),
        policy=PolicyParams(cross_training=CrossTrainingParams(
            policy="threshold" if floor and draw(st.booleans()) else "none", open_at=2.0, close_below=1.0,
            cooldown_min=draw(st.sampled_from([0.0, 10.0])))),
        managers=ManagerParams(duties_per_hour=draw(st.sampled_from([0.0, 4.0]))),
        run=RunParams(replications=1, seed=draw(st.integers(0, 2**32))),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=one_lane_stores())
def test_one_lane_gives_the_same_day_under_both_disciplines(params):
    assert params.problems() == []
    results = {}
    for discipline in ("per_lane", "single_line"):
        params.queue = QueueParams(discipline=discipline)
        results[discipline] = run(params)[1]
    lane, pooled = results["per_lane"], results["single_line"]
    assert_same_customers(lane.customers, pooled.customers)
    assert_same_kpis(lane.kpis, pooled.kpis)
    assert lane.ended_at == pooled.ended_at
    assert sorted(lane.staff_timeline) == sorted(pooled.staff_timeline)
    last = float(np.max(lane.customers["left_at_min"], initial=0.0))
    assert lane.ended_at == max(params.horizon_min, last)


def test_a_closing_regular_lane_keeps_taking_big_baskets_only_while_no_other_regular_lane_is_open():
    """Two regular lanes and an express lane (per_lane): when both regular cashiers must leave,
    the express lane cannot take a big basket, so the regular lanes stay open (deferred)."""
    store = Store(scenario("store.lanes=3", "store.express_lanes=1", "queue.discipline=per_lane",
                           "store.close_hour=9", "staffing=roster", "arrivals.rate_per_hour=0",
                           "staffing.roster=[{id:C1,start_hour:8,end_hour:9},{id:C2,start_hour:8,end_hour:9},"
                           "{id:C3,start_hour:8,end_hour:9}]", "run.replications=1"), 0)
    area, env = store.checkout, store.env
    env.run(until=1.0)
    regular, express = area.lanes[:2], area.lanes[2]
    assert all(lane.accepting for lane in area.lanes)
    regular[0].cashier.request("break", 10.0)
    assert not regular[0].accepting and regular[1].accepting  # the other regular lane stays open
    regular[1].cashier.request("break", 10.0)
    assert all(lane.accepting for lane in area.lanes)  # no regular lane stays: both keep taking customers
    # Both regular cashiers leave with empty lines: their breaks start at once, nothing is deferred.
    env.run(until=1.5)
    assert [lane.cashier for lane in regular] == [None, None]
    assert store.staff_log.break_deferred_min == 0.0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=small_stores())
def test_no_timer_stretches_the_day_of_any_store(params):
    """Random stores (breaks, cross-training, managers' duties, the floor): the day ends
    when the last checkout customer leaves, or at closing, and so do the staff timelines."""
    store, rep = run(params)
    last = float(np.max(rep.customers["left_at_min"], initial=0.0))
    assert rep.ended_at == max(params.horizon_min, last)
    assert rep.kpis["overtime_min"] == pytest.approx(rep.ended_at - params.horizon_min, abs=1e-9)
    assert max(end for _, _, _, end in rep.staff_timeline) == rep.ended_at
    assert store.checkout.inside == 0
    assert 0 <= rep.kpis["breaks_skipped"] <= store.staff_log.breaks_due


@pytest.mark.parametrize("k", [1, 2])
def test_a_helper_asked_back_from_the_only_lane_is_asked_once(k):
    """With no cool-down, the policy released the helper keeping the only lane open over and
    over at one instant (the request is deferred, so the lane stayed open): the day never ended."""
    params = scenario("store.lanes=1", "store.express_lanes=0", "store.close_hour=10", "arrivals.rate_per_hour=30", "policy/cross_training=threshold",
                      "policy.cross_training.cooldown_min=0", "run.replications=1", "staffing=roster",
                      "staffing.roster=[{id:C1,start_hour:8,end_hour:10,breaks:[{start_hour:9,minutes:20}]},"
                      "{id:F1,home_role:floor,skills:[floor,checkout],start_hour:8,end_hour:10}]")
    _, rep = run(params, k)
    assert rep.kpis["role_switches"] == 2  # out to the lane during the break, and back
    assert rep.kpis["breaks_skipped"] == 0


@pytest.mark.parametrize("discipline", ["per_lane", "single_line"])
def test_a_cashier_waiting_for_the_lane_takes_it_over_line_and_all(discipline):
    """C1 until 09:30, C2 from 09:15 on one lane whose line only grows: C2 waits by the lane,
    then takes it over when C1's customer in service leaves at 90.0 (before, under per_lane,
    C1 served the growing line past the end of the shift while C2 stood by)."""
    params = scenario("store.lanes=1", "store.express_lanes=0", "store.close_hour=10", "arrivals.rate_per_hour=150",
                      "staffing=roster", "floor.rate_per_hour=0", "managers.duties_per_hour=0",
                      "abandonment.balking=false", "abandonment.reneging=false", f"queue.discipline={discipline}",
                      "staffing.roster=[{id:C1,start_hour:8,end_hour:9.5},{id:C2,start_hour:9.25,end_hour:10}]")
    script = [Customer(i, float(i), 3, 1.5, math.inf, 1.0) for i in range(100)]
    _, rep = run(params, script=script)
    states = {(e, s): (a, b) for e, s, a, b in rep.staff_timeline if s in ("serving", "off", "lane_idle")}
    assert states[("C1", "off")][0] == 90.0
    assert states[("C2", "lane_idle")] == (75.0, 90.0)  # by the lane from 09:15 ...
    assert states[("C2", "serving")][0] == 90.0  # ... serving the same line from 09:30
    assert (rep.customers["outcome"] == "served").all() and rep.ended_at == 150.0
