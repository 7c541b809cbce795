"""Statistics accumulated online while a replication runs.

``LevelTracker`` integrates a time-persistent quantity (line length, open lanes, busy
cashiers) over time, per time bucket and over the observed window after warm-up.
``CustomerTally`` counts customers and keeps their waits, so no per-customer object
outlives the customer.
"""

from __future__ import annotations

import math
from array import array


class LevelTracker:
    """Time-weighted integral of a level that changes at discrete moments.

    Attributes:
        level: the current value.
        max_level: the largest value seen after warm-up.
        area: integral of the level over the observed window ``[warmup, now]``.
        bucket_area: integral of the level within each time bucket.
    """

    def __init__(self, bucket_min: float, warmup: float = 0.0, level: float = 0.0) -> None:
        self.bucket_min = bucket_min
        self.warmup = warmup
        self.level = level
        self.max_level = level
        self.last_at = 0.0
        self.area = 0.0
        self.bucket_area: list[float] = []

    def change(self, now: float, delta: float) -> None:
        """The level moves by ``delta`` at ``now``."""
        if now != self.last_at:
            self._add(self.last_at, now, self.level)
            self.last_at = now
        self.level += delta
        if self.level > self.max_level and now >= self.warmup:
            self.max_level = self.level

    def correct(self, since: float, now: float, delta: float) -> None:
        """The level in fact moved by ``delta`` at ``since`` (in the past), learnt only ``now``.

        Used for customers whose patience ran out unseen; ``now`` must be the tracker's
        latest change or later.
        """
        self.change(now, 0.0)
        if now > since:
            self._add(since, now, delta)
        self.level += delta

    def close(self, now: float) -> None:
        """Account for the level up to ``now`` (end of the replication)."""
        self.change(now, 0.0)

    def _add(self, start: float, end: float, level: float) -> None:
        if level == 0.0:
            return
        if end > self.warmup:
            self.area += level * (end - max(start, self.warmup))
        width = self.bucket_min
        areas = self.bucket_area
        b = int(start // width)
        last = int(end // width)
        if last >= len(areas):
            areas.extend([0.0] * (last + 1 - len(areas)))
        if b == last:
            areas[b] += level * (end - start)
            return
        areas[b] += level * ((b + 1) * width - start)
        for k in range(b + 1, last):
            areas[k] += level * width
        areas[last] += level * (end - last * width)

    def time_average(self, start: float, end: float) -> float:
        """Mean level over the observed window ``[start, end]``."""
        return self.area / (end - start) if end > start else math.nan

    def bucket_means(self, buckets: int) -> list[float]:
        """Mean level in each of the first ``buckets`` buckets."""
        areas = self.bucket_area + [0.0] * max(0, buckets - len(self.bucket_area))
        return [a / self.bucket_min for a in areas[:buckets]]


class CustomerTally:
    """Counts and waits of the customers who arrived after warm-up, plus per-bucket counts."""

    def __init__(self, warmup: float, target_wait: float, bucket_min: float) -> None:
        self.warmup = warmup
        self.target_wait = target_wait
        self.bucket_min = bucket_min
        self.arrived = self.served = self.balked = self.reneged = 0
        self.on_target = 0
        self.service_sum = self.system_sum = 0.0
        self.lost_items = 0
        self.waits = array("d")
        self.buckets: dict[str, list[float]] = {k: [] for k in ("arrivals", "served", "balked", "reneged", "wait_sum")}

    def _bucket(self, name: str, arrived_at: float, amount: float = 1.0) -> None:
        column = self.buckets[name]
        b = int(arrived_at // self.bucket_min)
        if b >= len(column):
            column.extend([0.0] * (b + 1 - len(column)))
        column[b] += amount

    def arrival(self, arrived_at: float) -> None:
        self._bucket("arrivals", arrived_at)
        if arrived_at >= self.warmup:
            self.arrived += 1

    def service_start(self, arrived_at: float, wait: float, service: float) -> None:
        self._bucket("served", arrived_at)
        self._bucket("wait_sum", arrived_at, wait)
        if arrived_at >= self.warmup:
            self.served += 1
            self.waits.append(wait)
            if wait <= self.target_wait:
                self.on_target += 1
            self.service_sum += service
            self.system_sum += wait + service

    def abandonment(self, arrived_at: float, items: int, balked: bool) -> None:
        self._bucket("balked" if balked else "reneged", arrived_at)
        if arrived_at >= self.warmup:
            if balked:
                self.balked += 1
            else:
                self.reneged += 1
            self.lost_items += items
