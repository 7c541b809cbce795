"""How long customers waited: for each plan, the share served within x minutes.

Read from ``customers.csv`` (all replications pooled, customers arriving after warm-up).
Customers who gave up were never served, so each curve levels off at the share served.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..plots_style import pyplot
from .figures import ReportFigure, save, wrap
from .kpis import level_text
from .runs import PlanRun

X_MAX_MIN = 60.0
"""The x axis never runs past an hour, whatever the longest wait."""


def time_to_service(plan: PlanRun) -> np.ndarray | None:
    """Each customer's wait until service began; infinite for those who gave up."""
    c = plan.customers
    if c is None or not c.get("wait_min", np.empty(0)).size:
        return None
    warmup = float(plan.setting("run.warmup_min", 0.0))
    kept = c["arrived_at_min"] >= warmup
    served = c["outcome"][kept] == "served"
    return np.where(served, c["wait_min"][kept], np.inf)


def _x_max(waits: list[np.ndarray], target: float) -> float:
    finite = np.concatenate([w[np.isfinite(w)] for w in waits])
    top = float(np.percentile(finite, 99.5)) if finite.size else target
    return min(max(top, 2.5 * target, 5.0), X_MAX_MIN)


def draw_wait_ecdf(plans: list[PlanRun], out_dir: Path) -> ReportFigure | None:
    """The wait ECDF per plan with the target wait and the required service level marked;
    None when no plan kept customer records."""
    waits = {p.name: w for p in plans if (w := time_to_service(p)) is not None}
    drawn = [p for p in plans if p.name in waits]
    if not drawn:
        return None
    target, required = drawn[0].target_wait_min, drawn[0].required_service_level
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11, 6.2))
    x_max = _x_max(list(waits.values()), target)
    for plan in drawn:
        w = np.sort(waits[plan.name])
        share = np.arange(1, w.size + 1) / w.size * 100
        finite = np.isfinite(w)
        xs = np.concatenate([[0.0], w[finite], [x_max]])
        ys = np.concatenate([[np.mean(w <= 0) * 100], share[finite], [share[finite][-1] if finite.any() else 0]])
        label = f"{plan.label}: {level_text(plan.kpi('service_level'), required)} within {target:g} min"
        ax.step(xs, ys, where="post", color=plan.colour, linewidth=2.4, label=label)
        ax.plot([target], [np.mean(w <= target) * 100], "o", color=plan.colour, markersize=9, zorder=4)
    ax.axvline(target, color="#555555", linestyle="--", linewidth=1.4)
    ax.text(target, 3, f" target: {target:g} min", color="#555555", ha="left", va="bottom")
    if required is not None:
        ax.axhline(required * 100, color="#555555", linestyle=":", linewidth=1.4)
        ax.text(x_max, required * 100, f"standard: {required:.0%} ", color="#555555", ha="right", va="bottom")
    ax.set_xlim(0, x_max)
    ax.set_ylim(0, 101)
    ax.set_xlabel("wait in line before service starts (minutes)")
    ax.set_ylabel("customers served within that wait (%)")
    ax.set_title(wrap(_title(drawn, target, required)))
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.08))
    how = ("Each line rises as the wait allowed grows: read up from the dashed target line to see the share of "
           "customers served within it; the dot is that share.\nA line that ends below 100% means some customers "
           "gave up and left; the higher and further left a line, the shorter the waits.")
    return save(fig, out_dir, "wait_ecdf", "How long customers waited", how)


def _title(plans: list[PlanRun], target: float, required: float | None) -> str:
    def level(plan: PlanRun) -> str:
        return level_text(plan.kpi("service_level"), required)

    best = max(plans, key=lambda p: p.kpi("service_level"))
    standard = f" (standard {required:.0%})" if required is not None else ""
    if len(plans) == 1:
        return f"{best.name} serves {level(best)} of customers within {target:g} min{standard}"
    worst = min(plans, key=lambda p: p.kpi("service_level"))
    return f"{best.name} serves {level(best)} within {target:g} min, {worst.name} {level(worst)}{standard}"
