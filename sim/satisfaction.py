"""Customer satisfaction per encounter: a zone of tolerance for the wait and for courtesy.

On arrival each customer forms expectations from what they see (:meth:`SatisfactionModel.expect`):

    promised  = people ahead * mean service time; for a pooled line with c open lanes and n
                people in line and in service, max(0, n - c + 1) / c * mean service time
                (informed: the announced wait, the promise times bias and a lognormal error)
    prior     = the customer's own expected wait, times ``peak_expectation_factor`` in the peak
    expected  = line_weight * promised + (1 - line_weight) * prior
    adequate  = adequate_wait_factor * expected        (the longest acceptable wait)
    desired   = desired_wait_share * promised          (a wait well under the promise)

A served customer's score, clamped to 1..5 (:meth:`SatisfactionModel.score`), is ``base`` plus
a surplus or minus a shortfall on each dimension; a shortfall weighs ``loss_aversion`` times a
surplus of the same size:

    wait      perceived = wait (* informed_factor when informed)
              + wait_weight * (desired - perceived) / expected              below desired
              - loss_aversion * wait_weight * min(worst_shortfall,
                                    (perceived - adequate) / expected)      beyond adequate
    courtesy  + courtesy_weight * (friendliness - desired_courtesy)         above desired
              - loss_aversion * courtesy_weight * (adequate_courtesy - friendliness)   below adequate
    competence  resolved_at_once, resolved_after_hold or unresolved (exceptions only)
    fairness  - overtake_weight * later arrivals served first

Within the zone on every dimension a customer scores ``base`` (satisfied). With an empty
line the promise is 0, so no wait is "well under" it: delight needs a courteous server, an
exception settled at once, or a wait well under what the line promised. Abandoners score 1.
The score never rises when only the wait grows. Sources: docs/satisfaction.md.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable

import numpy as np

from .params import SatisfactionParams

DELIGHTED, SATISFIED, DISSATISFIED = "delighted", "satisfied", "dissatisfied"

_BATCH = 256  # announcement errors drawn at a time


class Overtakes:
    """For each customer starting service, how many later arrivals already started (slips and skips).

    Customers are numbered in arrival order. The numbers of those who started are kept sorted;
    a customer's count is how many of them are above its own number, found by bisection. As
    customers start nearly in arrival order, each new number goes in near the end of the list,
    so keeping it sorted costs little.

    Numbers below every customer who may still start never change a count again, so when the
    list has doubled since it was last trimmed they are dropped: it holds about as many numbers
    as customers wait, not one per customer served.

    Args:
        lowest_waiting: the lowest number of a customer who may still start, given the highest
            number that started so far (customers arriving later are numbered above it); None
            when it cannot be told (the list is then kept whole until the next try). Without
            it the list is never trimmed.
        keep: the list is trimmed once it holds at least this many numbers, and twice as many
            as after the last trim.
    """

    def __init__(self, lowest_waiting: Callable[[int], int | None] | None = None, keep: int = 4096) -> None:
        self._started: list[int] = []
        self._lowest_waiting = lowest_waiting
        self._keep = self._trim_at = keep
        self._floor = 0  # every number below it was dropped

    def start(self, index: int) -> int:
        """Customer ``index`` (arrival order, from 0) starts service: the later arrivals served before them.

        Raises ValueError for a number below those dropped (customers not numbered in arrival order)."""
        started = self._started
        if index < self._floor:
            raise ValueError(f"customer {index} starts after customers numbered from {self._floor} on were the "
                             "lowest still waiting: customers must be numbered in arrival order")
        before = bisect_left(started, index)
        started.insert(before, index)
        later = len(started) - 1 - before
        if len(started) >= self._trim_at and self._lowest_waiting is not None:
            self._trim()
        return later

    def _trim(self) -> None:
        started = self._started
        floor = self._lowest_waiting(started[-1])
        if floor is not None and floor > self._floor:
            del started[:bisect_left(started, floor)]  # a count is the numbers above, so it stays the same
            self._floor = floor
        self._trim_at = max(self._keep, 2 * len(started))

    def __len__(self) -> int:
        """Numbers kept."""
        return len(self._started)


class SatisfactionModel:
    """Forms customers' expectations, scores them, and tallies the scores of those who arrived after warm-up.

    Args:
        params: the ``satisfaction.*`` settings.
        warmup: minutes; customers arriving before it are scored but not counted.
        segments: number of customer segments.
        mean_service_min: mean service time of a standard cashier (the line's promise per person ahead).
        peak_window: (start, end) of the evening peak, minutes since opening.
        rng: stream of the announcement errors (drawn only when informed, one per arrival).
    """

    def __init__(self, params: SatisfactionParams, warmup: float, segments: int = 1,
                 mean_service_min: float = 0.0, peak_window: tuple[float, float] = (0.0, 0.0),
                 rng: np.random.Generator | None = None) -> None:
        self.p = params
        self.warmup = warmup
        self.mean_service_min = mean_service_min
        self.peak_window = peak_window
        self.informed = params.informed
        self._perceived = params.informed_factor if params.informed else 1.0
        self._rng = rng if rng is not None else np.random.default_rng(0)
        self._errors: list[float] = []
        self.total = 0.0
        self.counts = {DELIGHTED: 0, SATISFIED: 0, DISSATISFIED: 0}
        self.segment_totals = [0.0] * segments
        self.segment_counts = [{DELIGHTED: 0, SATISFIED: 0, DISSATISFIED: 0} for _ in range(segments)]
        self.courtesy_sum = 0.0
        self.courtesy_n = 0
        self.overtakes_sum = 0
        # The settings as the per-customer methods use them, read once (products in the order
        # the module docstring's formulas take them, so the scores are the same to the last bit).
        self._line_weight, self._prior_weight = params.line_weight, 1.0 - params.line_weight
        self._peak_start, self._peak_end = peak_window
        self._base, self._overtake_weight = params.base, params.overtake_weight
        self._adequate_factor, self._desired_share = params.adequate_wait_factor, params.desired_wait_share
        self._wait_weight, self._worst_shortfall = params.wait_weight, params.worst_shortfall
        self._wait_loss = params.loss_aversion * params.wait_weight
        self._courtesy_weight, self._courtesy_loss = params.courtesy_weight, params.loss_aversion * params.courtesy_weight
        self._desired_courtesy, self._adequate_courtesy = params.desired_courtesy, params.adequate_courtesy
        self._delighted_at, self._satisfied_at = params.delighted_at, params.satisfied_at

    def expect(self, prior: float, arrived_at: float, ahead: float) -> tuple[float, float]:
        """Expected wait and promised (informed: announced) wait, minutes, of a customer arriving
        at ``arrived_at`` with their own ``prior`` expected wait and ``ahead`` people to be served
        before them, per lane (pooled line: ``max(0, n - c + 1) / c``, ``sim/checkout.py``). Draws one announcement error per call when informed."""
        promised = ahead * self.mean_service_min
        if self.informed:
            promised *= self.p.announcement_bias * self._error()
        if self._peak_start <= arrived_at < self._peak_end:
            prior *= self.p.peak_expectation_factor
        return self._line_weight * promised + self._prior_weight * prior, promised

    def _error(self) -> float:
        cv = self.p.announcement_error_cv
        if cv == 0:
            return 1.0
        if not self._errors:
            sigma = math.sqrt(math.log1p(cv * cv))
            self._errors = self._rng.lognormal(-sigma * sigma / 2, sigma, _BATCH).tolist()[::-1]
        return self._errors.pop()

    def score(self, wait: float, expected: float, friendliness: float, competence: float = 0.0,
              promised: float = 0.0, overtakes: int = 0) -> float:
        """A served customer's score, 1..5 (module docstring); waits in minutes."""
        expected = max(expected, 1e-9)
        perceived = wait * self._perceived
        adequate, desired = self._adequate_factor * expected, self._desired_share * promised
        raw = self._base + competence - self._overtake_weight * overtakes
        if perceived > adequate:
            raw -= self._wait_loss * min(self._worst_shortfall, (perceived - adequate) / expected)
        elif perceived < desired:
            raw += self._wait_weight * (desired - perceived) / expected
        if friendliness > self._desired_courtesy:
            raw += self._courtesy_weight * (friendliness - self._desired_courtesy)
        elif friendliness < self._adequate_courtesy:
            raw -= self._courtesy_loss * (self._adequate_courtesy - friendliness)
        if raw > 1.0:  # min(5, max(1, raw)), a NaN included
            return raw if raw < 5.0 else 5.0
        return 1.0

    def category(self, score: float) -> str:
        if score >= self._delighted_at:
            return DELIGHTED
        return SATISFIED if score >= self._satisfied_at else DISSATISFIED

    def served(self, arrived_at: float, wait: float, expected: float, friendliness: float | None,
               competence: float = 0.0, segment: int = 0, promised: float = 0.0, overtakes: int = 0) -> float:
        """Score a served customer; count them if they arrived after warm-up.

        ``friendliness`` None: nobody served them (a self-checkout kiosk without an
        attendant's visit), so courtesy is neutral (0.5, inside the default zone of tolerance)
        and not counted in ``courtesy_mean``."""
        score = self.score(wait, expected, 0.5 if friendliness is None else friendliness, competence, promised,
                           overtakes)
        if arrived_at >= self.warmup:
            # _count(score, category(score), segment), inlined: this runs for every customer served
            category = DELIGHTED if score >= self._delighted_at else (
                SATISFIED if score >= self._satisfied_at else DISSATISFIED)
            self.total += score
            self.counts[category] += 1
            self.segment_totals[segment] += score
            self.segment_counts[segment][category] += 1
            if friendliness is not None:
                self.courtesy_sum += friendliness
                self.courtesy_n += 1
            self.overtakes_sum += overtakes
        return score

    def abandoned(self, arrived_at: float, segment: int = 0) -> float:
        """Abandoners are dissatisfied, with the lowest score."""
        if arrived_at >= self.warmup:
            self._count(1.0, DISSATISFIED, segment)
        return 1.0

    def _count(self, score: float, category: str, segment: int) -> None:
        self.total += score
        self.counts[category] += 1
        self.segment_totals[segment] += score
        self.segment_counts[segment][category] += 1
