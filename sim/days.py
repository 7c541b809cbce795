"""A replication of several days (``run.days`` > 1): a store's days over a population of
households who remember their visits (``sim/households.py``).

Each day: the households' shopping trips become the day's checkout customers, in arrival
order; the day runs as a single day does (``sim/store.py``, with the customers given); each
shopper's score feeds its household's memory, some households defect, and word of mouth sets
how many new households come the next day. Per-customer records are not kept over several days.

Seeds: day ``d`` of the replication with seed key ``(k,)`` runs on the key ``(k, H, d)``, ``H``
being the index of the ``households`` stream in ``CustomerStreams.NAMES``: its own named streams
(staff, floor, announcements ... and ``households`` for the per-household draws), independent of
every other day's. With ``households.feedback`` false the population never changes, so every
day is an independent draw of the same day (the validation in tests/test_days.py).

The replication's KPIs (docs/kpis.md): each day KPI is the mean over the days (a cost stays a
cost per day); the relationship KPIs (``households_*``, ``retention``, ``revenue``, ``clv``,
``future_income_lost``) are over the run, and ``total_cost`` adds ``future_income_lost`` spread
over the run's days (``future_income_lost_per_day``). ``weeks`` holds one row per week (``WEEK_COLUMNS``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np

from .customer import BALKED, RENEGED, Customer, CustomerSource, CustomerStreams
from .households import DAY, Households, day_times
from .params import ScenarioParams
from .records import ReplicationResult
from .store import Store

WEEK_COLUMNS = ("week", "households_active", "households_new", "households_lost", "retention", "customers_arrived",
                "customers_served", "revenue", "clv", "csat", "delighted_share", "dissatisfied_share", "wait_mean",
                "labor_cost", "total_cost")
"""The weekly table, one row per replication and week (the last may be partial): households active at
the week's end, new and lost during it, ``retention`` the share of those active at its start still
active at its end; customers, ``revenue`` (value of the baskets paid for), ``labor_cost`` and
``total_cost`` summed over its days (the days' own costs, without future income lost); ``csat`` and the shares over its arrivals; ``wait_mean`` over
its served customers; ``clv`` the customer lifetime value at the week's rates (docs/kpis.md)."""

_STREAM = CustomerStreams.NAMES.index("households")


def day_seed(seed: np.random.SeedSequence, day: int) -> np.random.SeedSequence:
    """The seed of day ``day`` (0-based) of the replication seeded ``seed``: key ``(*key, H, day)``."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, _STREAM, day), pool_size=seed.pool_size)


def start_population(params: ScenarioParams, seed: np.random.SeedSequence) -> Households:
    """The day-1 households of the replication seeded ``seed`` (from its ``households`` stream)."""
    return Households(params, CustomerStreams(seed).households)


@dataclasses.dataclass
class Day:
    """One simulated day: its KPIs and what became of the households."""

    kpis: dict[str, float]
    timeseries: dict[str, list[float]]
    ended_at: float
    new: int = 0
    lost: int = 0
    delighted: int = 0
    dissatisfied: int = 0
    revenue: float = 0.0


def day_customers(params: ScenarioParams, households: Households, streams: CustomerStreams,
                  day: int) -> tuple[np.ndarray, list[Customer], np.ndarray]:
    """The shoppers of ``day``: their places in arrival order, their customers (ids 0, 1, ... in
    that order; a recognised regular's ``recognition`` set), and one defection uniform per place.
    Every per-place draw comes from ``streams`` in place order (common random numbers)."""
    rng, places = streams.households, households.places
    u_visit, u_time, u_known, u_defect = (rng.random(places) for _ in range(4))
    kiosks = params.store.self_checkout_kiosks
    source = CustomerSource(streams, params.customers, params.service, params.abandonment, params.exceptions,
                            params.self_checkout, kiosks)
    columns = source.draws(day_times(params, u_time))  # every place's draws, so each keeps its own numbers
    shoppers = households.shoppers(day, u_visit)
    shoppers = shoppers[np.argsort(u_time[shoppers], kind="stable")]  # arrival order (times rise with u)
    if params.households.feedback:
        known = households.recognised(shoppers, u_known)
    else:
        known = np.zeros(shoppers.size, dtype=bool)
    points = params.households.personal_service_points
    customers = []
    for i, (place, recognised) in enumerate(zip(shoppers.tolist(), known.tolist())):
        customer = Customer(i, *(column[place] for column in columns))
        if recognised:
            customer.recognition = points
        customers.append(customer)
    return shoppers, customers, u_defect


def simulate_day(params: ScenarioParams, households: Households, seed: np.random.SeedSequence, day: int) -> Day:
    """Run day ``day`` (0-based) on the day's seed ``seed`` (:func:`day_seed`) with ``households``,
    which it updates: visit counts, and with ``households.feedback`` memory, defection and the
    next day's new households."""
    streams = CustomerStreams(seed)
    shoppers, customers, u_defect = day_customers(params, households, streams, day)
    feedback, rng = params.households.feedback, streams.households
    result = Store(params, seed, script=customers).run()
    scores = np.array([c.score for c in customers])
    sp = params.satisfaction
    out = Day(result.kpis, result.timeseries, result.ended_at,
              delighted=int(np.sum(scores >= sp.delighted_at)), dissatisfied=int(np.sum(scores < sp.satisfied_at)))
    items = sum(c.items for c in customers)
    out.revenue = items * params.customers.value_per_item - result.kpis["lost_sales"]
    if feedback:
        scored = np.isfinite(scores)  # every customer leaves scored; a NaN would stick in the memory for good
        out.lost = households.remember(day, shoppers[scored], scores[scored], u_defect)
        rate = households.new_rate(out.delighted, out.dissatisfied)
        out.new = households.join(day + 1, int(rng.poisson(rate)) if rate > 0 else 0)
    else:
        households.count_visits(shoppers)
    return out


def run_days(params: ScenarioParams, seed: np.random.SeedSequence,
             on_day: Callable[[int], None] | None = None) -> ReplicationResult:
    """Simulate ``params.run.days`` days over one population of households; ``on_day(d)`` is called
    after each day (1-based). Per-customer records are not kept."""
    params = dataclasses.replace(params, output=dataclasses.replace(params.output, customers=False))
    households = start_population(params, seed)
    hp = params.households
    margin_per_visit = params.customers.basket_mean_items * params.customers.value_per_item * hp.margin_share
    start_visits = households.weekly_visits()
    start_active = households.active.copy()
    days: list[Day] = []
    weeks: dict[str, list[float]] = {name: [] for name in WEEK_COLUMNS}
    week_start = households.active.copy()
    for d in range(params.run.days):
        days.append(simulate_day(params, households, day_seed(seed, d), d))
        if on_day is not None:
            on_day(d + 1)
        if (d + 1) % DAY == 0 or d + 1 == params.run.days:
            _add_week(weeks, days[-(d % DAY + 1):], week_start, households, hp.discount_rate, hp.margin_share)
            week_start = households.active.copy()
    kpis = _mean_kpis([day.kpis for day in days])
    kpis["households_active"] = float(households.active.sum())
    kpis["households_new"] = float(sum(day.new for day in days))
    kpis["households_lost"] = float(sum(day.lost for day in days))
    kpis["retention"] = float(np.mean(households.active[start_active])) if start_active.any() else math.nan
    kpis["revenue"] = float(np.mean([day.revenue for day in days]))
    kpis["clv"] = weeks["clv"][-1]
    kpis["future_income_lost"] = (start_visits - households.weekly_visits()) * margin_per_visit * hp.value_weeks
    kpis["future_income_lost_per_day"] = kpis["future_income_lost"] / len(days)
    kpis["total_cost"] += kpis["future_income_lost_per_day"]
    return ReplicationResult(kpis=kpis, timeseries=_mean_timeseries([day.timeseries for day in days]),
                             ended_at=float(np.mean([day.ended_at for day in days])), weeks=weeks)


def _add_week(weeks: dict[str, list[float]], days: list[Day], start: np.ndarray, households: Households,
              discount_rate: float, margin_share: float) -> None:
    """Append the row of the week made of ``days`` (``start``: who was active when it began)."""
    def total(name: str) -> float:
        return float(sum(day.kpis[name] for day in days))

    def weighted(name: str, weight: str) -> float:
        pairs = [(day.kpis[name], day.kpis[weight]) for day in days if day.kpis[weight] > 0]
        whole = sum(w for _, w in pairs)
        return sum(v * w for v, w in pairs) / whole if whole else math.nan

    retention = float(np.mean(households.active[start])) if start.any() else math.nan
    revenue = float(sum(day.revenue for day in days))
    # Weekly margin per household at the week's retention, discounted (Gupta and Lehmann 2003):
    # m * r / (1 + i - r); a part week's margin is scaled up to a whole week's.
    margin = revenue * margin_share * DAY / len(days) / max(1, int(start.sum()))
    rate = (1.0 + discount_rate) ** (1.0 / 52.0) - 1.0
    weeks["week"].append(len(weeks["week"]) + 1)
    weeks["households_active"].append(float(households.active.sum()))
    weeks["households_new"].append(float(sum(day.new for day in days)))
    weeks["households_lost"].append(float(sum(day.lost for day in days)))
    weeks["retention"].append(retention)
    weeks["customers_arrived"].append(total("customers_arrived"))
    weeks["customers_served"].append(total("customers_served"))
    weeks["revenue"].append(revenue)
    weeks["clv"].append(margin * retention / (1.0 + rate - retention) if math.isfinite(retention) else math.nan)
    for name in ("csat", "delighted_share", "dissatisfied_share"):
        weeks[name].append(weighted(name, "customers_arrived"))
    weeks["wait_mean"].append(weighted("wait_mean", "customers_served"))
    weeks["labor_cost"].append(total("labor_cost"))
    weeks["total_cost"].append(total("total_cost"))


def _mean_kpis(days: list[dict[str, float]]) -> dict[str, float]:
    """Each KPI's mean over the days that have a value for it (NaN when none has)."""
    out = {}
    for name in days[0]:
        values = np.array([day[name] for day in days], dtype=float)
        finite = values[np.isfinite(values)]
        out[name] = float(finite.mean()) if finite.size else math.nan
    return out


def _mean_timeseries(days: list[dict[str, list]]) -> dict[str, list]:
    """Each bucket's mean over the days that reach it (days that run past closing have more buckets)."""
    longest = max(days, key=lambda series: len(series["bucket_start_min"]))
    n = len(longest["bucket_start_min"])
    out: dict[str, list] = {}
    for name, column in longest.items():
        if name in ("bucket_start_min", "clock"):
            out[name] = list(column)
            continue
        table = np.full((len(days), n), np.nan)
        for row, series in zip(table, days):
            row[:len(series[name])] = series[name]
        with np.errstate(all="ignore"):
            counts = np.sum(np.isfinite(table), axis=0)
            sums = np.nansum(table, axis=0)
        out[name] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).tolist()
    return out
