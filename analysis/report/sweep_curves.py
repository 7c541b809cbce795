"""A sweep along one numeric setting as curves: total cost and satisfaction against it.

Drawn when the plans differ in one numeric setting with at least three values (the x axis),
and at most one other setting (one curve per value of it, at most six): the empowerment
sweep's value limit with one curve per training level, the hiring sweep's days since hire
with one curve per profile. Two numeric settings put the one with more values on the x
axis. The values are spaced evenly and labelled as swept (0 and "no limit" side by side
need no log scale). Each point is the plan's mean with its 95% interval.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..number_text import money_unit
from ..plots_style import SERIES, pyplot
from .figures import ReportFigure, save, wrap
from .kpis import cost_parts, several_days
from .runs import PlanRun, plan_keys

MAX_CURVES = 6
PANELS = (("total_cost", "total cost per day", 1.0), ("csat", "customers satisfied or delighted (%)", 100.0))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def curve_axes(plans: list[PlanRun]) -> tuple[str, str | None] | None:
    """``(x key, series key or None)`` when the sweep has a numeric setting with three or more
    values and at most one other (with at most ``MAX_CURVES`` values), else None."""
    keys = plan_keys([p.job for p in plans])
    if not 1 <= len(keys) <= 2:
        return None
    values = {k: [p.job.override_values().get(k) for p in plans] for k in keys}
    if any(v is None for vs in values.values() for v in vs):
        return None
    numeric = [k for k in keys if all(_number(v) is not None for v in values[k]) and len(set(values[k])) >= 3]
    if not numeric:
        return None
    x_key = max(numeric, key=lambda k: len(set(values[k])))
    others = [k for k in keys if k != x_key]
    if others and len(set(values[others[0]])) > MAX_CURVES:
        return None
    return x_key, (others[0] if others else None)


def draw_sweep_curves(plans: list[PlanRun], out_dir: Path, currency: str | None = None) -> ReportFigure | None:
    """Total cost and csat against the swept setting, a curve per value of the other; None
    unless the sweep has such a setting (module docstring)."""
    axes = curve_axes(plans)
    if axes is None:
        return None
    x_key, series_key = axes
    xs = sorted({float(p.job.override_values()[x_key]) for p in plans})
    series: list[str | None] = [None]
    if series_key:
        named = {p.job.override_values()[series_key] for p in plans}
        series = sorted(named, key=lambda v: (_number(v) is None, _number(v) or 0.0, v))  # numbers in order first
    plt = pyplot()
    fig, panels = plt.subplots(1, len(PANELS), figsize=(15, 5.6))
    for ax, (kpi, title, scale) in zip(panels, PANELS):
        for k, value in enumerate(series):
            mine = sorted((p for p in plans if series_key is None or p.job.override_values()[series_key] == value),
                          key=lambda p: float(p.job.override_values()[x_key]))
            at = np.array([xs.index(float(p.job.override_values()[x_key])) for p in mine], dtype=float)
            at += 0.06 * (k - (len(series) - 1) / 2)  # curves side by side, intervals apart
            mean, low, high = (np.array([p.kpi(kpi, what) for p in mine]) * scale for what in ("mean", "ci_low", "ci_high"))
            label = f"{series_key} = {value}" if series_key else None
            ax.errorbar(at, mean, yerr=[mean - low, high - mean], fmt="o-", color=SERIES[k % len(SERIES)],
                        markersize=7, capsize=4, linewidth=1.8, label=label)
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
        ax.set_xlabel(f"{x_key} (evenly spaced)")
        ax.set_title(f"{title} ({money_unit(currency)})" if kpi == "total_cost" else title, fontsize=13)
        if kpi == "total_cost":
            ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    if series_key:
        panels[0].legend(loc="best", fontsize=11)
    fig.suptitle(wrap(f"Total cost and satisfaction along {x_key}" + (f", one curve per {series_key}" if series_key
                                                                       else "") + " (mean, 95% CI)", 130), fontsize=14)
    fig.tight_layout()
    how = (f"Each point is one plan: its mean over the replications with the 95% interval, at its value of {x_key}"
           + (f" (one colour per {series_key})" if series_key else "") + f". Left the total cost per day "
           f"({cost_parts(several_days(plans))}), right the share of customers satisfied or delighted: where the "
           "cost curve bottoms out and whether satisfaction rises or falls along the way is the trade-off the sweep "
           "shows. Each bar is one plan's own interval; two plans whose bars overlap may still differ, since their "
           "replications saw the same customers: the table's changes against the baseline use paired intervals.")
    return save(fig, out_dir, "sweep_curves", f"Cost and satisfaction along {x_key}", how)
