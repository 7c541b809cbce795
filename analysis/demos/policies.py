"""What store policies buy: each policy against its baseline with the same customers.

One demo per policy; each compares two scenarios replication by replication (common random
numbers): cross-training draws the line through the day plus the paired KPI changes,
empowerment each KPI under both policies in its own unit, hiring the KPIs against days
since hire.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..number_text import COST_UNITS
from ..plots_style import clock_axis, plain_log_ticks, plan_colour, pyplot, save_figure
from ..stats import ConfidenceInterval, paired_difference, t_interval
from ..simulated import SimulatedScenario
from .registry import DemoContext, DemoResult, demo
from .runs import Curve, curve

if TYPE_CHECKING:
    from ...sim.params import HiringParams

BASELINE, POLICY = plan_colour("none"), plan_colour("threshold")
POLICY_COLOURS = {"manager_approval": BASELINE, "empowered": POLICY, "experienced": BASELINE,
                  "friendly_trained": POLICY}
"""The store's current practice in orange, the policy tried in green, as in cross-training."""


def colour(plan: str) -> str:
    return POLICY_COLOURS.get(plan) or plan_colour(plan)


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


def compare(ctx: DemoContext, plans: dict[str, list[str]], labels: dict[str, str],
            kpis: tuple[str, ...]) -> PolicyComparison:
    """Run each plan's overrides and keep what :func:`draw_comparison` shows."""
    return compare_results(dict(zip(plans, ctx.run_all(list(plans.values())))), labels, kpis)


def compare_results(results: dict[str, SimulatedScenario], labels: dict[str, str],
                    kpis: tuple[str, ...]) -> PolicyComparison:
    """What :func:`draw_comparison` shows of each plan's replications (plan key -> result)."""
    line, lanes, values, open_hour = {}, {}, {}, 0.0
    for key, result in results.items():
        open_hour = result.params.store.open_hour
        line[key], lanes[key] = curve(result, "queue_len_mean"), curve(result, "open_lanes_mean")
        values[key] = {name: result.kpi_values(name) for name in kpis}
    return PolicyComparison(labels, open_hour, line, lanes, values)


def _draw_day(comparison: PolicyComparison, line_ax, lanes_ax) -> None:
    """Line length (mean, 95% band) and lanes open through the day, one colour per plan."""
    for key, label in comparison.plans.items():
        colour_, line = colour(key), comparison.line[key]
        mid = line.start_min + (line.start_min[1] - line.start_min[0]) / 2
        line_ax.fill_between(mid, line.ci_low, line.ci_high, color=colour_, alpha=0.2)
        line_ax.plot(mid, line.mean, color=colour_, linewidth=2.2, label=label)
        lanes_ax.plot(mid, comparison.lanes[key].mean, color=colour_, linewidth=2.2)
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
        colour_ = colour(other) if ci.ci_high < 0 else colour(base) if ci.ci_low > 0 else plan_colour("target")
        ax.errorbar([ci.mean * scale], [yy], xerr=[[(ci.mean - ci.ci_low) * scale], [(ci.ci_high - ci.mean) * scale]],
                    fmt="o", color=colour_, markersize=10, capsize=5)
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
    comparison = compare(ctx, plans, labels, tuple(changes))
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


@dataclass(frozen=True)
class Panel:
    """One panel of :func:`draw_levels`: KPIs that share a unit."""

    title: str
    ylabel: str
    kpis: dict[str, str]
    """KPI -> label on the x axis."""
    scale: float = 1.0
    """Multiplies the KPI's values (100 for shares in %)."""
    unit: str = ""
    """Unit after a change, e.g. ``" min"``."""
    digits: int = 2
    from_zero: bool = True
    top: float | None = None
    """Upper end of the y axis (100 for percentages), else automatic."""


