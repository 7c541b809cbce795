"""Week by week over a run of several days (``run.days`` > 1): households shopping here,
dissatisfied customers and revenue.

From ``weeks.csv`` (one row per replication and week, ``sim/days.py``): each plan's mean over
replications per week with its 95% confidence band. Only runs of several days have the table;
without one the figure is left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..plots_style import pyplot
from .figures import ReportFigure, band, save, wrap
from .runs import PlanRun

PANELS = (("households_active", "households shopping here\n(end of week)", 1.0),
          ("dissatisfied_share", "dissatisfied\ncustomers (%)", 100.0),
          ("revenue", "revenue a week", 1.0))
"""Column of weeks.csv, axis label and scale of each panel, top to bottom."""


def by_week(plan: PlanRun, column: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Week numbers and a replications x weeks array of ``column``; None without a weekly table."""
    weeks = plan.weeks
    if column not in weeks or "week" not in weeks:
        return None
    reps = weeks["replication"].astype(int)
    rows = []
    for k in np.unique(reps):
        mine = reps == k
        order = np.argsort(weeks["week"][mine])
        rows.append(weeks[column][mine][order])
    length = min(len(r) for r in rows)
    return np.arange(1, length + 1), np.array([r[:length] for r in rows], dtype=float)


def draw_weeks(plans: list[PlanRun], out_dir: Path, currency: str | None = None) -> ReportFigure | None:
    """Households, dissatisfied share and revenue by week for each plan with a weekly table."""
    data = {p.name: {c: by_week(p, c) for c, _, _ in PANELS} for p in plans}
    drawn = [p for p in plans if all(v is not None for v in data[p.name].values())]
    if not drawn:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(len(PANELS), 1, figsize=(11, 10), sharex=True)
    for i, plan in enumerate(drawn):
        width = 2.0 + 2.4 * (len(drawn) - 1 - i) / max(len(drawn) - 1, 1)  # earlier plans wider, underneath
        for ax, (column, _, scale) in zip(axes, PANELS):
            weeks, rows = data[plan.name][column]
            mean, low, high = band(rows * scale)
            ax.fill_between(weeks, low, high, color=plan.colour, alpha=0.15 if len(drawn) <= 3 else 0.08,
                            linewidth=0)
            ax.plot(weeks, mean, color=plan.colour, linewidth=width, marker="o", label=plan.label)
    from matplotlib.ticker import StrMethodFormatter

    for ax, (_, label, _) in zip(axes, PANELS):
        ax.set_ylabel(label if "revenue" not in label else f"{label}\n({currency or 'cost units'})")
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes[-1].set_xlabel("week")
    axes[-1].xaxis.get_major_locator().set_params(integer=True)
    axes[0].legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(3, len(drawn)), frameon=False)
    axes[0].set_title(wrap(_title(drawn, data)), pad=40)
    fig.tight_layout()
    how = ("Each line is one plan's mean over replications, week by week, with its 95% confidence band. Households "
           "who stop coming after poor service lower the top line;\nword of mouth from dissatisfied customers slows "
           "the arrival of new ones. Every plan starts from the same households (docs/satisfaction.md).")
    return save(fig, out_dir, "weeks", "Customers who come back, week by week", how)


def _title(plans: list[PlanRun], data: dict) -> str:
    end = {p.name: float(np.mean(data[p.name]["households_active"][1][:, -1])) for p in plans}
    best = max(plans, key=lambda p: end[p.name])
    weeks = len(data[best.name]["households_active"][0])
    if len(plans) == 1:
        return f"{end[best.name]:,.0f} households shop here after {weeks} weeks under {best.name}"
    worst = min(plans, key=lambda p: end[p.name])
    return (f"After {weeks} weeks {best.name} keeps {end[best.name] - end[worst.name]:,.0f} more households "
            f"than {worst.name} ({end[best.name]:,.0f} against {end[worst.name]:,.0f})")
