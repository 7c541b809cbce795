"""Managers: a shared, limited resource that lanes call for approvals.

Managers have duties of their own (a Poisson stream of tasks of exponential length). A
lane's call waits for a free manager (calls go before duties, but no duty is cut short),
then for the manager's walk: that wait is the lane's hold.
"""

from __future__ import annotations

import numpy as np
import simpy

from .customer import ProcessGenerator
from .dists import BATCH
from .params import ManagerParams

CALL, DUTY = 0, 1  # request priorities: lanes' calls first


class Managers:
    """The managers on duty.

    Attributes:
        resource: a PriorityResource with one slot per manager.
    """

    def __init__(self, env: simpy.Environment, params: ManagerParams, horizon: float,
                 rng: np.random.Generator) -> None:
        self.env = env
        self.params = params
        self.horizon = horizon
        self.rng = rng
        self.resource = simpy.PriorityResource(env, capacity=params.count)
        if params.duties_per_hour > 0:
            env.process(self.other_duties())

    def other_duties(self) -> ProcessGenerator:
        """Duties arrive all day and each keeps one manager busy for a while."""
        env, rate = self.env, self.params.duties_per_hour / 60.0
        while True:
            gaps = self.rng.exponential(1.0 / rate, BATCH).tolist()
            lengths = self.rng.exponential(self.params.duty_min, BATCH).tolist()
            for gap, length in zip(gaps, lengths):
                yield env.timeout(gap)
                if env.now >= self.horizon:
                    return
                env.process(self._duty(length))

    def _duty(self, length: float) -> ProcessGenerator:
        with self.resource.request(priority=DUTY) as request:
            yield request
            yield self.env.timeout(length)

    def approve(self, walk_min: float, approval_min: float) -> ProcessGenerator:
        """Call a manager to the lane and wait for the decision; returns the hold in minutes."""
        env = self.env
        called_at = env.now
        with self.resource.request(priority=CALL) as request:
            yield request
            yield env.timeout(walk_min)
            hold = env.now - called_at
            yield env.timeout(approval_min)
        return hold
