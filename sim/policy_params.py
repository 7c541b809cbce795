"""Parameters of exceptions, empowerment, hiring and customer satisfaction.

Money is in the store's currency; durations in minutes. The satisfaction model and the
reasons for its defaults are explained in ``docs/satisfaction.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .checks import Problems, finite

EMPOWERMENT_POLICIES = ("manager_approval", "empowered")
HIRING_POLICIES = ("standard", "experienced", "friendly_trained")
EXCEPTION_KINDS = ("price_match", "returns", "coupon")


@dataclass
class ExceptionKind:
    """One kind of checkout exception."""

    share: float = 0.0
    """Share of checkout transactions with this exception."""
    value_mean: float = 5.0
    """Mean money at stake (exponential across transactions)."""
    handling_min: float = 0.5
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
        for name in EXCEPTION_KINDS:
            kind = getattr(self, name)
            p.need(finite(kind.share) and 0 <= kind.share <= 1, f"{prefix}.{name}.share",
                   "must be a share in [0, 1]", kind.share)
            p.positive(f"{prefix}.{name}", kind, "value_mean")
            p.non_negative(f"{prefix}.{name}", kind, "handling_min")
        total = sum(k.share for k in self.kinds() if finite(k.share))
        p.need(total <= 1, f"{prefix}", "shares of all exception kinds must add up to at most 1", round(total, 6))


@dataclass
class EmpowermentParams:
    """Who decides an exception: a manager, or the cashier up to a value limit."""

    policy: str = "manager_approval"
    """``manager_approval``: the cashier calls a manager and the lane waits (the hold);
    ``empowered``: the cashier decides at once up to ``value_limit``."""
    decision_min: float = 0.3
    """An empowered cashier's decision time."""
    value_limit: float = 20.0
    """Largest value an empowered cashier may decide alone; above it a manager is called."""
    discount: float = 2.0
    """Money granted to the customer with each empowered decision (``discount_cost``)."""
    approval_min: float = 1.0
    """A manager's time at the lane once there."""
    manager_walk_min: float = 1.0
    """A manager's walk to the lane, part of the hold."""
    approve_share: float = 0.85
    """Share of manager decisions that resolve the customer's request."""

    def problems(self, p: Problems, prefix: str = "policy.empowerment") -> None:
        p.choice(f"{prefix}.policy", self.policy, EMPOWERMENT_POLICIES)
        p.non_negative(prefix, self, "decision_min", "value_limit", "discount", "approval_min", "manager_walk_min")
        p.need(finite(self.approve_share) and 0 <= self.approve_share <= 1, f"{prefix}.approve_share",
               "must be a share in [0, 1]", self.approve_share)


@dataclass
class ManagerParams:
    """Managers on duty: a shared, limited resource with duties of their own."""

    count: int = 2
    """Managers (or supervisors who may approve) on duty all day."""
    duties_per_hour: float = 2.0
    """Other duties per hour (deliveries, calls, cash office), each taking a manager away; at most 60."""
    duty_min: float = 6.0
    """Mean length of a duty (exponential); a call from a lane waits for its end."""
    wage_per_hour: float = 28.0

    def problems(self, p: Problems, prefix: str = "managers") -> None:
        p.need(isinstance(self.count, int) and self.count >= 1, f"{prefix}.count", "must be an integer >= 1", self.count)
        p.non_negative(prefix, self, "duties_per_hour", "wage_per_hour")
        p.need(not finite(self.duties_per_hour) or self.duties_per_hour <= 60, f"{prefix}.duties_per_hour",
               "must be at most 60 (one a minute)", self.duties_per_hour)
        p.positive(prefix, self, "duty_min")


