"""Which hiring conclusions depend on the learning curve (docs/policies.md, Hiring).

The conclusions examined: friendly hires trained on the job against experienced hires, on
the mean service time, the share of customers satisfied or delighted, and the total cost
per day, at several numbers of days since hire. The learning curve's two assumptions are
varied one at a time: the learning rate (both profiles) and the friendly hires' start
speed. Every setting runs both profiles with the same seeds, so each point is a paired
difference (friendly minus experienced) with its interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..number_text import COST_UNITS
from ..plots_style import plan_colour, pyplot, save_figure
from ..stats import ConfidenceInterval, paired_difference
from .registry import DemoContext, DemoResult, demo

PROFILES = ("experienced", "friendly_trained")
DEFAULTS = "defaults (rate 0.8, start 60%)"
LEARNING_RATES = {"learning rate 0.7 (fast)": 0.7, DEFAULTS: None, "learning rate 0.9": 0.9,
                  "learning rate 0.95 (slow)": 0.95}
"""Label -> ``policy.hiring.learning_rate`` for both profiles (None: the profiles' own)."""
START_SPEEDS = {"friendly start at 40%": 0.4, DEFAULTS: None, "friendly start at 80%": 0.8}
"""Label -> ``policy.hiring.start_speed`` of the friendly hires (None: the profile's own)."""
ROWS = {"learning rate": LEARNING_RATES, "start speed": START_SPEEDS}
KPIS = {"service_time_mean": ("mean service time", "minutes per customer", 1.0, 2),
        "csat": ("customers satisfied or delighted", "percentage points", 100.0, 1),
        "total_cost": ("total cost per day", f"{COST_UNITS} per day", 1.0, 0)}
"""KPI -> (title, unit of the difference, scale, digits)."""


def settings() -> dict[str, dict[str, tuple[str, ...]]]:
    """Setting label -> profile -> the ``storesim`` overrides that setting adds to the profile."""
    out: dict[str, dict[str, tuple[str, ...]]] = {DEFAULTS: {p: () for p in PROFILES}}
    for label, rate in LEARNING_RATES.items():
        if rate is not None:
            out[label] = {p: (f"policy.hiring.learning_rate={rate}",) for p in PROFILES}
    for label, start in START_SPEEDS.items():
        if start is not None:
            out[label] = {"experienced": (), "friendly_trained": (f"policy.hiring.start_speed={start}",)}
    return out


@dataclass(frozen=True)
class LearningSensitivity:
    """Per setting label, days since hire and KPI: friendly minus experienced, paired by replication."""

    days: list[int]
    differences: dict[str, dict[int, dict[str, ConfidenceInterval]]]

    def sign(self, label: str, days: int, kpi: str) -> int:
        """+1 if the interval lies above 0, -1 below, 0 if it spans 0."""
        ci = self.differences[label][days][kpi]
        return 1 if ci.ci_low > 0 else -1 if ci.ci_high < 0 else 0

    def flips(self, kpi: str, days: int) -> list[str]:
        """The settings under which the conclusion at ``days`` since hire (the sign of the
        interval, or its spanning 0) differs from the defaults'."""
        return [label for label in self.differences
                if label != DEFAULTS and self.sign(label, days, kpi) != self.sign(DEFAULTS, days, kpi)]


def simulate(ctx: DemoContext) -> LearningSensitivity:
    """Both profiles under every setting at every number of days since hire, same seeds."""
    reps = ctx.size(12, 3)
    days = list(ctx.size((1, 7, 30, 90, 365), (1, 365)))
    plans = [(label, d, profile, overrides) for label, by_profile in settings().items() for d in days
             for profile, overrides in by_profile.items()]
    results = ctx.run_all([[f"policy/hiring={profile}", f"policy.hiring.tenure_days={d}", f"run.replications={reps}",
                            "output.customers=false", *overrides] for _, d, profile, overrides in plans])
    runs = {(label, d, profile): result for (label, d, profile, _), result in zip(plans, results)}
    differences = {label: {d: {k: paired_difference(runs[label, d, "friendly_trained"].kpi_values(k),
                                                    runs[label, d, "experienced"].kpi_values(k)) for k in KPIS}
                           for d in days} for label in settings()}
    return LearningSensitivity(days, differences)


def draw(runs: LearningSensitivity, path: Path) -> None:
    """A row per assumption, a column per KPI: the paired difference against days since hire
    (log scale), one line per setting, the defaults in black."""
    plt = pyplot()
    fig, axes = plt.subplots(len(ROWS), len(KPIS), figsize=(19, 9), sharex=True, sharey="col")
    palette = [plan_colour(name) for name in ("single_line", "threshold", "none", "target")]
    for row, (assumption, values) in enumerate(ROWS.items()):
        for col, (kpi, (title, unit, scale, _)) in enumerate(KPIS.items()):
            ax = axes[row, col]
            others = iter(palette)
            for k, label in enumerate(values):
                colour = "#222222" if label == DEFAULTS else next(others)
                cis = [runs.differences[label][d][kpi] for d in runs.days]
                shift = 1 + 0.04 * (k - (len(values) - 1) / 2)
                means = np.array([c.mean for c in cis]) * scale
                ax.errorbar(np.asarray(runs.days) * shift, means,
                            yerr=[means - np.array([c.ci_low for c in cis]) * scale,
                                  np.array([c.ci_high for c in cis]) * scale - means],
                            fmt="o-", color=colour, markersize=6, capsize=3, linewidth=2.2 if label == DEFAULTS else 1.4,
                            label=label)
            ax.axhline(0, color="#999999", linewidth=1)
            ax.set_xscale("log")
            ax.set_xticks(runs.days, [f"{d:g}" for d in runs.days])
            ax.minorticks_off()
            ax.set_title(f"{title}: friendly minus experienced" if row == 0 else "")
            ax.set_ylabel(unit)
            if row == len(ROWS) - 1:
                ax.set_xlabel("days since hire (log scale)")
        axes[row, -1].legend(loc="upper left", bbox_to_anchor=(1.03, 1.0), fontsize=10, title=f"varied: {assumption}")
    fig.suptitle("Which hiring conclusions depend on the learning curve? Friendly hires trained on the job minus "
                 "experienced hires,\nsame customers, 95% CI; above 0 the friendly hires are slower, satisfy more, "
                 "cost more")
    fig.tight_layout()
    save_figure(fig, path)


@demo("learning_sensitivity",
      "which hiring conclusions depend on the learning rate and start speed, over days since hire")
def learning_sensitivity(ctx: DemoContext) -> DemoResult:
    runs = simulate(ctx)
    path = ctx.figure_path("learning_sensitivity")
    draw(runs, path)
    first, last = runs.days[0], runs.days[-1]
    base = runs.differences[DEFAULTS]

    def changes(kpi: str) -> str:
        return "; ".join(f"at {d} d under {', '.join(runs.flips(kpi, d)) or 'none'}" for d in (first, last))

    def gap(kpi: str, d: int) -> str:
        _, _, scale, digits = KPIS[kpi]
        ci = base[d][kpi]
        return f"{ci.mean * scale:+.{digits}f} ({ci.ci_low * scale:+.{digits}f} to {ci.ci_high * scale:+.{digits}f})"

    explanation = (
        "Friendly hires trained on the job against experienced hires on the default day (same customers), everyone "
        f"hired {', '.join(map(str, runs.days))} days ago, under the default learning curve and with the learning "
        "rate (both profiles) or the friendly hires' speed on their first transaction set lower or higher.",
        "The friendly hires start slower and learn; how long they stay slower is the learning curve's assumption, "
        "so the service-time and cost gaps early on move with it, while courtesy (their edge) does not.",
        f"Defaults, friendly minus experienced: service time {gap('service_time_mean', first)} min at {first} d, "
        f"{gap('service_time_mean', last)} at {last} d; csat {gap('csat', first)} points at {first} d, "
        f"{gap('csat', last)} at {last} d; total cost {gap('total_cost', first)} at {first} d, "
        f"{gap('total_cost', last)} at {last} d. The csat conclusion changes {changes('csat')}; the total cost "
        f"one {changes('total_cost')}.",
    )
    return DemoResult(path, explanation, {"runs": runs})
