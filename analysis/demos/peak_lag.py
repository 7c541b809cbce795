"""Why the line peaks after the customers do, and what staffing each hour on its own misses.

The store's arrival profile through a textbook checkout (one pooled line, exponential
service of the store's mean 1.9 min, nobody leaves), so that every hour on its own is
exactly Erlang C's M/M/c and any gap between Erlang C and the simulation is the day's
time-variation. Two plans: the same cashiers all day, and the fewest cashiers per hour
that Erlang C says meet the store's standard for that hour alone (stationary, period by
period).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import theory
from ..plots_style import HIGHLIGHT, clock_axis, clock_label, errorbar_ci, plan_colour, pyplot, save_figure
from ..simulated import SimulatedScenario
from ..stats import ConfidenceInterval, t_interval
from .registry import DemoContext, DemoResult, demo
from .runs import Curve, curve, hourly, jobs_for

MEAN_SERVICE_MIN = 1.9
FLAT_CASHIERS = 8
EVENING = (15.0, 21.0)
"""Clock hours over which the arrivals' and the line's centres of mass are compared."""
VIEW_FROM_MIN = 300.0
"""The figure starts five hours after opening (13:00): the morning is quiet under both plans."""
PLANS = {"flat": f"{FLAT_CASHIERS} cashiers all day", "hour_by_hour": "Erlang C hour by hour"}


@dataclass(frozen=True)
class PlanDay:
    """One plan over replications of the day: curves, cashiers per hour, hourly service levels."""

    cashiers: list[int]
    arrivals: Curve
    line: Curve
    service_level: list[list[float]]
    """Per replication, per hour: share of that hour's arrivals served within the target wait."""
    centre_lag_min: list[float]
    """Per replication: the line's centre of mass minus the arrivals', over the evening."""

    @property
    def line_peak_min(self) -> float:
        """Middle of the bucket with the longest mean line."""
        width = self.line.start_min[1] - self.line.start_min[0]
        return float(self.line.start_min[int(np.argmax(self.line.mean))] + width / 2)

    def hourly_level(self, hour: int, level: float = 0.95) -> ConfidenceInterval:
        return t_interval([day[hour] for day in self.service_level], level)


@dataclass(frozen=True)
class PeakDay:
    """Both plans on the same days, with what Erlang C promises each hour."""

    open_hour: float
    rates_per_hour: list[float]
    target_wait_min: float
    target_level: float
    plans: dict[str, PlanDay]

    def promise(self, plan: str, hour: int) -> float:
        """Erlang C's service level for ``hour`` as if it stood alone (0 when overloaded)."""
        lam, mu, c = self.rates_per_hour[hour] / 60.0, 1.0 / MEAN_SERVICE_MIN, self.plans[plan].cashiers[hour]
        return theory.mmc_metrics(lam, mu, c, self.target_wait_min).service_level if lam < c * mu else 0.0

    @property
    def busiest_hour(self) -> int:
        return int(np.argmax(self.rates_per_hour))


def base_overrides(rates_per_hour: list[float]) -> list[str]:
    """The textbook checkout with the store day's opening hours and ``rates_per_hour``."""
    return ["experiment=mmc", f"arrivals.rate_per_hour={hourly(rates_per_hour)}", "run.horizon_min=null",
            "run.warmup_min=0", f"service.mean_min={MEAN_SERVICE_MIN:g}", "output.customers=true"]


def erlang_c_plan(rates_per_hour: list[float], target_wait: float, level: float, lanes: int) -> list[int]:
    """Fewest cashiers per hour with Erlang C service level >= ``level`` at ``target_wait`` (at most ``lanes``)."""
    return [min(lanes, theory.min_servers_for_service_level(rate / 60.0, 1.0 / MEAN_SERVICE_MIN, target_wait, level))
            for rate in rates_per_hour]


def _centre(times: np.ndarray, weights: np.ndarray) -> float:
    return float((times * weights).sum() / weights.sum())