@dataclass
class HiringParams:
    """The workforce mix: what the people the store hires are like."""

    policy: str = "standard"
    """``standard`` keeps staffing.speed and staffing.friendliness for everyone; the other
    profiles draw each employee's speed and friendliness as below."""
    speed_trained: float = 1.0
    """Work rate once fully trained."""
    start_speed: float = 1.0
    """Work rate on the first day, as a share of ``speed_trained``."""
    learning_days: float = 30.0
    """Time constant of the learning curve: the gap to full speed shrinks by e every this many days."""
    friendliness_mean: float = 0.7
    friendliness_sd: float = 0.1
    tenure_days_mean: float = 365.0
    """Mean days since hire (exponential across employees)."""
    tenure_days: Optional[float] = None
    """If set, every employee was hired this many days ago (for what-ifs and tests)."""
    temporary: int = 0
    """Seasonal temporary cashiers added between ``temporary_start_hour`` and ``temporary_end_hour``."""
    temporary_start_hour: float = 16.0
    temporary_end_hour: float = 20.0
    temporary_days: float = 5.0
    """Days since hire of the temporary cashiers."""

    def problems(self, p: Problems, prefix: str = "policy.hiring") -> None:
        p.choice(f"{prefix}.policy", self.policy, HIRING_POLICIES)
        p.positive(prefix, self, "speed_trained", "learning_days", "tenure_days_mean")
        p.need(finite(self.start_speed) and 0 < self.start_speed <= 1, f"{prefix}.start_speed",
               "must be a share in (0, 1]", self.start_speed)
        p.need(finite(self.friendliness_mean) and 0 <= self.friendliness_mean <= 1, f"{prefix}.friendliness_mean",
               "must be a share in [0, 1]", self.friendliness_mean)
        p.non_negative(prefix, self, "friendliness_sd", "temporary_days")
        if self.tenure_days is not None:
            p.non_negative(prefix, self, "tenure_days")
        p.need(isinstance(self.temporary, int) and self.temporary >= 0, f"{prefix}.temporary",
               "must be an integer >= 0", self.temporary)
        p.need(finite(self.temporary_start_hour) and finite(self.temporary_end_hour)
               and self.temporary_start_hour < self.temporary_end_hour, f"{prefix}.temporary_end_hour",
               "must be after policy.hiring.temporary_start_hour", self.temporary_end_hour)


@dataclass
class SatisfactionParams:
    """Each customer's score (1..5) by expectation-disconfirmation; see docs/satisfaction.md."""

    base: float = 3.6
    """Score when the wait matched the expectation, courtesy was average and nothing went wrong."""
    wait_weight: float = 1.2
    """Points per unit of relative disconfirmation (expected - perceived) / expected."""
    worst_disconfirmation: float = -3.0
    """Floor of the relative disconfirmation (a wait 4x the expected one counts as -3)."""
    informed: bool = False
    """The store keeps customers informed (a wait-time display): waits feel shorter."""
    informed_factor: float = 0.75
    """Perceived wait as a share of the actual wait when informed."""
    courtesy_weight: float = 1.5
    """Points for courtesy: times (friendliness of the server - 0.5)."""
    resolved_at_once: float = 0.3
    """Competence: an exception settled on the spot."""
    resolved_after_hold: float = -0.4
    """Competence: settled after waiting for a manager."""
    unresolved: float = -1.5
    """Competence: the request was refused or left unsettled."""
    delighted_at: float = 4.5
    """Scores at or above this are delighted."""
    satisfied_at: float = 3.0
    """Scores at or above this (and below delighted) are satisfied; below, dissatisfied."""

    COMPETENCE_RANGE = (-4.0, 4.0)
    """Competence points move a 1..5 score by at most its whole span."""

    def problems(self, p: Problems, prefix: str = "satisfaction") -> None:
        p.non_negative(prefix, self, "wait_weight", "courtesy_weight")
        low, high = self.COMPETENCE_RANGE
        points = ("resolved_at_once", "resolved_after_hold", "unresolved")
        for name in points:
            value = getattr(self, name)
            p.need(finite(value) and low <= value <= high, f"{prefix}.{name}",
                   f"must be a number of points in [{low:g}, {high:g}]", value)
        if all(finite(getattr(self, name)) and low <= getattr(self, name) <= high for name in points):
            p.need(self.resolved_at_once >= self.resolved_after_hold >= self.unresolved, f"{prefix}.unresolved",
                   "must not exceed satisfaction.resolved_after_hold, which must not exceed "
                   "satisfaction.resolved_at_once (a settled request pleases at least as much as one settled "
                   "after a hold, and that at least as much as a refused one)",
                   [self.resolved_at_once, self.resolved_after_hold, self.unresolved])
        p.need(finite(self.informed_factor) and 0 < self.informed_factor <= 1, f"{prefix}.informed_factor",
               "must be a share in (0, 1]", self.informed_factor)
        p.need(finite(self.worst_disconfirmation) and self.worst_disconfirmation < 0,
               f"{prefix}.worst_disconfirmation", "must be a number < 0", self.worst_disconfirmation)
        p.need(finite(self.base) and 1 <= self.base <= 5, f"{prefix}.base", "must be a score in [1, 5]", self.base)
        p.need(finite(self.satisfied_at) and finite(self.delighted_at) and 1 <= self.satisfied_at < self.delighted_at <= 5,
               f"{prefix}.delighted_at", "must be above satisfaction.satisfied_at, both scores in [1, 5]",
               [self.satisfied_at, self.delighted_at])
