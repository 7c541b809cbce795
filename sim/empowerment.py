"""Settling checkout exceptions: the cashier decides, or calls a manager and the lane waits.

``manager_approval``: every exception needs a manager; the lane stops while the manager is
called and walks over (the hold), then the manager decides (``approve_share`` of requests
are granted). ``empowered``: the cashier decides at once, granting a discount, up to
``value_limit``; above it a manager is still called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .customer import Customer, ProcessGenerator
from .manager import Managers
from .params import EmpowermentParams, ExceptionParams

if TYPE_CHECKING:
    from .employee import Employee

AT_ONCE, AFTER_HOLD, UNRESOLVED = "at_once", "after_hold", "unresolved"


class ExceptionHandling:
    """How exceptions are settled at the lanes, with what they cost.

    Attributes:
        holds: hold of every settled exception (0 when decided at once), after warm-up.
        discount_cost: money granted by empowered decisions after warm-up.
    """

    def __init__(self, env: simpy.Environment, policy: EmpowermentParams, exceptions: ExceptionParams,
                 warmup: float, managers: Managers) -> None:
        self.env = env
        self.policy = policy
        self.kinds = exceptions.kinds()
        self.managers = managers
        self.warmup = warmup
        self.empowered = self.policy.policy == "empowered"
        self.holds: list[float] = []
        self.discount_cost = 0.0
        self.outcomes = {AT_ONCE: 0, AFTER_HOLD: 0, UNRESOLVED: 0}

    def settle(self, customer: Customer, cashier: Employee) -> ProcessGenerator:
        """Handle ``customer``'s exception at the lane; returns how it ended."""
        env, policy = self.env, self.policy
        counted = customer.arrived_at >= self.warmup
        yield env.timeout(self.kinds[customer.exception - 1].handling_min / cashier.speed)
        if self.empowered and customer.exception_value <= policy.value_limit:
            yield env.timeout(policy.decision_min)
            outcome, hold = AT_ONCE, 0.0
            if counted:
                self.discount_cost += policy.discount
        else:
            hold = yield from self.managers.approve(policy.manager_walk_min, policy.approval_min)
            outcome = AFTER_HOLD if customer.approval_draw < policy.approve_share else UNRESOLVED
        customer.hold_min = hold
        if counted:
            self.holds.append(hold)
            self.outcomes[outcome] += 1
        return outcome
