"""Which conclusions about satisfaction depend on which assumption (docs/satisfaction.md).

The conclusion examined: one pooled line leaves more customers satisfied than a line per
lane. Each assumption of the satisfaction model is set low and high, one at a time, and the
paired difference (pooled minus per lane, the same customers) is drawn with its interval.
Satisfaction does not change what happens in the store (only ``satisfaction=informed``
does), so the waits are the same under every setting: only the scoring moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..plots_style import plan_colour, pyplot, save_figure
from ..stats import ConfidenceInterval, paired_difference
from .registry import DemoContext, DemoResult, demo

DISCIPLINES = ("per_lane", "single_line")
SETTINGS: dict[str, tuple[str, ...]] = {
    "defaults": (),
    "no cost of being overtaken": ("satisfaction.overtake_weight=0",),
    "overtakes cost 0.3 points": ("satisfaction.overtake_weight=0.3",),
    "no loss aversion (1)": ("satisfaction.loss_aversion=1",),
    "strong loss aversion (3)": ("satisfaction.loss_aversion=3",),
    "expectations ignore the line": ("satisfaction.line_weight=0",),
    "expectations only from the line": ("satisfaction.line_weight=1",),
}
"""Label -> the ``storesim`` overrides of one setting of the assumptions."""
KPIS = {"csat": "satisfied or delighted", "delighted_share": "delighted"}


@dataclass(frozen=True)
class Sensitivity:
    """Per setting label and KPI: pooled minus per lane, paired by replication."""

    differences: dict[str, dict[str, ConfidenceInterval]]

    def flips(self, kpi: str) -> list[str]:
        """Settings under which the interval's sign differs from the defaults' (or straddles 0)."""
        sign = lambda ci: 1 if ci.ci_low > 0 else -1 if ci.ci_high < 0 else 0
        base = sign(self.differences["defaults"][kpi])
        return [label for label, d in self.differences.items() if sign(d[kpi]) != base]


def simulate(ctx: DemoContext) -> Sensitivity:
    """Run both disciplines under every setting with the same seeds."""
    reps = ctx.size(12, 3)
    scenarios = [[f"queue.discipline={d}", f"run.replications={reps}", *overrides]
                 for overrides in SETTINGS.values() for d in DISCIPLINES]
    results = iter(ctx.run_all(scenarios))
    differences = {}
    for label in SETTINGS:
        per_lane, pooled = next(results), next(results)
        differences[label] = {k: paired_difference(pooled.kpi_values(k), per_lane.kpi_values(k)) for k in KPIS}
    return Sensitivity(differences)


def draw(runs: Sensitivity, path: Path) -> None:
    """One panel per KPI: a row per setting, the difference in percentage points with its 95% CI."""
    plt = pyplot()
    labels = list(SETTINGS)
    fig, axes = plt.subplots(1, len(KPIS), figsize=(13, 5.2), sharey=True)
    for ax, (kpi, name) in zip(axes, KPIS.items()):
        for row, label in enumerate(labels):
            ci = runs.differences[label][kpi]
            colour = plan_colour("single_line") if label != "defaults" else "#222222"
            ax.errorbar([ci.mean * 100], [row], xerr=[[(ci.mean - ci.ci_low) * 100], [(ci.ci_high - ci.mean) * 100]],
                        fmt="o", color=colour, markersize=7, capsize=4)
        ax.axvline(0, color="#999999", linewidth=1)
        ax.set_xlabel("pooled minus per lane (percentage points)")
        ax.set_title(f"{name}")
    axes[0].set_yticks(range(len(labels)))
    axes[0].set_yticklabels(labels)
    axes[0].invert_yaxis()
    fig.suptitle("Does one pooled line satisfy more customers? The answer under each assumption (95% CI)")
    fig.tight_layout()
    save_figure(fig, path)


@demo("satisfaction_sensitivity",
      "which conclusions about satisfaction depend on which assumption: pooled line against a line per lane")
def satisfaction_sensitivity(ctx: DemoContext) -> DemoResult:
    runs = simulate(ctx)
    path = ctx.figure_path("satisfaction_sensitivity")
    draw(runs, path)
    base = runs.differences["defaults"]
    flips = {k: runs.flips(k) for k in KPIS}
    explanation = (
        "The default store day with a pooled line and with a line per lane (same customers), scored under the "
        "default satisfaction model and with one assumption at a time set low or high.",
        "A pooled line serves in arrival order (nobody is overtaken) and has shorter waits; how much that "
        "satisfies depends on the cost of being overtaken, on loss aversion and on how expectations form.",
        f"Defaults: csat {base['csat'].mean * 100:+.1f} points, delighted {base['delighted_share'].mean * 100:+.1f} "
        f"points; the csat conclusion changes under: {', '.join(flips['csat']) or 'none'}; the delighted one "
        f"under: {', '.join(flips['delighted_share']) or 'none'}.",
    )
    return DemoResult(path, explanation, {"runs": runs})
