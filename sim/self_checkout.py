"""Self-checkout: a bank of kiosks with one pooled line, and the attendants who help at them.

A customer who chose the kiosks (``sim/checkout.py`` decides who does) joins the bank's one
line, or balks at it as at a pooled line of staffed lanes: the people waiting plus those at
a kiosk, divided by the kiosks, against ``abandonment.balk_line_len``. They give up when
their patience runs out before a kiosk is free. At a kiosk they scan for their kiosk
service time (``self_checkout.*``); if the transaction needs an intervention (an age check,
a scanning error, a coupon), the kiosk then calls an attendant and holds, customer and
all, until a free attendant has walked over (``self_checkout.attendant_walk_min``) and
handled it (the intervention time); calls are answered first come, first served. Only
attendants attend (``staffing.attendants``, on duty all day); a cashier or floor employee
stepping in is not modelled.

Each kiosk is a SimPy process that pulls the next customer from the bank's line, as a lane
does (``sim/line.py``), and patience runs out unseen, noticed from the checkout area's
deadlines as in the lanes' lines; the attendants are a SimPy resource. The bank is off the
path of the staffed lanes, whose events and numbers it leaves as they are. Kiosk customers count in the checkout's statistics (arrivals, waits, abandonment,
``queue_len``, satisfaction, ``inside`` for the day's end) and, besides, in the kiosk
tally of the per-channel KPIs. Their satisfaction counts courtesy only when an attendant
came (the attendant's friendliness, ``staffing.friendliness``); otherwise it is neutral.
"""

from __future__ import annotations

from array import array
from collections import deque
from typing import TYPE_CHECKING

import simpy

from .customer import BALKED, Customer, ProcessGenerator
from .line import Line
from .monitor import CustomerTally, LevelTracker
from .params import SelfCheckoutParams

if TYPE_CHECKING:
    from .checkout import CheckoutArea


class KioskBank:
    """The kiosks, their pooled line and their attendants in one replication.

    Attributes:
        line: the kiosk line.
        in_use: kiosks with a customer (scanning or holding for an attendant).
        tally: the kiosk customers' arrivals, waits and abandonment (after warm-up).
        busy_kiosks: kiosks in use (time-weighted).
        busy_attendants: attendants walking to or handling an intervention (time-weighted).
        interventions: interventions of kiosk customers arriving after warm-up.
        holds: minutes each of those kiosks held for the attendant (call to the attendant's arrival).
        handling_min: attendant time (walk and handling) of all interventions, whenever they arrived.
    """

    def __init__(self, env: simpy.Environment, kiosks: int, attendants: int, params: SelfCheckoutParams,
                 friendliness: float, area: CheckoutArea, tally: CustomerTally, mean_service_min: float) -> None:
        self.env = env
        self.count = kiosks
        self.attendant_count = attendants
        self.p = params
        self.friendliness = friendliness
        self.area = area
        self.tally = tally
        self.mean_service_min = mean_service_min
        """Mean kiosk time a customer choosing a channel assumes (that of the mean basket)."""
        self.line = Line(self._reneged)
        self.in_use = 0
        self.attendants = simpy.Resource(env, attendants) if attendants else None
        self.busy_kiosks = LevelTracker(tally.width, tally.warmup)
        self.busy_attendants = LevelTracker(tally.width, tally.warmup)
        self.interventions = 0
        self.holds = array("d")
        self.handling_min = 0.0
        self._idle: deque[simpy.Event] = deque()  # free kiosks waiting for a customer, in the order they freed
        for _ in range(kiosks):
            env.process(self._kiosk())

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
            for tally in (area.tally, self.tally):
                tally.abandonment(customer.arrived_at, customer.items, balked=True)
            if area.log is not None:
                area.log.add(customer)
            return
        area.inside += 1
        area.queue_len.change(now, 1)
        self.line.join(customer)
        area.watch_patience(customer, self.line)
        if self._idle:
            self._idle.popleft().succeed()

    def _kiosk(self) -> ProcessGenerator:
        """One kiosk: serve the next customer of the line, or wait for one."""
        env, area, line = self.env, self.area, self.line
        while True:
            customer = line.pull(env.now)
            if customer is None:
                wake = env.event()
                self._idle.append(wake)
                yield wake
                continue
            now = env.now
            self.in_use += 1
            area.queue_len.change(now, -1)
            self.busy_kiosks.change(now, 1)
            wait, service = now - customer.arrived_at, customer.kiosk_work_min
            customer.started_at = now
            for tally in (area.tally, self.tally):
                tally.service_start(customer.arrived_at, wait, service)
            yield env.timeout(service)
            friendliness = None
            if customer.intervention_min > 0:
                friendliness = self.friendliness
                yield from self._intervention(customer)
            now = env.now
            customer.left_at = now
            area.last_departure_at = max(area.last_departure_at, now)
            self.in_use -= 1
            self.busy_kiosks.change(now, -1)
            customer.score = area.satisfaction.served(customer.arrived_at, wait, customer.expected_wait_min,
                                                      friendliness, 0.0, customer.segment)
            if area.log is not None:
                area.log.add(customer)
            area.departed()

    def _intervention(self, customer: Customer) -> ProcessGenerator:
        """The kiosk calls an attendant and holds until one has come and handled it."""
        env = self.env
        if self.attendants is None:
            raise RuntimeError(f"kiosk customer {customer.customer_id} needs an attendant and none is on duty "
                               "(staffing.attendants=0)")
        called = env.now
        with self.attendants.request() as call:
            yield call
            started = env.now
            self.busy_attendants.change(started, 1)
            yield env.timeout(self.p.attendant_walk_min)
            customer.hold_min = env.now - called
            yield env.timeout(customer.intervention_min)
            self.busy_attendants.change(env.now, -1)
        self.handling_min += env.now - started
        if customer.arrived_at >= self.tally.warmup:
            self.interventions += 1
            self.holds.append(customer.hold_min)

    def _reneged(self, customer: Customer, now: float) -> None:
        """``customer``'s patience ran out in the kiosk line (at ``renege_at``), noticed ``now``."""
        area = self.area
        area.queue_len.correct(customer.renege_at, now, -1)
        customer.score = area.satisfaction.abandoned(customer.arrived_at, customer.segment)
        for tally in (area.tally, self.tally):
            tally.abandonment(customer.arrived_at, customer.items, balked=False,
                              waited=customer.renege_at - customer.arrived_at)
        if area.log is not None:
            area.log.add(customer)
        area.departed()

    def close(self, end: float) -> None:
        """Close the time-weighted levels at the day's end."""
        self.busy_kiosks.close(end)
        self.busy_attendants.close(end)
