"""The checkout area: lanes, their lines, and how customers choose among them.

``per_lane``: each lane has its own line and a customer joins the shortest line
(people waiting plus the one being served) among the open lanes they may use; baskets of
more than ``store.express_limit`` items may not use express lanes; ties go to the lane
opened first. ``single_line``: one pooled line feeds every open lane (express lanes then
serve everybody). Lanes open in a fixed order, one express lane after every two regular
ones. Which lanes are open and take customers, and how a lane passes between cashiers, is
the protocol in ``sim/handover.py``.

Balking looks at the people waiting, whatever the lanes are doing: under ``per_lane`` the
people in the line the customer would join plus the one in service there; under
``single_line`` the people in the pooled line plus those in service at open lanes, divided
by ``max(1, open lanes)`` (with no lane open, everyone waiting is ahead).
"""

from __future__ import annotations

import heapq
import math
from collections import deque

from typing import TYPE_CHECKING

import simpy

from .customer import BALKED, WAITING, Customer, ProcessGenerator
from .empowerment import AFTER_HOLD, AT_ONCE, ExceptionHandling
from .handover import LaneHandover
from .lane import CheckoutLane
from .line import Line
from .monitor import CustomerTally, LevelTracker
from .params import AbandonmentParams, QueueParams, StoreParams
from .records import CustomerLog
from .satisfaction import SatisfactionModel

if TYPE_CHECKING:
    from collections.abc import Callable


def opening_order(lanes: int, express_lanes: int) -> list[int]:
    """Lane ids in the order lanes open: R R E R R E ... then the remaining regular lanes.

    The express lanes are the last ``express_lanes`` ids, so a single open lane is never
    an express one.
    """
    regular = lanes - express_lanes
    order: list[int] = []  # linear in the lanes (slicing and popping lists made it quadratic)
    r = e = 0
    while len(order) < lanes:
        order.extend(range(r, min(r + 2, regular)))
        r = min(r + 2, regular)
        if e < express_lanes:
            order.append(regular + e)
            e += 1
    return order


