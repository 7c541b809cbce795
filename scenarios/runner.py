"""Replications of one scenario: seeds, optional worker processes, and KPI intervals."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..analysis.stats import ConfidenceInterval, t_interval
from ..sim import ReplicationResult, ScenarioParams, run_replication


def replication_seed(master_seed: int, replication: int) -> np.random.SeedSequence:
    """Seed of replication ``k``: the k-th child of the master seed, whatever the job count."""
    return np.random.SeedSequence(entropy=master_seed, spawn_key=(replication,))


def _one(args: tuple[ScenarioParams, int]) -> ReplicationResult:
    params, k = args
    return run_replication(params, replication_seed(params.run.seed, k))


@dataclass
class ScenarioResult:
    """All replications of one scenario, with the KPIs' intervals across them."""

    params: ScenarioParams
    replications: list[ReplicationResult]
    wall_time_s: float

    def kpi_values(self, name: str) -> list[float]:
        return [r.kpis[name] for r in self.replications]

    def kpis(self) -> dict[str, ConfidenceInterval]:
        """KPI name -> mean, std and 95% t interval over replications."""
        names = self.replications[0].kpis.keys()
        return {name: t_interval(self.kpi_values(name)) for name in names}


def run_scenario(params: ScenarioParams, on_replication: Callable[[int], None] | None = None) -> ScenarioResult:
    """Run ``params.run.replications`` replications, in ``params.run.jobs`` processes."""
    params.check()
    started = time.perf_counter()
    tasks = [(params, k) for k in range(params.run.replications)]
    results: list[ReplicationResult] = []
    if params.run.jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=min(params.run.jobs, len(tasks))) as pool:
            for result in pool.map(_one, tasks):
                results.append(result)
                if on_replication:
                    on_replication(len(results))
    else:
        for task in tasks:
            results.append(_one(task))
            if on_replication:
                on_replication(len(results))
    return ScenarioResult(params, results, time.perf_counter() - started)