def hourly_service_level(customers: dict[str, np.ndarray], hours: int, target: float) -> list[float]:
    """Per opening hour: share of arrivals who began service within ``target`` minutes."""
    hour = (customers["arrived_at_min"] // 60).astype(int)
    on_time = (customers["outcome"] == "served") & (customers["wait_min"] <= target)
    return [float(on_time[hour == h].mean()) if (hour == h).any() else float("nan") for h in range(hours)]


def plan_day(result: SimulatedScenario, cashiers: list[int]) -> PlanDay:
    """What the figure shows of the replications of the day under ``cashiers`` per hour."""
    params = result.params
    arrivals, line = curve(result, "arrivals"), curve(result, "queue_len_mean")
    mid = arrivals.start_min + params.output.bucket_min / 2
    open_hour = params.store.open_hour
    window = (mid >= (EVENING[0] - open_hour) * 60) & (mid < (EVENING[1] - open_hour) * 60)
    lags, levels = [], []
    for rep in result.replications:
        a, q = (np.asarray(rep.timeseries[k][: mid.size]) for k in ("arrivals", "queue_len_mean"))
        lags.append(_centre(mid[window], q[window]) - _centre(mid[window], a[window]))
        levels.append(hourly_service_level(rep.customers, params.hours, params.standards.target_wait_min))
    return PlanDay(cashiers, arrivals, line, levels, lags)


def simulate_day(ctx: DemoContext) -> PeakDay:
    """Both plans with the same seeds (the same customers)."""
    store_rates, reps = ctx.parameters([]).arrivals_per_hour(), ctx.size(40, 20)
    overrides = [*base_overrides(store_rates), f"run.replications={reps}",
                 f"run.jobs={jobs_for(ctx, sum(store_rates) * reps)}"]
    params = ctx.parameters(overrides)
    rates, standards = params.arrivals_per_hour(), params.standards
    plans = {"flat": [FLAT_CASHIERS] * params.hours,
             "hour_by_hour": erlang_c_plan(rates, standards.target_wait_min, standards.service_level,
                                           params.store.lanes)}
    results = ctx.run_all([[*overrides, f"staffing.cashiers={hourly(cashiers)}"] for cashiers in plans.values()])
    return PeakDay(params.store.open_hour, rates, standards.target_wait_min, standards.service_level,
                   {name: plan_day(result, cashiers) for (name, cashiers), result in zip(plans.items(), results)})


def _steps(ax, hours: np.ndarray, values: list[float], **style) -> None:
    ax.step(np.append(hours, hours[-1] + 1) * 60, list(values) + list(values[-1:]), where="post", **style)


def draw(day: PeakDay, path: Path) -> None:
    """Arrivals against what each plan can serve; the line; service level by hour against Erlang C."""
    plt = pyplot()
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(11, 12), sharex=True)
    hours = np.arange(len(day.rates_per_hour))
    busiest = day.busiest_hour * 60
    clock = lambda minute: clock_label(minute, day.open_hour)
    for ax in (top, middle, bottom):
        ax.axvspan(busiest, busiest + 60, color=HIGHLIGHT, alpha=0.3, linewidth=0)
    flat = day.plans["flat"]
    width = flat.arrivals.start_min[1] - flat.arrivals.start_min[0]
    mid = flat.arrivals.start_min + width / 2
    top.fill_between(mid, flat.arrivals.mean * 60 / width, color=plan_colour("arrivals"), alpha=0.5,
                     label="customers arriving")
    for name, plan in day.plans.items():
        _steps(top, hours, [c * 60 / MEAN_SERVICE_MIN for c in plan.cashiers], color=plan_colour(name), linewidth=2.2,
               label=f"{PLANS[name]}: customers they can serve")
    top.set_ylabel("customers per hour")
    top.set_title(f"Customers arrive fastest {clock(busiest)}-{clock(busiest + 60)} (shaded)")
    top.legend(loc="upper left", fontsize=10)
    for name, plan in day.plans.items():
        middle.fill_between(mid, plan.line.ci_low, plan.line.ci_high, color=plan_colour(name), alpha=0.2)
        middle.plot(mid, plan.line.mean, color=plan_colour(name), linewidth=2.2, label=PLANS[name])
    peak = flat.line_peak_min
    middle.axvline(peak, color=plan_colour("flat"), linestyle=":")
    middle.annotate(f"longest line {clock(peak)}", (peak, flat.line.mean.max()), xytext=(8, -4),
                    textcoords="offset points", fontsize=12, color=plan_colour("flat"))
    middle.set_ylabel("people waiting\n(mean, 95% band)")
    middle.set_title("The line peaks as the rush ends, when arrivals fall below what the cashiers serve")
    middle.legend(loc="upper left", fontsize=10)
    for k, (name, plan) in enumerate(day.plans.items()):
        x = hours * 60 + 30 + (k - 0.5) * 14
        errorbar_ci(bottom, list(x), [plan.hourly_level(h) for h in hours], plan_colour(name),
                    f"{PLANS[name]}: simulated (95% CI)", 100)
        bottom.plot(x, [day.promise(name, h) * 100 for h in hours], "_", color=plan_colour(name), markersize=16,
                    markeredgewidth=3, label=f"{PLANS[name]}: Erlang C for the hour alone")
    bottom.axhline(day.target_level * 100, color=plan_colour("target"), linestyle="--",
                   label=f"standard: {day.target_level:.0%} within {day.target_wait_min:g} min")
    bottom.set_ylim(-3, 103)
    bottom.set_ylabel(f"served within {day.target_wait_min:g} min (%)\nby hour of arrival")
    bottom.set_title(f"{PLANS['flat']}: better than Erlang C says as the rush builds ({clock(busiest - 60)}), "
                     f"worse after it ({clock(busiest + 60)})", fontsize=13)
    bottom.legend(loc="center left", bbox_to_anchor=(0, 0.42), fontsize=10)
    clock_axis(bottom, day.open_hour, VIEW_FROM_MIN, len(hours) * 60)
    fig.tight_layout()
    save_figure(fig, path)


