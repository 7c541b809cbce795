"""``satisfaction.*``: each customer's score, 1..5, against a zone of tolerance.

The model, each step's source (or its label as an assumption) and the reasons for the
defaults are in ``docs/satisfaction.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import MAX_CV, Problems, bounded

COMPETENCE_RANGE = (-4.0, 4.0)
"""Competence points move a 1..5 score by at most its whole span."""


@dataclass
class SatisfactionParams:
    """Each customer's score (1..5) against a zone of tolerance; see docs/satisfaction.md."""

    base: float = bounded(3.75, 1, 5, what="a score")
    """Score when everything fell within the customer's zone of tolerance."""
    line_weight: float = bounded(0.7, 0, 1, what="a share")
    """Weight of the line seen at arrival (its promised wait) in the expected wait; the rest is the
    customer's prior for that hour."""
    peak_expectation_factor: float = bounded(1.5, 0.1, 10)
    """The prior expected wait of a customer arriving in the evening peak, times this."""
    adequate_wait_factor: float = bounded(1.5, 1, 20)
    """The longest adequate wait, as a multiple of the expected wait."""
    desired_wait_share: float = bounded(0.5, 0, 1, what="a share")
    """The desired wait, as a share of the wait the line promised (announced, when informed)."""
    wait_weight: float = bounded(2.0, 0, 10)
    """Points per expected wait of surplus (below the desired wait) or shortfall (beyond the adequate one)."""
    worst_shortfall: float = bounded(3.0, 0, 100)
    """Cap of the wait's shortfall, in expected waits."""
    loss_aversion: float = bounded(2.0, 1, 10)
    """A shortfall (wait or courtesy) weighs this many times a surplus of the same size."""
    adequate_courtesy: float = bounded(0.3, 0, 1, what="a share")
    """Friendliness of the server below which courtesy falls short."""
    desired_courtesy: float = bounded(0.6, 0, 1, what="a share")
    """Friendliness of the server above which courtesy exceeds expectations."""
    courtesy_weight: float = bounded(3.0, 0, 20)
    """Points per unit of friendliness beyond the desired level (shortfalls: times loss_aversion)."""
    overtake_weight: float = bounded(0.1, 0, 4)
    """Points lost for each later arrival served first (per-lane lines: slips and skips)."""
    informed: bool = False
    """The store keeps customers informed: each is told a predicted wait on arrival."""
    informed_factor: float = bounded(0.75, 0, 1, low_open=True, what="a share")
    """Perceived wait as a share of the actual wait when informed."""
    announcement_error_cv: float = bounded(0.25, 0, MAX_CV)
    """Spread (coefficient of variation, lognormal, mean 1) of the announced wait around the prediction."""
    announcement_bias: float = bounded(1.0, 0.1, 10)
    """The announced wait is the prediction times this (below 1: the display under-promises)."""
    resolved_at_once: float = bounded(0.8, *COMPETENCE_RANGE, what="a number of points")
    """Competence: an exception settled on the spot."""
    resolved_after_hold: float = bounded(-0.4, *COMPETENCE_RANGE, what="a number of points")
    """Competence: settled after waiting for a manager."""
    unresolved: float = bounded(-1.5, *COMPETENCE_RANGE, what="a number of points")
    """Competence: the request was refused or left unsettled."""
    delighted_at: float = bounded(4.5, 1, 5, what="a score")
    """Scores at or above this are delighted."""
    satisfied_at: float = bounded(3.0, 1, 5, what="a score")
    """Scores at or above this (and below delighted) are satisfied; below, dissatisfied."""

    COMPETENCE_RANGE = COMPETENCE_RANGE

    def problems(self, p: Problems, prefix: str = "satisfaction") -> None:
        """The competence points ordered, satisfied below delighted, and the zones ordered; the
        announcement's settings only when customers are informed."""
        if not self.informed:
            p.unused(prefix, self, ("informed_factor", "announcement_error_cv", "announcement_bias"),
                     f"acts only with {prefix}.informed=true (satisfaction=informed); set that too, "
                     "or leave this key out")
        if p.clear(*(f"{prefix}.{name}" for name in ("resolved_at_once", "resolved_after_hold", "unresolved"))):
            p.need(self.resolved_at_once >= self.resolved_after_hold >= self.unresolved, f"{prefix}.unresolved",
                   "must not exceed satisfaction.resolved_after_hold, which must not exceed "
                   "satisfaction.resolved_at_once (a settled request pleases at least as much as one settled "
                   "after a hold, and that at least as much as a refused one)",
                   [self.resolved_at_once, self.resolved_after_hold, self.unresolved])
        if p.clear(f"{prefix}.satisfied_at", f"{prefix}.delighted_at"):
            p.need(self.satisfied_at < self.delighted_at, f"{prefix}.delighted_at",
                   "must be above satisfaction.satisfied_at, both scores in [1, 5]",
                   [self.satisfied_at, self.delighted_at])
        if p.clear(f"{prefix}.adequate_courtesy", f"{prefix}.desired_courtesy"):
            p.need(self.adequate_courtesy <= self.desired_courtesy, f"{prefix}.desired_courtesy",
                   "must be at least satisfaction.adequate_courtesy (the zone of tolerance runs from adequate "
                   "to desired), both in [0, 1]", [self.adequate_courtesy, self.desired_courtesy])
