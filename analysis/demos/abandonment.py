"""Impatient customers: Erlang A (M/M/c+M) against simulation as patience varies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import theory
from ..plots_style import errorbar_ci, plain_log_ticks, plan_colour, pyplot, save_figure
from ..stats import t_interval
from .registry import DemoContext, DemoResult, demo
from .runs import mmc

SERVERS = 5
LOAD = 1.0
"""Customers arrive exactly as fast as the lanes can serve: without abandonment no steady state."""


@dataclass(frozen=True)
class PatiencePoint:
    """Per-replication abandonment shares and waits of served customers at one mean patience."""

    patience_min: float
    abandon_rates: list[float]
    waits: list[float]
    theory: theory.ErlangAMetrics


def erlang_a(patience_min: float) -> theory.ErlangAMetrics:
    return theory.erlang_a_metrics(SERVERS * LOAD, 1.0, SERVERS, 1.0 / patience_min)


def simulate_patience(ctx: DemoContext) -> list[PatiencePoint]:
    """Abandonment and waits over replications at each mean patience (exponential)."""
    patience = ctx.size((1.0, 2.0, 5.0, 10.0, 20.0, 40.0), (2.0, 10.0))
    reps = ctx.size(20, 10)
    scenarios = []
    for mean in patience:
        warmup = max(200.0, 10 * mean)
        horizon = warmup + max(2000.0, 60 * mean)
        scenarios.append(mmc(ctx, SERVERS, LOAD, reps, horizon, warmup, "abandonment.reneging=true",
                             "abandonment.patience_distribution=exponential",
                             f"abandonment.patience_mean_min={mean:g}"))
    return [PatiencePoint(mean, result.kpi_values("abandon_rate"), result.kpi_values("wait_mean"), erlang_a(mean))
            for mean, result in zip(patience, ctx.run_all(scenarios))]


def draw(points: list[PatiencePoint], path: Path) -> None:
    """Share who leave and mean wait against mean patience: Erlang A lines, simulated dots."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    xs = [p.patience_min for p in points]
    grid = np.geomspace(min(xs) * 0.8, max(xs) * 1.25, 80)
    curve = [erlang_a(g) for g in grid]
    theory_colour, sim_colour = plan_colour("theory"), plan_colour("simulated")
    left.plot(grid, [m.abandon_prob * 100 for m in curve], color=theory_colour, label="Erlang A")
    errorbar_ci(left, xs, [t_interval(p.abandon_rates) for p in points], sim_colour, "simulated (95% CI)", 100)
    left.set_ylabel("customers who leave the line (%)")
    left.set_title("Fewer leave when they are more patient...")
    right.plot(grid, [m.wait_mean_served for m in curve], color=theory_colour, label="Erlang A")
    errorbar_ci(right, xs, [t_interval(p.waits) for p in points], sim_colour, "simulated (95% CI)")
    right.set_ylabel("mean wait of those served (min)")
    right.set_title("...but everyone else waits longer")
    for ax in (left, right):
        ax.set_xscale("log")
        plain_log_ticks(ax.xaxis, xs)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("mean patience (min, exponential)")
        ax.legend(loc="upper left" if ax is right else "upper right")
    fig.suptitle("Impatience keeps a full line finite; Erlang A predicts who leaves and how long the rest wait\n"
                 f"({SERVERS} lanes, customers arriving as fast as the lanes serve them, mean service 1 min)")
    fig.tight_layout()
    save_figure(fig, path)


@demo("abandonment", "Erlang A against simulation as patience varies: who leaves, and how long the rest wait")
def abandonment(ctx: DemoContext) -> DemoResult:
    points = simulate_patience(ctx)
    path = ctx.figure_path("abandonment")
    draw(points, path)
    first, last = points[0], points[-1]
    explanation = (
        f"{SERVERS} lanes at {LOAD:.0%} offered load with customers who give up after an exponential patience; "
        "dots simulated (95% CI), lines Erlang A (M/M/c+M).",
        "Without abandonment this line would grow without end (Erlang C has no answer at 100%); impatience "
        "keeps it finite, and the more patient the customers, the longer the line they build.",
        f"Mean patience {first.patience_min:g} min: {first.theory.abandon_prob:.0%} leave, the served wait "
        f"{first.theory.wait_mean_served:.2f} min; {last.patience_min:g} min: {last.theory.abandon_prob:.0%} leave, "
        f"the served wait {last.theory.wait_mean_served:.1f} min.",
    )
    return DemoResult(path, explanation, {"points": points})
