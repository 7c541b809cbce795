"""``standards.*``: the store's service standards, which the KPIs are reported against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..checks import MAX_TASK_MIN, bounded


@dataclass
class StandardsParams:
    """The store's service standards."""

    target_wait_min: float = bounded(3.0, 0, MAX_TASK_MIN)
    """A customer counts as served on standard if service begins within this wait."""
    service_level: float = bounded(0.8, 0, 1, what="a share")
    """Required share of arriving customers served within ``target_wait_min``."""
    min_csat: Optional[float] = bounded(None, 0, 1, what="a share")
    """Optional minimum share of satisfied or delighted customers."""
    max_abandon_rate: Optional[float] = bounded(None, 0, 1, what="a share")
    """Optional maximum share of customers who balk or renege."""
