"""The checkout area: lanes, their lines, and how customers choose among them.

``per_lane``: each lane has its own line and a customer joins the shortest line
(people waiting plus the one being served) among the open lanes they may use; baskets of
more than ``store.express_limit`` items may not use express lanes; ties go to the lane
opened first. ``single_line``: one pooled line feeds every open lane (express lanes then
serve everybody). Lanes open in a fixed order, one express lane after every two regular
ones, and close in the reverse order, each finishing its line first.
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import simpy

from .customer import BALKED, WAITING, Customer
from .lane import CheckoutLane
from .line import Line
from .monitor import CustomerTally, LevelTracker
from .params import ScenarioParams
from .records import CustomerLog


def opening_order(lanes: int, express_lanes: int) -> list[int]:
    """Lane ids in the order lanes open: R R E R R E ... then the remaining regular lanes.

    The express lanes are the last ``express_lanes`` ids, so a single open lane is never
    an express one.
    """
    regular = list(range(lanes - express_lanes))
    express = list(range(lanes - express_lanes, lanes))
    order: list[int] = []
    while regular or express:
        order.extend(regular[:2])
        del regular[:2]
        if express:
            order.append(express.pop(0))
    return order


class CheckoutArea:
    """Owns the lanes, the lines and the checkout statistics of one replication.

    Attributes:
        queue_len: customers waiting in all lines (time-weighted).
        open_lanes: staffed lanes (time-weighted).
        busy_lanes: lanes serving a customer (time-weighted).
        doors_closed: no more customers will arrive.
    """

    def __init__(self, env: simpy.Environment, params: ScenarioParams, tally: CustomerTally,
                 log: CustomerLog | None) -> None:
        self.env = env
        self.tally = tally
        self.log = log
        store, ab = params.store, params.abandonment
        bucket, warmup = params.output.bucket_min, params.run.warmup_min
        self.queue_len = LevelTracker(bucket, warmup)
        self.open_lanes = LevelTracker(bucket, warmup)
        self.busy_lanes = LevelTracker(bucket, warmup)
        self.pooled = params.queue.discipline == "single_line"
        self.express_limit = store.express_limit if not self.pooled else math.inf
        self.balk_at = ab.balk_line_len if ab.balking else math.inf
        self.doors_closed = False
        self.last_departure_at = 0.0
        pooled_line = Line(self._reneged) if self.pooled else None
        self.lanes: list[CheckoutLane] = []
        for lane_id in range(store.lanes):
            express = lane_id >= store.lanes - store.express_lanes and not self.pooled
            line = pooled_line if pooled_line is not None else Line(self._reneged)
            self.lanes.append(CheckoutLane(env, lane_id, express, line, self.pooled, self))
        self.order = [self.lanes[i] for i in opening_order(store.lanes, store.express_lanes)]
        self._accepting: list[CheckoutLane] = []
        self._idle: deque[CheckoutLane] = deque()
        self._reneging = ab.reneging
        self._deadlines: list[tuple[float, int, Customer, Line]] = []

    # -- customers -------------------------------------------------------------------
    def admit(self, customer: Customer) -> None:
        """A customer reaches checkout: join a line, or balk at its length."""
        now = self.env.now
        self.tally.arrival(customer.arrived_at)
        if self._reneging:
            self.drop_impatient(now)
        lane, ahead = self._choose(customer)
        if ahead >= self.balk_at:
            customer.outcome = BALKED
            customer.left_at = now
            self.tally.abandonment(customer.arrived_at, customer.items, balked=True)
            if self.log is not None:
                self.log.add(customer)
            return
        lane.line.join(customer)
        self.queue_len.change(now, 1)
        if self._reneging:
            heapq.heappush(self._deadlines, (customer.renege_at, customer.customer_id, customer, lane.line))
        if self.pooled:
            idle = self._idle
            while idle:
                free = idle.popleft()
                if free.idle and free.accepting:
                    free.idle = False
                    free.signal()
                    break
        elif lane.idle:
            lane.idle = False
            lane.signal()

    def drop_impatient(self, now: float) -> None:
        """Let every customer whose patience ran out by ``now`` leave their line."""
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, _, customer, line = heapq.heappop(deadlines)
            if customer.outcome == WAITING:
                line.renege(customer, now)

    def _choose(self, customer: Customer) -> tuple[CheckoutLane, float]:
        """The lane whose line the customer joins and how many people are ahead (per lane)."""
        if self.pooled:
            lanes = self._accepting
            if self.balk_at == math.inf:
                return lanes[0], 0.0
            busy = sum(lane.busy for lane in lanes)
            return lanes[0], (lanes[0].line.waiting + busy) / len(lanes)
        best, best_ahead = None, math.inf
        small = customer.items <= self.express_limit
        for lane in self._accepting:
            if lane.express and not small:
                continue
            ahead = lane.line.waiting + lane.busy
            if ahead < best_ahead:
                best, best_ahead = lane, ahead
        return best, best_ahead

    def start_service(self, lane: CheckoutLane, customer: Customer, now: float) -> float:
        """``lane`` starts serving ``customer`` now; return the service time."""
        service = customer.work_min
        customer.lane_id = lane.lane_id
        customer.started_at = now
        customer.left_at = done = now + service
        if done > self.last_departure_at:
            self.last_departure_at = done
        self.queue_len.change(now, -1)
        self.tally.service_start(customer.arrived_at, now - customer.arrived_at, service)
        if self.log is not None:
            self.log.add(customer)
        return service

    def _reneged(self, customer: Customer, now: float) -> None:
        self.queue_len.correct(customer.renege_at, now, -1)
        self.tally.abandonment(customer.arrived_at, customer.items, balked=False)
        if self.log is not None:
            self.log.add(customer)

    # -- lanes -----------------------------------------------------------------------
    def lane_free(self, lane: CheckoutLane) -> None:
        """``lane`` has nobody to serve: wait idle, or go off duty if it is closing."""
        if lane.accepting and not self.doors_closed:
            lane.idle = True
            if self.pooled:
                self._idle.append(lane)
        else:
            lane.idle = False
            lane.staffed = False
            self.open_lanes.change(self.env.now, -1)

    def staff(self, cashiers: int) -> None:
        """Have ``cashiers`` lanes accept customers: open lanes in order, close in reverse."""
        now = self.env.now
        accepting = [lane for lane in self.order if lane.accepting]
        if len(accepting) > cashiers:
            for lane in accepting[cashiers:]:
                lane.accepting = False
                if lane.idle:
                    lane.idle = False
                    lane.signal()
        else:
            closed = sorted((lane for lane in self.order if not lane.accepting), key=lambda lane: not lane.staffed)
            for lane in closed[: cashiers - len(accepting)]:
                lane.accepting = True
                if not lane.staffed:
                    lane.staffed = True
                    self.open_lanes.change(now, 1)
                    lane.signal()
        self._accepting = [lane for lane in self.order if lane.accepting]

    def close_doors(self) -> None:
        """No more arrivals: idle cashiers go off duty, busy ones finish their lines."""
        self.doors_closed = True
        for lane in self.lanes:
            if lane.idle:
                lane.idle = False
                lane.signal()
