"""Customer satisfaction by expectation-disconfirmation.

A served customer's score, clamped to 1..5, is

    base + wait_weight * D + courtesy_weight * (friendliness - 0.5) + competence

where D = (expected wait - perceived wait) / expected wait, floored at
``worst_disconfirmation``; the perceived wait is the actual wait, times
``informed_factor`` when the store keeps customers informed; friendliness is that of the
employee who served; competence is ``resolved_at_once``, ``resolved_after_hold`` or
``unresolved`` for a customer with an exception, else 0. Abandoners score 1. The score is
non-increasing in the wait, whatever else holds. See docs/satisfaction.md.
"""

from __future__ import annotations

from .params import SatisfactionParams

DELIGHTED, SATISFIED, DISSATISFIED = "delighted", "satisfied", "dissatisfied"


class SatisfactionModel:
    """Scores customers and tallies the scores of those who arrived after warm-up."""

    def __init__(self, params: SatisfactionParams, warmup: float, segments: int = 1) -> None:
        self.p = params
        self.warmup = warmup
        self._perceived = params.informed_factor if params.informed else 1.0
        self.total = 0.0
        self.counts = {DELIGHTED: 0, SATISFIED: 0, DISSATISFIED: 0}
        self.segment_totals = [0.0] * segments
        self.segment_counts = [{DELIGHTED: 0, SATISFIED: 0, DISSATISFIED: 0} for _ in range(segments)]
        self.courtesy_sum = 0.0
        self.courtesy_n = 0

    def score(self, wait: float, expected: float, friendliness: float, competence: float = 0.0) -> float:
        """A served customer's score, 1..5."""
        p = self.p
        disconfirmation = max(p.worst_disconfirmation, (expected - wait * self._perceived) / expected)
        raw = p.base + p.wait_weight * disconfirmation + p.courtesy_weight * (friendliness - 0.5) + competence
        return min(5.0, max(1.0, raw))

    def category(self, score: float) -> str:
        if score >= self.p.delighted_at:
            return DELIGHTED
        return SATISFIED if score >= self.p.satisfied_at else DISSATISFIED

    def served(self, arrived_at: float, wait: float, expected: float, friendliness: float | None,
               competence: float = 0.0, segment: int = 0) -> float:
        """Score a served customer; count them if they arrived after warm-up.

        ``friendliness`` None: nobody served them (a self-checkout kiosk without an
        attendant's visit), so courtesy is neutral (as 0.5) and not counted in ``courtesy_mean``."""
        score = self.score(wait, expected, 0.5 if friendliness is None else friendliness, competence)
        if arrived_at >= self.warmup:
            self._count(score, self.category(score), segment)
            if friendliness is not None:
                self.courtesy_sum += friendliness
                self.courtesy_n += 1
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
