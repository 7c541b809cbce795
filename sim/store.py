"""The store: builds one replication's door, checkout area and staffing, and runs it.

``run_replication(params, seed)`` is the model's whole interface: a pure function from
parameters and a seed to a :class:`ReplicationResult`.
"""

from __future__ import annotations

import numpy as np
import simpy

from .checkout import CheckoutArea
from .customer import CustomerSource, CustomerStreams
from .kpis import checkout_kpis, timeseries
from .monitor import CustomerTally
from .params import ScenarioParams
from .records import CustomerLog, ReplicationResult
from .staffing import CashierSchedule, cashiers_by_hour


class Store:
    """Wires the parts of one replication together; has no process of its own."""

    def __init__(self, params: ScenarioParams, seed: int | np.random.SeedSequence) -> None:
        params.check()
        self.params = params
        self.env = simpy.Environment()
        self.tally = CustomerTally(params.run.warmup_min, params.standards.target_wait_min, params.output.bucket_min,
                                   params.horizon_min)
        self.log = CustomerLog() if params.output.customers else None
        self.checkout = CheckoutArea(self.env, params, self.tally, self.log)
        self.schedule = CashierSchedule(self.env, cashiers_by_hour(params), self.checkout)
        self.door = CustomerSource(self.env, params, CustomerStreams(seed), self.checkout.admit,
                                   self.checkout.close_doors)

    def run(self) -> ReplicationResult:
        """Simulate until the doors are closed and every customer inside has left."""
        self.env.run()
        end = max(self.env.now, self.params.horizon_min)
        area = self.checkout
        for tracker in (area.queue_len, area.open_lanes, area.busy_lanes):
            tracker.close(end)
        return ReplicationResult(
            kpis=checkout_kpis(self.params, self.tally, area, end),
            timeseries=timeseries(self.params, self.tally, area, end),
            customers=self.log.columns() if self.log is not None else None,
            ended_at=end,
        )


def run_replication(params: ScenarioParams, seed: int | np.random.SeedSequence) -> ReplicationResult:
    """Simulate one replication of ``params`` with the random streams of ``seed``."""
    return Store(params, seed).run()