@demo("peak_lag", "arrivals and line through the day: the line peaks late; hour-by-hour Erlang C misjudges the rush")
def peak_lag(ctx: DemoContext) -> DemoResult:
    day = simulate_day(ctx)
    path = ctx.figure_path("peak_lag")
    draw(day, path)
    flat, sipp = day.plans["flat"], day.plans["hour_by_hour"]
    lag, after = t_interval(flat.centre_lag_min), day.busiest_hour + 1
    clock = lambda m: clock_label(m, day.open_hour)
    worst = min(range(len(day.rates_per_hour)), key=lambda h: sipp.hourly_level(h).mean)
    explanation = (
        f"The store's arrivals through a textbook checkout (each hour alone is M/M/c), staffed with "
        f"{FLAT_CASHIERS} cashiers all day or by Erlang C hour by hour.",
        "A line grows while customers arrive faster than the cashiers serve them, so it peaks as the rush ends; "
        "Erlang C for each hour alone assumes the hour starts settled: true when cashiers follow the arrivals, "
        "false around a rush they cannot keep up with.",
        f"{FLAT_CASHIERS} cashiers: longest line {clock(flat.line_peak_min)}, its evening centre of mass "
        f"{lag.mean:.0f} min (95% CI {lag.ci_low:.0f} to {lag.ci_high:.0f}) after the arrivals', and at "
        f"{clock(after * 60)} {flat.hourly_level(after).mean:.0%} are served within {day.target_wait_min:g} min where "
        f"Erlang C promised {day.promise('flat', after):.0%}; hour by hour, the worst hour ({clock(worst * 60)}) "
        f"serves {sipp.hourly_level(worst).mean:.0%}.",
    )
    return DemoResult(path, explanation, {"day": day})
