"""Statistics accumulated online while a replication runs.

``LevelTracker`` integrates a time-persistent quantity (line length, open lanes, busy
cashiers) over time, per time bucket and over the observed window after warm-up.
``CustomerTally`` counts customers and keeps their waits, so no per-customer object
outlives the customer; ``ChannelTally`` keeps the few counts of one channel's customers
besides. All do O(1) work per change; bucket edges are crossed lazily.
"""

from __future__ import annotations

import math
from array import array


class LevelTracker:
    """Time-weighted integral of a level that changes at discrete moments.

    Attributes:
        level: the current value.
        max_level: the largest value reached after warm-up.
        buckets: integral of the level within each closed time bucket.
    """

    def __init__(self, bucket_min: float, warmup: float = 0.0, level: float = 0.0) -> None:
        self.width = bucket_min
        self.warmup = warmup
        self.level = level
        self.max_level = level
        self.last_at = 0.0
        self.buckets: list[float] = []
        self._open = 0.0  # integral within the current bucket, up to last_at
        self._before_warmup = 0.0
        self._warmup_passed = warmup <= 0.0
        self._next_edge = min(bucket_min, warmup) if warmup > 0 else bucket_min

    def change(self, now: float, delta: float) -> None:
        """The level moves by ``delta`` at ``now``."""
        if now >= self._next_edge:
            self._cross_edges(now)
        level = self.level
        self._open += level * (now - self.last_at)
        self.last_at = now
        self.level = level = level + delta
        if level > self.max_level:
            self.max_level = level

    def _cross_edges(self, now: float) -> None:
        width = self.width
        while now >= self._next_edge:
            edge = self._next_edge
            self._open += self.level * (edge - self.last_at)
            self.last_at = edge
            bucket_edge = (len(self.buckets) + 1) * width
            if not self._warmup_passed and edge >= self.warmup:
                self._warmup_passed = True
                self._before_warmup = self.total_area()
                self.max_level = self.level
            if edge >= bucket_edge:
                self.buckets.append(self._open)
                self._open = 0.0
                bucket_edge += width
            self._next_edge = bucket_edge if self._warmup_passed else min(bucket_edge, self.warmup)

    def correct(self, since: float, now: float, delta: float) -> None:
        """The level in fact moved by ``delta`` at ``since`` (in the past), learnt only ``now``.

        Used for customers whose patience ran out unseen.
        """
        self.change(now, 0.0)
        self.level += delta
        if now <= since:
            return
        width = self.width
        k = len(self.buckets)
        upper = now
        lower = k * width
        self._open += delta * (upper - max(since, lower))
        while lower > since:
            k -= 1
            upper, lower = lower, lower - width
            self.buckets[k] += delta * (upper - max(since, lower))
        if self._warmup_passed and since < self.warmup:
            self._before_warmup += delta * (self.warmup - since)

    def close(self, now: float) -> None:
        """Account for the level up to ``now`` (end of the replication)."""
        self.change(now, 0.0)

    def total_area(self) -> float:
        """Integral of the level from time 0 to the last change."""
        return math.fsum(self.buckets) + self._open

    @property
    def area(self) -> float:
        """Integral of the level over the observed window, from warm-up to the last change."""
        return self.total_area() - self._before_warmup if self._warmup_passed else 0.0

    def time_average(self, start: float, end: float) -> float:
        """Mean level over the observed window ``[start, end]``."""
        return self.area / (end - start) if end > start else math.nan

    def bucket_means(self, buckets: int) -> list[float]:
        """Mean level in each of the first ``buckets`` buckets (the open one included)."""
        areas = self.buckets + [self._open]
        areas += [0.0] * max(0, buckets - len(areas))
        return [a / self.width for a in areas[:buckets]]


class CustomerTally:
    """Counts and waits of the customers who arrived after warm-up, plus per-bucket counts.

    Per-bucket counts go by arrival time, so they cover the opening hours only.

    Attributes:
        line_sum: minutes in line of the customers after warm-up who joined a line (served:
            their wait; reneged: until they gave up), for ``time_in_line_mean``.
    """

    COLUMNS = ("arrivals", "served", "balked", "reneged", "wait_sum", "on_target")

    def __init__(self, warmup: float, target_wait: float, bucket_min: float, horizon: float,
                 peak: tuple[float, float] = (0.0, 0.0)) -> None:
        self.warmup = warmup
        self.peak_start, self.peak_end = peak
        self.peak_arrived = self.peak_on_target = 0
        self.peak_waits = array("d")
        self.target_wait = target_wait
        self.width = bucket_min
        self.arrived = self.served = self.balked = self.reneged = 0
        self.on_target = 0
        self.service_sum = self.system_sum = self.line_sum = 0.0
        self.lost_items = 0
        self.waits = array("d")
        n = math.ceil(horizon / bucket_min) + 1
        self.buckets: dict[str, list[float]] = {name: [0.0] * n for name in self.COLUMNS}
        self._arrivals, self._served, self._wait_sum, self._on_target = (
            self.buckets[k] for k in ("arrivals", "served", "wait_sum", "on_target"))

    def arrival(self, arrived_at: float) -> None:
        self._arrivals[int(arrived_at / self.width)] += 1
        if arrived_at >= self.warmup:
            self.arrived += 1
        if self.peak_start <= arrived_at < self.peak_end:
            self.peak_arrived += 1

    def service_start(self, arrived_at: float, wait: float, service: float) -> None:
        b = int(arrived_at / self.width)
        self._served[b] += 1
        self._wait_sum[b] += wait
        if wait <= self.target_wait:
            self._on_target[b] += 1
        if arrived_at >= self.warmup:
            self.served += 1
            self.waits.append(wait)
            if wait <= self.target_wait:
                self.on_target += 1
            self.service_sum += service
            self.system_sum += wait + service
            self.line_sum += wait
        if self.peak_start <= arrived_at < self.peak_end:
            self.peak_waits.append(wait)
            self.peak_on_target += wait <= self.target_wait

    def abandonment(self, arrived_at: float, items: int, balked: bool, waited: float = 0.0) -> None:
        """A customer left without service, after ``waited`` minutes in line (0 for a balk)."""
        self.buckets["balked" if balked else "reneged"][int(arrived_at / self.width)] += 1
        if arrived_at >= self.warmup:
            if balked:
                self.balked += 1
            else:
                self.reneged += 1
                self.line_sum += waited
            self.lost_items += items


class ChannelTally:
    """Counts and waits, after warm-up, of the customers of one channel of the checkout (the
    self-checkout kiosks), who also count in full in the checkout's :class:`CustomerTally`:
    only what the channel's KPIs take from it, so each of its customers costs a few additions.

    Attributes:
        arrived, balked, reneged: customers who arrived after warm-up, and of them those who
            balked or gave up waiting.
        waits: minutes in line of those served (service started), in the order they started.
        on_target: of those, the ones who waited at most ``target_wait`` minutes.
    """

    def __init__(self, warmup: float, target_wait: float) -> None:
        self.warmup = warmup
        self.target_wait = target_wait
        self.arrived = self.balked = self.reneged = self.on_target = 0
        self.waits = array("d")

    def arrival(self, arrived_at: float) -> None:
        if arrived_at >= self.warmup:
            self.arrived += 1

    def service_start(self, arrived_at: float, wait: float) -> None:
        if arrived_at >= self.warmup:
            self.waits.append(wait)
            if wait <= self.target_wait:
                self.on_target += 1

    def abandonment(self, arrived_at: float, balked: bool) -> None:
        """A customer left without service."""
        if arrived_at >= self.warmup:
            if balked:
                self.balked += 1
            else:
                self.reneged += 1
