"""Little's law, L = λW, in every run: textbook queues, impatient customers, whole store days."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..plots_style import plain_log_ticks, plan_colour, pyplot, save_figure
from ..simulated import SimulatedScenario
from .registry import DemoContext, DemoResult, demo
from .runs import mmc


@dataclass(frozen=True)
class LittleRun:
    """One replication: time-average line length L, arrival rate λ (per min), mean time in line W."""

    scenario: str
    line_len: float
    arrival_rate: float
    time_in_line: float

    @property
    def rate_times_wait(self) -> float:
        return self.arrival_rate * self.time_in_line


def scenarios(ctx: DemoContext) -> dict[str, list[str]]:
    """Named scenarios, each observed from opening (empty) until the last customer left."""
    reps = ctx.size(15, 4)
    horizon = ctx.size(3000, 1000)
    store = [f"run.replications={reps}", "run.warmup_min=0"]
    return {
        "M/M/1, 80% busy": mmc(ctx, 1, 0.8, reps, horizon, 0, records=True),
        "M/M/5, 95% busy": mmc(ctx, 5, 0.95, reps, horizon, 0, records=True),
        "M/M/5+M, 110% load, impatient": mmc(ctx, 5, 1.1, reps, horizon, 0, "abandonment.reneging=true",
                                             "abandonment.patience_mean_min=5", records=True),
        "store day, a line per lane": store,
        "store day, one pooled line": [*store, "queue.discipline=single_line"],
        "lean store, cross-trained helpers": [*store, "staffing=lean", "policy/cross_training=threshold"],
    }


def measure(name: str, result: SimulatedScenario) -> list[LittleRun]:
    """L from the line-length KPI (time-weighted); λ and W from the customer records.

    W counts everyone's time in line: balkers spend 0, reneging customers until they leave.
    """
    runs = []
    for rep in result.replications:
        customers = rep.customers
        runs.append(LittleRun(name, rep.kpis["queue_len_mean"], len(customers["customer_id"]) / rep.ended_at,
                              float(np.mean(customers["wait_min"]))))
    return runs


def draw(runs: list[LittleRun], path: Path) -> None:
    """L against λW, one dot per run, with the line L = λW."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 6.5))
    names = list(dict.fromkeys(r.scenario for r in runs))
    for k, name in enumerate(names):
        mine = [r for r in runs if r.scenario == name]
        ax.plot([r.rate_times_wait for r in mine], [r.line_len for r in mine], "o", alpha=0.75, markersize=7,
                color=plan_colour(name, k), label=name)
    values = [v for r in runs for v in (r.line_len, r.rate_times_wait)]
    low, high = min(values) * 0.7, max(values) * 1.4
    ax.plot([low, high], [low, high], color=plan_colour("theory"), linewidth=1.2, zorder=0, label="L = λW")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ticks = [t for t in (0.5, 1, 2, 5, 10, 20, 50, 100) if low <= t <= high]
    plain_log_ticks(ax.xaxis, ticks)
    plain_log_ticks(ax.yaxis, ticks)
    ax.set_xlabel("λ x W: arrivals per minute x mean time in line (min)")
    ax.set_ylabel("L: time-average number waiting")
    ax.set_title(f"Little's law L = λW holds in every one of {len(runs)} runs")
    ax.legend(loc="upper left", fontsize=10)
    save_figure(fig, path)


@demo("littles_law", "line length L against arrival rate x time in line (λW) across many runs")
def littles_law(ctx: DemoContext) -> DemoResult:
    named = scenarios(ctx)
    runs = [run for name, result in zip(named, ctx.run_all(list(named.values()))) for run in measure(name, result)]
    path = ctx.figure_path("littles_law")
    draw(runs, path)
    gap = max(abs(r.line_len - r.rate_times_wait) / r.line_len for r in runs)
    explanation = (
        f"Each dot is one simulated run ({len(runs)} in all): its average number of people waiting (L) "
        "against its arrival rate times the average time in line (λW).",
        "Little's law needs no assumption about arrivals, service, lanes or impatience: over any stretch of "
        "time that starts and ends with an empty store, L = λW exactly.",
        f"Largest relative gap between L and λW over all runs: {gap:.1e} (rounding error); "
        "so a line of 12 people at 4 arrivals a minute means a 3-minute wait.",
    )
    return DemoResult(path, explanation, {"runs": runs})
