"""A line of customers waiting in front of one lane, or pooled in front of several.

Customers join at the back and are served from the front; the last one may also leave from
the back to move to another line (jockeying, ``sim/checkout.py``).

Customers whose patience runs out leave unseen: the checkout area notices them from its
deadline heap before anyone looks at the lines, and a lane notices a customer whose
patience has run out when it reaches them. No event per customer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from .customer import RENEGED, SERVING, WAITING, Customer


class Line:
    """FIFO line that customers may leave from anywhere.

    Attributes:
        waiting: customers in the line who have not left (the length others see).
    """

    def __init__(self, on_renege: Callable[[Customer, float], None]) -> None:
        self._queue: deque[Customer] = deque()
        self._on_renege = on_renege
        self.waiting = 0

    def join(self, customer: Customer) -> None:
        """Put ``customer`` at the back of the line."""
        self._queue.append(customer)
        self.waiting += 1

    def pull(self, now: float) -> Customer | None:
        """Take the first customer still waiting, or None if nobody is."""
        queue = self._queue
        while queue:
            customer = queue.popleft()
            if customer.outcome != WAITING:
                continue
            if customer.renege_at <= now:
                self.renege(customer, now)
                continue
            customer.outcome = SERVING
            self.waiting -= 1
            return customer
        return None

    def back(self) -> Customer | None:
        """The last customer still waiting (the one who may move to another line), or None."""
        queue = self._queue
        while queue and queue[-1].outcome != WAITING:
            queue.pop()  # gave up waiting (noticed from the deadline heap)
        return queue[-1] if queue else None

    def leave_back(self) -> Customer:
        """Take the last customer still waiting out of the line (they move to another)."""
        customer = self.back()
        self._queue.pop()
        self.waiting -= 1
        return customer

    def lowest_number(self) -> int | None:
        """The lowest ``customer_id`` in the line (those who gave up unseen included), None if empty."""
        return min((customer.customer_id for customer in self._queue), default=None)

    def renege(self, customer: Customer, now: float) -> None:
        """``customer``'s patience ran out (at ``customer.renege_at``); noticed at ``now``."""
        customer.outcome = RENEGED
        customer.left_at = customer.renege_at
        self.waiting -= 1
        self._on_renege(customer, now)
