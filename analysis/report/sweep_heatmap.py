"""A sweep over two numeric settings as two heatmaps: service level and total cost per cell.

Drawn only when the plans differ in exactly two settings and every value of both is a
number (e.g. ``staffing.cashiers=6,7,8 store.express_lanes=1,2``). Cells that meet the
service standard are outlined; a combination without results is grey.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..plots_style import pyplot
from .figures import ReportFigure, save, wrap
from ..number_text import money_unit
from .kpis import KPIS
from .runs import PlanRun, plan_keys, ranked

MISSING_GREY = "#dddddd"


def numeric_axes(plans: list[PlanRun]) -> tuple[str, str] | None:
    """The two swept settings, if the plans differ in exactly two and both are numeric."""
    keys = plan_keys([p.job for p in plans])
    if len(keys) != 2:
        return None
    try:
        for plan in plans:
            values = plan.job.override_values()
            [float(values[k]) for k in keys]
    except (KeyError, ValueError):
        return None
    return keys[0], keys[1]


def draw_sweep_heatmap(plans: list[PlanRun], out_dir: Path, currency: str | None = None) -> ReportFigure | None:
    """Service level and total cost over the two numeric axes; None unless the sweep has them."""
    axes = numeric_axes(plans)
    if axes is None:
        return None
    x_key, y_key = axes
    xs = sorted({float(p.job.override_values()[x_key]) for p in plans})
    ys = sorted({float(p.job.override_values()[y_key]) for p in plans})
    cell = {(xs.index(float(p.job.override_values()[x_key])), ys.index(float(p.job.override_values()[y_key]))): p
            for p in plans}
    plt = pyplot()
    fig, panels = plt.subplots(1, 2, figsize=(13, 1.8 + 0.9 * max(len(ys), 3)))
    for ax, kpi, cmap in ((panels[0], "service_level", "YlGnBu"), (panels[1], "total_cost", "OrRd")):
        grid = np.full((len(ys), len(xs)), np.nan)
        for (i, j), plan in cell.items():
            grid[j, i] = plan.kpi(kpi)
        shown = np.ma.masked_invalid(grid * (100 if kpi == "service_level" else 1))
        colours = plt.get_cmap(cmap).with_extremes(bad=MISSING_GREY)
        image = ax.imshow(shown, cmap=colours, origin="lower", aspect="auto")
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        bar.set_label("served on time (%)" if kpi == "service_level" else f"total cost per day ({money_unit(currency)})")
        bar.ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        for (i, j), plan in cell.items():
            value = KPIS[kpi].format(plan.kpi(kpi), plan.required_service_level, unit=False)
            dark = image.norm(shown[j, i]) > 0.6 if shown[j, i] is not np.ma.masked else False
            ax.text(i, j, value, ha="center", va="center", fontsize=12, color="white" if dark else "#222222")
            if plan.meets_standard():
                ax.add_patch(plt.Rectangle((i - 0.48, j - 0.48), 0.96, 0.96, fill=False, edgecolor="#222222",
                                           linewidth=2.5))
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
        ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
        ax.set_xlabel(x_key)
        ax.set_ylabel(y_key)
        ax.grid(False)
        ax.set_title(KPIS[kpi].title(plans[0].target_wait_min, currency) if kpi == "service_level" else
                     f"total cost per day ({money_unit(currency)})", fontsize=13)
    fig.suptitle(wrap(_title(plans, x_key, y_key, currency), 100), fontsize=14)
    fig.tight_layout()
    how = ("Each cell is one combination of the two settings swept; left the share served on time, right the "
           "total cost per day.\nOutlined cells meet the service standard: the cheapest outlined cell is the "
           "plan to pick; grey cells have no results.")
    return save(fig, out_dir, "sweep_heatmap", f"The sweep at a glance: {x_key} by {y_key}", how)


def _title(plans: list[PlanRun], x_key: str, y_key: str, currency: str | None = None) -> str:
    meeting = [p for p in plans if p.meets_standard()]
    if not meeting:
        return "No combination meets the service standard"
    best = ranked(meeting)[0]
    values = best.job.override_values()
    return (f"Cheapest combination meeting the standard: {x_key}={values[x_key]}, {y_key}={values[y_key]} "
            f"({KPIS['total_cost'].format(best.kpi('total_cost'), currency=currency)} a day)")
