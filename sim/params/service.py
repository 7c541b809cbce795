"""``service.*``: the time a customer spends with the cashier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..checks import MAX_CV, MAX_TASK_MIN, Problems, bounded

SERVICE_DISTRIBUTIONS = ("exponential", "lognormal", "gamma", "deterministic")


@dataclass
class ServiceParams:
    """Time at the cashier: ``fixed_min + per_item_min * items`` or a plain mean."""

    distribution: str = "lognormal"
    """One of exponential, lognormal, gamma, deterministic."""
    mean_min: Optional[float] = bounded(None, 0.01, MAX_TASK_MIN)
    """If set, every customer's mean service time, ignoring the basket."""
    fixed_min: float = bounded(1.0, 0, MAX_TASK_MIN)
    """Time per transaction independent of the basket (payment, greeting)."""
    per_item_min: float = bounded(0.05, 0, 10)
    """Scanning time per item."""
    cv: float = bounded(0.5, 0, MAX_CV)
    """Coefficient of variation around a customer's mean (lognormal, gamma; exponential is 1)."""

    def problems(self, p: Problems, prefix: str = "service") -> None:
        """A known distribution, some time per customer, and a spread the distribution can take."""
        p.choice(f"{prefix}.distribution", self.distribution, SERVICE_DISTRIBUTIONS)
        if self.mean_min is None and p.clear(f"{prefix}.fixed_min", f"{prefix}.per_item_min"):
            p.need(not (self.fixed_min == 0 and self.per_item_min == 0), f"{prefix}.fixed_min",
                   "and service.per_item_min cannot both be 0", self.fixed_min)
        p.min_cv(f"{prefix}.cv", self.cv, self.distribution)
