"""One look for every storesim figure: slide-sized fonts, one colour per plan, saved as PNG.

matplotlib is imported inside the functions (with the Agg backend), so importing this
module does not load it and works without a display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..sim.clock import clock_from_minutes

# Colour-blind-safe (Okabe-Ito); a plan (or a role) keeps its colour in every figure.
PLAN_COLOURS: dict[str, str] = {
    "per_lane": "#D55E00",
    "single_line": "#0072B2",
    "none": "#E69F00",
    "threshold": "#009E73",
    "flat": "#CC79A7",
    "hour_by_hour": "#56B4E9",
    "theory": "#000000",
    "simulated": "#0072B2",
    "arrivals": "#999999",
    "target": "#555555",
    "cashier": "#0072B2",
    "floor_employee": "#009E73",
}
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
HIGHLIGHT = "#F0E442"
"""Background of a highlighted stretch of time (e.g. the busiest hour)."""
STYLE: dict[str, Any] = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
}


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, with the storesim style applied."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(STYLE)
    return plt


def plan_colour(plan: str, index: int = 0) -> str:
    """The colour of ``plan``; unknown plans take the ``index``-th colour of the series."""
    return PLAN_COLOURS.get(plan, SERIES[index % len(SERIES)])


def clock_label(minute: float, open_hour: float) -> str:
    """``HH:MM`` for ``minute`` minutes after opening."""
    return clock_from_minutes(open_hour * 60 + minute)


def clock_axis(ax: Any, open_hour: float, start_min: float, end_min: float, step_min: float = 120) -> None:
    """Label the x axis of ``ax`` (minutes since opening) with clock times."""
    ticks = _range(start_min, end_min, step_min)
    ax.set_xticks(ticks)
    ax.set_xticklabels([clock_label(t, open_hour) for t in ticks])
    ax.set_xlim(start_min, end_min)
    ax.set_xlabel("time of day")


def _range(start: float, end: float, step: float) -> list[float]:
    first = -(-start // step) * step
    count = int((end - first) // step) + 1
    return [first + k * step for k in range(max(count, 0))]


def plain_log_ticks(axis: Any, ticks: list[float]) -> None:
    """Put ``ticks`` on a log-scaled ``axis`` (``ax.xaxis`` or ``ax.yaxis``) as plain numbers."""
    from matplotlib.ticker import FixedLocator, NullLocator

    axis.set_major_locator(FixedLocator(ticks))
    axis.set_minor_locator(NullLocator())
    axis.set_ticklabels([f"{t:g}" for t in ticks])


def save_figure(fig: Any, path: Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (folders created) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    pyplot().close(fig)
    return path


def errorbar_ci(ax: Any, x: list[float], intervals: list[Any], colour: str, label: str, scale: float = 1.0) -> None:
    """Dots at the intervals' means (times ``scale``) with whiskers to their bounds."""
    means = [c.mean * scale for c in intervals]
    ax.errorbar(x, means, yerr=[[m - c.ci_low * scale for m, c in zip(means, intervals)],
                                [c.ci_high * scale - m for m, c in zip(means, intervals)]],
                fmt="o", color=colour, markersize=7, capsize=4, label=label)
