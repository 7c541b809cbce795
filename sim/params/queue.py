"""``queue.*``: how lines form in front of the lanes, and whether customers switch lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..checks import Problems, bounded

DISCIPLINES = ("per_lane", "single_line")
MAX_JOCKEY_DIFF = 1000
"""Longest difference between two lines a customer would tolerate before moving."""


@dataclass
class QueueParams:
    """How lines form in front of the lanes, and when customers switch lines (jockeying)."""

    discipline: str = "per_lane"
    """``per_lane``: join the shortest line; ``single_line``: one pooled line for all lanes."""
    jockey_diff: Optional[int] = bounded(
        None, 2, MAX_JOCKEY_DIFF, whole=True,
        note="or null: nobody moves; at 1 a customer would move to as many people ahead, and back")
    """A customer at the back of a line moves to another line they may use that is at least this
    many people shorter, counting the person in service (``per_lane`` only); null: nobody moves."""
    jockey_walk_min: float = bounded(0.0, 0, 60)
    """Minutes a customer takes to move from one line to another (only with ``jockey_diff`` set)."""

    def problems(self, p: Problems, prefix: str = "queue") -> None:
        """A known discipline; jockeying only between lines of their own (``per_lane``); a walking
        time only for customers who move (``jockey_diff`` set)."""
        p.choice(f"{prefix}.discipline", self.discipline, DISCIPLINES)
        if self.discipline == "single_line" and self.jockey_diff is not None and p.clear(f"{prefix}.jockey_diff"):
            p.need(False, f"{prefix}.jockey_diff", "must be null with queue.discipline=single_line "
                   "(one pooled line: there is no other line to move to)", self.jockey_diff)
        if self.jockey_diff is None:
            p.unused(prefix, self, ("jockey_walk_min",), "acts only when customers move, and queue.jockey_diff is "
                     "null: set queue.jockey_diff (an integer from 2), or drop {key}")
