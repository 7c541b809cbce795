"""Parameters of one simulated store: plain dataclasses, one per concern.

All times are in minutes and all rates per hour unless the name says otherwise.
The defaults describe the default scenario: a mid-size supermarket open 08:00-22:00
with an evening peak at 17:00-19:00, ten lanes of which two are express.

The dataclasses are the Hydra schema too (``scenarios`` registers them), which is why
they are not ``frozen``: OmegaConf cannot merge YAML into frozen nodes. The model treats
them as read-only. Each class lists its own problems with :meth:`problems`, so that the
application can report every bad value at once before any simulation starts. Every number
declares its range next to it (``bounded(default, low, high)``), checked by the one walker
``Problems.within_ranges``; the ranges are tabled in ``docs/ranges.md``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Optional

from .checks import (MAX_CLOCK_HOUR, MAX_CV, MAX_HORIZON_MIN, MAX_LANES, MAX_MONEY, MAX_RATE_PER_HOUR, MAX_TASK_MIN,
                     MIN_CV, Problems, bounded, per_hour_values)
from .policy_params import ExceptionParams, ManagerParams, SatisfactionParams
from .staff_params import FloorParams, PolicyParams, StaffingParams

DISCIPLINES = ("per_lane", "single_line")
SERVICE_DISTRIBUTIONS = ("exponential", "lognormal", "gamma", "deterministic")
PATIENCE_DISTRIBUTIONS = ("exponential", "lognormal")

# Customers per hour arriving at checkout, 08:00 ... 21:00 (14 opening hours).
DEFAULT_PROFILE = [60, 90, 120, 150, 180, 160, 130, 130, 170, 250, 260, 190, 120, 70]


@dataclass
class StoreParams:
    """The building: lanes and opening hours."""

    lanes: int = bounded(10, 1, MAX_LANES)
    """Checkout lanes in the store (each needs a cashier to be open)."""
    express_lanes: int = bounded(2, 0, MAX_LANES - 1)
    """How many of the lanes are express lanes (per-lane lines only)."""
    express_limit: int = bounded(12, 1, 1000)
    """Largest basket, in items, allowed in an express lane."""
    open_hour: float = bounded(8.0, 0, 24, high_open=True, what="a clock hour")
    """Clock hour the doors open; simulated time 0 is this hour."""
    close_hour: float = bounded(22.0, 0, 48, low_open=True, what="a clock hour")
    """Clock hour the doors close; customers inside are still served."""
    peak_start_hour: float = bounded(17.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Start of the evening peak that the ``peak_*`` KPIs single out."""
    peak_end_hour: float = bounded(19.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """End of the evening peak (a peak outside the opening hours leaves the ``peak_*`` KPIs null)."""

    def problems(self, p: Problems, prefix: str = "store") -> None:
        """The relations between the keys (each key's range is checked by ``Problems.within_ranges``)."""
        if p.clear(f"{prefix}.lanes", f"{prefix}.express_lanes"):
            p.need(self.express_lanes < self.lanes, f"{prefix}.express_lanes",
                   f"must be an integer between 0 and store.lanes - 1 ({self.lanes - 1})", self.express_lanes)
        if p.clear(f"{prefix}.open_hour", f"{prefix}.close_hour"):
            p.need(0 < self.close_hour - self.open_hour <= 24, f"{prefix}.close_hour",
                   "must be after store.open_hour and at most 24 hours later", self.close_hour)
        if p.clear(f"{prefix}.peak_start_hour", f"{prefix}.peak_end_hour"):
            p.need(self.peak_end_hour > self.peak_start_hour, f"{prefix}.peak_end_hour",
                   f"must be after store.peak_start_hour ({self.peak_start_hour:g})", self.peak_end_hour)


@dataclass
class ArrivalParams:
    """Customers arriving at checkout: a Poisson process, constant or changing by the hour."""

    rate_per_hour: Any = bounded(low=0, high=MAX_RATE_PER_HOUR, per_hour=True, default_factory=lambda: list(DEFAULT_PROFILE))
    """Customers per hour arriving at checkout: one rate for the whole day, or a list with one
    rate per opening hour (non-homogeneous Poisson, by thinning)."""

    def problems(self, p: Problems, hours: int, prefix: str = "arrivals") -> None:
        p.hour_count(f"{prefix}.rate_per_hour", self.rate_per_hour, hours)


@dataclass
class SegmentParams:
    """A group of customers who expect and tolerate waits differently."""

    name: str = "regular"
    """Used in KPI names: ``csat_<name>``, ``satisfaction_mean_<name>``."""
    share: float = bounded(1.0, 0, 1, what="a share")
    """Share of customers in this segment."""
    expected_wait_factor: float = bounded(1.0, 0.01, 100)
    """The segment's expected waits, relative to ``customers.expected_wait_mean_min``."""
    patience_factor: float = bounded(1.0, 0.01, 100)
    """The segment's patience, relative to ``abandonment.patience_mean_min``."""


@dataclass
class CustomerParams:
    """What each customer brings: basket, expected wait, value, and optionally a segment."""

    basket_mean_items: float = bounded(18.0, 1, 500)
    """Mean basket size in items (at least one item each)."""
    basket_cv: float = bounded(0.9, 0, MAX_CV)
    """Coefficient of variation of the basket size (negative binomial above one item)."""
    expected_wait_mean_min: float = bounded(4.0, 0.01, MAX_TASK_MIN)
    """Mean wait a customer expects at checkout (lognormal across customers)."""
    expected_wait_cv: float = bounded(0.5, 0, MAX_CV)
    """Coefficient of variation of the expected wait."""
    value_per_item: float = bounded(3.0, 0, MAX_MONEY)
    """Spend per item, used for lost sales when a customer abandons."""
    segments: Optional[list[SegmentParams]] = None
    """Customer segments (null: one kind of customer); satisfaction KPIs are also given per segment."""

    def problems(self, p: Problems, prefix: str = "customers") -> None:
        if self.segments is not None:
            self._segment_problems(p, f"{prefix}.segments")

    def _segment_problems(self, p: Problems, key: str) -> None:
        names = [s.name for s in self.segments]
        p.need(len(self.segments) >= 1, key, "needs at least one segment (or null)", self.segments)
        p.need(all(isinstance(n, str) and n.isidentifier() for n in names) and len(set(names)) == len(names),
               key, "names must be distinct words of letters, digits and _", names)
        if p.clear(key):
            total = sum(s.share for s in self.segments)
            p.need(abs(total - 1) < 1e-9, key, "shares must add up to 1", round(total, 9))


@dataclass
class ServiceParams:
    """Time at the cashier: ``fixed_min + per_item_min * items`` or a plain mean."""

    distribution: str = "lognormal"
    """One of exponential, lognormal, gamma, deterministic."""
    mean_min: Optional[float] = bounded(None, 0.01, MAX_TASK_MIN)
    """If set, every customer's mean service time, ignoring the basket."""
    fixed_min: float = bounded(1.0, 0, MAX_TASK_MIN)
    """Time per transaction independent of the basket (payment, greeting)."""
    per_item_min: float = bounded(0.05, 0, 10)
    """Scanning time per item."""
    cv: float = bounded(0.5, 0, MAX_CV)
    """Coefficient of variation around a customer's mean (lognormal, gamma; exponential is 1)."""

    def problems(self, p: Problems, prefix: str = "service") -> None:
        p.choice(f"{prefix}.distribution", self.distribution, SERVICE_DISTRIBUTIONS)
        if self.mean_min is None and p.clear(f"{prefix}.fixed_min", f"{prefix}.per_item_min"):
            p.need(not (self.fixed_min == 0 and self.per_item_min == 0), f"{prefix}.fixed_min",
                   "and service.per_item_min cannot both be 0", self.fixed_min)
        min_cv_problem(p, f"{prefix}.cv", self.cv, self.distribution)


@dataclass
class AbandonmentParams:
    """Balking (line too long on arrival) and reneging (patience runs out)."""

    balking: bool = True
    """Customers refuse to join when the line ahead of them is too long."""
    balk_line_len: int = bounded(6, 1, 1000)
    """People ahead (per open lane for a pooled line) at which a customer balks."""
    reneging: bool = True
    """Customers leave the line when their patience runs out."""
    patience_distribution: str = "lognormal"
    """One of exponential, lognormal."""
    patience_mean_min: float = bounded(12.0, 0.01, MAX_TASK_MIN)
    """Mean patience in minutes."""
    patience_cv: float = bounded(0.6, 0, MAX_CV)
    """Coefficient of variation of patience (lognormal only)."""

    def problems(self, p: Problems, prefix: str = "abandonment") -> None:
        p.flag(prefix, self, "balking", "reneging")
        p.choice(f"{prefix}.patience_distribution", self.patience_distribution, PATIENCE_DISTRIBUTIONS)
        min_cv_problem(p, f"{prefix}.patience_cv", self.patience_cv, self.patience_distribution)


@dataclass
class QueueParams:
    """How lines form in front of the lanes."""

    discipline: str = "per_lane"
    """``per_lane``: join the shortest line; ``single_line``: one pooled line for all lanes."""

    def problems(self, p: Problems, prefix: str = "queue") -> None:
        p.choice(f"{prefix}.discipline", self.discipline, DISCIPLINES)


@dataclass
class StandardsParams:
    """The store's service standards."""

    target_wait_min: float = bounded(3.0, 0, MAX_TASK_MIN)
    """A customer counts as served on standard if service begins within this wait."""
    service_level: float = bounded(0.8, 0, 1, what="a share")
    """Required share of arriving customers served within ``target_wait_min``."""
    min_csat: Optional[float] = bounded(None, 0, 1, what="a share")
    """Optional minimum share of satisfied or delighted customers."""
    max_abandon_rate: Optional[float] = bounded(None, 0, 1, what="a share")
    """Optional maximum share of customers who balk or renege."""


@dataclass
class RunParams:
    """Replications, seeds and the observed time window."""

    replications: int = bounded(10, 1, 10_000)
    """Independent replications (store days) to run; all are held in memory until the end."""
    seed: int = bounded(12345, 0, 2**63 - 1)
    """Master seed; replication k always sees the same customers for the same seed."""
    horizon_min: Optional[float] = bounded(None, 1, MAX_HORIZON_MIN)
    """Minutes the doors stay open; null means from store.open_hour to store.close_hour."""
    warmup_min: float = bounded(0.0, 0, MAX_HORIZON_MIN)
    """Statistics ignore customers arriving, and time, before this minute."""
    jobs: int = bounded(1, 1, 1024)
    """Worker processes for the replications (results do not depend on it)."""


@dataclass
class OutputParams:
    """What each replication keeps besides the KPIs."""

    customers: Optional[bool] = True
    """Keep one record per customer and the staff timeline (``customers.csv``,
    ``staff_timeline.csv``). The commands' default is null (``conf/config.yaml``): on for a
    single run, off for the jobs of a sweep; the model itself needs true or false."""
    bucket_min: float = bounded(15.0, 0.1, 24 * 60)
    """Width of the time buckets of ``timeseries.csv`` (at most ``MAX_BUCKETS`` over the opening
    time plus ``OVERTIME_ALLOWANCE_MIN``)."""

    MAX_BUCKETS = 25_000
    OVERTIME_ALLOWANCE_MIN = 24 * 60.0
    """Time past closing the bucket cap allows for: the buckets cover the whole run, overtime
    included (a run still past closing after this keeps counting, in buckets of the same width)."""

    def problems(self, p: Problems, horizon_min: float | None = None, prefix: str = "output") -> None:
        p.flag(prefix, self, "customers")
        if horizon_min is not None and p.clear(f"{prefix}.bucket_min"):
            span = horizon_min + self.OVERTIME_ALLOWANCE_MIN
            buckets = math.ceil(span / self.bucket_min)
            p.need(buckets <= self.MAX_BUCKETS, f"{prefix}.bucket_min",
                   f"gives {buckets} time buckets over {horizon_min:g} minutes of opening plus "
                   f"{self.OVERTIME_ALLOWANCE_MIN:g} of overtime, more than {self.MAX_BUCKETS}; "
                   f"it must be >= {span / self.MAX_BUCKETS:g}", self.bucket_min)


def min_cv_problem(p: Problems, key: str, cv: float, distribution: str) -> None:
    """A lognormal or gamma variate needs a spread of at least ``MIN_CV`` (its range allows 0
    for the distributions that ignore it)."""
    if distribution in ("lognormal", "gamma") and p.clear(key):
        p.need(cv >= MIN_CV, key, f"must be a number in [{MIN_CV:g}, {MAX_CV:g}] for a {distribution} distribution", cv)


@dataclass
class ScenarioParams:
    """Everything one replication of a store needs."""

    scenario: str = "store_day"
    store: StoreParams = field(default_factory=StoreParams)
    arrivals: ArrivalParams = field(default_factory=ArrivalParams)
    customers: CustomerParams = field(default_factory=CustomerParams)
    service: ServiceParams = field(default_factory=ServiceParams)
    abandonment: AbandonmentParams = field(default_factory=AbandonmentParams)
    queue: QueueParams = field(default_factory=QueueParams)
    staffing: StaffingParams = field(default_factory=StaffingParams)
    floor: FloorParams = field(default_factory=FloorParams)
    policy: PolicyParams = field(default_factory=PolicyParams)
    exceptions: ExceptionParams = field(default_factory=ExceptionParams)
    managers: ManagerParams = field(default_factory=ManagerParams)
    satisfaction: SatisfactionParams = field(default_factory=SatisfactionParams)
    standards: StandardsParams = field(default_factory=StandardsParams)
    run: RunParams = field(default_factory=RunParams)
    output: OutputParams = field(default_factory=OutputParams)

    @property
    def horizon_min(self) -> float:
        """Minutes from opening to closing the doors."""
        if self.run.horizon_min is not None:
            return float(self.run.horizon_min)
        return (self.store.close_hour - self.store.open_hour) * 60.0

    @property
    def mean_service_min(self) -> float:
        """Mean checkout service time of a standard cashier."""
        svc = self.service
        return svc.mean_min if svc.mean_min is not None else svc.fixed_min + svc.per_item_min * self.customers.basket_mean_items

    def arrivals_per_hour(self) -> list[float]:
        """Checkout arrival rate in each opening hour."""
        return [float(r) for r in per_hour_values(self.arrivals.rate_per_hour, self.hours)]

    @property
    def peak_window(self) -> tuple[float, float]:
        """The evening peak in minutes since opening."""
        s = self.store
        return ((s.peak_start_hour - s.open_hour) * 60.0, (s.peak_end_hour - s.open_hour) * 60.0)

    @property
    def hours(self) -> int:
        """Opening hours, counting a started hour as a whole one."""
        return max(1, math.ceil(self.horizon_min / 60.0 - 1e-9))

    def problems(self) -> list[str]:
        """Every problem with these parameters, one ``key: message`` line each."""
        p = Problems()
        p.need(isinstance(self.scenario, str) and self.scenario.strip() not in ("", ".", "..")
               and not any(c in self.scenario for c in "/\\"), "scenario",
               "must be a non-empty name without / or \\ (it names the output folder)", self.scenario)
        for f in dataclasses.fields(ScenarioParams):  # every key's range first, then the relations
            p.within_ranges(getattr(self, f.name), f.name)
        self.store.problems(p)
        timing = ("store.lanes:", "store.open_hour:", "store.close_hour:", "run.horizon_min:")
        timing_ok = not any(line.startswith(timing) for line in p)
        self.customers.problems(p)
        self.service.problems(p)
        self.abandonment.problems(p)
        self.queue.problems(p)
        self.output.problems(p, self.horizon_min if timing_ok else None)
        self.policy.cross_training.problems(p)
        self.policy.empowerment.problems(p)
        self.policy.hiring.problems(p)
        self.exceptions.problems(p)
        self.satisfaction.problems(p)
        if timing_ok:  # these depend on the opening hours and the number of lanes
            before = len(p)
            self.arrivals.problems(p, self.hours)
            self.floor.problems(p, self.hours)
            self.staffing.problems(p, self.store.lanes, self.hours, self.store.open_hour,
                                   close_hour=self.store.open_hour + self.horizon_min / 60.0)
            mismatched = sorted({line.split(":")[0] for line in p[before:] if "needs one value per opening hour" in line})
            if mismatched and self.run.horizon_min is not None:
                p.need(False, "run.horizon_min", f"gives {self.hours} opening hours, so {', '.join(mismatched)} "
                       f"need {self.hours} values (or set run.horizon_min=null)", self.run.horizon_min)
            if not p:
                from .roster import roster_problems

                roster_problems(self, p)
            if p.clear("run.warmup_min"):
                p.need(self.run.warmup_min < self.horizon_min, "run.warmup_min",
                       "must be shorter than the opening time", self.run.warmup_min)
        return list(p)

    def check(self) -> None:
        """Raise ValueError listing every problem, if there are any."""
        found = self.problems()
        if found:
            raise ValueError("\n".join(found))
