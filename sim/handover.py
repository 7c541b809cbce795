"""The lane hand-over: how a lane passes between cashiers, and between a cashier and nobody.

A lane is open while an employee keeps it (``lane.cashier``); that employee is then its
cashier and ``employee.lane`` is that lane. Every opening, closing and change of hands
goes through :class:`LaneHandover`; the lane (``sim/lane.py``) asks it between customers,
the employee (``sim/employee.py``) when they come to a lane or are asked to leave one. The
protocol is the same under both queue disciplines, so that a one-lane store gives the same
day under ``per_lane`` and ``single_line``.

Who opens a lane. An employee whose role is checkout (a cashier at the start of the shift
or back from a break, a cross-trained floor employee sent by the policy after the walk)
comes to the lanes (``take_lane``) and opens the first closed lane, in the opening order
(``sim/checkout.py``), whose line has people waiting, else the first closed lane. After
the doors close, only a closed lane with people waiting is opened. When every lane is
taken (and the doors are open), a cashier whose home role is checkout waits by the lanes
on standby: an idle lane whose cashier must leave is handed over at once, and the
cross-training policy is told (``on_lane_wanted``: it sends the helper who came last back
to the floor). Anybody else is let go at once: a helper who finds no lane free walks back
to the floor; an employee who comes after closing time and finds no closed lane with
people waiting leaves.

Who closes a lane. Only the lane itself, between two customers, through
``let_go`` (its cashier was asked to leave) or ``lane_free`` (nobody for it to serve).
Nobody closes a lane in the middle of a service: a cashier asked to leave (a break is
due, the shift ends, the cross-training policy wants a helper back on the floor, see
``Employee.request``) always finishes the customer in service, exception included, first.
What happens then, in this order:

1. After the doors close, the lane finishes its line (a pooled line: every staffed lane
   helps empty it, closing or not) and closes when there is nobody left for it.
2. If a cashier is on standby, the first of them takes the lane over, line and all, and
   the cashier who was asked to leave goes.
3. If another lane that takes every basket (not an express lane) stays open, with a
   cashier not asked to leave, the lane stops taking new customers (at once: when its
   cashier is asked, or when such a lane opens later), finishes its own line
   (``per_lane``; under ``single_line`` it takes nobody more from the pooled line, which
   the other lanes serve) and closes; the cashier goes.
4. Otherwise nobody else could take new customers, and the lane stays open: the request
   is deferred. A shift end or a switch back to the floor waits for 1-3. A break starts
   at the first of: the cashier's line is empty; 1-3 apply; the break's latest start
   (``latest_break_start``: ``staffing.break_defer_max_min`` minutes after it was due,
   capped so that the break still ends by the end of the shift) has passed, checked after
   each customer. The lane then closes for the break.

When a lane closes, its cashier is released (``Employee.released``) and does what was
asked: a break, the walk back to the floor, or the end of the shift; with nothing asked
(the doors have closed and nobody is left for the lane) they leave. If a cashier is on
standby and the doors are open, they open the lane that just closed at once.

The line of a closing lane is never moved. Under ``per_lane`` a lane closed for a break
keeps the people waiting in its line; new customers join it only while no lane is
staffed (they balk at the people waiting in it); the next cashier to take a lane, usually
the same one back from the break, reopens the first closed lane with people waiting.
Customers waiting there may renege meanwhile. After closing time, a cashier whose shift
ends while customers wait in a line that no staffed lane will serve (``stranded``) serves
them first.

A break still pending when the shift ends (the lane was finishing its line, or a break
deferred into the next one) is skipped: the end of the shift outweighs it
(``Employee.request``).

Invariants:

- A lane has at most one cashier and an employee keeps at most one lane: ``lane.cashier``
  and ``employee.lane`` are set together when a lane opens or changes hands and cleared
  together when it closes.
- A cashier at an open lane is ``serving`` or ``lane_idle``; so is a cashier on standby.
  ``open_lanes`` counts staffed lanes, ``busy_lanes`` lanes serving a customer.
- A service, once started, ends with the cashier who started it.
- While any lane is staffed, at least one staffed lane takes new customers: a lane stops
  taking them only while a regular lane whose cashier stays is open. A break deferred as
  long as it may be can still close the last open lane (rule 4).
- While the doors are open, nobody is on standby while a lane is closed: a lane that
  closes goes at once to the first cashier on standby. After closing time, cashiers on
  standby get no lane; they wait for their next break or the end of their shift.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from .employee import LANE_IDLE, SERVING

if TYPE_CHECKING:
    from collections.abc import Callable

    from .checkout import CheckoutArea
    from .employee import Employee
    from .lane import CheckoutLane


class LaneHandover:
    """Which lanes are open, who keeps them, and which take new customers.

    Attributes:
        accepting: the lanes taking new customers, in opening order.
        on_lane_wanted: called when a cashier comes to the lanes and every lane is taken
            (the cross-training policy listens).
    """

    def __init__(self, area: CheckoutArea) -> None:
        self.env = area.env
        self.area = area
        self.lanes = area.lanes
        self.order = area.order
        self.pooled = area.pooled
        self.accepting: list[CheckoutLane] = []
        self._standby: deque[Employee] = deque()
        self.on_lane_wanted: Callable[[], None] | None = None

    @staticmethod
    def latest_break_start(now: float, minutes: float, shift_end: float, defer_max: float) -> float:
        """When a break due ``now`` and lasting ``minutes`` starts at the latest (rule 4)."""
        return max(now, min(now + defer_max, shift_end - minutes))

    # -- the employee's side -----------------------------------------------------------
    def take_lane(self, employee: Employee) -> None:
        """``employee`` opens the first closed lane, or waits for one (a helper goes back)."""
        closed = [lane for lane in self.order if lane.cashier is None]
        lane = next((lane for lane in closed if lane.line.waiting), closed[0] if closed else None)
        doors_closed = self.area.doors_closed
        if lane is not None and (not doors_closed or lane.line.waiting):  # customers inside are served
            self._open(lane, employee, self.env.now)
            lane.signal()
        elif employee.spec.home_role == "checkout" and not doors_closed:
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

    def cashier_leaving(self, lane: CheckoutLane) -> None:
        """``lane``'s cashier was asked to leave: stop taking customers there if another
        regular lane stays open, and wake it if idle so that it decides."""
        self._refresh_accepting()
        if lane.idle:
            lane.idle = False
            lane.signal()

    def cancel_standby(self, employee: Employee) -> bool:
        """Take ``employee`` off the list of cashiers waiting for a lane, if there."""
        if employee in self._standby:
            self._standby.remove(employee)
            return True
        return False

    def stranded(self) -> bool:
        """After closing time, customers wait in a line that no staffed lane will serve."""
        if not self.area.doors_closed:
            return False
        if self.pooled:
            return self.area.pooled_line.waiting > 0 and all(lane.cashier is None for lane in self.lanes)
        return any(lane.line.waiting for lane in self.lanes if lane.cashier is None)

    # -- the lane's side ---------------------------------------------------------------
    def let_go(self, lane: CheckoutLane) -> bool:
        """Between two customers, ``lane``'s cashier was asked to leave: hand the lane over
        to a cashier on standby (rule 2), or close it for a break deferred as long as it may
        be (rule 4).

        Returns True when the lane changed hands or closed; otherwise the lane goes on
        (finishing its line, or open while the request is deferred).
        """
        if self.area.doors_closed:
            return False
        now = self.env.now
        if self._standby:
            self._hand_over(lane, self._standby.popleft(), now)
            return True
        if lane.accepting and lane.cashier.break_forced(now):
            self._release(lane, now)  # the line stays, to be served when the lane reopens
            return True
        return False

    def lane_free(self, lane: CheckoutLane) -> bool:
        """``lane`` has nobody to serve: wait idle, or close and release its cashier.

        A lane kept open for a deferred break closes now that its line is empty.
        Returns True when the lane went straight to a cashier waiting for one.
        """
        area = self.area
        if lane.accepting and not area.doors_closed and not lane.cashier.break_pending:
            lane.idle = True
            if self.pooled:
                area.idle_lanes.append(lane)
            return False
        now = self.env.now
        self._release(lane, now)
        if self._standby and not area.doors_closed:
            self._open(lane, self._standby.popleft(), now)
            return True
        return False

    # -- opening, closing, changing hands ----------------------------------------------
    def _open(self, lane: CheckoutLane, employee: Employee, now: float) -> None:
        lane.cashier = employee
        employee.lane = lane
        employee.log.move(employee, LANE_IDLE, now)
        self.area.open_lanes.change(now, 1)
        self._refresh_accepting()

    def _release(self, lane: CheckoutLane, now: float) -> None:
        """Close ``lane`` and let its cashier go; its line, if any, stays."""
        cashier = lane.cashier
        if lane.busy:
            lane.busy = False
            self.area.busy_lanes.change(now, -1)
            cashier.log.move(cashier, LANE_IDLE, now)
        lane.idle = False
        lane.cashier = None
        self.area.open_lanes.change(now, -1)
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

    def _refresh_accepting(self) -> None:
        """Which lanes take new customers: those whose cashier stays; a lane whose cashier must
        leave too, unless a lane that takes every basket (not an express lane) stays open:
        otherwise its customers would have nowhere else to go (rule 3)."""
        staying = any(lane.cashier is not None and not lane.cashier.leaving and not lane.express
                      for lane in self.lanes)
        for lane in self.lanes:
            cashier = lane.cashier
            accepting = cashier is not None and (not cashier.leaving or not staying)
            if lane.accepting and not accepting and lane.idle:
                lane.idle = False
                lane.signal()  # an idle lane that stops taking customers lets its cashier go
            lane.accepting = accepting
        self.accepting = [lane for lane in self.order if lane.accepting]
