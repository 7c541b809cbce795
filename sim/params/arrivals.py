"""``arrivals.*``: customers arriving at checkout, per hour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checks import MAX_RATE_PER_HOUR, Problems, bounded

# Customers per hour arriving at checkout, 08:00 ... 21:00 (14 opening hours).
DEFAULT_PROFILE = [60, 90, 120, 150, 180, 160, 130, 130, 170, 250, 260, 190, 120, 70]


@dataclass
class ArrivalParams:
    """Customers arriving at checkout: a Poisson process, constant or changing by the hour."""

    rate_per_hour: Any = bounded(low=0, high=MAX_RATE_PER_HOUR, per_hour=True, default_factory=lambda: list(DEFAULT_PROFILE))
    """Customers per hour arriving at checkout: one rate for the whole day, or a list with one
    rate per opening hour (non-homogeneous Poisson, by thinning)."""

    def problems(self, p: Problems, hours: int, prefix: str = "arrivals") -> None:
        """A list needs one rate per opening hour (``hours``)."""
        p.hour_count(f"{prefix}.rate_per_hour", self.rate_per_hour, hours)
