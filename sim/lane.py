"""A checkout lane: one SimPy process that pulls the next customer from its line.

The lane is the only process on the service path, so a customer costs one timeout here
and one at the door, whatever the length of the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .customer import ProcessGenerator
from .line import Line

if TYPE_CHECKING:
    from .checkout import CheckoutArea


class CheckoutLane:
    """A lane with its cashier.

    Attributes:
        staffed: a cashier is assigned (the lane counts as open and paid).
        accepting: new customers may join it (false while it finishes its line to close).
        busy: the cashier is serving a customer.
        idle: the cashier waits at an open lane with nobody in line.
    """

    def __init__(self, env: simpy.Environment, lane_id: int, express: bool, line: Line,
                 shared_line: bool, area: CheckoutArea) -> None:
        self.env = env
        self.lane_id = lane_id
        self.express = express
        self.line = line
        self.shared_line = shared_line
        self.area = area
        self.staffed = False
        self.accepting = False
        self.busy = False
        self.idle = False
        self._wake: simpy.Event | None = None
        self.process = env.process(self.check_out())

    def __repr__(self) -> str:
        kind = "express " if self.express else ""
        return f"CheckoutLane({kind}{self.lane_id}, staffed={self.staffed}, accepting={self.accepting})"

    def signal(self) -> None:
        """Wake the lane if it is waiting for something to happen."""
        wake = self._wake
        if wake is not None:
            self._wake = None
            wake.succeed()

    def next_customer(self, now: float):
        """The next customer this lane should serve, if any.

        A lane that is closing still serves its own line but takes nobody from a pooled one.
        """
        if self.accepting or not self.shared_line:
            return self.line.pull(now)
        return None

    def check_out(self) -> ProcessGenerator:
        """Serve customers one after another; wait, idle or off duty, when there are none."""
        env, area = self.env, self.area
        while True:
            now = env.now
            customer = self.next_customer(now) if self.staffed else None
            if customer is None:
                if self.busy:
                    self.busy = False
                    area.busy_lanes.change(now, -1)
                if self.staffed:
                    area.lane_free(self)
                self._wake = env.event()
                yield self._wake
                continue
            if not self.busy:
                self.busy = True
                area.busy_lanes.change(now, 1)
            yield env.timeout(area.start_service(self, customer, now))
