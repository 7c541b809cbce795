"""``floor.*``: customers who need help in the aisles, the floor staff's own work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checks import MAX_CV, MAX_RATE_PER_HOUR, MAX_TASK_MIN, MIN_CV, Problems, bounded


@dataclass
class FloorParams:
    """Customers who need help in the aisles: the floor staff's real work."""

    rate_per_hour: Any = bounded(18.0, 0, MAX_RATE_PER_HOUR, per_hour=True)
    """Requests for help per hour: one rate for the whole day, or one per opening hour."""
    service_mean_min: float = bounded(4.0, 0.01, MAX_TASK_MIN)
    """Mean time to help one customer (lognormal)."""
    service_cv: float = bounded(0.8, MIN_CV, MAX_CV)
    """Coefficient of variation of the help time."""
    patience_mean_min: float = bounded(8.0, 0.01, MAX_TASK_MIN)
    """Mean patience of a customer waiting for help (exponential)."""

    def problems(self, p: Problems, hours: int, prefix: str = "floor") -> None:
        """A list needs one rate per opening hour (``hours``)."""
        p.hour_count(f"{prefix}.rate_per_hour", self.rate_per_hour, hours)
