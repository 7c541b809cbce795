"""``managers.*``: the managers on duty, who approve exceptions between duties of their own."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import MAX_WAGE, bounded


@dataclass
class ManagerParams:
    """Managers on duty: a shared, limited resource with duties of their own."""

    count: int = bounded(2, 1, 100)
    """Managers (or supervisors who may approve) on duty all day (assumption: two for a store of
    this size)."""
    duties_per_hour: float = bounded(2.0, 0.01, 60, or_zero=True, note="0 for none, at most one a minute")
    """Other duties per hour (deliveries, calls, cash office), each taking a manager away; at most 60.
    The stream keeps going after closing until its next duty is due, which ends the run then
    (assumption: a Poisson stream of duties)."""
    duty_min: float = bounded(6.0, 0, 480, low_open=True)
    """Mean length of a duty (exponential; assumption); a call from a lane waits for its end."""
    wage_per_hour: float = bounded(28.0, 0, MAX_WAGE)
    """Manager wage, paid from opening until the last customer leaves (assumption: about 1.5
    times the cashiers' wage)."""
