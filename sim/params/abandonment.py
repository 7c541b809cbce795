"""``abandonment.*``: customers who refuse to join a line (balking) or leave it (reneging)."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import MAX_CV, MAX_TASK_MIN, Problems, bounded

PATIENCE_DISTRIBUTIONS = ("exponential", "lognormal")


@dataclass
class AbandonmentParams:
    """Balking (line too long on arrival) and reneging (patience runs out)."""

    balking: bool = True
    """Customers refuse to join when the line ahead of them is too long."""
    balk_line_len: int = bounded(6, 1, 1000)
    """People ahead (per open lane for a pooled line) at which a customer balks."""
    reneging: bool = True
    """Customers leave the line when their patience runs out."""
    patience_distribution: str = "lognormal"
    """One of exponential, lognormal."""
    patience_mean_min: float = bounded(12.0, 0.01, MAX_TASK_MIN)
    """Mean patience in minutes."""
    patience_cv: float = bounded(0.6, 0, MAX_CV)
    """Coefficient of variation of patience (lognormal only)."""

    def problems(self, p: Problems, prefix: str = "abandonment") -> None:
        """True or false switches, a known distribution and a spread it can take."""
        p.flag(prefix, self, "balking", "reneging")
        p.choice(f"{prefix}.patience_distribution", self.patience_distribution, PATIENCE_DISTRIBUTIONS)
        p.min_cv(f"{prefix}.patience_cv", self.patience_cv, self.patience_distribution)
