"""Jockeying (``queue.jockey_diff``, ``queue.jockey_walk_min``): customers at the back of a
longer line move to a shorter one (rules in ``sim/checkout.py``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from storesim.analysis.animation import checkout_scene, render_gif
from storesim.analysis.stats import t_interval
from storesim.analysis.theory import mmc_metrics
from storesim.scenarios.runner import replication_seed, run_scenario
from storesim.sim import run_replication
from storesim.sim.checkout import CheckoutArea
from storesim.sim.customer import Customer
from storesim.sim.params import AbandonmentParams, ArrivalParams, QueueParams, RunParams, ScenarioParams, StoreParams
from storesim.sim.params import FloorParams, StaffingParams
from storesim.sim.store import Store

from .conftest import scenario

INF = math.inf


def build(script, staff=(1, 2), diff=2, walk=0.0, reneging=False, lanes=2):
    """A per-lane store with ``staff[h]`` cashiers in hour ``h`` serving scripted customers:
    (arrival minute, items, service minutes, patience) each."""
    params = ScenarioParams(store=StoreParams(lanes=lanes, express_lanes=0),
                            arrivals=ArrivalParams(rate_per_hour=150.0),
                            queue=QueueParams(discipline="per_lane", jockey_diff=diff, jockey_walk_min=walk),
                            abandonment=AbandonmentParams(balking=False, reneging=reneging),
                            staffing=StaffingParams(cashiers=list(staff), floor_staff=0),
                            floor=FloorParams(rate_per_hour=0.0),
                            run=RunParams(horizon_min=60.0 * len(staff)))
    customers = [Customer(cid, at, items, work, at + patience, 1.0)
                 for cid, (at, items, work, patience) in enumerate(script)]
    return Store(params, 0, script=customers)


def served(store):
    """customer id -> (outcome, lane, wait, moves) after the day."""
    store.env.run(until=store.day)
    c = store.log.columns()
    return {int(i): (o, int(lane), round(float(w), 9), int(m))
            for i, o, lane, w, m in zip(c["customer_id"], c["outcome"], c["lane"], c["wait_min"], c["moves"])}


# c0 keeps lane 0 busy 55-75; c1..c4 queue behind it; a second lane opens at minute 60.
BEHIND_A_LONG_SERVICE = [(55, 3, 20.0, INF)] + [(56 + i, 3, 1.0, INF) for i in range(4)]


def test_a_lane_that_opens_takes_the_back_of_the_long_line_last_first():
    # At 60 lane 0's line is 5 long (c0 in service), lane 1's 0: c4 moves, then c3 (5-1 vs 1,
    # 4-1 vs 2 would be 1 apart: stop). Each service start at lane 1 re-checks: c2 moves at 61,
    # c1 when lane 1 runs dry at 63.
    result = served(build(BEHIND_A_LONG_SERVICE))
    assert result == {0: ("served", 0, 0.0, 0), 1: ("served", 1, 7.0, 1), 2: ("served", 1, 5.0, 1),
                      3: ("served", 1, 3.0, 1), 4: ("served", 1, 1.0, 1)}


def test_without_jockeying_nobody_moves_and_the_new_lane_waits_for_arrivals():
    result = served(build(BEHIND_A_LONG_SERVICE, diff=None))
    assert result == {0: ("served", 0, 0.0, 0), **{i: ("served", 0, 19.0, 0) for i in range(1, 5)}}


def test_a_difference_of_three_moves_fewer():
    # k = 3: at 60 (5 vs 0) c4 moves, (4 vs 1) c3 too, (3 vs 2) stop; later 3 vs 1 never
    # comes: lane 1 goes 2 -> 1 -> 0 while lane 0 stays at 3 (c0 until 75), so c2 moves at 62.
    result = served(build(BEHIND_A_LONG_SERVICE, diff=3))
    assert [result[i][3] for i in range(5)] == [0, 0, 1, 1, 1]
    assert result[1] == ("served", 0, 19.0, 0)


def test_a_walk_delays_the_mover_and_counts_in_the_line_walked_to():
    # As without a walk, but every move takes 0.5 min: c4 and c3 leave at 60 (c4 walking
    # counts in lane 1's line, so c3 sees 4 vs 1), arrive at 60.5; c2 leaves at 61.5, c1 at 63.5.
    result = served(build(BEHIND_A_LONG_SERVICE, walk=0.5))
    assert result == {0: ("served", 0, 0.0, 0), 1: ("served", 1, 8.0, 1), 2: ("served", 1, 5.5, 1),
                      3: ("served", 1, 3.5, 1), 4: ("served", 1, 1.5, 1)}


def test_a_customer_may_give_up_while_walking_and_the_line_counts_stay_exact():
    script = [(55, 3, 20.0, INF)] + [(56 + i, 3, 1.0, INF) for i in range(3)] + [(59, 3, 1.0, 2.0)]
    store = build(script, walk=5.0, reneging=True)
    result = served(store)
    assert result[4] == ("reneged", -1, 2.0, 1)  # left at 61, on the way to lane 1
    assert store.checkout.inside == 0 and store.checkout.queue_len.level == 0
    # Walkers count as waiting: the line's area is everyone's time before service or giving up.
    assert math.isclose(store.checkout.queue_len.area, store.tally.line_sum)


def test_after_closing_a_lane_waits_for_a_customer_walking_to_it():
    # Doors close at 60. Lane 1 serves c1 until 59.5, then c3 and c5; at 60.5 lane 0 (c0 until
    # 80, c2, c4 waiting) is 3 long against 1: c4 walks over (2 min) and lane 1, empty at 61.5
    # after closing, stays open for them (62.5), then takes c2 the same way (65.5).
    script = [(50, 3, 30.0, INF), (50, 3, 9.5, INF), (51, 3, 1.0, INF), (52, 3, 1.0, INF), (53, 3, 1.0, INF),
              (54, 3, 1.0, INF)]
    store = build(script, staff=(2,), walk=2.0)
    result = served(store)
    assert result[4] == ("served", 1, 9.5, 1) and result[2] == ("served", 1, 14.5, 1)
    assert all(outcome == "served" for outcome, *_ in result.values())


MMC_PER_LANE = ("experiment=mmc", "queue.discipline=per_lane", "output.customers=false")


def mmc_store(servers, load, *extra, horizon=600.0):
    params = scenario(*MMC_PER_LANE, f"staffing.cashiers={servers}", f"store.lanes={servers}",
                      f"arrivals.rate_per_hour={servers * load * 60}", f"run.horizon_min={horizon}",
                      "run.warmup_min=0", *extra)
    return Store(params, replication_seed(params.run.seed, 0))


def idle_while_waiting_moments(store) -> int:
    """Event times (after every event at that time) at which a staffed lane serves nobody
    while a customer waits in some line."""
    env, lanes, count = store.env, store.checkout.lanes, 0
    while not store.day.processed:
        env.step()
        if env.peek() > env.now:
            idle = any(lane.cashier is not None and not lane.busy for lane in lanes)
            count += idle and any(lane.line.waiting for lane in lanes)
    return count


def test_with_jockey_diff_2_no_cashier_is_idle_while_somebody_waits():
    """Identical lanes, all open all day, no walk: a lane with someone waiting also has
    someone in service, so its line is at least 2 long, and an idle lane's is 0. With
    k = 2 (lengths counting the person in service, as the rule does) the back customer of
    such a line moves the moment a lane runs dry, so no cashier is ever idle while
    somebody waits: the pooled line's property. k = 1 would do it too, but moves a
    customer to as many people ahead and back again, so the smallest allowed k is 2; at
    k = 3 a line of 2 next to an idle lane stays (the next test shows it happening)."""
    assert idle_while_waiting_moments(mmc_store(5, 0.9, "queue.jockey_diff=2")) == 0


@pytest.mark.parametrize("diff", [None, 3])
def test_without_jockeying_or_with_k_3_cashiers_sit_idle_while_others_wait(diff):
    extra = () if diff is None else (f"queue.jockey_diff={diff}",)
    assert idle_while_waiting_moments(mmc_store(5, 0.9, *extra)) > 0


def test_per_lane_lines_with_jockey_diff_2_agree_with_erlang_c():
    """Never idle while somebody waits (previous tests), with exponential service: the number
    in the system is the M/M/c birth-death chain, so the mean wait is Erlang C's (the order
    of service differs from a pooled line's, so only the mean). 5 lanes at load 0.9; the
    interval is the 95% t interval over replications."""
    servers, load = 5, 0.9
    params = scenario(*MMC_PER_LANE, "queue.jockey_diff=2", f"staffing.cashiers={servers}",
                      f"store.lanes={servers}", f"arrivals.rate_per_hour={servers * load * 60}",
                      "service.mean_min=1.0", "run.horizon_min=4000", "run.warmup_min=300",
                      "run.replications=20", "run.jobs=2")
    result = run_scenario(params)
    wait = t_interval(result.kpi_values("wait_mean"), 0.95)
    theory = mmc_metrics(servers * load, 1.0, servers, target_wait=3.0).wait_mean
    assert wait.ci_low <= theory <= wait.ci_high, (wait, theory)
    assert min(result.kpi_values("jockeys")) > 0


@pytest.fixture(scope="module")
def store_day():
    """One default store day with jockeying on, records kept."""
    params = scenario("queue.jockey_diff=2", "queue.jockey_walk_min=0.2", "run.replications=1")
    return params, run_replication(params, replication_seed(params.run.seed, 0))


def test_jockeys_never_move_to_a_lane_they_may_not_use(store_day):
    params, rep = store_day
    c, store = rep.customers, params.store
    express = c["lane"] >= store.lanes - store.express_lanes
    assert not np.any(express & (c["items"] > store.express_limit))
    assert np.any(express & (c["moves"] > 0))  # small baskets did move to express lanes


def test_the_kpis_count_the_moves_in_the_records(store_day):
    params, rep = store_day
    c = rep.customers
    counted = c["arrived_at_min"] >= params.run.warmup_min
    joined = counted & (c["outcome"] != "balked")
    assert rep.kpis["jockeys"] == np.sum(counted & (c["moves"] > 0)) > 0
    assert math.isclose(rep.kpis["moves_per_customer"], c["moves"][joined].sum() / joined.sum())


def test_same_seed_same_day_with_jockeying():
    params = scenario("queue.jockey_diff=2", "queue.jockey_walk_min=0.5", "run.replications=1",
                      "staffing=lean", "policy/cross_training=threshold")
    a, b = (run_replication(params, replication_seed(7, 0)) for _ in range(2))
    assert a.kpis == b.kpis
    for name in a.customers:
        np.testing.assert_array_equal(a.customers[name], b.customers[name])


@pytest.mark.parametrize("extra, replication", [
    ((), 1), (("staffing.break_after_hours=3", "queue.jockey_walk_min=0.5"), 1),
    # On this day an arrival joins a line behind a customer walking to it, unseen, and a move
    # falls due elsewhere (the day differs if line_shortened forgets that case).
    (("queue.jockey_walk_min=0.5",), 2),
    (("store.express_lanes=2", "abandonment.balking=false", "queue.jockey_walk_min=0.2"), 1),
    (("staffing=lean", "policy/cross_training=threshold", "queue.jockey_walk_min=0.3"), 1),
    (("self_checkout=six_kiosks",), 1),
    # Customers who give up while walking to a line: out of the waiting count, still counted at
    # the line they were walking to until the walk ends (the day differs if the bound forgets them).
    (("queue.jockey_walk_min=5", "abandonment.patience_mean_min=3", "abandonment.balking=false", "staffing=lean"), 1)])
def test_the_shortcut_after_a_service_skips_only_checks_that_move_nobody(monkeypatch, extra, replication):
    """``line_shortened`` skips the full check when a bound says nobody can move: the day is
    the same as with the full check every time (walks, express lanes, helpers opening lanes,
    kiosks: each way a line changes between checks)."""
    params = scenario("queue.jockey_diff=2", "run.replications=1", *extra)
    quick = run_replication(params, replication_seed(params.run.seed, replication))
    monkeypatch.setattr(CheckoutArea, "line_shortened", lambda area, lane, now: area.rebalance(now))
    full = run_replication(params, replication_seed(params.run.seed, replication))
    assert quick.kpis == full.kpis and quick.kpis["jockeys"] > 0
    for name in quick.customers:
        np.testing.assert_array_equal(quick.customers[name], full.customers[name])


def test_littles_law_holds_with_walks_and_giving_up():
    params = scenario("queue.jockey_diff=2", "queue.jockey_walk_min=1.0", "run.replications=1",
                      "output.customers=false")
    rep = run_replication(params, replication_seed(params.run.seed, 0))
    k = rep.kpis
    rate = (k["customers_arrived"] - k["customers_balked"]) / rep.ended_at
    assert k["jockeys"] > 0 and k["customers_reneged"] > 0
    assert math.isclose(k["queue_len_mean"], rate * k["time_in_line_mean"], rel_tol=1e-9)


def test_the_animation_marks_customers_who_moved(store_day, tmp_path):
    params, rep = store_day
    store = params.store
    times = np.linspace(540.0, 660.0, 4)  # the evening peak
    scene = checkout_scene(rep, store.open_hour, store.lanes, store.express_lanes, times)
    assert scene.moved.shape == scene.line.shape
    assert np.all(scene.moved <= scene.line) and scene.moved.sum() > 0
    assert render_gif(scene, tmp_path / "jockeys.gif", fps=2, dpi=40).stat().st_size > 0


@pytest.mark.parametrize("overrides,message", [
    (("queue.discipline=single_line", "queue.jockey_diff=2"), "queue.jockey_diff: must be null with "
                                                               "queue.discipline=single_line"),
    (("queue.jockey_diff=1",), "queue.jockey_diff: must be an integer in [2, 1000]"),
    (("queue.jockey_walk_min=-1",), "queue.jockey_walk_min: must be a number in [0, 60]"),
])
def test_bad_jockeying_settings_are_named(overrides, message):
    with pytest.raises(Exception) as error:
        scenario(*overrides)
    assert message in str(error.value)


@settings(max_examples=12, deadline=None)
@given(k=st.integers(2, 4), walk=st.sampled_from([0.0, 0.5, 3.0]), patience=st.sampled_from([2.0, 6.0]),
       express=st.integers(0, 2), cashiers=st.integers(3, 7), seed=st.integers(0, 10_000))
def test_the_shortcut_after_a_service_never_changes_a_day(k, walk, patience, express, cashiers, seed):
    """The class of the example days above: on any short day (lines per lane, k, walks, patience,
    express lanes, cashiers, seed drawn), skipping the full check when the bounds allow gives
    the day that a full check after every service gives."""
    params = scenario(f"queue.jockey_diff={k}", f"queue.jockey_walk_min={walk}", f"abandonment.patience_mean_min={patience}",
                      f"store.express_lanes={express}", f"staffing.cashiers={cashiers}", "arrivals.rate_per_hour=420",
                      "run.horizon_min=120", "run.warmup_min=0", "run.replications=1", f"run.seed={seed}")
    quick = run_replication(params, replication_seed(seed, 0))
    original = CheckoutArea.line_shortened
    CheckoutArea.line_shortened = lambda area, lane, now: area.rebalance(now)
    try:
        full = run_replication(params, replication_seed(seed, 0))
    finally:
        CheckoutArea.line_shortened = original
    assert quick.kpis == full.kpis
    for name in quick.customers:
        np.testing.assert_array_equal(quick.customers[name], full.customers[name])
