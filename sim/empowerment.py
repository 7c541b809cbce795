"""Settling checkout exceptions: the cashier decides, or calls a manager and the lane waits.

Every request has a right answer, to grant it (with probability ``approve_share``, the
manager's grant rate) or to refuse it. ``manager_approval``: every exception needs a
manager; the lane stops while the manager is called and walks over (the hold), then the
manager gives the right answer. ``empowered``: up to ``value_limit`` the cashier decides at
once and is right with probability

    accuracy = accuracy_max - (accuracy_max - decision_accuracy)
                              * exp(-training_hours / training_scale_hours - days / experience_scale_days)

(``days``: the cashier's days since hire; ``decision_accuracy`` comes from the hiring
profile; assumption, see docs/policies.md); above the limit a manager is still called.
A wrong grant gives away the value at stake (``discount_cost``); a wrong refusal leaves
the customer refused (scored as ``unresolved``) and, with probability
``wrong_refusal_lost_sale``, loses the sale (the basket, in ``lost_sales``).

The three draws a decision needs come from the customer's one uniform ``approval_draw``:
below ``approve_share`` the right answer is to grant, and the draw's position within that
part (or the other) is again uniform and decides whether the cashier is right, and so on.
So the manager's answers are those of ``manager_approval``, and a more accurate cashier is
right on every request a less accurate one is right on (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import simpy

from .customer import Customer, ProcessGenerator
from .manager import Managers
from .params import EmpowermentParams, ExceptionParams, HiringParams
from .roster import EmployeeSpec

if TYPE_CHECKING:
    from .employee import Employee

AT_ONCE, AFTER_HOLD, UNRESOLVED = "at_once", "after_hold", "unresolved"


def decision_accuracy(days_since_hire: float, policy: EmpowermentParams, hiring: HiringParams) -> float:
    """Probability (0..1) that an empowered cashier hired ``days_since_hire`` days ago
    decides an exception right, after ``policy.training_hours`` of training."""
    gap = policy.accuracy_max - hiring.decision_accuracy
    learnt = policy.training_hours / policy.training_scale_hours + days_since_hire / policy.experience_scale_days
    return policy.accuracy_max - gap * math.exp(-learnt)


def may_decide(spec: EmployeeSpec) -> bool:
    """Whether an employee may work a lane, and so decides exceptions when empowered."""
    return spec.home_role == "checkout" or spec.cross_trained


def training_cost_per_day(policy: EmpowermentParams, staff: Iterable[EmployeeSpec]) -> float:
    """Training paid per day: ``training_hours`` x wage / ``training_horizon_days`` for every
    employee who may work a lane, when empowered (else 0).

    The training is a one-off cost spread evenly over ``training_horizon_days``, so one
    simulated day carries its share. (A run of several days in a row would pay it once, on
    the first day, and spread it over the days run.)
    """
    if policy.policy != "empowered":
        return 0.0
    return sum(policy.training_hours * s.wage_per_hour / policy.training_horizon_days
               for s in staff if may_decide(s))


class ExceptionHandling:
    """How exceptions are settled at the lanes, with what they cost.

    Attributes (all after warm-up):
        holds: hold of every settled exception (0 when decided at once).
        outcomes: what the customers got (``at_once``, ``after_hold``, ``unresolved``) -> count.
        decisions: requests decided by cashiers.
        wrong_grants, wrong_refusals: of these, the ones decided wrong each way.
        discount_cost: value given away by wrong grants.
        sales_lost, lost_items: baskets left behind by customers wrongly refused, and their items.
    """

    def __init__(self, env: simpy.Environment, policy: EmpowermentParams, hiring: HiringParams,
                 exceptions: ExceptionParams, warmup: float, managers: Managers) -> None:
        self.env = env
        self.policy = policy
        self.hiring = hiring
        self.kinds = exceptions.kinds()
        self.managers = managers
        self.warmup = warmup
        self.empowered = self.policy.policy == "empowered"
        self.holds: list[float] = []
        self.outcomes = {AT_ONCE: 0, AFTER_HOLD: 0, UNRESOLVED: 0}
        self.decisions = self.wrong_grants = self.wrong_refusals = 0
        self.discount_cost = 0.0
        self.sales_lost = self.lost_items = 0
        self._accuracy: dict[float, float] = {}
        self.decided: tuple[Customer, bool] | None = None
        """The last decision a cashier took alone: (the customer, whether it was right); the
        lane reads it for the staff scorecard."""

    def accuracy(self, cashier: Employee) -> float:
        """``cashier``'s decision accuracy (``decision_accuracy``)."""
        days = cashier.spec.days_since_hire
        if days not in self._accuracy:
            self._accuracy[days] = decision_accuracy(days, self.policy, self.hiring)
        return self._accuracy[days]

    def settle(self, customer: Customer, cashier: Employee) -> ProcessGenerator:
        """Handle ``customer``'s exception at the lane; returns how it ended for the customer."""
        env, policy = self.env, self.policy
        counted = customer.arrived_at >= self.warmup
        yield env.timeout(self.kinds[customer.exception - 1].handling_min / cashier.speed)
        if self.empowered and customer.exception_value <= policy.value_limit:
            yield env.timeout(policy.decision_min)
            hold = 0.0
            granted = self._cashier_decides(customer, self.accuracy(cashier), counted)
            outcome = AT_ONCE if granted else UNRESOLVED
        else:
            hold = yield from self.managers.approve(policy.manager_walk_min, policy.approval_min)
            outcome = AFTER_HOLD if customer.approval_draw < policy.approve_share else UNRESOLVED
        customer.hold_min = hold
        if counted:
            self.holds.append(hold)
            self.outcomes[outcome] += 1
        return outcome

    def _cashier_decides(self, customer: Customer, accuracy: float, counted: bool) -> bool:
        """Whether a cashier of this ``accuracy`` grants ``customer``'s request; tallies the
        wrong decisions and what they cost."""
        grant_rate, u = self.policy.approve_share, customer.approval_draw
        should_grant = u < grant_rate
        v = u / grant_rate if should_grant else (u - grant_rate) / (1.0 - grant_rate)  # uniform again
        if counted:
            self.decisions += 1
        self.decided = (customer, v < accuracy)
        if v < accuracy:
            return should_grant
        if counted:
            if should_grant:
                self.wrong_refusals += 1
                if (v - accuracy) / (1.0 - accuracy) < self.policy.wrong_refusal_lost_sale:
                    self.sales_lost += 1
                    self.lost_items += customer.items
            else:
                self.wrong_grants += 1
                self.discount_cost += customer.exception_value
        return not should_grant
