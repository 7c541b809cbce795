"""What a run prints: progress while it works and a table of the KPIs that answer."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..analysis.number_text import share_text
from ..analysis.stats import rough_note
from .runner import ScenarioResult

if TYPE_CHECKING:
    from ..sim import ScenarioParams

SHARE, MINUTES, COUNT, MONEY, SCORE = "share", "min", "count", "money", "score"

TABLE: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Customers", (
        ("customers_arrived", "arrived at checkout", COUNT),
        ("customers_served", "served", COUNT),
        ("abandon_rate", "left without being served (%)", SHARE),
        ("jockeys", "switched lines", COUNT),
        ("kiosk_customers", "chose self-checkout", COUNT),
        ("kiosk_abandon_rate", "self-checkout: left unserved (%)", SHARE),
    )),
    ("Waits", (
        ("wait_mean", "mean wait (min)", MINUTES),
        ("wait_p90", "90% wait at most (min)", MINUTES),
        ("peak_wait_p90", "evening peak, 90% wait at most (min)", MINUTES),
        ("queue_len_mean", "people waiting, mean", COUNT),
        ("service_level", "served within {target:g} min (%)", SHARE),
        ("staffed_wait_mean", "staffed lanes: mean wait (min)", MINUTES),
        ("kiosk_wait_mean", "self-checkout: mean wait (min)", MINUTES),
        ("kiosk_service_level", "self-checkout: within {target:g} min (%)", SHARE),
    )),
    ("Satisfaction", (
        ("csat", "satisfied or delighted (%)", SHARE),
        ("delighted_share", "delighted (%)", SHARE),
        ("dissatisfied_share", "dissatisfied (%)", SHARE),
        ("satisfaction_mean", "mean score (1-5)", SCORE),
    )),
    ("Staff", (
        ("utilization_checkout", "open lanes busy (%)", SHARE),
        ("staff_idle_fraction", "time idle at an open lane (%)", SHARE),
        ("role_switches", "walks between floor and checkout", COUNT),
        ("kiosk_interventions", "self-checkout: help needed", COUNT),
        ("kiosk_cross_attended", "self-checkout: floor staff helped", COUNT),
        ("kiosk_hold_mean", "self-checkout: held for help (min)", MINUTES),
        ("attendant_utilization", "self-checkout: attendants busy (%)", SHARE),
        ("floor_wait_mean", "floor: mean wait for help (min)", MINUTES),
        ("overtime_min", "open past closing (min)", MINUTES),
    )),
    ("Customers over the run (run.days > 1)", (
        ("households_active", "households shopping here at the end", COUNT),
        ("households_new", "new households", COUNT),
        ("households_lost", "households who stopped coming", COUNT),
        ("retention", "day-1 households kept (%)", SHARE),
        ("revenue", "revenue a day", MONEY),
        ("clv", "customer lifetime value", MONEY),
        ("future_income_lost", "future income lost (vs day 1)", MONEY),
    )),
    ("Cost per day", (
        ("labor_cost", "labour", MONEY),
        ("attendant_labor_cost", "of which self-checkout attendants", MONEY),
        ("discount_cost", "discounts granted", MONEY),
        ("lost_sales", "lost sales", MONEY),
        ("future_income_lost_per_day", "future income lost, a day's share", MONEY),
        ("total_cost", "total cost", MONEY),
    )),
)
"""The printed table: sections of (KPI, label with its unit, kind of number)."""

TABLE_KPIS = tuple(name for _, rows in TABLE for name, _, _ in rows)

SHOWN_WHEN: dict[str, Callable[[ScenarioParams], bool]] = {
    "jockeys": lambda params: params.queue.jockey_diff is not None,
    "kiosk_cross_attended": lambda params: params.policy.cross_training.policy != "none",
}
"""Rows of a feature that is off by default, shown only when the run turned it on."""


def _always(params: ScenarioParams) -> bool:
    return True


class ProgressBar:
    """Progress over ``total`` units of work (replications, sweep jobs, candidate plans).

    On a terminal, a tqdm bar. Elsewhere (a log, CI, a pipe), one line per update: at the
    first unit done, then at most every ``every_s`` seconds, and at the end, each with
    done/total and tqdm's estimate of the time left. ``quiet`` (``--quiet``, or
    ``STORESIM_QUIET=1``) silences it. ``started``: when the work began (``time.monotonic()``),
    if before the bar was made.
    """

    def __init__(self, total: int, what: str = "replications", stream: TextIO | None = None,
                 every_s: float = 5.0, quiet: bool | None = None, started: float | None = None) -> None:
        from tqdm import tqdm

        self.total, self.what, self.every_s = total, what, every_s
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet if quiet is not None else os.environ.get("STORESIM_QUIET") == "1"
        self.started = started if started is not None else time.monotonic()
        self.last_line = -math.inf
        self.bar = None
        if not self.quiet and self.stream.isatty():
            self.bar = tqdm(total=total, desc=what, file=self.stream, leave=False, dynamic_ncols=True)

    def __call__(self, done: int) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            if done >= self.total:
                self.bar.close()
            return
        now = time.monotonic()
        if done >= self.total or done == 1 or now - self.last_line >= self.every_s:
            from tqdm import tqdm

            self.last_line = now
            meter = tqdm.format_meter(done, self.total, now - self.started, prefix=self.what, ncols=0)
            print(meter, file=self.stream, flush=True)


def progress(what: str, quiet: bool | None = None):
    """A ``(done, total)`` callback showing a :class:`ProgressBar` over ``what``, made at the
    first call, when the total is known; its times count from now (``quiet``: as ProgressBar's)."""
    bars: list[ProgressBar] = []
    started = time.monotonic()

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(ProgressBar(total, what, quiet=quiet, started=started))
        bars[0](done)

    return update


def sweep_progress_line(sweep_dir: Path) -> str | None:
    """``jobs: 40% 4/10 [00:05<00:08, ...]`` after a sweep's job, counted from the job folders
    that hold a finished run (``manifest.json``) or a failure (``failure.json``), so that it is
    right whichever process ran the job; None when the sweep's size is unknown or ``--quiet``."""
    total, started = os.environ.get("STORESIM_SWEEP_JOBS"), os.environ.get("STORESIM_SWEEP_STARTED")
    if not total or not started or os.environ.get("STORESIM_QUIET") == "1":
        return None
    from tqdm import tqdm

    done = sum((job / "manifest.json").exists() or (job / "failure.json").exists()
               for job in sweep_dir.iterdir() if job.is_dir() and job.name.isdigit())
    return tqdm.format_meter(min(done, int(total)), int(total), time.time() - float(started), prefix="jobs", ncols=0)


def _num(value: float | None, kind: str = COUNT) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kind == SHARE:
        return f"{value * 100:.1f}%"
    if kind in (MONEY, COUNT) and abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def standards_lines(standards: dict[str, dict], target_wait_min: float) -> list[str]:
    """One line per service standard: what it asks, what was achieved, met or MISSED."""
    what = {"service_level": ("served within {:g} min".format(target_wait_min), ">="),
            "min_csat": ("satisfied or delighted", ">="), "max_abandon_rate": ("left without being served", "<=")}
    lines = []
    for name, check in standards.items():
        label, sense = what[name]
        target, achieved = check["target"], check["achieved"]
        verdict = "met" if check["met"] else "MISSED"
        lines.append(f"  {label} {sense} {share_text(target, target, 1)}: {share_text(achieved, target, 1)}, {verdict}")
    return lines


def kpi_table(result: ScenarioResult, standards: dict[str, dict] | None = None) -> str:
    """The KPIs that answer "how did this plan do?", in sections with units: mean and 95%
    interval (clipped to the KPI's domain), then each service standard met or missed, and a
    note when the intervals rest on fewer than 5 replications."""
    kpis = result.kpis()
    lines = [f"{'':<40} {'mean':>9}   95% CI"]
    for section, rows in TABLE:
        shown = [(name, label, kind) for name, label, kind in rows
                 if name in kpis and SHOWN_WHEN.get(name, _always)(result.params)]
        if not shown:
            continue
        lines.append(section)
        for name, label, kind in shown:
            ci, label = kpis[name], label.format(target=result.params.standards.target_wait_min)
            lines.append(f"  {label:<38} {_num(ci.mean, kind):>9}   [{_num(ci.ci_low, kind)}, {_num(ci.ci_high, kind)}]")
    if standards:
        lines.append("Service standards (on the mean over replications)")
        lines.extend(standards_lines(standards, result.params.standards.target_wait_min))
    note = rough_note(len(result.replications))
    return "\n".join(lines + ([note] if note else []))
