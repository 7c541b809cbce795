"""Self-checkout: a bank of kiosks with one pooled line, and the people who help at them.

A customer who chose the kiosks (``sim/checkout.py`` decides who does) joins the bank's one
line, or balks at it as at a pooled line of staffed lanes: the people waiting plus those at
a kiosk, divided by the kiosks, against ``abandonment.balk_line_len``. They give up when
their patience runs out before a kiosk is free. At a kiosk they scan for their kiosk
service time (``self_checkout.*``); if the transaction needs an intervention (an age check,
a scanning error, a coupon), the kiosk then calls for help and holds, customer and all,
until someone has walked over and handled it (the intervention time). The hold is the time
from the call to the helper's arrival at the kiosk.

Who answers a call (the rule; an assumption, as stores differ):

1. A free attendant at the bank (``staffing.attendants``, employees ``A1, A2, ...`` planned
   per hour like the cashiers and paid like them, ``sim/roster.py``): they walk
   ``self_checkout.attendant_walk_min`` to the kiosk. Calls wait in one first-come,
   first-served queue for the next attendant who is free.
2. When no attendant is free (busy, on a break, or none on duty), a cross-trained floor
   employee (``policy.cross_training``: the same people that policy may send to a lane) is
   sent, one per waiting call: the least busy one on the floor, who first finishes the floor
   customer being helped (that customer's wait and the floor line grow meanwhile), walks
   ``policy.cross_training.walk_min`` to the bank, then ``attendant_walk_min`` to the kiosk,
   answers every call still waiting there, and walks back to the floor. Whoever reaches a
   waiting call first takes it, so a helper may find the calls answered and walk back.
3. When no cross-trained employee is on the floor, one whom that policy sent to a lane and
   who is idle there, with nobody in the lane's line or walking to it, closes the lane, walks
   over the same way, and afterwards goes back to the floor (the policy sends someone to a
   lane again if the lines call for it). Cashiers (home role checkout) never leave their lane
   for a kiosk. Helpers are sent when a call is made, when an attendant leaves the bank with
   calls waiting, and when a cross-trained employee comes (back) to the floor.
4. Nobody else: without attendants and cross-trained floor staff, the kiosk holds until
   one comes on shift, and the roster's check (``sim/roster.py``) refuses a day in which
   the doors are open with nobody who could come.

After closing, attendants stay at the bank until its last customer has left (and, when no
attendant is at work, the cross-trained floor employees do), as cashiers stay for a
stranded line.

A kiosk pulls the next customer from the bank's line, as a lane does (``sim/line.py``), but
is no SimPy process: a free kiosk takes a customer who joins the line at once, within the
arrival's event, and its other steps are callbacks on its own events (a customer's end of
scanning, a call's answer), each scheduled where a kiosk process would wait, so the events
are those of a process without the process switches. (A process would start the service at
an event of its own at the same minute, after any other event due then; with continuous
arrival and scanning times nothing at the kiosks is due then, and a test checks that the
day is the same.) Patience runs out unseen, noticed from the checkout area's
deadlines as in the lanes' lines. The helpers are employees (``sim/employee.py``) whose
time at the bank is in the staff states ``attending`` and ``kiosk_idle``. The bank is off
the path of the staffed lanes, whose events and numbers it leaves as they are. Kiosk
customers count in the checkout's statistics (arrivals, waits, abandonment, ``queue_len``,
satisfaction, ``inside`` for the day's end) and, besides, in the kiosk tally of the
per-channel KPIs. Their satisfaction counts courtesy only when someone came (the helper's
friendliness); otherwise it is neutral.
"""

from __future__ import annotations

from array import array
from collections import deque
from typing import TYPE_CHECKING

import simpy

from .customer import BALKED, Customer, ProcessGenerator
from .employee import ATTENDING, FLOOR, KIOSK_IDLE, LANE_IDLE, OFF
from .line import Line
from .monitor import ChannelTally, LevelTracker
from .params import SelfCheckoutParams

if TYPE_CHECKING:
    from .checkout import CheckoutArea
    from .employee import Employee

HEADING = "kiosks"
"""``Employee.heading`` of a cross-trained floor employee sent to answer a kiosk's call."""


class Call(simpy.Event):
    """A kiosk's call for help: its customer and when it called; the event is triggered, with
    the employee who answered as its value, when the intervention is over."""

    def __init__(self, env: simpy.Environment, customer: Customer) -> None:
        super().__init__(env)
        self.customer = customer
        self.at = env.now


