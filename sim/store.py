"""The store: builds one replication's door, checkout, floor and staff, and runs it.

``run_replication(params, seed)`` is the model's whole interface: a pure function from
parameters and a seed to a :class:`ReplicationResult`.

The day ends when its last customer leaves: once the doors have closed, the moment nobody
is left in a checkout line or at a lane (the closing time if nobody is). The simulation
stops there, so no pending timer (a break, a walk, a manager's duty, floor work, a
policy's cool-down) stretches the day. Assumption: floor customers still waiting for help
then give up, and help in progress is counted as given. Time averages, labour pay, the
time buckets and ``overtime_min`` all end at that moment, which the result reports as
``ended_at`` (``day_end_min`` in ``summary.json``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import simpy

from .checkout import CheckoutArea
from .cross_training import ThresholdPolicy
from .customer import Customer, CustomerSource, CustomerStreams, ProcessGenerator, admit_in_turn
from .employee import Employee, StaffLog
from .empowerment import ExceptionHandling
from .floor import FloorArea
from .hiring import hire
from .manager import Managers
from .kpis import replication_kpis, timeseries
from .monitor import ChannelTally, CustomerTally
from .params import ScenarioParams
from .records import CustomerLog, ReplicationResult
from .roster import build_roster
from .satisfaction import SatisfactionModel
from .self_checkout import KioskBank


class Store:
    """Wires the parts of one replication together; has no process of its own.

    ``script`` replaces the drawn checkout customers by given ones (for tests and demos).
    """

    def __init__(self, params: ScenarioParams, seed: int | np.random.SeedSequence,
                 script: Iterable[Customer] | None = None) -> None:
        self.params = params
        self.env = env = simpy.Environment()
        run, out, horizon = params.run, params.output, params.horizon_min
        streams = CustomerStreams(seed)
        self.tally = CustomerTally(run.warmup_min, params.standards.target_wait_min, out.bucket_min, horizon,
                                   params.peak_window)
        self.log = CustomerLog() if out.customers else None
        self.satisfaction = SatisfactionModel(params.satisfaction, run.warmup_min,
                                              len(params.customers.segments or [None]), params.mean_service_min,
                                              params.peak_window, streams.announcement)
        self.managers = Managers(env, params.managers, horizon, streams.manager_duties, run.warmup_min)
        self.exceptions = ExceptionHandling(env, params.policy.empowerment, params.policy.hiring, params.exceptions,
                                            run.warmup_min, self.managers)
        self.checkout = CheckoutArea(env, params.store, params.queue, params.abandonment, self.tally, self.log,
                                     self.satisfaction, self.exceptions)
        self.kiosks = None
        kiosks = params.store.self_checkout_kiosks
        if kiosks:
            kiosk = params.self_checkout
            kiosk_tally = ChannelTally(run.warmup_min, params.standards.target_wait_min)
            self.kiosks = KioskBank(env, kiosks, kiosk, self.checkout, kiosk_tally,
                                    kiosk.fixed_min + kiosk.per_item_min * params.customers.basket_mean_items)
            self.checkout.kiosks = self.kiosks
            self.checkout.kiosk_max_items = kiosk.max_items
            self.checkout.mean_service_min = params.mean_service_min
        floor_tally = CustomerTally(run.warmup_min, params.standards.target_wait_min, out.bucket_min, horizon)
        self.floor = FloorArea(env, params.floor, params.hours, horizon, floor_tally, streams)
        self.staff_log = StaffLog(out.bucket_min, run.warmup_min, keep_timeline=out.customers)
        crossing = params.policy.cross_training
        self.employees = [Employee(env, spec, self.staff_log, self.checkout.handover, self.floor,
                                   walk_min=crossing.walk_min, break_defer_max=params.staffing.break_defer_max_min)
                          for spec in hire(params, build_roster(params), streams.staff)]
        if self.kiosks is not None:
            self.kiosks.staff(self.employees)
            self.floor.on_helper_free = self.kiosks.send_helpers
        self.policy = None
        helpers = [e for e in self.employees if e.spec.cross_trained]
        if crossing.policy == "threshold" and helpers:
            self.policy = ThresholdPolicy(env, crossing, self.checkout, helpers, params.mean_service_min)
        if script is None:
            source = CustomerSource(streams, params.customers, params.service, params.abandonment, params.exceptions,
                                    params.self_checkout, kiosks)
            customers = source.customers(params.arrivals_per_hour(), horizon)
        else:
            customers = iter(script)
        env.process(admit_in_turn(env, customers, self.checkout.admit, horizon, self.checkout.close_doors))  # the door
        self._someone_left: simpy.Event | None = None
        self.checkout.on_leave = self._left
        self.day = env.process(self.last_customer_leaves())

    def _left(self) -> None:
        event, self._someone_left = self._someone_left, None
        if event is not None:
            event.succeed()

    def last_customer_leaves(self) -> ProcessGenerator:
        """Wait for the doors to close and the checkout to empty; return that moment.

        Customers whose patience runs out while nobody serves them are let go at that
        moment, so the day ends when the last of them gives up, not when someone notices.
        """
        env, checkout = self.env, self.checkout
        yield env.timeout(self.params.horizon_min)
        while True:
            now = env.now
            if checkout.doors_closed:
                checkout.drop_impatient(now)
                if checkout.inside == 0:
                    return now
            self._someone_left = env.event()
            events = [self._someone_left]
            deadline = checkout.next_deadline()
            if deadline < math.inf:
                events.append(env.timeout(max(0.0, deadline - now)))
            yield env.any_of(events)

    def run(self) -> ReplicationResult:
        """Simulate until the doors are closed and every customer inside has left."""
        try:
            end = self.env.run(until=self.day)
        except RuntimeError as error:  # simpy: no events left, customers stranded
            raise RuntimeError(f"{self.checkout.inside} customers left at checkout with nobody to serve them "
                               f"at minute {self.env.now:g}") from error
        self.floor.finish()
        area = self.checkout
        for tracker in (area.queue_len, area.open_lanes, area.busy_lanes):
            tracker.close(end)
        self.staff_log.close(self.employees, end)
        if self.kiosks is not None:
            self.kiosks.close(end)
        return ReplicationResult(
            kpis=replication_kpis(self, end),
            timeseries=timeseries(self, end),
            customers=self.log.columns() if self.log is not None else None,
            ended_at=end,
            staff_timeline=self.staff_log.timeline if self.staff_log.keep_timeline else None,
            staff_scorecard=[e.scorecard() for e in self.employees] if self.log is not None else None,
        )


def run_replication(params: ScenarioParams, seed: int | np.random.SeedSequence,
                    on_day: Callable[[int], None] | None = None) -> ReplicationResult:
    """Simulate one replication of ``params`` with the random streams of ``seed``: one day, or with
    ``run.days`` > 1 that many over a population of households (``sim/days.py``), calling
    ``on_day(d)`` after each day ``d`` (1-based)."""
    if params.run.days > 1:
        from .days import run_days  # sim/days.py builds on this module
        root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        return run_days(params, root, on_day)
    return Store(params, seed).run()
