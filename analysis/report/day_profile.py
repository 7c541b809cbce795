"""The day hour by hour: customers arriving, people waiting in line and lanes open.

From ``timeseries.csv``: each plan's mean over replications per time bucket with its 95%
confidence band, cut at closing time (replications run past closing by different amounts).
Plans with self-checkout kiosks add, in the lanes panel, the kiosks in use (dashed) and the
staff at the kiosks, attendants and floor employees helping there (dotted).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..plots_style import clock_axis, clock_label, pyplot
from .figures import ReportFigure, band, save, shade_peak, wrap
from .runs import PlanRun

ARRIVALS_GREY = "#999999"


def by_bucket(plan: PlanRun, column: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Bucket mid-times (minutes since opening) and a replications x buckets array of ``column``."""
    ts = plan.timeseries
    if column not in ts or "bucket_start_min" not in ts:
        return None
    width = float(plan.setting("output.bucket_min", 15.0))
    buckets = int(np.ceil(plan.horizon_min / width - 1e-9))
    reps = ts["replication"].astype(int)
    rows = []
    for k in np.unique(reps):
        mine = reps == k
        order = np.argsort(ts["bucket_start_min"][mine])
        values = ts[column][mine][order][:buckets]
        rows.append(np.pad(values, (0, buckets - values.size), constant_values=np.nan))
    return np.arange(buckets) * width + width / 2, np.array(rows, dtype=float)


def _per_hour(plan: PlanRun, rows: np.ndarray) -> np.ndarray:
    return rows * 60.0 / float(plan.setting("output.bucket_min", 15.0))


