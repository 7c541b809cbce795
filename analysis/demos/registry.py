"""The demo registry: a demo is one function registered with ``@demo(name, summary)``.

The function receives a :class:`DemoContext` (where to write, how big to run, and the
application's way to compose and simulate a scenario) and returns a :class:`DemoResult`:
the figure it wrote, three lines for the class, and the numbers it drew, so that tests can
check them against theory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ...sim import ScenarioParams
from ..simulated import SimulatedScenario

T = TypeVar("T")


@dataclass(frozen=True)
class DemoContext:
    """Where a demo writes, how big it runs, and how it gets its scenarios.

    A demo names each scenario by ``storesim`` overrides, so every point of every figure can
    be re-run by hand as ``storesim OVERRIDES...``; the application composes and runs them
    exactly as that command does (``storesim.scenarios.demo_cli.demo_context``).

    Attributes:
        out_dir: folder for the demo's figure.
        parameters: checked parameters for ``storesim OVERRIDES...``; raises the
            application's ConfigError on bad input.
        simulate: composes every scenario (a list of overrides each) before running any,
            then runs them in turn, showing progress over all their replications; returns
            one result per scenario, in order.
        quick: small sizes (for tests), still enough replications for intervals.
        jobs: worker processes for the larger runs.
        progress: ``progress(what, total)`` gives a callable ``update(done)`` that shows the
            progress of other long work (drawing an animation's frames); None shows nothing.
    """

    out_dir: Path
    parameters: Callable[[Sequence[str]], ScenarioParams]
    simulate: Callable[[Sequence[Sequence[str]]], list[SimulatedScenario]]
    quick: bool = False
    jobs: int = 2
    progress: Callable[[str, int], Callable[[int], None]] | None = None

    def run(self, overrides: Sequence[str]) -> SimulatedScenario:
        """The replications of one scenario."""
        return self.simulate([overrides])[0]

    def run_all(self, scenarios: Sequence[Sequence[str]]) -> list[SimulatedScenario]:
        """The replications of every scenario, in order: a demo that knows all its scenarios
        up front runs them here, so that its progress counts all of them at once."""
        return self.simulate(scenarios)

    def size(self, full: T, quick: T) -> T:
        """``full`` for a class-ready run, ``quick`` for a test run."""
        return quick if self.quick else full

    def figure_path(self, name: str, suffix: str = ".png") -> Path:
        return self.out_dir / f"{name}{suffix}"


@dataclass
class DemoResult:
    """What a demo produced.

    Attributes:
        figure: the file written (PNG, or GIF for the animation).
        explanation: three lines: what the figure shows, why, and the numbers.
        data: the demo's numbers (per-replication values and theory), for tests.
    """

    figure: Path
    explanation: tuple[str, str, str]
    data: dict[str, Any] = field(default_factory=dict)


DemoFunction = Callable[[DemoContext], DemoResult]


@dataclass(frozen=True)
class Demo:
    """A registered demo."""

    name: str
    summary: str
    run: DemoFunction


DEMOS: dict[str, Demo] = {}
"""Registered demos by name, in the order a lesson takes them."""


def demo(name: str, summary: str) -> Callable[[DemoFunction], DemoFunction]:
    """Register the decorated function as demo ``name`` (``summary``: one line for ``--list``)."""

    def register(function: DemoFunction) -> DemoFunction:
        if name in DEMOS:
            raise ValueError(f"demo {name!r} is registered twice")
        DEMOS[name] = Demo(name, summary, function)
        return function

    return register
