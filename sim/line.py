"""A line of customers waiting in front of one lane, or pooled in front of several.

Customers whose patience runs out leave unseen; the line notices when anybody looks at
it (``drop_impatient``, called before every join and every pull), so that the lengths
others see never count customers who have already gone. No event per customer.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable

from .customer import RENEGED, SERVING, WAITING, Customer


class Line:
    """FIFO line with patience deadlines.

    Attributes:
        waiting: customers in the line who have not left (the length others see).
    """

    def __init__(self, on_renege: Callable[[Customer, float], None], reneging: bool) -> None:
        self._queue: deque[Customer] = deque()
        self._deadlines: list[tuple[float, int, Customer]] = []
        self._on_renege = on_renege
        self.reneging = reneging
        self.waiting = 0

    def __len__(self) -> int:
        return self.waiting

    def join(self, customer: Customer) -> None:
        """Put ``customer`` at the back of the line."""
        self._queue.append(customer)
        self.waiting += 1
        if self.reneging and customer.renege_at != math.inf:
            heapq.heappush(self._deadlines, (customer.renege_at, customer.customer_id, customer))

    def drop_impatient(self, now: float) -> None:
        """Let every customer whose patience ran out by ``now`` leave."""
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            customer = heapq.heappop(deadlines)[2]
            if customer.outcome == WAITING:
                self._renege(customer, now)

    def pull(self, now: float) -> Customer | None:
        """Take the first customer still waiting, or None if nobody is."""
        queue = self._queue
        while queue:
            customer = queue.popleft()
            if customer.outcome != WAITING:
                continue
            if customer.renege_at <= now:
                self._renege(customer, now)
                continue
            customer.outcome = SERVING
            self.waiting -= 1
            return customer
        return None

    def _renege(self, customer: Customer, now: float) -> None:
        customer.outcome = RENEGED
        customer.left_at = customer.renege_at
        self.waiting -= 1
        self._on_renege(customer, now)