def _draw_levels(comparison: PolicyComparison, panel: Panel, ax) -> None:
    """Each KPI under both plans (mean, 95% CI) side by side; below its name, the paired change."""
    base, other = comparison.plans
    names = []
    for x, (name, label) in enumerate(panel.kpis.items()):
        for offset, key in ((-0.17, base), (0.17, other)):
            ci = t_interval(np.asarray(comparison.kpis[key][name]) * panel.scale)
            ax.errorbar([x + offset], [ci.mean], yerr=[[ci.mean - ci.ci_low], [ci.ci_high - ci.mean]], fmt="o",
                        color=colour(key), markersize=10, capsize=5,
                        label=comparison.plans[key] if x == 0 else None)
        change, d, s = comparison.change(name), panel.digits, panel.scale
        names.append(f"{label}\n{change.mean * s:+.{d}f}{panel.unit}\n"
                     f"({change.ci_low * s:+.{d}f} to {change.ci_high * s:+.{d}f})")
    ax.set_xticks(range(len(panel.kpis)))
    ax.set_xticklabels(names)
    ax.set_xlim(-0.6, len(panel.kpis) - 0.4)
    low, high = ax.get_ylim()
    if panel.from_zero:  # a little below 0, so that a dot at 0 shows whole
        ax.set_ylim(-0.03 * high, high * 1.08)
    if panel.top is not None:
        ax.set_ylim(top=panel.top)
    ax.set_ylabel(panel.ylabel)
    ax.set_title(panel.title)
    ax.grid(axis="x", visible=False)


def draw_levels(comparison: PolicyComparison, panels: list[Panel], title: str, path: Path) -> None:
    """One panel per unit: each KPI under both plans, with the paired change (95% CI) under its name."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(15, 5.8),
                             gridspec_kw={"width_ratios": [len(p.kpis) for p in panels]})
    for panel, ax in zip(panels, np.atleast_1d(axes)):
        _draw_levels(comparison, panel, ax)
    fig.legend(*np.atleast_1d(axes)[0].get_legend_handles_labels(), loc="lower center", ncol=2,
               bbox_to_anchor=(0.5, -0.06), frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)


@demo("empowerment", "cashiers who decide exceptions themselves: shorter holds and waits, some discounts")
def empowerment(ctx: DemoContext) -> DemoResult:
    reps = f"run.replications={ctx.size(30, 10)}"
    plans = {policy: [f"policy/empowerment={policy}", reps, "output.customers=false"]
             for policy in ("manager_approval", "empowered")}
    labels = {"manager_approval": "every exception waits for a manager", "empowered": "empowered cashiers"}
    panels = [
        Panel("Time at the lane", "minutes (mean)",
              {"hold_time_mean": "hold per\nexception", "wait_behind_exception_mean": "wait of the customer\n"
               "behind an exception"}, unit=" min"),
        Panel("Money per day", f"{COST_UNITS} per day",
              {"discount_cost": "value given away\nby wrong grants",
               "lost_sales_refused": "sales lost to\nwrong refusals", "lost_sales": "all sales lost"},
              digits=0),
        Panel("What customers say", "% of all customers",
              {"csat": "satisfied or\ndelighted", "delighted_share": "delighted"},
              scale=100.0, unit=" pts", digits=1, from_zero=False, top=100.0),
    ]
    kpis = tuple(k for p in panels for k in p.kpis) + ("satisfaction_mean", "total_cost", "exceptions_wrong_share")
    comparison = compare(ctx, plans, labels, kpis)
    path = ctx.figure_path("empowerment")
    draw_levels(comparison, panels,
                "Empowered cashiers cut holds and the waits behind them, and their mistakes cost less than the sales "
                "the shorter\nlines keep (default store day, same customers; under each pair: empowered minus "
                "manager approval, 95% CI)", path)
    hold, behind, refused = (comparison.change(k) for k in ("hold_time_mean", "wait_behind_exception_mean",
                                                            "lost_sales_refused"))
    lost, score = comparison.change("lost_sales"), comparison.change("satisfaction_mean")
    rule = ctx.parameters(plans["empowered"]).policy.empowerment
    explanation = (
        "The default store day twice with the same customers: every price match, return and coupon waits for a "
        f"manager, then cashiers decide those worth up to {rule.value_limit:g} themselves, after "
        f"{rule.training_hours:g} h of training; a wrong grant gives the value away, a wrong refusal may lose "
        "the sale.",
        "A hold stops the whole lane, so everyone behind the exception waits too; a manager busy elsewhere makes "
        "the hold long, and the longer line makes some customers leave.",
        f"Hold {hold.mean:+.2f} min (95% CI {hold.ci_low:+.2f} to {hold.ci_high:+.2f}), next customer's wait "
        f"{behind.mean:+.2f} min ({behind.ci_low:+.2f} to {behind.ci_high:+.2f}); sales lost to wrong refusals "
        f"{refused.mean:+.0f} a day, all lost sales {lost.mean:+.0f}; mean score {score.mean:+.2f} of 5.",
    )
    return DemoResult(path, explanation, {"comparison": comparison})


HIRING_EARLY, HIRING_LATER = 7, 180
"""The first and last days since hire the hiring demo draws: the first week, and half a year in."""


@dataclass(frozen=True)
class HiringSweep:
    """Experienced against friendly trained hires (same customers), at each number of days since hire."""

    days: list[int]
    comparisons: dict[int, PolicyComparison]
    speed: dict[str, dict[int, float]]
    """Plan -> days since hire -> the learning curve's speed (1 = standard)."""
    standard_min: float
    """Mean service time at speed 1 of the customers served (service time times speed)."""
    profiles: dict[str, HiringParams]
    """Plan -> the hiring parameters of ``policy/hiring=plan``."""

    def gap(self, days: int, kpi: str) -> np.ndarray:
        """Per replication: friendly trained minus experienced."""
        kpis = self.comparisons[days].kpis
        return np.asarray(kpis["friendly_trained"][kpi]) - np.asarray(kpis["experienced"][kpi])


