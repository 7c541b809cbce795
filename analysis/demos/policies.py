"""What store policies buy: each policy against its baseline with the same customers.

One demo per policy; each compares two scenarios replication by replication (common random
numbers) and draws the line through the day plus the paired KPI changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..plots_style import clock_axis, plan_colour, pyplot, save_figure
from ..stats import ConfidenceInterval, paired_difference
from .registry import DemoContext, DemoResult, demo
from .runs import Curve, curve, simulate


@dataclass(frozen=True)
class PolicyComparison:
    """Two plans run with the same seeds: their line and lanes through the day, and their KPIs."""

    plans: dict[str, str]
    """Plan key -> label; the first plan is the baseline."""
    open_hour: float
    line: dict[str, Curve]
    lanes: dict[str, Curve]
    kpis: dict[str, dict[str, list[float]]]

    def change(self, kpi: str) -> ConfidenceInterval:
        """Second plan minus the baseline, paired by replication."""
        base, other = self.plans
        return paired_difference(self.kpis[other][kpi], self.kpis[base][kpi])


def compare(plans: dict[str, list[str]], labels: dict[str, str], kpis: tuple[str, ...]) -> PolicyComparison:
    """Run each plan's overrides and keep what :func:`draw_comparison` shows."""
    line, lanes, values, open_hour = {}, {}, {}, 0.0
    for key, overrides in plans.items():
        result = simulate(overrides)
        open_hour = result.params.store.open_hour
        line[key], lanes[key] = curve(result, "queue_len_mean"), curve(result, "open_lanes_mean")
        values[key] = {name: result.kpi_values(name) for name in kpis}
    return PolicyComparison(labels, open_hour, line, lanes, values)


def _draw_day(comparison: PolicyComparison, line_ax, lanes_ax) -> None:
    """Line length (mean, 95% band) and lanes open through the day, one colour per plan."""
    for key, label in comparison.plans.items():
        colour, line = plan_colour(key), comparison.line[key]
        mid = line.start_min + (line.start_min[1] - line.start_min[0]) / 2
        line_ax.fill_between(mid, line.ci_low, line.ci_high, color=colour, alpha=0.2)
        line_ax.plot(mid, line.mean, color=colour, linewidth=2.2, label=label)
        lanes_ax.plot(mid, comparison.lanes[key].mean, color=colour, linewidth=2.2)
        end = mid[-1] + (mid[1] - mid[0]) / 2
    line_ax.set_ylabel("people waiting")
    line_ax.legend(loc="upper left")
    line_ax.set_title("Line length through the day (mean, 95% band)")
    lanes_ax.set_ylabel("lanes open")
    for ax in (line_ax, lanes_ax):
        clock_axis(ax, comparison.open_hour, 0, end)
    line_ax.tick_params(labelbottom=False)
    line_ax.set_xlabel("")


def _draw_changes(comparison: PolicyComparison, changes: dict[str, str], ax) -> None:
    """Each KPI's paired change in percent of the baseline mean; green where the policy is
    surely better (lower), orange where surely worse, grey where the interval spans 0."""
    base, other = comparison.plans
    y = np.arange(len(changes))[::-1]
    for yy, name in zip(y, changes):
        ci, scale = comparison.change(name), 100.0 / np.mean(comparison.kpis[base][name])
        colour = plan_colour(other if ci.ci_high < 0 else base if ci.ci_low > 0 else "target")
        ax.errorbar([ci.mean * scale], [yy], xerr=[[(ci.mean - ci.ci_low) * scale], [(ci.ci_high - ci.mean) * scale]],
                    fmt="o", color=colour, markersize=10, capsize=5)
        ax.annotate(f"{ci.mean * scale:+.0f}%", (ci.mean * scale, yy), xytext=(0, 10), textcoords="offset points",
                    ha="center", fontsize=12)
    ax.axvline(0, color="#000000", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(list(changes.values()))
    ax.set_ylim(-0.7, len(changes) - 0.3)
    ax.set_xlabel(f"change against {comparison.plans[base]} (%)\n(same customers; 95% CI)")
    ax.set_title(f"{comparison.plans[other]}: what changes")


def draw_comparison(comparison: PolicyComparison, changes: dict[str, str], title: str, path: Path) -> None:
    """Left: the line and open lanes through the day per plan; right: paired changes of the
    ``changes`` KPIs (KPI -> label; lower is better for each)."""
    plt = pyplot()
    fig = plt.figure(figsize=(14, 6))
    grid = fig.add_gridspec(2, 2, height_ratios=[2.2, 1], width_ratios=[1.6, 1])
    _draw_day(comparison, fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0]))
    _draw_changes(comparison, changes, fig.add_subplot(grid[:, 1]))
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)


@demo("cross_training", "cross-trained floor staff open lanes at the peak: shorter peak waits, slower floor help")
def cross_training(ctx: DemoContext) -> DemoResult:
    reps = f"run.replications={ctx.size(30, 10)}"
    plans = {policy: ["staffing=lean", f"policy/cross_training={policy}", reps, "output.customers=false"]
             for policy in ("none", "threshold")}
    labels = {"none": "dedicated roles", "threshold": "cross-trained floor staff"}
    changes = {"peak_wait_mean": "peak wait, mean", "peak_wait_p90": "peak wait, 90th percentile",
               "abandon_rate": "customers who leave", "floor_wait_mean": "floor help wait, mean"}
    comparison = compare(plans, labels, tuple(changes))
    path = ctx.figure_path("cross_training")
    draw_comparison(comparison, changes, "Cross-trained floor staff cut peak waits, and floor customers pay for it",
                    path)
    peak, floor = comparison.change("peak_wait_mean"), comparison.change("floor_wait_mean")
    explanation = (
        "A lean store (6 cashiers all day, 2 floor employees) with dedicated roles, then with floor staff who "
        "open a lane when 3 or more people wait per open lane (same customers).",
        "Capacity that moves to where the line is acts like pooling across roles: the peak gets extra lanes "
        "without extra wages, but the walk and the floor work left undone are the price.",
        f"Peak mean wait {peak.mean:+.2f} min (95% CI {peak.ci_low:+.2f} to {peak.ci_high:+.2f}); floor customers "
        f"wait {floor.mean:+.2f} min longer (95% CI {floor.ci_low:+.2f} to {floor.ci_high:+.2f}).",
    )
    return DemoResult(path, explanation, {"comparison": comparison})
