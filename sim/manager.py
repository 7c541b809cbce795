"""Managers: a shared, limited resource that lanes call for approvals.

Managers have duties of their own (a Poisson stream of tasks of exponential length). A
lane's call waits for a free manager (calls go before duties, but no duty is cut short),
then for the manager's walk: that wait is the lane's hold. Time freed from calls goes to
the duties, which start sooner and are fewer left undone when the day ends; the managers'
time on calls and on duties is tracked for ``manager_utilization``,
``manager_approval_share``, ``manager_duty_wait_mean`` and ``manager_duty_backlog_min``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import simpy

from .customer import ProcessGenerator
from .dists import BATCH
from .monitor import LevelTracker
from .params import ManagerParams

CALL, DUTY = 0, 1  # request priorities: lanes' calls first


class Managers:
    """The managers on duty.

    Attributes:
        resource: a PriorityResource with one slot per manager.
        on_calls, on_duties: managers busy with a lane's call (walk and decision) and with a
            duty, over time (their ``area`` counts from warm-up).
        duty_waits: minutes each duty that arrived after warm-up waited for a manager.
    """

    def __init__(self, env: simpy.Environment, params: ManagerParams, horizon: float,
                 rng: np.random.Generator, warmup: float) -> None:
        self.env = env
        self.params = params
        self.horizon = horizon
        self.rng = rng
        self.warmup = warmup
        self.resource = simpy.PriorityResource(env, capacity=params.count)
        self.on_calls = LevelTracker(math.inf, warmup)
        self.on_duties = LevelTracker(math.inf, warmup)
        self.duty_waits: list[float] = []
        self._duties_left: dict[int, tuple[float, float]] = {}  # duty -> (length, started at or inf)
        self._duty_ids = itertools.count()
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
        env, key = self.env, next(self._duty_ids)
        arrived = env.now
        self._duties_left[key] = (length, math.inf)
        with self.resource.request(priority=DUTY) as request:
            yield request
            if arrived >= self.warmup:
                self.duty_waits.append(env.now - arrived)
            self._duties_left[key] = (length, env.now)
            self.on_duties.change(env.now, 1)
            yield env.timeout(length)
            self.on_duties.change(env.now, -1)
        del self._duties_left[key]

    def duty_backlog(self, now: float) -> float:
        """Minutes of duty work not done at ``now``: duties waiting, plus what is left of
        those in progress."""
        return math.fsum(length - max(0.0, now - started) if started < math.inf else length
                         for length, started in self._duties_left.values())

    def approve(self, walk_min: float, approval_min: float) -> ProcessGenerator:
        """Call a manager to the lane and wait for the decision; returns the hold in minutes."""
        env = self.env
        called_at = env.now
        with self.resource.request(priority=CALL) as request:
            yield request
            self.on_calls.change(env.now, 1)
            yield env.timeout(walk_min)
            hold = env.now - called_at
            yield env.timeout(approval_min)
            self.on_calls.change(env.now, -1)
        return hold
