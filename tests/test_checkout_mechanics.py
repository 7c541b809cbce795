"""Lane and line mechanics on scripted customers with fixed service times."""

from __future__ import annotations

import math

from storesim.sim.checkout import opening_order
from storesim.sim.customer import Customer
from storesim.sim.params import AbandonmentParams, ArrivalParams, QueueParams, RunParams, ScenarioParams, StoreParams
from storesim.sim.params import FloorParams, StaffingParams
from storesim.sim.store import Store


def build(script, lanes=2, express=0, discipline="single_line", balk_at=None, reneging=False, staff=(2,)):
    """A store with ``staff[h]`` cashiers in hour ``h``, no floor, serving scripted customers.

    script: (arrival time, items, service minutes, patience or inf) per customer.
    """
    params = ScenarioParams(store=StoreParams(lanes=lanes, express_lanes=express, express_limit=5),
                            arrivals=ArrivalParams(rate_per_hour=150.0),
                            queue=QueueParams(discipline=discipline),
                            abandonment=AbandonmentParams(balking=balk_at is not None, balk_line_len=balk_at or 1,
                                                          reneging=reneging),
                            staffing=StaffingParams(cashiers=list(staff), floor_staff=0),
                            floor=FloorParams(rate_per_hour=0.0),
                            run=RunParams(horizon_min=60.0 * len(staff)))
    customers = [Customer(cid, at, items, work, at + patience, 1.0)
                 for cid, (at, items, work, patience) in enumerate(script)]
    store = Store(params, 0, script=customers)
    return store.env, store.checkout, store.log


def outcomes(log):
    cols = log.columns()
    return list(zip(cols["customer_id"].tolist(), cols["outcome"].tolist(), cols["lane"].tolist(),
                    [round(w, 6) for w in cols["wait_min"].tolist()]))


def test_pooled_line_serves_in_arrival_order():
    env, area, log = build([(0, 3, 2.0, math.inf)] * 3 + [(1, 3, 2.0, math.inf)], lanes=2)
    env.run()
    assert outcomes(log) == [(0, "served", 0, 0.0), (1, "served", 1, 0.0), (2, "served", 0, 2.0),
                             (3, "served", 1, 1.0)]
    assert area.last_departure_at == 4.0


def test_per_lane_customers_join_the_shortest_line():
    env, area, log = build([(0, 3, 5.0, math.inf), (0, 3, 1.0, math.inf), (1.5, 3, 1.0, math.inf),
                            (1.6, 3, 1.0, math.inf)], lanes=2, discipline="per_lane")
    env.run()
    # c0 takes lane 0 (busy 5 min), c1 lane 1 (done at 1); c2 finds lane 1 empty;
    # c3 sees one person at each lane and takes the tie to the lane opened first.
    assert [(c, lane) for c, _, lane, _ in outcomes(log)] == [(0, 0), (1, 1), (2, 1), (3, 0)]


def test_big_baskets_avoid_the_express_lane():
    env, area, log = build([(0, 20, 3.0, math.inf)] * 3 + [(0, 2, 3.0, math.inf)], lanes=3, express=1,
                           discipline="per_lane", staff=(3,))
    express_id = 2
    env.run()
    lanes = {c: lane for c, _, lane, _ in outcomes(log)}
    assert express_id not in (lanes[0], lanes[1], lanes[2])
    assert lanes[3] == express_id


def test_opening_order_puts_an_express_lane_after_two_regular_ones():
    assert opening_order(10, 2) == [0, 1, 8, 2, 3, 9, 4, 5, 6, 7]
    assert opening_order(3, 0) == [0, 1, 2]


def test_customer_balks_at_a_long_line():
    env, area, log = build([(0, 3, 10.0, math.inf)] * 3, lanes=1, discipline="per_lane", balk_at=2, staff=(1,))
    env.run()
    assert [o for _, o, _, _ in outcomes(log)] == ["served", "served", "balked"]


def test_impatient_customer_reneges_and_leaves_the_line_count():
    env, area, log = build([(0, 3, 10.0, math.inf), (1, 3, 1.0, 4.0), (2, 3, 1.0, math.inf)], lanes=1,
                           reneging=True, staff=(1,))
    env.run()
    assert outcomes(log) == [(0, "served", 0, 0.0), (1, "reneged", -1, 4.0), (2, "served", 0, 8.0)]
    # The line held c1 on [1, 5] and c2 on [2, 10]: area 4 + 8.
    assert math.isclose(area.queue_len.area, 12.0)


def test_closing_lane_finishes_its_line_first():
    # Both lanes busy at minute 59 with one waiting each; at 60 the plan drops to one lane.
    env, area, log = build([(58, 3, 4.0, math.inf), (58, 3, 4.0, math.inf), (59, 3, 4.0, math.inf),
                            (59, 3, 4.0, math.inf), (61, 3, 1.0, math.inf)], lanes=2, discipline="per_lane",
                           staff=(2, 1))
    env.run()
    result = {c: (lane, wait) for c, _, lane, wait in outcomes(log)}
    assert result[3] == (1, 3.0)  # served by the closing lane 1
    assert result[4][0] == 0  # the newcomer only sees lane 0
    # Lane 1 stays staffed until minute 66, lane 0 until its last customer leaves.
    assert area.open_lanes.level == 0
