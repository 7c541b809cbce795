"""Parameters of exceptions, empowerment, hiring and customer satisfaction.

Money is in the store's currency; durations in minutes. The satisfaction model and the
reasons for its defaults are explained in ``docs/satisfaction.md``. Each number's range is
declared with it (``bounded``) and tabled in ``docs/ranges.md``.
"""


from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .checks import MAX_MONEY, MAX_SPEED, MAX_TASK_MIN, MAX_CLOCK_HOUR, MAX_LANES, MAX_WAGE, MIN_SPEED, Problems, bounded

EMPOWERMENT_POLICIES = ("manager_approval", "empowered")
HIRING_POLICIES = ("standard", "experienced", "friendly_trained")
EXCEPTION_KINDS = ("price_match", "returns", "coupon")

MAX_DAYS = 50 * 365.0
"""Days since hire: a working life."""


@dataclass
class ExceptionKind:
    """One kind of checkout exception."""

    share: float = bounded(0.0, 0, 1, what="a share")
    """Share of checkout transactions with this exception."""
    value_mean: float = bounded(5.0, 0, MAX_MONEY, low_open=True)
    """Mean money at stake (exponential across transactions)."""
    handling_min: float = bounded(0.5, 0, MAX_TASK_MIN)
    """Extra time at the lane to process it, on top of any decision or hold."""


@dataclass
class ExceptionParams:
    """Transactions that need a decision: price matches, returns, coupons."""

    price_match: ExceptionKind = field(default_factory=lambda: ExceptionKind(0.02, 6.0, 0.5))
    returns: ExceptionKind = field(default_factory=lambda: ExceptionKind(0.01, 25.0, 1.0))
    coupon: ExceptionKind = field(default_factory=lambda: ExceptionKind(0.03, 3.0, 0.3))

    def kinds(self) -> list[ExceptionKind]:
        return [getattr(self, name) for name in EXCEPTION_KINDS]

    def problems(self, p: Problems, prefix: str = "exceptions") -> None:
        if p.clear(*(f"{prefix}.{name}.share" for name in EXCEPTION_KINDS)):
            total = sum(k.share for k in self.kinds())
            p.need(total <= 1, f"{prefix}", "shares of all exception kinds must add up to at most 1", round(total, 6))


@dataclass
class EmpowermentParams:
    """Who decides an exception: a manager, or the cashier up to a value limit."""

    policy: str = "manager_approval"
    """``manager_approval``: the cashier calls a manager and the lane waits (the hold);
    ``empowered``: the cashier decides at once up to ``value_limit``."""
    decision_min: float = bounded(0.3, 0, MAX_TASK_MIN)
    """An empowered cashier's decision time."""
    value_limit: float = bounded(20.0, 0, MAX_MONEY)
    """Largest value an empowered cashier may decide alone; above it a manager is called."""
    discount: float = bounded(2.0, 0, MAX_MONEY)
    """Money granted to the customer with each empowered decision (``discount_cost``)."""
    approval_min: float = bounded(1.0, 0, MAX_TASK_MIN)
    """A manager's time at the lane once there."""
    manager_walk_min: float = bounded(1.0, 0, 60)
    """A manager's walk to the lane, part of the hold."""
    approve_share: float = bounded(0.85, 0, 1, what="a share")
    """Share of manager decisions that resolve the customer's request."""

    def problems(self, p: Problems, prefix: str = "policy.empowerment") -> None:
        p.choice(f"{prefix}.policy", self.policy, EMPOWERMENT_POLICIES)


@dataclass
class ManagerParams:
    """Managers on duty: a shared, limited resource with duties of their own."""

    count: int = bounded(2, 1, 100)
    """Managers (or supervisors who may approve) on duty all day."""
    duties_per_hour: float = bounded(2.0, 0.01, 60, or_zero=True, note="0 for none, at most one a minute")
    """Other duties per hour (deliveries, calls, cash office), each taking a manager away; at most 60.
    The stream keeps going after closing until its next duty is due, which ends the run then."""
    duty_min: float = bounded(6.0, 0, 480, low_open=True)
    """Mean length of a duty (exponential); a call from a lane waits for its end."""
    wage_per_hour: float = bounded(28.0, 0, MAX_WAGE)
    """Manager wage, paid from opening until the last customer leaves."""