def simulate_hiring(ctx: DemoContext) -> HiringSweep:
    from ...sim.hiring import speed_after

    reps = f"run.replications={ctx.size(30, 10)}"
    days = list(ctx.size((HIRING_EARLY, 15, 30, 60, 90, HIRING_LATER), (HIRING_EARLY, 30, HIRING_LATER)))
    labels = {"experienced": "experienced hires", "friendly_trained": "friendly hires, trained on the job"}
    kpis = ("courtesy_mean", "service_time_mean", "csat", "peak_wait_p90", "satisfaction_mean")
    profiles = {key: ctx.parameters([f"policy/hiring={key}"]).policy.hiring for key in labels}
    plans = [(d, key) for d in days for key in labels]
    results = ctx.run_all([[f"policy/hiring={key}", f"policy.hiring.tenure_days={d}", reps, "output.customers=false"]
                           for d, key in plans])
    comparisons, speed, standard = {}, {key: {} for key in labels}, []
    for d in days:
        comparisons[d] = compare_results({key: result for (day, key), result in zip(plans, results) if day == d},
                                         labels, kpis)
        for key in labels:
            speed[key][d] = speed_after(d, profiles[key])
            standard.append(np.mean(comparisons[d].kpis[key]["service_time_mean"]) * speed[key][d])
    return HiringSweep(days, comparisons, speed, float(np.mean(standard)), profiles)


