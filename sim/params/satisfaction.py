"""``satisfaction.*``: each customer's score, 1..5, by expectation-disconfirmation.

The model and the reasons for its defaults are explained in ``docs/satisfaction.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Problems, bounded

COMPETENCE_RANGE = (-4.0, 4.0)
"""Competence points move a 1..5 score by at most its whole span."""


@dataclass
class SatisfactionParams:
    """Each customer's score (1..5) by expectation-disconfirmation; see docs/satisfaction.md."""

    base: float = bounded(3.6, 1, 5, what="a score")
    """Score when the wait matched the expectation, courtesy was average and nothing went wrong."""
    wait_weight: float = bounded(1.2, 0, 10)
    """Points per unit of relative disconfirmation (expected - perceived) / expected."""
    worst_disconfirmation: float = bounded(-3.0, -100, 0, high_open=True)
    """Floor of the relative disconfirmation (a wait 4x the expected one counts as -3)."""
    informed: bool = False
    """The store keeps customers informed (a wait-time display): waits feel shorter."""
    informed_factor: float = bounded(0.75, 0, 1, low_open=True, what="a share")
    """Perceived wait as a share of the actual wait when informed."""
    courtesy_weight: float = bounded(1.5, 0, 10)
    """Points for courtesy: times (friendliness of the server - 0.5)."""
    resolved_at_once: float = bounded(0.3, *COMPETENCE_RANGE, what="a number of points")
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
        """The competence points ordered, satisfied below delighted."""
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
