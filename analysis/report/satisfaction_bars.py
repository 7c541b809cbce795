"""How customers felt: delighted, satisfied and dissatisfied shares per plan, stacked.

From the KPIs ``delighted_share``, ``satisfied_share`` and ``dissatisfied_share`` (means over
replications; customers who gave up count as dissatisfied), with the 95% interval of the
satisfied-or-delighted share (``csat``) as a whisker where the two green parts end.
"""

from __future__ import annotations

from pathlib import Path

from ..plots_style import pyplot
from .figures import ReportFigure, save, wrap
from .kpis import KPIS, defined, interval, standard_of
from .runs import PlanRun

CATEGORIES = (("delighted_share", "delighted", "#1a9850"), ("satisfied_share", "satisfied", "#a6d96a"),
              ("dissatisfied_share", "dissatisfied", "#d73027"))
"""KPI, label and colour of each category, left to right (a diverging scale, good to bad)."""


def draw_satisfaction_bars(plans: list[PlanRun], out_dir: Path) -> ReportFigure | None:
    """One stacked bar per plan (plan names in their colours); None when no plan reports satisfaction."""
    drawn = [p for p in plans if all(defined(p, kpi) for kpi, _, _ in CATEGORIES)]
    if not drawn:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11, 1.8 + 0.9 * len(drawn)))
    rows = list(range(len(drawn)))[::-1]  # the first plan on top
    for row, plan in zip(rows, drawn):
        left = 0.0
        for kpi, label, colour in CATEGORIES:
            width = plan.kpi(kpi) * 100
            ax.barh(row, width, left=left, color=colour, height=0.62, edgecolor="white",
                    label=label if plan is drawn[0] else None)
            if width >= 5:  # the category named where it fits, so that 96% satisfied + 2% delighted reads as the 98% of the title
                ax.text(left + width / 2, row, f"{width:.0f}% {label}" if width >= 25 else f"{width:.0f}%", ha="center",
                        va="center", color="white" if label != "satisfied" else "#222222", fontsize=12, fontweight="bold")
            left += width
        csat, (low, high) = plan.kpi("csat") * 100, (v * 100 for v in interval(plan, "csat"))
        if low == low and high > low:
            ax.errorbar([csat], [row + 0.4], xerr=[[csat - low], [high - csat]], fmt="none", ecolor="#222222",
                        capsize=6, linewidth=1.6, label="95% range of the green part" if plan is drawn[0] else None)
    ax.set_yticks(rows, [wrap(p.label, 32) for p in drawn])  # long names wrapped, not squeezing the bars
    for tick, plan in zip(ax.get_yticklabels(), drawn):
        tick.set_color(plan.colour)
        tick.set_fontweight("bold")
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of customers (%)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)
    ax.set_title(wrap(_title(drawn)), pad=36)
    fig.tight_layout()
    how = ("Each bar splits one plan's customers into delighted, satisfied and dissatisfied (those who gave up "
           "count as dissatisfied).\nThe longer the green part, the better; the black whisker shows the 95% "
           "confidence range of where the green part ends.")
    return save(fig, out_dir, "satisfaction", "How customers felt", how)


def _title(plans: list[PlanRun]) -> str:
    best = max(plans, key=lambda p: p.kpi("csat"))
    def text(plan: PlanRun) -> str:  # to the decimals standards.min_csat needs, if set
        return KPIS["csat"].format(plan.kpi("csat"), standard_of(plan, "csat"))

    share = text(best)
    if len(plans) == 1:
        return f"{share} of customers under {best.name} are satisfied or delighted"
    worst = min(plans, key=lambda p: p.kpi("csat"))
    return (f"Most satisfied under {best.name}: {share} satisfied or delighted "
            f"({worst.name}: {text(worst)})")
