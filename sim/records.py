"""What a replication returns: KPIs, a time series, and optional per-customer records.

Customer records are kept column by column in compact arrays (8 bytes a value), never as
one Python object per customer for the whole run.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

import numpy as np

from .customer import OUTCOME_NAMES, SERVED, SERVING, Customer

CUSTOMER_COLUMNS = ("customer_id", "arrived_at_min", "items", "outcome", "lane", "wait_min",
                    "service_min", "left_at_min", "expected_wait_min", "exception", "hold_min", "satisfaction", "segment",
                    "moves", "kiosk")
"""``lane``: the staffed lane where service started (-1 for those who gave up and for kiosk
customers); ``moves``: times the customer moved to another line (jockeying), so a customer
with moves > 0 joined another line first; ``kiosk``: 1 for customers who chose the
self-checkout kiosks (``hold_min``: their kiosk's hold for an attendant), else 0."""
SCORECARD_COLUMNS = ("employee", "role", "days_since_hire", "experience", "courtesy", "speed_start", "speed_end",
                     "transactions", "handling_min", "handling_mean_min", "hold_min", "decisions", "decisions_right")
"""The staff scorecard, one row per employee and replication: ``experience``: transactions
handled before the day; ``courtesy``: friendliness (0..1); ``speed_start``, ``speed_end``: work
rate at the start and the end of the day (the learning curve); ``transactions``: customers whose
service the employee started at a lane; ``handling_min``: minutes from the start of each
transaction to the customer leaving the lane (any exception and hold included, as the customers'
``service_min``), ``hold_min`` the part spent waiting for a manager; ``decisions``,
``decisions_right``: exception decisions the employee took alone (empowered), and the right
ones (all customers, warm-up included, like the other columns)."""
EXCEPTION_NAMES = ("none", "price_match", "returns", "coupon")


class CustomerLog:
    """Columnar record of every customer who left checkout (served, balked or reneged)."""

    def __init__(self) -> None:
        self._ids = array("q")
        self._items = array("q")
        self._lanes = array("q")
        self._outcomes = array("b")
        self._exceptions = array("b")
        self._segments = array("b")
        self._kiosk = array("b")
        self._moves: dict[int, int] = {}
        """Customer id -> moves, for those who moved (most never do: no value per customer)."""
        self._times = {name: array("d") for name in ("arrived_at", "started_at", "left_at", "expected_wait", "hold",
                                                      "score")}

    def add(self, customer: Customer) -> None:
        """Record ``customer``, whose outcome is now settled (served means: service started)."""
        self._ids.append(customer.customer_id)
        self._items.append(customer.items)
        self._lanes.append(customer.lane_id)
        outcome = SERVED if customer.outcome == SERVING else customer.outcome
        self._outcomes.append(outcome)
        t = self._times
        t["arrived_at"].append(customer.arrived_at)
        t["started_at"].append(customer.started_at)
        t["left_at"].append(customer.left_at)
        t["expected_wait"].append(customer.expected_wait_min)
        t["hold"].append(customer.hold_min)
        t["score"].append(customer.score)
        self._exceptions.append(customer.exception)
        self._segments.append(customer.segment)
        self._kiosk.append(customer.kiosk)
        if customer.moves:
            self._moves[customer.customer_id] = customer.moves

    def columns(self) -> dict[str, np.ndarray]:
        """The records as numpy columns sorted by customer id (see ``CUSTOMER_COLUMNS``)."""
        order = np.argsort(np.frombuffer(self._ids, dtype=np.int64), kind="stable")
        ids = np.frombuffer(self._ids, dtype=np.int64)[order]
        arrived = np.frombuffer(self._times["arrived_at"], dtype=float)[order]
        started = np.frombuffer(self._times["started_at"], dtype=float)[order]
        left = np.frombuffer(self._times["left_at"], dtype=float)[order]
        outcome = np.frombuffer(self._outcomes, dtype=np.int8)[order]
        served = outcome == SERVED
        return {
            "customer_id": ids,
            "arrived_at_min": arrived,
            "items": np.frombuffer(self._items, dtype=np.int64)[order],
            "outcome": np.array(OUTCOME_NAMES, dtype=object)[outcome],
            "lane": np.frombuffer(self._lanes, dtype=np.int64)[order],
            "wait_min": np.where(served, started, left) - arrived,
            "service_min": np.where(served, left - started, math.nan),
            "left_at_min": left,
            "expected_wait_min": np.frombuffer(self._times["expected_wait"], dtype=float)[order],
            "exception": np.array(EXCEPTION_NAMES, dtype=object)[np.frombuffer(self._exceptions, dtype=np.int8)[order]],
            "hold_min": np.frombuffer(self._times["hold"], dtype=float)[order],
            "satisfaction": np.frombuffer(self._times["score"], dtype=float)[order],
            "segment": np.frombuffer(self._segments, dtype=np.int8)[order].astype(np.int64),
            "moves": self._moves_column(ids),
            "kiosk": np.frombuffer(self._kiosk, dtype=np.int8)[order].astype(np.int64),
        }

    def _moves_column(self, ids: np.ndarray) -> np.ndarray:
        """Moves of the customers ``ids`` (sorted), 0 for those who never moved."""
        moves = np.zeros(ids.size, dtype=np.int64)
        if self._moves:
            moved = np.fromiter(self._moves, dtype=np.int64, count=len(self._moves))
            moves[np.searchsorted(ids, moved)] = np.fromiter(self._moves.values(), dtype=np.int64, count=len(moved))
        return moves


@dataclass
class ReplicationResult:
    """Everything one replication produced.

    Attributes:
        kpis: KPI name -> value (docs/kpis.md lists them and whom each counts).
        timeseries: column name -> one value per time bucket.
        customers: per-customer columns, or None when records are off.
        staff_timeline: each employee's states over the day, or None when records are off.
        ended_at: minute the last customer left (at least the closing time).
    """

    kpis: dict[str, float]
    timeseries: dict[str, list[float]]
    customers: dict[str, np.ndarray] | None = None
    ended_at: float = 0.0
    staff_timeline: list[tuple[str, str, float, float]] | None = None
    """(employee id, state, start, end) intervals, when records are kept."""
    staff_scorecard: list[tuple] | None = None
    """One row per employee (``SCORECARD_COLUMNS``), when customer records are kept."""
    weeks: dict[str, list[float]] | None = None
    """One row per week of a run of several days (``sim.days.WEEK_COLUMNS``), else None."""
