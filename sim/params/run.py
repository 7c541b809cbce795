"""``run.*``: replications, seeds and the observed time window (minutes since opening)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..checks import MAX_HORIZON_MIN, Problems, bounded


@dataclass
class RunParams:
    """Replications, seeds and the observed time window."""

    replications: int = bounded(10, 1, 10_000)
    """Independent replications (store days) to run; all are held in memory until the end."""
    seed: int = bounded(12345, 0, 2**63 - 1)
    """Master seed; replication k always sees the same customers for the same seed."""
    horizon_min: Optional[float] = bounded(None, 1, MAX_HORIZON_MIN)
    """Minutes the doors stay open; null means from store.open_hour to store.close_hour."""
    warmup_min: float = bounded(0.0, 0, MAX_HORIZON_MIN)
    """Statistics ignore customers arriving, and time, before this minute."""
    days: int = bounded(1, 1, 1096)
    """Days each replication runs. 1: one day that stands alone (the model of a single day). More:
    a sequence of days over a population of households who remember their visits
    (``households.*``, ``sim/days.py``); 91 is a quarter (``experiment=quarter``), 1096 three years."""
    jobs: int = bounded(1, 1, 1024)
    """Worker processes for the replications (results do not depend on it)."""

    def problems(self, p: Problems, horizon_min: float | None, prefix: str = "run") -> None:
        """Given the opening time (``horizon_min``, once it is known to be fine), the warm-up
        is shorter."""
        if horizon_min is not None and p.clear(f"{prefix}.warmup_min"):
            p.need(self.warmup_min < horizon_min, f"{prefix}.warmup_min", "must be shorter than the opening time",
                   self.warmup_min)
