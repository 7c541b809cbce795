"""The checkout area: lanes, their lines, and how customers choose among them.

``per_lane``: each lane has its own line and a customer joins the shortest line
(people waiting plus the one being served) among the open lanes they may use; baskets of
more than ``store.express_limit`` items may not use express lanes; ties go to the lane
opened first. ``single_line``: one pooled line feeds every open lane (express lanes then
serve everybody). Lanes open in a fixed order, one express lane after every two regular
ones. How a lane closes when its cashier must leave (break, shift end, back to the floor)
is the rule in ``sim/employee.py``: in short, a lane never stops taking customers while it
is the only one open, except for a break deferred as long as it may be.

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
from .employee import LANE_IDLE, SERVING
from .lane import CheckoutLane
from .line import Line
from .monitor import CustomerTally, LevelTracker
from .params import ScenarioParams
from .records import CustomerLog
from .satisfaction import SatisfactionModel

if TYPE_CHECKING:
    from collections.abc import Callable

    from .employee import Employee


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

    Attributes:
        queue_len: customers waiting in all lines (time-weighted).
        open_lanes: staffed lanes (time-weighted).
        busy_lanes: lanes serving a customer (time-weighted).
        doors_closed: no more customers will arrive.
        inside: customers who joined a line and have not left (served or reneged) yet.
        on_leave: called whenever a customer leaves a line or a lane (the day's end listens).
    """

    def __init__(self, env: simpy.Environment, params: ScenarioParams, tally: CustomerTally,
                 log: CustomerLog | None, satisfaction: SatisfactionModel, exceptions: ExceptionHandling) -> None:
        self.env = env
        self.tally = tally
        self.log = log
        self.satisfaction = satisfaction
        self.exceptions = exceptions
        self.behind_exception_waits: list[float] = []
        """Waits of the first customer a lane served after settling an exception (arrived before it ended)."""
        store, ab = params.store, params.abandonment
        bucket, warmup = params.output.bucket_min, params.run.warmup_min
        self.queue_len = LevelTracker(bucket, warmup)
        self.open_lanes = LevelTracker(bucket, warmup)
        self.busy_lanes = LevelTracker(bucket, warmup)
        self.pooled = params.queue.discipline == "single_line"
        self.express_limit = store.express_limit if not self.pooled else math.inf
        self.balk_at = ab.balk_line_len if ab.balking else math.inf
        self.doors_closed = False
        self.inside = 0
        self.last_departure_at = 0.0
        """When the last served customer so far left (the day ends at the latest of this, the
        last customer to give up waiting, and the closing time)."""
        self.on_leave: Callable[[], None] | None = None
        self.break_defer_max = params.staffing.break_defer_max_min
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
        self._standby: deque[Employee] = deque()
        self.pooled_line = pooled_line
        self.on_line_change: Callable[[float], None] | None = None
        """Called with the time whenever the lines change (the cross-training policy listens)."""
        self.on_lane_wanted: Callable[[], None] | None = None
        """Called when a cashier arrives and every lane is taken."""

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
                return self.lanes[0], 0.0
            busy = sum(lane.busy for lane in lanes)
            return self.lanes[0], (self.pooled_line.waiting + busy) / max(1, len(lanes))
        best, best_ahead = None, math.inf
        small = customer.items <= self.express_limit
        for lane in self._accepting:
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

    # -- lanes -----------------------------------------------------------------------
    def lane_free(self, lane: CheckoutLane) -> bool:
        """``lane`` has nobody to serve: wait idle, or close and release its cashier.

        A lane kept open for a deferred break closes now that its line is empty.
        Returns True when the lane went straight to a cashier waiting for one.
        """
        now = self.env.now
        if lane.accepting and not self.doors_closed and not lane.cashier.break_pending:
            lane.idle = True
            if self.pooled:
                self._idle.append(lane)
            return False
        self._release(lane, now)
        if self._standby and not self.doors_closed:
            self._open(lane, self._standby.popleft(), now)
            return True
        return False

    def let_go(self, lane: CheckoutLane) -> bool:
        """Between two customers, ``lane``'s cashier was asked to leave: hand the lane over
        to a cashier on standby, or close it for a break deferred as long as it may be.

        Returns True when the lane changed hands or closed; otherwise the lane goes on
        (finishing its line, or open while the request is deferred). Rule: ``sim/employee.py``.
        """
        if self.doors_closed:
            return False
        now = self.env.now
        if self._standby:
            self._hand_over(lane, self._standby.popleft(), now)
            return True
        if lane.accepting and lane.cashier.break_forced(now):
            self._release(lane, now)  # the line stays, to be served when the lane reopens
            return True
        return False

    def cashier_leaving(self, lane: CheckoutLane) -> None:
        """``lane``'s cashier was asked to leave: stop taking customers there if another
        regular lane stays open, and wake it if idle so that it decides."""
        self._refresh_accepting()
        if lane.idle:
            lane.idle = False
            lane.signal()

    def _release(self, lane: CheckoutLane, now: float) -> None:
        """Close ``lane`` and let its cashier go; its line, if any, stays."""
        cashier = lane.cashier
        if lane.busy:
            lane.busy = False
            self.busy_lanes.change(now, -1)
            cashier.log.move(cashier, LANE_IDLE, now)
        lane.idle = False
        lane.cashier = None
        self.open_lanes.change(now, -1)
        self._refresh_accepting()
        cashier.released()

    def _hand_over(self, lane: CheckoutLane, employee: Employee, now: float) -> None:
        """``employee`` takes ``lane`` over from its cashier, who is let go."""
        leaving = lane.cashier
        lane.cashier = employee
        employee.lane = lane
        employee.log.move(employee, SERVING if lane.busy else LANE_IDLE, now)
        leaving.log.move(leaving, LANE_IDLE, now)
        self._refresh_accepting()
        leaving.released()

    def take_lane(self, employee: Employee) -> None:
        """``employee`` opens the first closed lane, or waits for one (a helper goes back)."""
        closed = [lane for lane in self.order if lane.cashier is None]
        lane = next((lane for lane in closed if lane.line.waiting), closed[0] if closed else None)
        if lane is not None and (not self.doors_closed or lane.line.waiting):  # customers inside are served
            self._open(lane, employee, self.env.now)
            lane.signal()
        elif employee.spec.home_role == "checkout" and not self.doors_closed:
            employee.log.move(employee, LANE_IDLE, self.env.now)  # waits by the lanes for one to free up
            self._standby.append(employee)
            for lane in self.order:  # a lane kept open by a cashier who must leave is handed over
                if lane.idle and lane.cashier is not None and lane.cashier.leaving:
                    lane.idle = False
                    lane.signal()
                    break
            if self.on_lane_wanted is not None:
                self.on_lane_wanted()
        else:
            employee.released()

    def stranded(self) -> bool:
        """After closing time, customers wait in a line that no staffed lane will serve."""
        if not self.doors_closed:
            return False
        if self.pooled:
            return self.pooled_line.waiting > 0 and all(lane.cashier is None for lane in self.lanes)
        return any(lane.line.waiting for lane in self.lanes if lane.cashier is None)

    def cancel_standby(self, employee: Employee) -> bool:
        """Take ``employee`` off the list of cashiers waiting for a lane, if there."""
        if employee in self._standby:
            self._standby.remove(employee)
            return True
        return False

    def _open(self, lane: CheckoutLane, employee: Employee, now: float) -> None:
        lane.cashier = employee
        employee.lane = lane
        employee.log.move(employee, LANE_IDLE, now)
        self.open_lanes.change(now, 1)
        self._refresh_accepting()

    def _refresh_accepting(self) -> None:
        """Which lanes take new customers: those whose cashier stays; a lane whose cashier must
        leave too, unless a lane that takes every basket (not an express lane) stays open:
        otherwise its customers would have nowhere else to go."""
        staying = any(lane.cashier is not None and not lane.cashier.leaving and not lane.express
                      for lane in self.lanes)
        for lane in self.lanes:
            cashier = lane.cashier
            accepting = cashier is not None and (not cashier.leaving or not staying)
            if lane.accepting and not accepting and lane.idle:
                lane.idle = False
                lane.signal()  # an idle lane that stops taking customers lets its cashier go
            lane.accepting = accepting
        self._accepting = [lane for lane in self.order if lane.accepting]

    def close_doors(self) -> None:
        """No more arrivals: idle cashiers leave, busy ones finish their lines."""
        self.doors_closed = True
        for lane in self.lanes:
            if lane.idle:
                lane.idle = False
                lane.signal()
        if self.on_leave is not None:
            self.on_leave()
