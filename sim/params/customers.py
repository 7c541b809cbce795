"""``customers.*``: what each customer brings, and the optional customer segments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..checks import MAX_CV, MAX_MONEY, MAX_TASK_MIN, Problems, bounded


@dataclass
class SegmentParams:
    """A group of customers who expect and tolerate waits differently."""

    name: str = "regular"
    """Used in KPI names: ``csat_<name>``, ``satisfaction_mean_<name>``."""
    share: float = bounded(1.0, 0, 1, what="a share")
    """Share of customers in this segment."""
    expected_wait_factor: float = bounded(1.0, 0.01, 100)
    """The segment's expected waits, relative to ``customers.expected_wait_mean_min``."""
    patience_factor: float = bounded(1.0, 0.01, 100)
    """The segment's patience, relative to ``abandonment.patience_mean_min``."""


@dataclass
class CustomerParams:
    """What each customer brings: basket, expected wait, value, and optionally a segment."""

    basket_mean_items: float = bounded(18.0, 1, 500)
    """Mean basket size in items (at least one item each)."""
    basket_cv: float = bounded(0.9, 0, MAX_CV)
    """Coefficient of variation of the basket size (negative binomial above one item)."""
    expected_wait_mean_min: float = bounded(4.0, 0.01, MAX_TASK_MIN)
    """Mean wait a customer expects at checkout (lognormal across customers)."""
    expected_wait_cv: float = bounded(0.5, 0, MAX_CV)
    """Coefficient of variation of the expected wait."""
    value_per_item: float = bounded(3.0, 0, MAX_MONEY)
    """Spend per item, used for lost sales when a customer abandons."""
    segments: Optional[list[SegmentParams]] = None
    """Customer segments (null: one kind of customer); satisfaction KPIs are also given per segment."""

    def problems(self, p: Problems, prefix: str = "customers") -> None:
        """Segments, if any: at least one, distinct word names, shares adding up to 1."""
        if self.segments is not None:
            self._segment_problems(p, f"{prefix}.segments")

    def _segment_problems(self, p: Problems, key: str) -> None:
        names = [s.name for s in self.segments]
        p.need(len(self.segments) >= 1, key, "needs at least one segment (or null)", self.segments)
        p.need(all(isinstance(n, str) and n.isidentifier() for n in names) and len(set(names)) == len(names),
               key, "names must be distinct words of letters, digits and _", names)
        if p.clear(key):
            total = sum(s.share for s in self.segments)
            p.need(abs(total - 1) < 1e-9, key, "shares must add up to 1", round(total, 9))
