"""Who did what, when: each employee's day in one replication, from ``staff_timeline.csv``.

Serving and idle spells at a lane alternate every minute or two; drawn as they are they
blur, so a lane spell is drawn as "at checkout" and only idle stretches of at least
``IDLE_SHOWN_MIN`` minutes are drawn apart. The title gives the exact shares.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..plots_style import clock_axis, pyplot
from .figures import ReportFigure, save, shade_peak, slug
from .runs import PlanRun

IDLE_SHOWN_MIN = 2.0
STATES = (("checkout", f"at a lane (serving, or idle < {IDLE_SHOWN_MIN:g} min)", "#0072B2"),
          ("idle", f"at a lane, no customer for {IDLE_SHOWN_MIN:g}+ min", "#9ecae1"),
          ("floor", "on the floor", "#009E73"), ("walking", "walking to or from checkout", "#E69F00"),
          ("attending", "helping at a self-checkout kiosk", "#CC79A7"),
          ("kiosk_idle", "at the self-checkout kiosks, no call", "#F0C3DC"), ("break", "on break", "#999999"))
"""Drawn state, legend label and colour."""


def _employee_order(name: str) -> tuple[str, int, str]:
    match = re.match(r"([A-Za-z_]*)(\d*)(.*)", name)
    prefix, number, rest = match.groups() if match else (name, "", "")
    return prefix, int(number) if number else 0, rest


def spells(plan: PlanRun, replication: int) -> dict[str, list[tuple[float, float, str]]]:
    """Employee -> (start, end, drawn state) spells of one replication, in time order."""
    tl = plan.staff_timeline
    if not tl:
        return {}
    by_employee: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    mine = tl["replication"].astype(int) == replication
    for employee, state, start, end in zip(*(tl[c][mine] for c in ("employee", "state", "start_min", "end_min"))):
        if state in ("serving", "lane_idle"):
            drawn = "idle" if state == "lane_idle" and end - start >= IDLE_SHOWN_MIN else "checkout"
        elif state == "off":
            continue
        else:
            drawn = state
        by_employee[str(employee)].append((float(start), float(end), drawn))
    return {e: sorted(s) for e, s in sorted(by_employee.items(), key=lambda kv: _employee_order(kv[0]))}


def shares(plan: PlanRun, replication: int) -> dict[str, float]:
    """Share of staff time on duty in each recorded state (serving, lane_idle, floor, ...)."""
    tl = plan.staff_timeline or {}
    mine = (tl["replication"].astype(int) == replication) & (tl["state"] != "off")
    time = tl["end_min"][mine] - tl["start_min"][mine]
    total = float(time.sum()) or 1.0
    return {str(s): float(time[tl["state"][mine] == s].sum()) / total for s in np.unique(tl["state"][mine])}


def draw_staff_timeline(plan: PlanRun, out_dir: Path, replication: int = 0) -> ReportFigure | None:
    """One row per employee, coloured by what they were doing; None without a staff timeline."""
    if not plan.staff_timeline:
        return None
    by_employee = spells(plan, replication)
    if not by_employee:
        return None
    colours = {state: colour for state, _, colour in STATES}
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11, 2.4 + 0.36 * len(by_employee)))
    rows = list(range(len(by_employee)))[::-1]
    for row, (employee, stretch) in zip(rows, by_employee.items()):
        for state in colours:
            bars = [(start, end - start) for start, end, s in stretch if s == state]
            if bars:
                ax.broken_barh(bars, (row - 0.38, 0.76), facecolors=colours[state], linewidth=0, zorder=2)
    shade_peak(ax, plan)
    ax.set_yticks(rows, list(by_employee))
    ax.set_ylim(-0.7, len(by_employee) - 0.3)
    ax.set_ylabel("employee")
    ax.grid(axis="y", visible=False)
    end = max(s[-1][1] for s in by_employee.values())
    clock_axis(ax, plan.open_hour, 0, max(plan.horizon_min, end), 120 if end > 480 else 60)
    present = {s for stretch in by_employee.values() for _, _, s in stretch}
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for s, _, c in STATES if s in present]
    ax.legend(handles, [label for s, label, _ in STATES if s in present], loc="lower center",
              bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize=11)
    ax.set_title(_title(plan, replication), pad=12 + 22 * ((len(handles) + 2) // 3))
    fig.tight_layout()
    kiosks = bool(present & {"attending", "kiosk_idle"})
    how = (f"One row per employee (C: cashiers, F: floor staff{', A: self-checkout attendants' if kiosks else ''}), "
           f"from the start to the end of their shift on day {replication + 1} of {plan.name}.\nDark blue is time at "
           "a lane, light blue a lane with no customer for a while, green floor work, orange walking between floor "
           "and checkout, " + ("pink helping at a self-checkout kiosk (pale pink: waiting at the kiosks for a call), "
                               if kiosks else "") + "grey breaks.")
    return save(fig, out_dir, f"staff_timeline_{slug(plan.name)}", f"Who did what on day {replication + 1}: "
                f"{plan.name}", how)


def _title(plan: PlanRun, replication: int) -> str:
    share = shares(plan, replication)
    serving, idle = share.get("serving", 0.0), share.get("lane_idle", 0.0)
    text = (f"{plan.name}, day {replication + 1}: staff served customers {serving:.0%} of their time on duty, "
            f"waited at a lane {idle:.0%}")
    floor, walking = share.get("floor", 0.0), share.get("walking", 0.0)
    kiosks = share.get("attending", 0.0) + share.get("kiosk_idle", 0.0)
    walked = f"{walking:.0%}" if walking >= 0.005 else "under 1%"
    return (text + (f",\nworked the floor {floor:.0%}" if floor else "") + (f", walked {walked}" if walking else "")
            + (f", were at the kiosks {kiosks:.0%} (helping {share.get('attending', 0.0):.0%})" if kiosks else ""))
