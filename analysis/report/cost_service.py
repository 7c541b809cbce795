"""What each plan buys: total cost per day against service level, with the best trade-offs.

A plan is a point with 95% whiskers both ways. The Pareto front joins the plans no other
plan beats on both counts (at least as good a service level for no more cost).
"""

from __future__ import annotations

from pathlib import Path

from ..plots_style import pyplot
from .figures import ReportFigure, save, wrap
from ..number_text import money_unit
from .kpis import KPIS, cost_parts, defined, interval, level_text, several_days
from .runs import PlanRun, ranked

LABEL_ALL_UP_TO = 8
"""With more plans, only the front and the baseline are named on the chart; a legend beside
it names every plan."""


def pareto_front(plans: list[PlanRun]) -> list[PlanRun]:
    """Plans not dominated on (higher service level, lower total cost), by service level."""
    def dominated(p: PlanRun) -> bool:
        sl, cost = p.kpi("service_level"), p.kpi("total_cost")
        return any(q.kpi("service_level") >= sl and q.kpi("total_cost") <= cost
                   and (q.kpi("service_level") > sl or q.kpi("total_cost") < cost) for q in plans)

    return sorted((p for p in plans if not dominated(p)), key=lambda p: p.kpi("service_level"))


def draw_cost_service(plans: list[PlanRun], baseline: PlanRun, out_dir: Path,
                      currency: str | None = None) -> ReportFigure | None:
    """Cost against service level, one point per plan; None when the KPIs are missing."""
    drawn = [p for p in plans if defined(p, "service_level") and defined(p, "total_cost")]
    if not drawn:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11 if len(drawn) <= LABEL_ALL_UP_TO else 14, 6.5))
    front = pareto_front(drawn)
    if len(front) > 1:
        ax.plot([p.kpi("service_level") * 100 for p in front], [p.kpi("total_cost") for p in front],
                color="#555555", linestyle="--", linewidth=1.4, zorder=1, label="best trade-offs (Pareto front)")
    for plan in drawn:
        x, y = plan.kpi("service_level") * 100, plan.kpi("total_cost")
        xerr = _whisker(plan, "service_level", 100.0)
        yerr = _whisker(plan, "total_cost", 1.0)
        ax.errorbar([x], [y], xerr=xerr, yerr=yerr, fmt="o", color=plan.colour, markersize=10, capsize=5,
                    linewidth=1.8, zorder=3, label=plan.name if len(drawn) > LABEL_ALL_UP_TO else None)
    required = baseline.required_service_level
    if required is not None:
        ax.axvline(required * 100, color="#555555", linestyle=":", linewidth=1.4)
        ax.axvspan(required * 100, 100, color="#009E73", alpha=0.07, linewidth=0,
                   label=f"meets the standard ({required:.0%} within {baseline.target_wait_min:g} min)")
    lows = [interval(p, "service_level")[0] for p in drawn]
    low = min([v for v in lows if v == v] + [p.kpi("service_level") for p in drawn]) * 100
    ax.set_xlim(max(0.0, min(low, (required or 1) * 100) - 5), 100)
    ax.set_xlabel(f"customers served within {baseline.target_wait_min:g} minutes (%)")
    ax.set_ylabel(f"total cost per day, {money_unit(currency)}\n({cost_parts(several_days(drawn))})")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    if len(drawn) > LABEL_ALL_UP_TO:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=11)
    elif ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best")
    ax.set_title(wrap(_title(drawn, currency)))
    fig.tight_layout()
    _label(ax, [p for p in drawn if len(drawn) <= LABEL_ALL_UP_TO or p in front or p is baseline])
    how = caption(dashed_front=len(front) > 1, standard=required is not None)
    return save(fig, out_dir, "cost_vs_service", "What each plan costs for the service it gives", how)


def caption(dashed_front: bool, standard: bool) -> str:
    """How to read the figure, naming only what is drawn: the dashed front needs two plans on it."""
    lines = ["Each dot is a plan: further right serves more customers within the target, lower costs less; "
             "whiskers show the 95% confidence range."]
    if dashed_front:
        lines.append("The dashed line joins the best trade-offs (no other plan is both cheaper and better).")
    if standard:
        lines.append("The green zone meets the service standard.")
    return "\n".join(lines)


def _label(ax, plans: list[PlanRun]) -> None:
    """Name each plan beside its dot, top to bottom; a name that would cover a dot or another
    name moves down below it (with a leader line to its dot)."""
    ax.figure.canvas.draw()
    to_points, height = 72.0 / ax.figure.dpi, 15.0
    spots = {id(p): ax.transData.transform((p.kpi("service_level") * 100, p.kpi("total_cost"))) * to_points
             for p in plans}
    boxes = [(x - 7, x + 7, y - 7, y + 7) for x, y in spots.values()]  # left, right, bottom, top in points
    for plan in sorted(plans, key=lambda p: -spots[id(p)][1]):
        x, y = spots[id(plan)]
        left, right, bottom = x + 9, x + 9 + 7.4 * len(plan.name), y + 4
        for _ in range(len(boxes)):
            hit = [b for b in boxes if left < b[1] and b[0] < right and bottom < b[3] and b[2] < bottom + height]
            if not hit:
                break
            bottom = min(b[2] for b in hit) - height - 1
        boxes.append((left, right, bottom, bottom + height))
        moved = bottom < y - 12
        ax.annotate(plan.name, (plan.kpi("service_level") * 100, plan.kpi("total_cost")), xytext=(9, bottom - y),
                    textcoords="offset points", color=plan.colour, fontsize=12, fontweight="bold", va="bottom",
                    arrowprops={"arrowstyle": "-", "color": plan.colour, "linewidth": 0.8} if moved else None)


def _whisker(plan: PlanRun, kpi: str, scale: float) -> list[list[float]] | None:
    mean, (low, high) = plan.kpi(kpi), interval(plan, kpi)
    if low != low or high == low:
        return None
    return [[(mean - low) * scale], [(high - mean) * scale]]


def _title(plans: list[PlanRun], currency: str | None = None) -> str:
    money = KPIS["total_cost"]
    meeting = [p for p in plans if p.meets_standard()]
    if len(plans) == 1:  # nothing to be cheapest among
        plan = plans[0]
        met = "meets" if plan.meets_standard() else "misses" if plan.required_service_level is not None else "has no"
        return f"{plan.name} {met} the service standard at {money.format(plan.kpi('total_cost'), currency=currency)} a day"
    if meeting:
        best = ranked(meeting)[0]
        return f"{best.name} is the cheapest plan that meets the standard ({money.format(best.kpi('total_cost'), currency=currency)} a day)"
    closest = max(plans, key=lambda p: p.kpi("service_level"))
    if plans[0].required_service_level is None:
        return f"{closest.name} serves the most customers on time"
    level = level_text(closest.kpi("service_level"), closest.required_service_level)
    return f"No plan meets the standard; {closest.name} comes closest ({level} on time)"