@dataclass
class HiringParams:
    """The workforce mix: what the people the store hires are like."""

    policy: str = "standard"
    """``standard`` keeps staffing.speed and staffing.friendliness for everyone; the other
    profiles draw each employee's speed and friendliness as below."""
    speed_trained: float = bounded(1.0, MIN_SPEED, MAX_SPEED)
    """Work rate once fully trained."""
    start_speed: float = bounded(1.0, MIN_SPEED, 1, what="a share")
    """Work rate on the first day, as a share of ``speed_trained``."""
    learning_days: float = bounded(30.0, 0.1, 10 * 365)
    """Time constant of the learning curve: the gap to full speed shrinks by e every this many days."""
    friendliness_mean: float = bounded(0.7, 0, 1, what="a share")
    """Mean courtesy of the people hired (normal, clipped to 0..1)."""
    friendliness_sd: float = bounded(0.1, 0, 1)
    """Spread of the courtesy of the people hired."""
    tenure_days_mean: float = bounded(365.0, 0, MAX_DAYS, low_open=True)
    """Mean days since hire (exponential across employees)."""
    tenure_days: Optional[float] = bounded(None, 0, MAX_DAYS)
    """If set, every employee was hired this many days ago (for what-ifs and tests)."""
    temporary: int = bounded(0, 0, MAX_LANES)
    """Seasonal temporary cashiers added between ``temporary_start_hour`` and ``temporary_end_hour``."""
    temporary_start_hour: float = bounded(16.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Clock hour the temporary cashiers start."""
    temporary_end_hour: float = bounded(20.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Clock hour the temporary cashiers leave."""
    temporary_days: float = bounded(5.0, 0, MAX_DAYS)
    """Days since hire of the temporary cashiers."""

    def problems(self, p: Problems, prefix: str = "policy.hiring") -> None:
        p.choice(f"{prefix}.policy", self.policy, HIRING_POLICIES)
        if p.clear(f"{prefix}.temporary_start_hour", f"{prefix}.temporary_end_hour"):
            p.need(self.temporary_start_hour < self.temporary_end_hour, f"{prefix}.temporary_end_hour",
                   "must be after policy.hiring.temporary_start_hour", self.temporary_end_hour)


COMPETENCE_RANGE = (-4.0, 4.0)
"""Competence points move a 1..5 score by at most its whole span."""


@dataclass
class SatisfactionParams:
    """Each customer's score (1..5) by expectation-disconfirmation; see docs/satisfaction.md."""

    base: float = bounded(3.6, 1, 5, what="a score")
    """Score when the wait matched the expectation, courtesy was average and nothing went wrong."""
    wait_weight: float = bounded(1.2, 0, 10)
    """Points per unit of relative disconfirmation (expected - perceived) / expected."""
    worst_disconfirmation: float = bounded(-3.0, -100, 0, high_open=True)
    """Floor of the relative disconfirmation (a wait 4x the expected one counts as -3)."""
    informed: bool = False
    """The store keeps customers informed (a wait-time display): waits feel shorter."""
    informed_factor: float = bounded(0.75, 0, 1, low_open=True, what="a share")
    """Perceived wait as a share of the actual wait when informed."""
    courtesy_weight: float = bounded(1.5, 0, 10)
    """Points for courtesy: times (friendliness of the server - 0.5)."""
    resolved_at_once: float = bounded(0.3, *COMPETENCE_RANGE, what="a number of points")
    """Competence: an exception settled on the spot."""
    resolved_after_hold: float = bounded(-0.4, *COMPETENCE_RANGE, what="a number of points")
    """Competence: settled after waiting for a manager."""
    unresolved: float = bounded(-1.5, *COMPETENCE_RANGE, what="a number of points")
    """Competence: the request was refused or left unsettled."""
    delighted_at: float = bounded(4.5, 1, 5, what="a score")
    """Scores at or above this are delighted."""
    satisfied_at: float = bounded(3.0, 1, 5, what="a score")
    """Scores at or above this (and below delighted) are satisfied; below, dissatisfied."""

    COMPETENCE_RANGE = COMPETENCE_RANGE

    def problems(self, p: Problems, prefix: str = "satisfaction") -> None:
        if p.clear(*(f"{prefix}.{name}" for name in ("resolved_at_once", "resolved_after_hold", "unresolved"))):
            p.need(self.resolved_at_once >= self.resolved_after_hold >= self.unresolved, f"{prefix}.unresolved",
                   "must not exceed satisfaction.resolved_after_hold, which must not exceed "
                   "satisfaction.resolved_at_once (a settled request pleases at least as much as one settled "
                   "after a hold, and that at least as much as a refused one)",
                   [self.resolved_at_once, self.resolved_after_hold, self.unresolved])
        if p.clear(f"{prefix}.satisfied_at", f"{prefix}.delighted_at"):
            p.need(self.satisfied_at < self.delighted_at, f"{prefix}.delighted_at",
                   "must be above satisfaction.satisfied_at, both scores in [1, 5]",
                   [self.satisfied_at, self.delighted_at])
