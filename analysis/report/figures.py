"""What every report figure shares: its file pair, its reading guide, and the plans' colours.

The look (fonts, colour-blind-safe palette, clock axis) is ``analysis/plots_style.py``'s;
here a plan gets one colour for the whole report, distinct from every other plan's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..plots_style import PLAN_COLOURS, SERIES, save_figure
from ..stats import t_interval
from .runs import PlanRun

PEAK_SHADE = "#F0E442"
"""Background of the evening peak."""


@dataclass(frozen=True)
class ReportFigure:
    """A drawn figure: its PNG and SVG files, a title for the page and how to read it."""

    png: Path
    svg: Path
    heading: str
    how_to_read: str


def save(fig: Any, out_dir: Path, name: str, heading: str, how_to_read: str) -> ReportFigure:
    """Write ``fig`` as ``name.svg`` and ``name.png`` in ``out_dir`` and close it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    svg = out_dir / f"{name}.svg"
    fig.savefig(svg)
    png = save_figure(fig, out_dir / f"{name}.png")
    return ReportFigure(png, svg, heading, how_to_read)


def assign_colours(plans: list[PlanRun]) -> None:
    """Give each plan its colour: its own in the shared palette if it has one (``single_line``,
    ``threshold``...), else the next unused dark-enough colour (plan names are written in it)."""
    used: list[str] = []
    spare = [c for c in (*SERIES, *_extra_colours()) if _readable(c)]
    for plan in plans:
        colour = PLAN_COLOURS.get(plan.name)
        if colour is None or colour in used:
            distinct = (c for c in spare if all(_distance(c, u) > 0.25 for u in used))
            colour = next(distinct, None) or next((c for c in spare if c not in used), spare[len(used) % len(spare)])
        plan.colour = colour
        used.append(colour)


def _readable(colour: str) -> bool:
    """Dark enough for text on white (luma at most 0.7: no yellow, no pastels)."""
    from matplotlib.colors import to_rgb

    red, green, blue = to_rgb(colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue <= 0.7


def _distance(first: str, second: str) -> float:
    """How far apart two colours are (RGB, 0 to about 1.7)."""
    from matplotlib.colors import to_rgb

    return sum((a - b) ** 2 for a, b in zip(to_rgb(first), to_rgb(second))) ** 0.5


def _extra_colours() -> list[str]:
    """Colours for the plans beyond the shared series (big sweeps)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    return [to_hex(c) for name in ("Dark2", "Set1", "tab20b") for c in colormaps[name].colors]


def wrap(text: str, width: int = 95) -> str:
    """A title broken into lines that fit a slide-wide figure."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def slug(text: str) -> str:
    """A file-name-safe form of a plan name."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "plan"


def shade_peak(ax: Any, plan: PlanRun, label: bool = False) -> None:
    """Shade the evening peak on a time-of-day axis."""
    window = plan.peak_window
    if window is not None:
        ax.axvspan(*window, color=PEAK_SHADE, alpha=0.3, linewidth=0, zorder=0,
                   label="evening peak" if label else None)


def band(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column of ``rows`` (replications x buckets, counts that cannot be negative): mean and
    95% t interval bounds, the lower one cut at zero."""
    cis = [t_interval(rows[:, k]) for k in range(rows.shape[1])]
    mean = np.array([c.mean for c in cis])
    low = np.array([max(c.ci_low, 0.0) if c.ci_low == c.ci_low else c.mean for c in cis])
    high = np.array([c.ci_high if c.ci_high == c.ci_high else c.mean for c in cis])
    return mean, low, high
