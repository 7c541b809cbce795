"""Why variability hurts: the same average service time, more spread, longer waits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import theory
from ..plots_style import errorbar_ci, plan_colour, pyplot, save_figure
from ..stats import t_interval
from .registry import DemoContext, DemoResult, demo
from .runs import mmc, relaxation_run

SERVERS = 3
LOAD = 0.85


@dataclass(frozen=True)
class VariabilityPoint:
    """Per-replication mean waits at one service-time CV, with the Allen-Cunneen value."""

    cv: float
    waits: list[float]
    approximation: float


def service_overrides(cv: float) -> list[str]:
    """Service of mean 1 minute with coefficient of variation ``cv`` (gamma; 0 is deterministic)."""
    if cv == 0:
        return ["service.distribution=deterministic"]
    return ["service.distribution=gamma", f"service.cv={cv:g}"]


def approximation(cv: float) -> float:
    """Allen-Cunneen M/G/c mean wait: Erlang C's times (ca² + cs²)/2 with Poisson arrivals (ca² = 1)."""
    return theory.allen_cunneen_wait(SERVERS * LOAD, 1.0, SERVERS, ca2=1.0, cs2=cv**2)


def simulate_cvs(ctx: DemoContext) -> list[VariabilityPoint]:
    """Mean wait over replications at each service-time CV, same load and same arrivals."""
    cvs = ctx.size((0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0), (0.0, 1.0, 2.0))
    reps = ctx.size(20, 10)
    results = ctx.run_all([mmc(ctx, SERVERS, LOAD, reps, *relaxation_run(SERVERS, LOAD, cv**2), *service_overrides(cv))
                           for cv in cvs])
    return [VariabilityPoint(cv, result.kpi_values("wait_mean"), approximation(cv)) for cv, result in zip(cvs, results)]


def draw(points: list[VariabilityPoint], path: Path) -> None:
    """Mean wait against service CV: Allen-Cunneen line, simulated dots with 95% CI whiskers."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 5.5))
    cv = np.linspace(0, max(p.cv for p in points) * 1.05, 100)
    ax.plot(cv, [approximation(c) for c in cv], color=plan_colour("theory"),
            label="Allen-Cunneen: Erlang C x (1 + CV²)/2")
    cis = [t_interval(p.waits) for p in points]
    errorbar_ci(ax, [p.cv for p in points], cis, plan_colour("simulated"), "simulated (95% CI)")
    for x, text in ((0.0, "every customer\ntakes 1 min"), (1.0, "exponential\n(M/M/3)")):
        match = [c for p, c in zip(points, cis) if p.cv == x]
        if match:
            ax.annotate(text, (x, match[0].mean), xytext=(12, 18), textcoords="offset points", fontsize=11)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("coefficient of variation of service time (sd / mean)")
    ax.set_ylabel("mean wait in line (min)\n(mean service time = 1 min)")
    ax.set_title(f"Same average service, more spread: longer waits\n"
                 f"({SERVERS} lanes, {LOAD:.0%} busy, Poisson arrivals)")
    ax.legend(loc="upper left")
    save_figure(fig, path)


@demo("variability", "mean wait against service-time variability, with the Allen-Cunneen approximation")
def variability(ctx: DemoContext) -> DemoResult:
    points = simulate_cvs(ctx)
    path = ctx.figure_path("variability")
    draw(points, path)
    waits = {p.cv: t_interval(p.waits).mean for p in points}
    low, high = min(waits), max(waits)
    explanation = (
        f"Mean wait at {LOAD:.0%} utilization on {SERVERS} lanes as the service time's coefficient of variation "
        "grows; the average service time stays 1 minute.",
        "Kingman/Allen-Cunneen: wait ~ Erlang C wait x (ca² + cs²)/2, so waits grow with the square of the CV; "
        "long transactions hold up everyone behind them.",
        f"CV {low:g}: {waits[low]:.2f} min; CV {high:g}: {waits[high]:.2f} min "
        f"({waits[high] / waits[low]:.1f}x longer for the same workload).",
    )
    return DemoResult(path, explanation, {"points": points})
