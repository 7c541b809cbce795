"""KPIs of one replication, each computed once from the online statistics."""

from __future__ import annotations

import math

import numpy as np

from typing import TYPE_CHECKING

from .clock import clock_from_minutes
from .employee import FLOOR, LANE_IDLE, OFF, SERVING, STATES, WALKING
from .empowerment import training_cost_per_day
from .hiring import onboarding_cost_per_day

if TYPE_CHECKING:
    from .store import Store


def _share(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def _time_share(part: float, whole: float) -> float:
    """Share of two time integrals where ``part`` <= ``whole`` at every instant (summing the
    areas can leave the ratio a rounding error above 1)."""
    return min(1.0, part / whole) if whole else math.nan


def labor_cost(store: Store, end: float) -> float:
    """Wages for the time each employee was on shift (breaks paid, overtime included) after warm-up,
    for the managers and self-checkout attendants, on duty from opening until the last customer
    leaves, and the day's share of
    empowered cashiers' training (``training_cost``) and of new hires' training
    (``onboarding_cost``)."""
    start = store.params.run.warmup_min
    total = 0.0
    for e in store.employees:
        if e.state == OFF and e.state_since <= e.spec.shift.start:
            continue  # never came in
        left = e.state_since if e.state == OFF else end
        paid = max(0.0, left - max(start, e.spec.shift.start))
        total += paid / 60.0 * e.spec.wage_per_hour
    managers = store.params.managers
    total += managers.count * max(0.0, end - start) / 60.0 * managers.wage_per_hour
    if store.kiosks is not None:
        total += store.kiosks.attendant_count * max(0.0, end - start) / 60.0 * store.params.staffing.attendant_wage_per_hour
    policy, staff = store.params.policy, [e.spec for e in store.employees]
    return total + training_cost_per_day(policy.empowerment, staff) + onboarding_cost_per_day(policy.hiring, staff)


def staff_kpis(store: Store) -> dict[str, float]:
    """Floor service, how staff spent their time, and breaks put off (``break_deferred_min``:
    minutes by which breaks due after warm-up started late, summed) or never taken
    (``breaks_skipped``)."""
    floor, counts = store.floor.tally, store.staff_log.counts
    working = sum(counts[s].area for s in (SERVING, LANE_IDLE, FLOOR, WALKING))
    floor_waits = np.frombuffer(floor.waits, dtype=float)
    log = store.staff_log
    return {
        "staff_idle_fraction": _time_share(counts[LANE_IDLE].area, working),
        "break_deferred_min": log.break_deferred_min,
        "breaks_skipped": float(log.breaks_due - log.breaks_taken),
        "role_switches": float(store.staff_log.role_switches),
        "floor_customers_arrived": float(floor.arrived),
        "floor_wait_mean": float(floor_waits.mean()) if floor_waits.size else math.nan,
        "floor_abandon_rate": _share(floor.reneged, floor.arrived),
    }


def peak_kpis(store: Store) -> dict[str, float]:
    """Checkout waits of customers arriving in the evening peak (``store.peak_*_hour``)."""
    tally = store.tally
    waits = np.frombuffer(tally.peak_waits, dtype=float)
    return {
        "peak_wait_mean": float(waits.mean()) if waits.size else math.nan,
        "peak_wait_p90": float(np.percentile(waits, 90)) if waits.size else math.nan,
        "peak_service_level": _share(tally.peak_on_target, tally.peak_arrived),
    }


def satisfaction_kpis(store: Store) -> dict[str, float]:
    """Scores and categories as shares of all arrivals after warm-up (abandoners dissatisfied)."""
    model, arrived = store.satisfaction, store.tally.arrived
    shares = {f"{name}_share": _share(count, arrived) for name, count in model.counts.items()}
    kpis = {
        "satisfaction_mean": _share(model.total, arrived),
        "csat": _share(model.counts["delighted"] + model.counts["satisfied"], arrived),
        **shares,
        "courtesy_mean": _share(model.courtesy_sum, model.courtesy_n),
        "overtakes_per_customer": _share(model.overtakes_sum, model.courtesy_n),
    }
    for segment, total, counts in zip(store.params.customers.segments or [], model.segment_totals,
                                      model.segment_counts):
        n = sum(counts.values())
        kpis[f"satisfaction_mean_{segment.name}"] = _share(total, n)
        kpis[f"csat_{segment.name}"] = _share(counts["delighted"] + counts["satisfied"], n)
    return kpis


def exception_kpis(store: Store, end: float) -> dict[str, float]:
    """Holds, waits behind exceptions, empowered cashiers' wrong decisions and what they cost
    (``discount_cost``: value given away by wrong grants; ``lost_sales_refused``: baskets left
    by customers wrongly refused, part of ``lost_sales``; ``training_cost``, part of
    ``labor_cost``), and how the managers spent their time (docs/policies.md)."""
    handling, managers, start = store.exceptions, store.managers, store.params.run.warmup_min
    holds = handling.holds
    behind = store.checkout.behind_exception_waits
    wrong = handling.wrong_grants + handling.wrong_refusals
    for tracker in (managers.on_calls, managers.on_duties):
        tracker.close(end)
    manager_time = managers.params.count * (end - start)
    return {
        "hold_time_mean": float(np.mean(holds)) if holds else math.nan,
        "wait_behind_exception_mean": float(np.mean(behind)) if behind else math.nan,
        "exceptions_unresolved_share": _share(handling.outcomes["unresolved"], len(holds)),
        "exceptions_wrong_share": _share(wrong, len(holds)),
        "discount_cost": handling.discount_cost,
        "lost_sales_refused": handling.lost_items * store.params.customers.value_per_item,
        "training_cost": training_cost_per_day(store.params.policy.empowerment, (e.spec for e in store.employees)),
        "manager_utilization": _time_share(managers.on_calls.area + managers.on_duties.area, manager_time),
        "manager_approval_share": _time_share(managers.on_calls.area, manager_time),
        "manager_duty_wait_mean": float(np.mean(managers.duty_waits)) if managers.duty_waits else math.nan,
        "manager_duty_backlog_min": managers.duty_backlog(end),
    }


def jockey_kpis(store: Store) -> dict[str, float]:
    """Customers who moved to another line (``queue.jockey_diff``; 0 when nobody may move):
    ``jockeys`` counts the arrivals after warm-up who moved at least once,
    ``moves_per_customer`` their moves per customer who joined a line."""
    tally, area = store.tally, store.checkout
    return {
        "jockeys": float(area.jockeys),
        "moves_per_customer": _share(area.moves, tally.arrived - tally.balked),
    }


def kiosk_kpis(store: Store, end: float) -> dict[str, float]:
    """The self-checkout channel, reported only with kiosks (``store.self_checkout_kiosks`` > 0):
    its customers, waits, abandonment, interventions, the kiosks' holds for an attendant, and
    how busy kiosks and attendants were over ``[warm-up, end]``."""
    bank = store.kiosks
    if bank is None:
        return {}
    tally, window = bank.tally, max(0.0, end - store.params.run.warmup_min)
    waits = np.frombuffer(tally.waits, dtype=float)
    return {
        "kiosk_customers": float(tally.arrived),
        "kiosk_wait_mean": float(waits.mean()) if waits.size else math.nan,
        "kiosk_service_level": _share(tally.on_target, tally.arrived),
        "kiosk_abandon_rate": _share(tally.balked + tally.reneged, tally.arrived),
        "kiosk_interventions": float(bank.interventions),
        "kiosk_hold_mean": float(np.mean(bank.holds)) if bank.holds else math.nan,
        "utilization_kiosks": _time_share(bank.busy_kiosks.area, bank.count * window),
        "attendant_utilization": _time_share(bank.busy_attendants.area, bank.attendant_count * window),
    }


def replication_kpis(store: Store, end: float) -> dict[str, float]:
    """Every KPI of one replication."""
    kpis = checkout_kpis(store, end)
    kpis.update(jockey_kpis(store))
    kpis.update(kiosk_kpis(store, end))
    kpis.update(peak_kpis(store))
    kpis.update(staff_kpis(store))
    kpis.update(satisfaction_kpis(store))
    kpis.update(exception_kpis(store, end))
    kpis["onboarding_cost"] = onboarding_cost_per_day(store.params.policy.hiring, (e.spec for e in store.employees))
    kpis["labor_cost"] = labor_cost(store, end)
    kpis["total_cost"] = kpis["labor_cost"] + kpis["discount_cost"] + kpis["lost_sales"]
    return kpis


def checkout_kpis(store: Store, end: float) -> dict[str, float]:
    """KPI name -> value for the checkout, over customers arriving after warm-up.

    Waits are those of served customers; ``service_level`` counts every arrival, with
    abandoners as misses; ``time_in_line_mean`` counts everyone who joined a line, reneging
    customers included, so that ``queue_len_mean`` = (customers who joined a line per minute
    of ``[warm-up, end]``) x ``time_in_line_mean`` (Little's law; exact without warm-up).
    Time-weighted KPIs cover ``[warm-up, end]``, ``end`` being when the last customer left.
    See docs/kpis.md for whom each KPI counts.
    """
    params, tally, area = store.params, store.tally, store.checkout
    start = params.run.warmup_min
    waits = np.frombuffer(tally.waits, dtype=float)
    if waits.size:
        p50, p90, p95 = np.percentile(waits, [50, 90, 95])
        wait_mean, wait_max = float(waits.mean()), float(waits.max())
    else:
        p50 = p90 = p95 = wait_mean = wait_max = math.nan
    staffed = area.open_lanes.area
    abandoned = tally.balked + tally.reneged
    lost = (tally.lost_items + store.exceptions.lost_items) * params.customers.value_per_item
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
        "time_in_line_mean": _share(tally.line_sum, tally.arrived - tally.balked),
        "queue_len_mean": area.queue_len.time_average(start, end),
        "queue_len_max": float(area.queue_len.max_level),
        "utilization_checkout": _time_share(area.busy_lanes.area, staffed),
        "lost_sales": lost,
        "overtime_min": max(0.0, end - params.horizon_min),
    }


