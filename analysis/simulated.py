"""What analysis reads of a simulated scenario: the shape of the application's results.

The application runs a scenario's replications (``storesim.scenarios.runner.run_scenario``
returns a ``ScenarioResult``) and hands the result to the demos and the calibration's
replay; they read it through this protocol, so analysis needs only the model's own types.
"""

from __future__ import annotations

from typing import Protocol

from ..sim import ReplicationResult, ScenarioParams


class SimulatedScenario(Protocol):
    """A scenario's parameters and its replications, in replication order."""

    params: ScenarioParams
    replications: list[ReplicationResult]

    def kpi_values(self, name: str) -> list[float]:
        """The KPI's value in each replication."""
        ...
