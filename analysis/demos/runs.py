"""The demos' scenarios as ``storesim`` overrides, and what they read of the runs.

A demo names its scenario by ``storesim`` overrides, so every point of every figure can be
re-run by hand as ``storesim OVERRIDES...``; :class:`DemoContext` composes and runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..simulated import SimulatedScenario
from ..stats import t_interval
from .registry import DemoContext

PARALLEL_FROM = 150_000
"""Customers in a run (all replications) from which a second process repays its start-up."""


def jobs_for(ctx: DemoContext, customers: float) -> int:
    """Worker processes for a run of about ``customers`` customers in all."""
    return ctx.jobs if customers >= PARALLEL_FROM else 1


def relaxation_run(servers: int, load: float, scv: float = 1.0) -> tuple[float, float]:
    """(horizon, warm-up) in minutes for M/G/c at ``load`` (mean service 1 minute).

    About 30 and 3 relaxation times, 1 / (c·μ·(1 − √ρ)²) · (1 + scv)/2: how long the line
    takes to forget how it started. At 90% busy that is minutes for five lanes, hours for one.
    """
    relax = (1.0 + scv) / 2.0 / (servers * (1.0 - np.sqrt(load)) ** 2)
    warmup = max(100.0, 3 * relax)
    return warmup + max(2000.0, 30 * relax), warmup


def mmc(ctx: DemoContext, servers: int, load: float, replications: int, horizon_min: float,
        warmup_min: float, *extra: str, records: bool = False) -> list[str]:
    """Overrides for the textbook M/M/c queue at utilization ``load`` (``experiment=mmc``,
    mean service 1 minute); ``extra`` overrides come last."""
    customers = servers * load * horizon_min * replications
    return ["experiment=mmc", f"store.lanes={servers}", f"staffing.cashiers={servers}",
            f"arrivals.rate_per_hour={servers * load * 60:.6g}", "service.mean_min=1",
            f"run.horizon_min={horizon_min:g}", f"run.warmup_min={warmup_min:g}",
            f"run.replications={replications}", f"run.jobs={jobs_for(ctx, customers)}",
            f"output.customers={str(records).lower()}", *extra]


def hourly(values: Sequence[float]) -> str:
    """A list override value, e.g. ``[3,4,5]``."""
    return "[" + ",".join(f"{v:g}" for v in values) + "]"


@dataclass(frozen=True)
class Curve:
    """A time series averaged over replications: mean and t interval per bucket."""

    start_min: np.ndarray
    mean: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray


def curve(result: SimulatedScenario, column: str) -> Curve:
    """Per-bucket mean of ``timeseries[column]`` over replications, up to closing time.

    Replications run past closing by different amounts, so buckets after the doors close
    are cut off.
    """
    width = result.params.output.bucket_min
    n = int(np.ceil(result.params.horizon_min / width - 1e-9))
    rows = np.array([rep.timeseries[column][:n] for rep in result.replications], dtype=float)
    cis = [t_interval(rows[:, k]) for k in range(n)]
    return Curve(np.arange(n) * width, np.array([c.mean for c in cis]),
                 np.array([c.ci_low for c in cis]), np.array([c.ci_high for c in cis]))
