"""KPIs of one replication, each computed once from the online statistics."""

from __future__ import annotations

import math

import numpy as np

from .checkout import CheckoutArea
from .monitor import CustomerTally
from .params import ScenarioParams


def _share(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def checkout_kpis(params: ScenarioParams, tally: CustomerTally, area: CheckoutArea, end: float) -> dict[str, float]:
    """KPI name -> value for the checkout, over customers arriving after warm-up.

    Waits are those of served customers; ``service_level`` counts every arrival, with
    abandoners as misses. Time-weighted KPIs cover ``[warm-up, end]``.
    """
    start = params.run.warmup_min
    waits = np.frombuffer(tally.waits, dtype=float)
    if waits.size:
        p50, p90, p95 = np.percentile(waits, [50, 90, 95])
        wait_mean, wait_max = float(waits.mean()), float(waits.max())
    else:
        p50 = p90 = p95 = wait_mean = wait_max = math.nan
    staffed = area.open_lanes.area
    abandoned = tally.balked + tally.reneged
    labor = staffed / 60.0 * params.staffing.wage_per_hour
    lost = tally.lost_items * params.customers.value_per_item
    return {
        "customers_arrived": float(tally.arrived),
        "customers_served": float(tally.served),
        "customers_balked": float(tally.balked),
        "customers_reneged": float(tally.reneged),
        "abandon_rate": _share(abandoned, tally.arrived),
        "wait_mean": wait_mean,
        "wait_p50": float(p50),
        "wait_p90": float(p90),
        "wait_p95": float(p95),
        "wait_max": wait_max,
        "service_level": _share(tally.on_target, tally.arrived),
        "service_time_mean": _share(tally.service_sum, tally.served),
        "time_in_system_mean": _share(tally.system_sum, tally.served),
        "queue_len_mean": area.queue_len.time_average(start, end),
        "queue_len_max": float(area.queue_len.max_level),
        "utilization_checkout": _share(area.busy_lanes.area, staffed),
        "staff_idle_fraction": _share(staffed - area.busy_lanes.area, staffed),
        "labor_cost": labor,
        "lost_sales": lost,
        "total_cost": labor + lost,
        "overtime_min": max(0.0, area.last_departure_at - params.horizon_min),
    }


def timeseries(params: ScenarioParams, tally: CustomerTally, area: CheckoutArea, end: float) -> dict[str, list[float]]:
    """Per time bucket: arrivals, waits and abandonment by arrival time; levels by time."""
    width = params.output.bucket_min
    n = max(1, math.ceil(end / width - 1e-9))
    counts = {k: (v + [0.0] * n)[:n] for k, v in tally.buckets.items()}
    open_hour = params.store.open_hour
    return {
        "bucket_start_min": [k * width for k in range(n)],
        "clock": [_clock(open_hour * 60 + k * width) for k in range(n)],
        "arrivals": counts["arrivals"],
        "served": counts["served"],
        "balked": counts["balked"],
        "reneged": counts["reneged"],
        "wait_mean": [w / s if s else math.nan for w, s in zip(counts["wait_sum"], counts["served"])],
        "queue_len_mean": area.queue_len.bucket_means(n),
        "open_lanes_mean": area.open_lanes.bucket_means(n),
        "busy_lanes_mean": area.busy_lanes.bucket_means(n),
    }


def _clock(minute: float) -> str:
    minute = int(round(minute)) % (24 * 60)
    return f"{minute // 60:02d}:{minute % 60:02d}"
