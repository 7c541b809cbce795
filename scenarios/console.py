"""What a run prints: a progress bar over replications and a compact KPI table."""

from __future__ import annotations

import math
import sys
from typing import TextIO

from ..analysis.stats import rough_note
from .runner import ScenarioResult

TABLE_KPIS = ("customers_arrived", "customers_served", "abandon_rate", "wait_mean", "wait_p90", "service_level",
              "peak_wait_p90", "queue_len_mean", "utilization_checkout", "staff_idle_fraction", "role_switches",
              "floor_wait_mean", "floor_abandon_rate", "labor_cost", "lost_sales", "total_cost", "overtime_min")


class ProgressBar:
    """A one-line bar over replications on a terminal; silent when output is not a terminal."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.enabled = stream.isatty()

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        filled = round(self.width * done / self.total)
        end = "\n" if done >= self.total else ""
        self.stream.write(f"\rreplications [{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total}{end}")
        self.stream.flush()


def _num(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"


def kpi_table(result: ScenarioResult, names: tuple[str, ...] = TABLE_KPIS) -> str:
    """KPI, mean and 95% interval (clipped to the KPI's domain), one line each, and a note
    under the table when the intervals rest on fewer than 5 replications."""
    kpis = result.kpis()
    lines = [f"{'KPI':<22} {'mean':>10}   95% CI", "-" * 50]
    for name in names:
        if name in kpis:
            ci = kpis[name]
            lines.append(f"{name:<22} {_num(ci.mean):>10}   [{_num(ci.ci_low)}, {_num(ci.ci_high)}]")
    note = rough_note(len(result.replications))
    return "\n".join(lines + ([note] if note else []))
