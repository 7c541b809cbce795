"""Customers and the door they come in by.

A customer is a plain record that lanes pull from lines; no SimPy process per customer.
Everything random about a customer is drawn when they arrive, from streams of their own
(basket, service work, patience, expected wait), so that customer ``i`` of replication
``k`` is the same person under every staffing plan: common random numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

import numpy as np
import simpy

from .dists import Distribution, arrival_times, draw_basket_sizes
from .params import AbandonmentParams, CustomerParams, SelfCheckoutParams, ServiceParams
from .params import ExceptionParams

ProcessGenerator = Iterator[simpy.Event]

WAITING, SERVING, SERVED, BALKED, RENEGED = range(5)
OUTCOME_NAMES = ("waiting", "serving", "served", "balked", "reneged")


class Customer:
    """One shopper at checkout. Times are minutes since opening; ``nan`` means not yet."""

    __slots__ = ("customer_id", "arrived_at", "items", "work_min", "renege_at", "expected_wait_min",
                 "exception", "exception_value", "approval_draw", "segment", "outcome", "lane_id", "started_at",
                 "left_at", "score", "hold_min", "moves", "line", "promised_wait_min", "overtakes",
                 "prefers_kiosk", "kiosk_work_min", "intervention_min", "kiosk", "recognition")

    def __init__(self, customer_id: int, arrived_at: float, items: int, work_min: float,
                 renege_at: float, expected_wait_min: float, exception: int = 0, exception_value: float = 0.0,
                 approval_draw: float = 0.0, segment: int = 0, prefers_kiosk: bool = False,
                 kiosk_work_min: float = math.nan, intervention_min: float = 0.0) -> None:
        self.customer_id = customer_id
        self.arrived_at = arrived_at
        self.items = items
        self.work_min = work_min
        """Service time at a cashier of speed 1."""
        self.renege_at = renege_at
        """Moment patience runs out (``inf`` when reneging is off)."""
        self.expected_wait_min = expected_wait_min
        self.exception = exception
        """0 for none, else 1 + the index of its kind in ``EXCEPTION_KINDS``."""
        self.exception_value = exception_value
        self.approval_draw = approval_draw
        """Uniform draw deciding whether a manager grants the request."""
        self.segment = segment
        """Index into ``customers.segments`` (0 when there are none)."""
        self.outcome = WAITING
        self.lane_id = -1
        self.started_at = math.nan
        self.left_at = math.nan
        self.score = math.nan
        self.hold_min = 0.0
        self.moves = 0
        """Times the customer moved to another line (jockeying, ``sim/checkout.py``)."""
        self.promised_wait_min = 0.0
        """The wait the line promised on arrival (the announced one when informed, ``sim/satisfaction.py``)."""
        self.overtakes = 0
        """Later arrivals who started service before this customer (per-lane lines)."""
        self.prefers_kiosk = prefers_kiosk
        """Goes to the self-checkout kiosks whenever the basket fits (``self_checkout.preference_share``)."""
        self.kiosk_work_min = kiosk_work_min
        """Service time at a kiosk (``nan`` when the store has none)."""
        self.intervention_min = intervention_min
        """An attendant's handling time if a kiosk transaction needs one, else 0."""
        self.kiosk = False
        """Chose the self-checkout kiosks (``sim/self_checkout.py``)."""
        self.recognition = 0.0
        """Points a staffed lane adds to the score: a regular recognised there (``sim/days.py``)."""
        # ``line`` is set only when the customer moves: the line they are in since, or None
        # while they walk to it. Until then the line is the one in their patience deadline.

    def __repr__(self) -> str:
        return f"Customer({self.customer_id}, arrived_at={self.arrived_at:.2f}, items={self.items})"


class CustomerStreams:
    """The named random streams of one replication, spawned in a fixed order.

    New streams must be added at the end so the existing ones, and with them the common
    random numbers across scenarios, stay the same.
    """

    NAMES = ("arrivals", "basket", "service", "patience", "expected_wait", "floor_arrivals", "floor_service",
             "floor_patience", "exceptions", "staff", "manager_duties", "segments", "announcement",
             "self_checkout", "households")

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        # The children a fresh ``root.spawn`` would give, made without spawning: spawning counts
        # in ``root``, so a caller's SeedSequence used twice would give a different day.
        for i, name in enumerate(self.NAMES):
            child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, i), pool_size=root.pool_size)
            setattr(self, name, np.random.default_rng(child))