class KioskBank:
    """The kiosks, their pooled line and the calls for help of one replication.

    Attributes:
        line: the kiosk line.
        in_use: kiosks with a customer (scanning or holding for help).
        tally: the kiosk customers' arrivals, waits and abandonment (after warm-up); they also
            count in the checkout's tally (``area.tally``).
        busy_kiosks: kiosks in use (time-weighted).
        busy_attendants: attendants walking to or handling an intervention (time-weighted).
        attendants_on_duty: attendants at the bank, free or busy (time-weighted).
        interventions: interventions of kiosk customers arriving after warm-up.
        cross_attended: of these, the ones a cross-trained floor employee answered.
        holds: minutes each of those kiosks held for help (call to the helper's arrival).
        handling_min: helpers' time at kiosks (walk from the bank and handling) of all interventions.
        attendants: the attendant employees; helpers: the cross-trained floor employees (``staff``).
    """

    def __init__(self, env: simpy.Environment, kiosks: int, params: SelfCheckoutParams, area: CheckoutArea,
                 tally: ChannelTally, mean_service_min: float) -> None:
        self.env = env
        self.count = kiosks
        self.p = params
        self.area = area
        self.tally = tally
        self.mean_service_min = mean_service_min
        """Mean kiosk time a customer choosing a channel assumes (that of the mean basket)."""
        self.line = Line(self._reneged)
        self.in_use = 0
        bucket = area.tally.width
        self.busy_kiosks = LevelTracker(bucket, tally.warmup)
        self.busy_attendants = LevelTracker(bucket, tally.warmup)
        self.attendants_on_duty = LevelTracker(bucket, tally.warmup)
        self.interventions = self.cross_attended = 0
        self.holds = array("d")
        self.handling_min = 0.0
        self.attendants: list[Employee] = []
        self.helpers: list[Employee] = []
        self.calls: deque[Call] = deque()  # calls nobody has taken yet, first come first served
        self._handed: dict[Employee, Call] = {}  # calls handed to a helper woken at the bank
        self._free: deque[Employee] = deque()  # helpers free at the bank, in the order they freed
        self._idle = kiosks  # free kiosks waiting for a customer

    def staff(self, employees: list[Employee]) -> None:
        """Take the day's employees: the attendants, and the cross-trained floor employees who
        answer calls no attendant is free for."""
        self.attendants = [e for e in employees if e.spec.home_role == "attendant"]
        self.helpers = [e for e in employees if e.spec.cross_trained]
        for e in self.attendants + self.helpers:
            e.kiosks = self

    @property
    def busy(self) -> bool:
        """Customers at a kiosk or in the kiosk line."""
        return self.in_use > 0 or self.line.waiting > 0

    def expected_wait(self) -> float:
        """The wait an arriving customer expects at the kiosks: 0 with a kiosk free, else the
        people waiting plus themselves, divided by the kiosks, times the mean kiosk time."""
        if self.in_use + self.line.waiting < self.count:
            return 0.0
        return (self.line.waiting + 1) / self.count * self.mean_service_min

    def admit(self, customer: Customer) -> None:
        """``customer`` (already counted as a checkout arrival) goes to the kiosks."""
        area, now = self.area, self.env.now
        customer.kiosk = True
        self.tally.arrival(customer.arrived_at)
        if (self.line.waiting + self.in_use) / self.count >= area.balk_at:
            customer.outcome = BALKED
            customer.left_at = now
            customer.score = area.satisfaction.abandoned(customer.arrived_at, customer.segment)
            area.tally.abandonment(customer.arrived_at, customer.items, balked=True)
            self.tally.abandonment(customer.arrived_at, balked=True)
            if area.log is not None:
                area.log.add(customer)
            return
        area.inside += 1
        area.queue_len.change(now, 1)
        self.line.join(customer)
        area.watch_patience(customer, self.line)
        if self._idle:
            self._take(now)

    # -- the kiosks: callbacks on their events, no process (module docstring) ------------
    def _take(self, now: float) -> None:
        """A free kiosk takes the customer who just joined the line, at once."""
        self._idle -= 1
        self._serve_next(now)

    def _serve_next(self, now: float) -> None:
        """A free kiosk starts serving the next customer of the line, or waits idle for one."""
        customer = self.line.pull(now)
        if customer is None:
            self._idle += 1
            return
        area = self.area
        self.in_use += 1
        area.queue_len.change(now, -1)
        self.busy_kiosks.change(now, 1)
        wait, service = now - customer.arrived_at, customer.kiosk_work_min
        customer.started_at = now
        area.tally.service_start(customer.arrived_at, wait, service)
        self.tally.service_start(customer.arrived_at, wait)
        self.env.timeout(service, customer).callbacks.append(self._scanned)

    def _scanned(self, event: simpy.Timeout) -> None:
        """The customer of ``event`` (its value) finished scanning: they leave, or the kiosk calls
        for help and holds until the intervention is over."""
        customer = event.value
        if customer.intervention_min > 0:
            call = Call(self.env, customer)
            call.callbacks.append(self._helped)
            self._call(call)
        else:
            self._leave(customer, None)

    def _helped(self, call: Call) -> None:
        """``call``'s intervention is over: its customer leaves."""
        helper, customer = call.value, call.customer
        if customer.arrived_at >= self.tally.warmup:
            self.interventions += 1
            self.cross_attended += helper.spec.home_role != "attendant"
            self.holds.append(customer.hold_min)
        self._leave(customer, helper.spec.friendliness)

    def _leave(self, customer: Customer, friendliness: float | None) -> None:
        """``customer`` leaves the kiosk (``friendliness``: of whoever helped, None if nobody);
        the kiosk takes the next customer."""
        area, now = self.area, self.env.now
        customer.left_at = now
        area.last_departure_at = max(area.last_departure_at, now)
        self.in_use -= 1
        self.busy_kiosks.change(now, -1)
        customer.score = area.satisfaction.served(customer.arrived_at, customer.started_at - customer.arrived_at,
                                                  customer.expected_wait_min, friendliness, 0.0, customer.segment)
        if area.log is not None:
            area.log.add(customer)
        area.departed()
        if area.doors_closed and not self.busy:
            self._release_free()
        self._serve_next(now)

    # -- the calls -------------------------------------------------------------------
    def _call(self, call: Call) -> None:
        """A kiosk calls: hand it to a helper free at the bank, or queue it and send for help."""
        while self._free:
            helper = self._free.popleft()
            if helper.wake is not None and (not helper.leaving or self.keeps(helper)):
                self._handed[helper] = call
                helper.signal()
                return
        self.calls.append(call)
        self.send_helpers()

    def send_helpers(self) -> None:
        """While more calls wait than cross-trained helpers are on their way, send the least busy
        cross-trained floor employee on the floor, else one idle at a lane with an empty line
        (rules 2 and 3 of the module docstring)."""
        if not self.calls or not self.helpers:
            return
        now = self.env.now
        coming = sum(1 for h in self.helpers if h.heading == HEADING)
        while len(self.calls) > coming:
            free = [h for h in self.helpers if h.state == FLOOR and not h.leaving and h.heading is None]
            if free:
                helper = min(free, key=lambda h: max(h.busy_until, now))
            else:
                idle = [h for h in self.helpers if h.state == LANE_IDLE and not h.leaving and h.lane is not None
                        and not h.lane.busy and h.lane.line.waiting == 0 and h.lane.walkers_coming == 0]
                if not idle:
                    return
                helper = min(idle, key=lambda h: h.state_since)  # idle the longest
            if not helper.request("switch", "attendant"):
                return
            helper.heading = HEADING
            coming += 1

    def keeps(self, employee: Employee) -> bool:
        """After closing, ``employee`` stays for the kiosk customers still inside: every attendant
        does, and a cross-trained floor employee when no attendant is at work."""
        if not (self.area.doors_closed and self.busy):
            return False
        if employee.spec.home_role == "attendant":
            return True
        return employee.spec.cross_trained and all(a.state == OFF for a in self.attendants)

    def _release_free(self) -> None:
        """The bank emptied after closing: let the helpers waiting there go."""
        while self._free:
            self._free.popleft().signal()

    def attend(self, employee: Employee) -> ProcessGenerator:
        """``employee`` works at the bank: answers the calls, first come first served, until asked
        to leave (an attendant, who waits at the bank between calls) or until no call waits (a
        cross-trained floor employee, who then goes back to the floor)."""
        env = self.env
        employee.heading = None
        attendant = employee.spec.home_role == "attendant"
        if attendant:
            self.attendants_on_duty.change(env.now, 1)
        while True:
            call = self._handed.pop(employee, None)
            if call is None:
                kept = self.keeps(employee)
                if employee.leaving and not kept:
                    break
                if self.calls:
                    call = self.calls.popleft()
                elif not attendant and not kept:
                    break
            if call is None:
                employee.log.move(employee, KIOSK_IDLE, env.now)
                employee.wake = env.event()
                self._free.append(employee)
                yield employee.wake
                continue
            yield from self._answer(employee, call, attendant)
        if attendant:
            self.attendants_on_duty.change(env.now, -1)
            self.send_helpers()

    def _answer(self, employee: Employee, call: Call, attendant: bool) -> ProcessGenerator:
        """Walk to the kiosk that called, handle its intervention, and let it go."""
        env, customer = self.env, call.customer
        started = env.now
        employee.log.move(employee, ATTENDING, started)
        if attendant:
            self.busy_attendants.change(started, 1)
        yield env.timeout(self.p.attendant_walk_min)
        customer.hold_min = env.now - call.at
        yield env.timeout(customer.intervention_min)
        if attendant:
            self.busy_attendants.change(env.now, -1)
        self.handling_min += env.now - started
        call.succeed(employee)

    def _reneged(self, customer: Customer, now: float) -> None:
        """``customer``'s patience ran out in the kiosk line (at ``renege_at``), noticed ``now``."""
        area = self.area
        area.queue_len.correct(customer.renege_at, now, -1)
        customer.score = area.satisfaction.abandoned(customer.arrived_at, customer.segment)
        area.tally.abandonment(customer.arrived_at, customer.items, balked=False,
                               waited=customer.renege_at - customer.arrived_at)
        self.tally.abandonment(customer.arrived_at, balked=False)
        if area.log is not None:
            area.log.add(customer)
        area.departed()
        if area.doors_closed and not self.busy:
            self._release_free()

    def close(self, end: float) -> None:
        """Close the time-weighted levels at the day's end."""
        for tracker in (self.busy_kiosks, self.busy_attendants, self.attendants_on_duty):
            tracker.close(end)