class CheckoutArea:
    """Owns the lanes, the lines and the checkout statistics of one replication.

    The time-weighted levels use the tally's time buckets and warm-up.

    Attributes:
        queue_len: customers waiting in all lines (time-weighted).
        open_lanes: staffed lanes (time-weighted).
        busy_lanes: lanes serving a customer (time-weighted).
        handover: who keeps which lane open, and which lanes take new customers.
        doors_closed: no more customers will arrive.
        inside: customers who joined a line and have not left (served or reneged) yet.
        idle_lanes: under ``single_line``, open lanes that found the pooled line empty, in
            the order they did (an arrival wakes the first that still waits).
        on_leave: called whenever a customer leaves a line or a lane (the day's end listens).
    """

    def __init__(self, env: simpy.Environment, store: StoreParams, queue: QueueParams,
                 abandonment: AbandonmentParams, tally: CustomerTally, log: CustomerLog | None,
                 satisfaction: SatisfactionModel, exceptions: ExceptionHandling) -> None:
        self.env = env
        self.tally = tally
        self.log = log
        self.satisfaction = satisfaction
        self.exceptions = exceptions
        self.behind_exception_waits: list[float] = []
        """Waits of the first customer a lane served after settling an exception (arrived before it ended)."""
        bucket, warmup = tally.width, tally.warmup
        self.queue_len = LevelTracker(bucket, warmup)
        self.open_lanes = LevelTracker(bucket, warmup)
        self.busy_lanes = LevelTracker(bucket, warmup)
        self.pooled = queue.discipline == "single_line"
        self.express_limit = store.express_limit if not self.pooled else math.inf
        self.balk_at = abandonment.balk_line_len if abandonment.balking else math.inf
        self.doors_closed = False
        self.inside = 0
        self.last_departure_at = 0.0
        """When the last served customer so far left (the day ends at the latest of this, the
        last customer to give up waiting, and the closing time)."""
        self.on_leave: Callable[[], None] | None = None
        pooled_line = Line(self._reneged) if self.pooled else None
        self.lanes: list[CheckoutLane] = []
        for lane_id in range(store.lanes):
            express = lane_id >= store.lanes - store.express_lanes and not self.pooled
            line = pooled_line if pooled_line is not None else Line(self._reneged)
            self.lanes.append(CheckoutLane(env, lane_id, express, line, self.pooled, self))
        self.order = [self.lanes[i] for i in opening_order(store.lanes, store.express_lanes)]
        self.idle_lanes: deque[CheckoutLane] = deque()
        self._reneging = abandonment.reneging
        self._deadlines: list[tuple[float, int, Customer, Line]] = []
        self.pooled_line = pooled_line
        self.handover = LaneHandover(self)
        self.on_line_change: Callable[[float], None] | None = None
        """Called with the time whenever the lines change (the cross-training policy listens)."""

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
            customer.score = self.satisfaction.abandoned(customer.arrived_at, customer.segment)
            self.tally.abandonment(customer.arrived_at, customer.items, balked=True)
            if self.log is not None:
                self.log.add(customer)
            return
        lane.line.join(customer)
        self.inside += 1
        self.queue_len.change(now, 1)
        if self.on_line_change is not None:
            self.on_line_change(now)
        if self._reneging:
            heapq.heappush(self._deadlines, (customer.renege_at, customer.customer_id, customer, lane.line))
        if self.pooled:
            idle = self.idle_lanes
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
            lanes = self.handover.accepting
            if self.balk_at == math.inf:
                return self.lanes[0], 0.0
            busy = sum(lane.busy for lane in lanes)
            return self.lanes[0], (self.pooled_line.waiting + busy) / max(1, len(lanes))
        best, best_ahead = None, math.inf
        small = customer.items <= self.express_limit
        for lane in self.handover.accepting:
            if lane.express and not small:
                continue
            ahead = lane.line.waiting + lane.busy
            if ahead < best_ahead:
                best, best_ahead = lane, ahead
        if best is None:  # no open lane for this basket at this instant: a staffed one, else the first
            staffed = [lane for lane in self.order if lane.cashier is not None]
            if staffed:
                best = min(staffed, key=lambda lane: lane.line.waiting + lane.busy)
            else:  # nobody at any lane: wait in the one line the next cashier opens (see take_lane)
                best = next((lane for lane in self.order if lane.line.waiting), self.order[0])
            best_ahead = best.line.waiting + best.busy
        return best, best_ahead

    def start_service(self, lane: CheckoutLane, customer: Customer, now: float) -> float:
        """``lane`` starts serving ``customer`` now; return the service time."""
        cashier = lane.cashier
        service = customer.work_min / cashier.speed
        wait = now - customer.arrived_at
        customer.lane_id = lane.lane_id
        customer.started_at = now
        customer.left_at = done = now + service
        if done > self.last_departure_at:
            self.last_departure_at = done
        self.queue_len.change(now, -1)
        if self.on_line_change is not None:
            self.on_line_change(now)
        self.tally.service_start(customer.arrived_at, wait, service)
        if lane.exception_ended_at is not None:
            if customer.arrived_at < lane.exception_ended_at and customer.arrived_at >= self.tally.warmup:
                self.behind_exception_waits.append(wait)
            lane.exception_ended_at = None
        if not customer.exception:
            customer.score = self.satisfaction.served(customer.arrived_at, wait, customer.expected_wait_min,
                                                      cashier.spec.friendliness, 0.0, customer.segment)
            if self.log is not None:
                self.log.add(customer)
        return service

    def settle_exception(self, lane: CheckoutLane, customer: Customer) -> ProcessGenerator:
        """After scanning, settle ``customer``'s exception at ``lane``; the lane waits meanwhile."""
        cashier = lane.cashier
        outcome = yield from self.exceptions.settle(customer, cashier)
        now = self.env.now
        customer.left_at = lane.exception_ended_at = now
        self.last_departure_at = max(self.last_departure_at, now)
        p = self.satisfaction.p
        competence = {AT_ONCE: p.resolved_at_once, AFTER_HOLD: p.resolved_after_hold}.get(outcome, p.unresolved)
        customer.score = self.satisfaction.served(customer.arrived_at, customer.started_at - customer.arrived_at,
                                                  customer.expected_wait_min, cashier.spec.friendliness, competence,
                                                  customer.segment)
        if self.log is not None:
            self.log.add(customer)

    def departed(self) -> None:
        """A customer's service (and any exception) is over: they leave the store."""
        self.inside -= 1
        if self.on_leave is not None:
            self.on_leave()

    def next_deadline(self) -> float:
        """When the next waiting customer's patience runs out (``inf``: none will)."""
        return self._deadlines[0][0] if self._deadlines else math.inf

    def _reneged(self, customer: Customer, now: float) -> None:
        self.inside -= 1
        if self.on_leave is not None:
            self.on_leave()
        self.queue_len.correct(customer.renege_at, now, -1)
        customer.score = self.satisfaction.abandoned(customer.arrived_at, customer.segment)
        if self.on_line_change is not None:
            self.on_line_change(now)
        self.tally.abandonment(customer.arrived_at, customer.items, balked=False,
                               waited=customer.renege_at - customer.arrived_at)
        if self.log is not None:
            self.log.add(customer)

    # -- closing time ----------------------------------------------------------------
    def close_doors(self) -> None:
        """No more arrivals: idle lanes are woken to close, busy ones finish their lines
        (``sim/handover.py``, rule 1)."""
        self.doors_closed = True
        for lane in self.lanes:
            if lane.idle:
                lane.idle = False
                lane.signal()
        if self.on_leave is not None:
            self.on_leave()