class CustomerSource:
    """Draws the day's checkout customers: basket, service work, patience, expected wait,
    segment and exception, each from its own stream, in batches; with self-checkout kiosks
    (``kiosks`` > 0), also their kiosk preference, kiosk service time and intervention, from
    the ``self_checkout`` stream (untouched without kiosks, so no other draw changes).

    Attributes:
        mix: the customer mix (baskets, expected waits, segments).
    """

    def __init__(self, streams: CustomerStreams, customers: CustomerParams, service: ServiceParams,
                 abandonment: AbandonmentParams, exceptions: ExceptionParams,
                 self_checkout: SelfCheckoutParams | None = None, kiosks: int = 0) -> None:
        self.streams = streams
        self.kiosk = self_checkout if kiosks else None
        if self.kiosk is not None:
            self._kiosk_unit = Distribution(self.kiosk.distribution, 1.0, self.kiosk.cv)
        self.mix = customers
        self.service = service
        self.exceptions = exceptions
        self._unit_service = Distribution(service.distribution, 1.0, service.cv)
        ab = abandonment
        self._patience = Distribution(ab.patience_distribution, ab.patience_mean_min, ab.patience_cv) if ab.reneging else None
        self._expected_wait = Distribution("lognormal", customers.expected_wait_mean_min,
                                           max(customers.expected_wait_cv, 1e-9))

    def customers(self, arrivals_per_hour: list[float], horizon: float) -> Iterator[Customer]:
        """Every customer of a day with these arrival rates per opening hour and ``horizon``
        minutes of opening, in arrival order, drawn a batch at a time."""
        ids = itertools.count()
        for times in arrival_times(self.streams.arrivals, [r / 60.0 for r in arrivals_per_hour], horizon):
            for row in zip(ids, *self.draws(times)):
                yield Customer(*row)

    def draws(self, times: np.ndarray) -> list[list]:
        """Everything random about ``len(times)`` customers arriving at ``times`` (minutes), one
        list per argument of :class:`Customer` after its id (without kiosks, the kiosk arguments
        are left out), each drawn from its stream in one batch."""
        s, cp, svc = self.streams, self.mix, self.service
        n = len(times)
        items = draw_basket_sizes(s.basket, cp.basket_mean_items, cp.basket_cv, n)
        mean = np.full(n, svc.mean_min) if svc.mean_min is not None else svc.fixed_min + svc.per_item_min * items
        work = mean * self._unit_service.draw(s.service, n)
        segment, expect_factor, patience_factor = self._segments(n)
        patience = self._patience.draw(s.patience, n) * patience_factor if self._patience else np.full(n, math.inf)
        renege = times + patience
        expected = self._expected_wait.draw(s.expected_wait, n) * expect_factor
        kind, value, approval = self._exceptions(n)
        columns = [times.tolist(), items.tolist(), work.tolist(), renege.tolist(), expected.tolist(),
                   kind, value, approval, segment]
        if self.kiosk is not None:
            columns.extend(self._kiosk_draws(items))
        return columns

    def _kiosk_draws(self, items: np.ndarray) -> tuple[list[bool], list[float], list[float]]:
        """Kiosk preference, kiosk service time and intervention handling time (0: none) of
        customers with baskets ``items``."""
        rng, k, n = self.streams.self_checkout, self.kiosk, items.size
        prefers = rng.random(n) < k.preference_share
        work = (k.fixed_min + k.per_item_min * items) * self._kiosk_unit.draw(rng, n)
        needs = rng.random(n) < k.intervention_prob
        handling = np.where(needs, rng.exponential(k.intervention_min, n), 0.0)
        return prefers.tolist(), work.tolist(), handling.tolist()

    def _segments(self, n: int) -> tuple[list[int], np.ndarray, np.ndarray]:
        """Segment of ``n`` customers, with their expected-wait and patience factors."""
        segments = self.mix.segments
        if not segments:
            return [0] * n, np.ones(n), np.ones(n)
        edges = np.cumsum([s.share for s in segments])
        index = np.minimum(np.searchsorted(edges, self.streams.segments.random(n), side="right"), len(segments) - 1)
        expect = np.array([s.expected_wait_factor for s in segments])[index]
        patience = np.array([s.patience_factor for s in segments])[index]
        return index.tolist(), expect, patience

    def _exceptions(self, n: int) -> tuple[list[int], list[float], list[float]]:
        """Kind (0 none), value at stake and approval draw of ``n`` customers."""
        rng = self.streams.exceptions
        kinds = self.exceptions.kinds()
        pick, unit, approval = rng.random(n), rng.exponential(1.0, n), rng.random(n)
        edges = np.cumsum([k.share for k in kinds])
        kind = np.where(pick < edges[-1], np.searchsorted(edges, pick, side="right") + 1, 0)
        means = np.array([0.0] + [k.value_mean for k in kinds])
        return kind.tolist(), (unit * means[kind]).tolist(), approval.tolist()


def admit_in_turn(env: simpy.Environment, customers: Iterator[Customer], admit: Callable[[Customer], None],
                  horizon: float, close_doors: Callable[[], None]) -> ProcessGenerator:
    """Admit each customer at their arrival time, then close the doors at ``horizon``."""
    for customer in customers:
        yield env.timeout(customer.arrived_at - env.now)
        customer.arrived_at = env.now  # the clock's own value (it can differ in the last bit), so no wait is < 0
        admit(customer)
    if env.now < horizon:
        yield env.timeout(horizon - env.now)
    close_doors()