def draw_hiring(sweep: HiringSweep, path: Path) -> None:
    """Four KPIs against days since hire, one line per hiring profile (mean, 95% CI)."""
    from matplotlib.lines import Line2D

    from ...sim.hiring import speed_after

    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(14, 8.5), sharex=True)
    panels = {"courtesy_mean": ("Courtesy: friendliness of the cashier", "friendliness (0 to 1)", 1.0),
              "service_time_mean": ("Speed: mean service time", "minutes per customer", 1.0),
              "csat": ("Customers satisfied or delighted", "% of all customers", 100.0),
              "peak_wait_p90": ("Evening peak (17-19h): 90th percentile wait", "minutes", 1.0)}
    labels = sweep.comparisons[sweep.days[0]].plans
    for ax, (kpi, (title, ylabel, scale)) in zip(axes.flat, panels.items()):
        for k, key in enumerate(labels):
            cis = [t_interval(np.asarray(sweep.comparisons[d].kpis[key][kpi]) * scale) for d in sweep.days]
            xs = np.asarray(sweep.days) * (0.96 if k == 0 else 1.04)
            means = np.array([c.mean for c in cis])
            ax.errorbar(xs, means, yerr=[means - [c.ci_low for c in cis], [c.ci_high for c in cis] - means],
                        fmt="o-", color=colour(key), markersize=7, capsize=4, linewidth=1.8,
                        label=f"{labels[key]} (95% CI)")
            if kpi == "service_time_mean":
                hiring = sweep.profiles[key]
                grid = np.geomspace(min(sweep.days) * 0.9, max(sweep.days) * 1.1, 80)
                ax.plot(grid, [sweep.standard_min / speed_after(g, hiring) for g in grid], "--", color=colour(key),
                        linewidth=1.2)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xscale("log")
        plain_log_ticks(ax.xaxis, sweep.days)
    axes[0, 0].set_ylim(0, 1)
    axes[0, 0].legend(loc="lower right")
    dashed = Line2D([], [], linestyle="--", linewidth=1.2, color=plan_colour("target"))
    axes[0, 1].legend([dashed], ["learning curve of each profile:\n"
                                 f"{sweep.standard_min:.2f} min ÷ its speed after that many days"], loc="upper right")
    axes[1, 1].set_ylim(bottom=0)
    for ax in axes[1]:
        ax.set_xlabel("days since hire (log scale)")
    fig.suptitle("Friendly hires are kinder from day one but slower; practice narrows the speed gap, and from the "
                 "first week their\ncustomers are more often satisfied (default store day, same customers for both "
                 "hiring profiles)")
    fig.tight_layout()
    save_figure(fig, path)


@demo("hiring", "experienced or friendly hires: courtesy from day one, speed only with days since hire")
def hiring(ctx: DemoContext) -> DemoResult:
    sweep = simulate_hiring(ctx)
    path = ctx.figure_path("hiring")
    draw_hiring(sweep, path)
    early, later = sweep.days[0], sweep.days[-1]
    courtesy, slow, slow_later = (float(np.mean(sweep.gap(d, k))) for d, k in
                                  ((early, "courtesy_mean"), (early, "service_time_mean"),
                                   (later, "service_time_mean")))
    csat = {d: (np.mean(sweep.comparisons[d].kpis["experienced"]["csat"]),
                np.mean(sweep.comparisons[d].kpis["friendly_trained"]["csat"])) for d in (early, later)}
    fast, kind = sweep.profiles["experienced"], sweep.profiles["friendly_trained"]
    explanation = (
        f"The default store day staffed by experienced hires (friendliness {fast.friendliness_mean:g}, "
        f"{fast.start_speed:.0%} of their full speed on their first transaction) or by friendly hires trained on the "
        f"job (friendliness {kind.friendliness_mean:g}, {kind.start_speed:.0%}), everyone hired the same number of "
        f"days ago, with the same customers; speed rises with each transaction handled "
        f"({fast.transactions_per_day:g} a day).",
        "Courtesy comes with the person, speed with practice: each day of learning closes part of the speed gap, "
        "and near full utilization a slower cashier costs waits far beyond the extra seconds (demo 1).",
        f"Friendliness {courtesy:+.2f}; service time {slow:+.2f} min a customer at {early} days, {slow_later:+.2f} "
        f"at {later}; satisfied or delighted {csat[early][0]:.0%} against {csat[early][1]:.0%} at {early} days, "
        f"{csat[later][0]:.0%} against {csat[later][1]:.0%} at {later}.",
    )
    return DemoResult(path, explanation, {"sweep": sweep, "early": early, "later": later})
