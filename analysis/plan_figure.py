"""The staffing planner's figure: cashiers by hour against arrivals, and service level by hour."""

from __future__ import annotations

from pathlib import Path


def draw_plan(rows: list[dict], target: float, target_wait: float, confidence: float, title: str,
              path: Path) -> list[Path]:
    """Draw the plan table ``rows`` (see ``scenarios/plan_outputs.py``) to PNG and SVG at ``path``:
    the first cut's service level from the search, the final plan's from the confirmation, each
    with its bounds (joint confidence ``confidence`` over the hours)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hours = [r["clock"] for r in rows]
    x = list(range(len(rows)))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8), sharex=True, constrained_layout=True)
    width = 0.4
    top.bar([i - width / 2 for i in x], [r["first_cut_cashiers"] for r in rows], width, color="#9ecae1",
            label="first cut (Erlang A, each hour alone)")
    top.bar([i + width / 2 for i in x], [r["final_cashiers"] for r in rows], width, color="#08519c",
            label="final plan (simulated)")
    top.set_ylabel("cashiers on duty")
    arrivals = top.twinx()
    arrivals.plot(x, [r["arrivals_per_hour"] for r in rows], color="#e6550d", marker="o", label="arrivals")
    arrivals.set_ylabel("customers arriving per hour", color="#e6550d")
    arrivals.set_ylim(bottom=0)
    handles = top.get_legend_handles_labels()[0] + arrivals.get_legend_handles_labels()[0]
    top.legend(handles=handles, loc="upper left", fontsize=10)
    for key, colour, label, shift in (("first_cut", "#9ecae1", "first cut (search)", -0.08),
                                      ("confirmed", "#08519c", "final plan (confirmed on fresh seeds)", 0.08)):
        means = [r[f"{key}_service_level"] for r in rows]
        low = [max(0.0, m - r[f"{key}_sl_low"]) for m, r in zip(means, rows)]
        high = [max(0.0, r[f"{key}_sl_high"] - m) for m, r in zip(means, rows)]
        bottom.errorbar([i + shift for i in x], means, yerr=[low, high], fmt="o-", color=colour, capsize=3,
                        label=f"{label}, bounds at joint {confidence:.0%}")
    bottom.axhline(target, color="#de2d26", linestyle="--", label=f"standard: {target:.0%} within {target_wait:g} min")
    bottom.set_ylabel(f"share served within {target_wait:g} min")
    bottom.set_ylim(0, 1.02)
    bottom.set_xticks(x, hours)
    bottom.set_xlabel("hour of the day (arrival time)")
    bottom.legend(loc="lower left", fontsize=10)
    fig.suptitle(title, fontsize=13)
    written = []
    for suffix in (".png", ".svg"):
        out = path.with_suffix(suffix)
        fig.savefig(out, dpi=110)
        written.append(out)
    plt.close(fig)
    return written
