"""The sales floor: customers who need help in the aisles, and the staff who help them.

Floor work is real work: requests for help arrive as a Poisson stream of their own, wait
in one line for a floor employee, and leave when their patience runs out. Pulling a floor
employee to checkout therefore shows up as longer floor waits and more floor abandonment.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import simpy

from .customer import WAITING, Customer, CustomerStreams, ProcessGenerator, admit_in_turn
from .checks import per_hour_values
from .dists import Distribution, arrival_times
from .employee import FLOOR
from .line import Line
from .monitor import CustomerTally
from .params import FloorParams

if TYPE_CHECKING:
    from .employee import Employee


def floor_customers(floor: FloorParams, hours: int, horizon: float, streams: CustomerStreams) -> Iterator[Customer]:
    """Every request for help of a day of ``hours`` opening hours (``horizon`` minutes), in
    arrival order, drawn a batch at a time."""
    hourly = per_hour_values(floor.rate_per_hour, hours)
    service = Distribution("lognormal", floor.service_mean_min, floor.service_cv)
    patience = Distribution("exponential", floor.patience_mean_min)
    ids = itertools.count()
    for times in arrival_times(streams.floor_arrivals, [r / 60.0 for r in hourly], horizon):
        n = len(times)
        work = service.draw(streams.floor_service, n)
        renege = times + patience.draw(streams.floor_patience, n)
        for cid, at, w, r in zip(ids, times.tolist(), work.tolist(), renege.tolist()):
            yield Customer(cid, at, 0, w, r, math.nan)


class FloorArea:
    """The line of customers waiting for help, and the floor employees free to help.

    Attributes:
        tally: counts and waits of floor customers (``floor_*`` KPIs).
        doors_closed: no more requests will arrive.
    """

    def __init__(self, env: simpy.Environment, params: FloorParams, hours: int, horizon: float,
                 tally: CustomerTally, streams: CustomerStreams) -> None:
        """A day of ``hours`` opening hours; the doors close ``horizon`` minutes after opening."""
        self.env = env
        self.tally = tally
        self.line = Line(self._reneged)
        self.doors_closed = False
        self._deadlines: list[tuple[float, int, Customer]] = []
        self._idle: deque[Employee] = deque()
        self.on_helper_free: Callable[[], None] | None = None
        """Called when a cross-trained employee starts floor work (the kiosks' calls may want them)."""
        env.process(admit_in_turn(env, floor_customers(params, hours, horizon, streams), self.admit, horizon,
                                  self.close_doors))

    def admit(self, customer: Customer) -> None:
        """A customer asks for help: wait in line and wake an idle floor employee."""
        now = self.env.now
        self.tally.arrival(customer.arrived_at)
        self.drop_impatient(now)
        self.line.join(customer)
        heapq.heappush(self._deadlines, (customer.renege_at, customer.customer_id, customer))
        while self._idle:
            employee = self._idle.popleft()
            if employee.wake is not None and not employee.leaving:
                employee.signal()
                break

    def drop_impatient(self, now: float) -> None:
        """Let every customer whose patience ran out by ``now`` leave."""
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            customer = heapq.heappop(deadlines)[2]
            if customer.outcome == WAITING:
                self.line.renege(customer, now)

    def _reneged(self, customer: Customer, now: float) -> None:
        self.tally.abandonment(customer.arrived_at, 0, balked=False)

    def close_doors(self) -> None:
        self.doors_closed = True

    def finish(self) -> None:
        """At the end of the day, customers nobody came to help have given up."""
        self.drop_impatient(math.inf)

    def work(self, employee: Employee) -> ProcessGenerator:
        """``employee`` helps floor customers until asked to leave (after the current one).

        Once the doors have closed, the last employees help everyone still waiting.
        """
        env = self.env
        employee.log.move(employee, FLOOR, env.now)
        if self.on_helper_free is not None and employee.spec.cross_trained:
            self.on_helper_free()
        while True:
            now = env.now
            if employee.leaving and not (self.doors_closed and self.line.waiting):
                return
            customer = self.line.pull(now)
            if customer is None:
                if employee.leaving or self.doors_closed:
                    return
                employee.wake = env.event()
                self._idle.append(employee)
                yield employee.wake
                continue
            service = customer.work_min / employee.speed
            customer.started_at = now
            customer.left_at = employee.busy_until = now + service
            self.tally.service_start(customer.arrived_at, now - customer.arrived_at, service)
            yield env.timeout(service)