def timeseries(store: Store, end: float) -> dict[str, list[float]]:
    """Per time bucket: arrivals, waits and abandonment by arrival time; levels by time."""
    params, tally, area = store.params, store.tally, store.checkout
    width = params.output.bucket_min
    n = max(1, math.ceil(end / width - 1e-9))
    counts = {k: _pad(v, n) for k, v in tally.buckets.items()}
    open_hour = params.store.open_hour
    return {
        "bucket_start_min": [k * width for k in range(n)],
        "clock": [clock_from_minutes(open_hour * 60 + k * width) for k in range(n)],
        "arrivals": counts["arrivals"],
        "served": counts["served"],
        "balked": counts["balked"],
        "reneged": counts["reneged"],
        "wait_mean": [w / s if s else math.nan for w, s in zip(counts["wait_sum"], counts["served"])],
        "service_level": [k / a if a else math.nan for k, a in zip(counts["on_target"], counts["arrivals"])],
        "queue_len_mean": area.queue_len.bucket_means(n),
        "open_lanes_mean": area.open_lanes.bucket_means(n),
        "busy_lanes_mean": area.busy_lanes.bucket_means(n),
        **{f"staff_{state}": store.staff_log.counts[state].bucket_means(n) for state in STATES if state != OFF},
        "floor_arrivals": _pad(store.floor.tally.buckets["arrivals"], n),
        "floor_reneged": _pad(store.floor.tally.buckets["reneged"], n),
    }


def _pad(values: list[float], n: int) -> list[float]:
    return (values + [0.0] * n)[:n]