def draw_day_profile(plans: list[PlanRun], out_dir: Path) -> ReportFigure | None:
    """Arrivals, line length and open lanes by time of day, with 95% bands across replications."""
    data = {p.name: {c: by_bucket(p, c) for c in ("arrivals", "queue_len_mean", "open_lanes_mean")} for p in plans}
    drawn = [p for p in plans if all(v is not None for v in data[p.name].values())]
    if not drawn:
        return None
    plt = pyplot()
    fig, (arrive, line, lanes) = plt.subplots(3, 1, figsize=(11, 9.5), sharex=True,
                                              gridspec_kw={"height_ratios": [1, 1.6, 1.3]})
    _arrivals(arrive, drawn, data)
    kiosks_drawn = False
    for i, plan in enumerate(drawn):
        # Earlier plans are drawn wider and underneath, so a plan hidden by an identical one still shows.
        width = 2.0 + 2.4 * (len(drawn) - 1 - i) / max(len(drawn) - 1, 1)
        for ax, column in ((line, "queue_len_mean"), (lanes, "open_lanes_mean")):
            t, rows = data[plan.name][column]
            mean, low, high = band(rows)
            ax.fill_between(t, low, high, color=plan.colour, alpha=0.15 if len(drawn) <= 3 else 0.08, linewidth=0)
            ax.plot(t, mean, color=plan.colour, linewidth=width, label=plan.label)
        kiosks_drawn |= _kiosks(lanes, plan)
    for ax in (arrive, line, lanes):
        shade_peak(ax, drawn[0], label=ax is arrive)
        ax.set_ylim(bottom=0)
    line.set_ylabel("people waiting\nin line")
    lanes.set_ylabel("lanes open\n(- - kiosks in use,\n··· staff at kiosks)" if kiosks_drawn else "lanes open")
    handles, labels = line.get_legend_handles_labels()
    peak = arrive.get_legend_handles_labels()
    columns = min(3, len(labels) + len(peak[1]))
    arrive.legend(handles + peak[0], labels + peak[1], loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=columns,
                  frameon=False)
    horizon = max(p.horizon_min for p in drawn)
    clock_axis(lanes, drawn[0].open_hour, 0, horizon, 120 if horizon > 480 else 60)
    rows = -(-(len(labels) + len(peak[1])) // columns)
    arrive.set_title(wrap(_title(drawn, data)), pad=10 + 24 * rows)
    fig.tight_layout()
    how = ("Top: customers arriving per hour; middle: people waiting in line; bottom: lanes open, each plan in its "
           "colour, with a shaded band where the true average lies (95% confidence).\nLines grow when arrivals "
           "outpace the open lanes: look for where a plan's line climbs and whether it opens lanes in time."
           + ("\nWith self-checkout, the bottom panel also shows the kiosks in use (dashed) and the staff at the "
              "kiosks (dotted: attendants, and floor employees answering a kiosk's call)." if kiosks_drawn else ""))
    return save(fig, out_dir, "day_profile", "Lines and open lanes through the day", how)


def _kiosks(ax, plan: PlanRun) -> bool:
    """The kiosks in use and the staff at the kiosks of a plan with self-checkout, in its colour;
    whether it has any."""
    busy = by_bucket(plan, "kiosks_busy_mean")
    if busy is None:
        return False
    t, rows = busy
    ax.plot(t, np.nanmean(rows, axis=0), color=plan.colour, linewidth=1.8, linestyle="--")
    staff = [by_bucket(plan, f"staff_{state}") for state in ("attending", "kiosk_idle")]
    if all(s is not None for s in staff):
        ax.plot(t, np.nanmean(staff[0][1] + staff[1][1], axis=0), color=plan.colour, linewidth=1.8, linestyle=":")
    return True


def _arrivals(ax, plans: list[PlanRun], data: dict) -> None:
    """One grey curve when every plan saw the same arrivals, else one per plan."""
    means = {p.name: np.nanmean(_per_hour(p, data[p.name]["arrivals"][1]), axis=0) for p in plans}
    first = means[plans[0].name]
    same = all(m.shape == first.shape and np.allclose(m, first, rtol=0.02, atol=1.0) for m in means.values())
    t = data[plans[0].name]["arrivals"][0]
    if same:
        ax.fill_between(t, 0, first, color=ARRIVALS_GREY, alpha=0.5, linewidth=0)
        ax.plot(t, first, color="#666666", linewidth=1.5)
    else:
        for plan in plans:
            ax.plot(data[plan.name]["arrivals"][0], means[plan.name], color=plan.colour, linewidth=1.8, linestyle="--")
    ax.set_ylabel("arrivals\nper hour")


def _steady(plan: PlanRun) -> bool:
    """Whether the run's arrival rate and cashiers are one number each, the same all day (a
    textbook queue such as ``experiment=mmc``), as recorded in its config."""
    rate, cashiers = plan.setting("arrivals.rate_per_hour"), plan.setting("staffing.cashiers")
    return (isinstance(rate, (int, float)) and isinstance(cashiers, (int, float)) and not plan.setting("staffing.roster")
            and plan.setting("policy.cross_training.policy", "none") == "none")  # no helpers opening lanes


def _title(plans: list[PlanRun], data: dict) -> str:
    """Where the longest line forms, and how long it is under the best and the worst plan (with
    constant arrivals and staff, where a longest moment would be noise: the line's mean)."""
    if all(_steady(p) for p in plans):  # no rush to point at: a maximum would be noise
        levels = {p.name: p.kpi("queue_len_mean") for p in plans}  # the KPI table's, after warm-up
        if len(plans) == 1:
            return (f"Constant arrival rate and cashiers: lines hold at about {levels[plans[0].name]:.1f} people waiting "
                    f"(time average after warm-up)")
        high, low = max(plans, key=lambda p: levels[p.name]), min(plans, key=lambda p: levels[p.name])
        return (f"Constant arrival rate and cashiers: about {levels[high.name]:.1f} people waiting under {high.name}, "
                f"{levels[low.name]:.1f} under {low.name} (time averages after warm-up)")
    peaks = {}
    for plan in plans:
        t, rows = data[plan.name]["queue_len_mean"]
        mean = np.nanmean(rows, axis=0)
        k = int(np.nanargmax(mean))
        peaks[plan.name] = (float(mean[k]), clock_label(t[k] - (t[1] - t[0]) / 2 if len(t) > 1 else t[k],
                                                        plan.open_hour))
    worst = max(plans, key=lambda p: peaks[p.name][0])
    longest, when = peaks[worst.name]
    if len(plans) == 1:
        return f"Lines are longest around {when}: {longest:.0f} people waiting on average"
    best = min(plans, key=lambda p: peaks[p.name][0])
    return (f"Longest lines: {longest:.0f} waiting around {when} under {worst.name}, "
            f"at most {peaks[best.name][0]:.0f} under {best.name}")
