"""``store.*``: the building, its lanes and its opening hours (clock hours of the day)."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import MAX_CLOCK_HOUR, MAX_LANES, Problems, bounded


@dataclass
class StoreParams:
    """The building: lanes and opening hours."""

    lanes: int = bounded(10, 1, MAX_LANES)
    """Checkout lanes in the store (each needs a cashier to be open)."""
    express_lanes: int = bounded(2, 0, MAX_LANES - 1)
    """How many of the lanes are express lanes (per-lane lines only)."""
    express_limit: int = bounded(12, 1, 1000)
    """Largest basket, in items, allowed in an express lane."""
    open_hour: float = bounded(8.0, 0, 24, high_open=True, what="a clock hour")
    """Clock hour the doors open; simulated time 0 is this hour."""
    close_hour: float = bounded(22.0, 0, 48, low_open=True, what="a clock hour")
    """Clock hour the doors close; customers inside are still served."""
    peak_start_hour: float = bounded(17.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Start of the evening peak that the ``peak_*`` KPIs single out."""
    peak_end_hour: float = bounded(19.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """End of the evening peak (a peak outside the opening hours leaves the ``peak_*`` KPIs null)."""
    self_checkout_kiosks: int = bounded(0, 0, 100)
    """Self-checkout kiosks beside the lanes, with one pooled line for the bank (0: none;
    ``self_checkout.*`` says who uses them, ``staffing.attendants`` who attends them)."""

    def problems(self, p: Problems, prefix: str = "store") -> None:
        """The relations between the keys (each key's range is checked by ``Problems.within_ranges``)."""
        if p.clear(f"{prefix}.lanes", f"{prefix}.express_lanes"):
            p.need(self.express_lanes < self.lanes, f"{prefix}.express_lanes",
                   f"must be an integer between 0 and store.lanes - 1 ({self.lanes - 1})", self.express_lanes)
        if p.clear(f"{prefix}.open_hour", f"{prefix}.close_hour"):
            p.need(0 < self.close_hour - self.open_hour <= 24, f"{prefix}.close_hour",
                   "must be after store.open_hour and at most 24 hours later", self.close_hour)
        if p.clear(f"{prefix}.peak_start_hour", f"{prefix}.peak_end_hour"):
            p.need(self.peak_end_hour > self.peak_start_hour, f"{prefix}.peak_end_hour",
                   f"must be after store.peak_start_hour ({self.peak_start_hour:g})", self.peak_end_hour)
