"""A checkout lane: one SimPy process that pulls the next customer from its line.

Between two customers, and only then, the lane asks the hand-over protocol
(``sim/handover.py``) whether its cashier goes now, so a leaving cashier always finishes
the customer in service first.

The lane is the only process on the service path, so a customer costs one timeout here
and one at the door, whatever the length of the line.

With jockeying on (``sim/checkout.py``), the lane lets customers of longer lines move when
it starts a service and when it finds nobody to serve (then, if someone moved to its line,
it serves them). After the doors close, a lane that customers are walking to waits for
them, idle, instead of closing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .customer import Customer, ProcessGenerator
from .employee import LANE_IDLE, SERVING
from .line import Line

if TYPE_CHECKING:
    from .checkout import CheckoutArea
    from .employee import Employee


class CheckoutLane:
    """A lane and, while it is open, its cashier.

    Attributes:
        cashier: the employee keeping the lane open, or None (closed).
        accepting: new customers may join it (false while it finishes its line to close).
        busy: the cashier is serving a customer.
        idle: the cashier waits at the open lane with nobody in line.
        walkers_coming: customers walking over from another line to this one (jockeying).
    """

    def __init__(self, env: simpy.Environment, lane_id: int, express: bool, line: Line,
                 shared_line: bool, area: CheckoutArea) -> None:
        self.env = env
        self.lane_id = lane_id
        self.express = express
        self.line = line
        self.shared_line = shared_line
        self.area = area
        self.cashier: Employee | None = None
        self.accepting = False
        self.busy = False
        self.idle = False
        self.walkers_coming = 0
        self.exception_ended_at: float | None = None
        """When the last exception settled here ended, until the next customer starts."""
        self._wake: simpy.Event | None = None
        env.process(self.check_out())

    def __repr__(self) -> str:
        kind = "express " if self.express else ""
        return f"CheckoutLane({kind}{self.lane_id}, cashier={self.cashier}, accepting={self.accepting})"

    def signal(self) -> None:
        """Wake the lane if it is waiting for something to happen."""
        wake = self._wake
        if wake is not None:
            self._wake = None
            wake.succeed()

    def next_customer(self, now: float) -> Customer | None:
        """The next customer this lane should serve, if any.

        A closing lane still serves its own line, but takes nobody from a pooled one
        until the doors have closed: then every staffed lane helps empty it.
        """
        if self.accepting or not self.shared_line or self.area.doors_closed:
            return self.line.pull(now)
        return None

    def check_out(self) -> ProcessGenerator:
        """Serve customers one after another; wait, idle or closed, when there are none."""
        env, area = self.env, self.area
        handover = area.handover
        jockeying = area.jockey_diff is not None
        while True:
            now = env.now
            cashier = self.cashier
            if cashier is not None and cashier.leaving and handover.let_go(self):
                continue  # handed over, or closed for a break
            customer = self.next_customer(now) if cashier is not None else None
            if customer is None:
                if jockeying:
                    was_busy, self.busy = self.busy, False  # as others see it while they decide to move
                    if cashier is None:
                        area.rebalance(now)  # its line, if any, may leave
                    else:
                        area.line_shortened(self, now)
                    self.busy = was_busy
                    if cashier is not None and self.line.waiting:
                        continue  # somebody moved to this line: the cashier goes straight on
                if self.busy:
                    self.busy = False
                    area.busy_lanes.change(now, -1)
                    cashier.log.move(cashier, LANE_IDLE, now)
                if jockeying and cashier is not None and self.walkers_coming and area.doors_closed:
                    self.idle = True  # open until they come: nobody may be left to serve them
                    self._wake = env.event()
                    yield self._wake
                    continue
                if cashier is not None and handover.lane_free(self):
                    continue  # handed over to a cashier who was waiting for a lane
                self._wake = env.event()
                yield self._wake
                continue
            if not self.busy:
                self.busy = True
                area.busy_lanes.change(now, 1)
                cashier.log.move(cashier, SERVING, now)
            service = area.start_service(self, customer, now)
            cashier.handled()  # learning: the next customer is served at the next transaction's speed
            if jockeying:
                area.line_shortened(self, now)
            yield env.timeout(service)
            if customer.exception:
                yield from area.settle_exception(self, customer)
                cashier.hold_min += customer.hold_min
                decided = area.exceptions.decided  # set, with no yield since, if the cashier decided alone
                if decided is not None and decided[0] is customer:
                    cashier.decisions += 1
                    cashier.decisions_right += decided[1]
            cashier.handling_min += env.now - now
            area.departed()
