"""``queue.*``: how lines form in front of the lanes."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Problems

DISCIPLINES = ("per_lane", "single_line")


@dataclass
class QueueParams:
    """How lines form in front of the lanes."""

    discipline: str = "per_lane"
    """``per_lane``: join the shortest line; ``single_line``: one pooled line for all lanes."""

    def problems(self, p: Problems, prefix: str = "queue") -> None:
        """A known discipline."""
        p.choice(f"{prefix}.discipline", self.discipline, DISCIPLINES)
