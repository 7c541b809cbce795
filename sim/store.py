"""The store: builds one replication's door, checkout, floor and staff, and runs it.

``run_replication(params, seed)`` is the model's whole interface: a pure function from
parameters and a seed to a :class:`ReplicationResult`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import simpy

from .checkout import CheckoutArea
from .cross_training import ThresholdPolicy
from .customer import Customer, CustomerSource, CustomerStreams
from .employee import Employee, StaffLog
from .empowerment import ExceptionHandling
from .floor import FloorArea
from .hiring import hire
from .manager import Managers
from .kpis import replication_kpis, timeseries
from .monitor import CustomerTally
from .params import ScenarioParams
from .records import CustomerLog, ReplicationResult
from .roster import build_roster
from .satisfaction import SatisfactionModel


class Store:
    """Wires the parts of one replication together; has no process of its own.

    ``script`` replaces the drawn checkout customers by given ones (for tests and demos).
    """

    def __init__(self, params: ScenarioParams, seed: int | np.random.SeedSequence,
                 script: Iterable[Customer] | None = None) -> None:
        params.check()
        self.params = params
        self.env = env = simpy.Environment()
        run, out = params.run, params.output
        streams = CustomerStreams(seed)
        self.tally = CustomerTally(run.warmup_min, params.standards.target_wait_min, out.bucket_min,
                                   params.horizon_min, params.peak_window)
        self.log = CustomerLog() if out.customers else None
        self.satisfaction = SatisfactionModel(params.satisfaction, run.warmup_min,
                                              len(params.customers.segments or [None]))
        self.managers = Managers(env, params.managers, params.horizon_min, streams.manager_duties)
        self.exceptions = ExceptionHandling(env, params, self.managers)
        self.checkout = CheckoutArea(env, params, self.tally, self.log, self.satisfaction, self.exceptions)
        self.floor = FloorArea(env, params, streams)
        self.staff_log = StaffLog(out.bucket_min, run.warmup_min, keep_timeline=out.customers)
        walk = params.policy.cross_training.walk_min
        self.employees = [Employee(env, spec, self.staff_log, self.checkout, self.floor, walk)
                          for spec in hire(params, build_roster(params), streams.staff)]
        self.policy = None
        helpers = [e for e in self.employees if e.spec.cross_trained]
        if params.policy.cross_training.policy == "threshold" and helpers:
            self.policy = ThresholdPolicy(env, params.policy.cross_training, self.checkout, self.floor, helpers,
                                          params.mean_service_min)
        self.door = CustomerSource(env, params, streams, self.checkout.admit, self.checkout.close_doors, script)

    def run(self) -> ReplicationResult:
        """Simulate until the doors are closed and every customer inside has left."""
        self.env.run()
        self.floor.finish()
        end = max(self.env.now, self.params.horizon_min)
        area = self.checkout
        for tracker in (area.queue_len, area.open_lanes, area.busy_lanes):
            tracker.close(end)
        self.staff_log.close(self.employees, end)
        return ReplicationResult(
            kpis=replication_kpis(self, end),
            timeseries=timeseries(self, end),
            customers=self.log.columns() if self.log is not None else None,
            ended_at=end,
            staff_timeline=self.staff_log.timeline if self.staff_log.keep_timeline else None,
        )


def run_replication(params: ScenarioParams, seed: int | np.random.SeedSequence) -> ReplicationResult:
    """Simulate one replication of ``params`` with the random streams of ``seed``."""
    return Store(params, seed).run()
