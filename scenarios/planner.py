"""The staffing planner: the cheapest hourly cashier plan that meets the service standard.

1. First cut: each hour alone, the fewest cashiers that meet the standard by Erlang C
   (Erlang A when customers renege), i.e. square-root staffing with the safety factor the
   standard needs.
2. Simulation of the whole day with common random numbers (the same replication seeds for
   every candidate plan), then a search: while some hour misses the standard, add a cashier
   in that hour (at the lane limit, in the hour before) and, when it was
   missed last time too, one in the hour before as well, since lines carry over; once every
   hour meets it, try removing one cashier-hour
   at a time, hours with the most room to spare first, and keep any removal after which
   every hour still meets it. It stops when no single removal does: a local minimum.
An hour *meets* the standard when the lower end of the confidence interval of its service
level (over replications, clipped to [0, 1]) reaches the target, so the plan meets it with
confidence. An hour whose service level cannot be measured (nobody arrived in it in any
replication) is not a miss: it needs only the minimum cover, one cashier; so is a day-level
standard whose KPI cannot be measured. The target must be below 1 (a share of exactly 1 with
random service cannot be shown to a confidence bound); ``Planner`` raises ValueError otherwise.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..analysis.stats import SHARE, ConfidenceInterval, t_interval
from ..analysis.theory import min_servers_for_service_level
from ..sim import ScenarioParams
from ..sim.roster import build_roster, shifts_by_level
from .runner import ScenarioResult, run_scenario
from .schema import PlanParams


@dataclass
class Evaluation:
    """One candidate plan simulated: service level per hour and the day's KPIs."""

    cashiers: list[int]
    hourly_service_level: list[ConfidenceInterval]
    result: ScenarioResult
    meets: list[bool] = field(default_factory=list)
    day_ok: bool = True

    @property
    def ok(self) -> bool:
        return all(self.meets) and self.day_ok

    @property
    def measured(self) -> list[bool]:
        """Per hour, whether its service level could be measured (someone arrived in some replication)."""
        return [ci.n > 0 for ci in self.hourly_service_level]


def clears(ci: ConfidenceInterval, bound: float, sense: str) -> bool:
    """Whether ``ci`` shows a KPI at least (``sense=">="``, by its lower end) or at most (``"<="``,
    by its upper end) ``bound``. Unmeasurable (no finite value in any replication): not a miss,
    True. With a single finite value there is no interval, and its mean is compared."""
    if ci.n == 0:
        return True
    end = ci.ci_low if sense == ">=" else ci.ci_high
    value = ci.mean if math.isnan(end) else end
    return value >= bound - 1e-12 if sense == ">=" else value <= bound + 1e-12


@dataclass
class Plan:
    """What the planner found."""

    first_cut: Evaluation
    final: Evaluation
    arrivals_per_hour: list[float]
    evaluations: int
    target: float
    target_wait: float
    confidence: float
    log: list[str]


def first_cut(params: ScenarioParams, target_wait: float, level: float) -> list[int]:
    """Fewest cashiers per hour meeting the standard, each hour as if it stood alone."""
    mean = params.mean_service_min
    patience = 1.0 / params.abandonment.patience_mean_min if params.abandonment.reneging else None
    counts = []
    for rate in params.arrivals_per_hour():
        if rate <= 0:
            counts.append(1)
            continue
        c = min_servers_for_service_level(rate / 60.0, 1.0 / mean, target_wait, level, patience_rate=patience)
        counts.append(min(params.store.lanes, max(1, c)))
    return counts


def rosterable(cashiers: list[int], min_shift_hours: int) -> bool:
    """Every shift of the stacked roster lasts at least ``min_shift_hours`` (or the whole day)."""
    shortest = min(min_shift_hours, len(cashiers))
    return all(end - start >= shortest for _, start, end in shifts_by_level(cashiers))


def _repair(cashiers: list[int], min_shift_hours: int, lanes: int) -> list[int]:
    """Lengthen shifts shorter than the minimum by keeping that cashier on in a next hour."""
    plan = list(cashiers)
    shortest = min(min_shift_hours, len(plan))
    for _ in range(len(plan) * lanes):
        short = [(level, s, e) for level, s, e in shifts_by_level(plan) if e - s < shortest]
        if not short:
            break
        level, start, end = short[0]
        hour = end if end < len(plan) else start - 1
        if hour < 0 or level + 1 > lanes:
            break
        plan[hour] = max(plan[hour], level + 1)
    return plan


class Planner:
    """Searches for the cheapest plan meeting the standard, simulating each candidate once."""

    def __init__(self, params: ScenarioParams, plan: PlanParams, progress: Callable[[str], None] | None = None):
        self.params = params
        self.plan = plan
        self.target_wait = plan.target_wait_min if plan.target_wait_min is not None else params.standards.target_wait_min
        self.target = plan.service_level if plan.service_level is not None else params.standards.service_level
        if not 0 <= self.target < 1:
            raise ValueError(f"the planner's service level must be a share in [0, 1), got {self.target!r}")
        self.progress = progress or (lambda message: None)
        self._cache: dict[tuple[int, ...], Evaluation] = {}
        self.log: list[str] = []

    def scenario_for(self, cashiers: list[int]) -> ScenarioParams:
        """The scenario with this hourly plan, hourly buckets and no per-customer records."""
        params = copy.deepcopy(self.params)
        if params.staffing.roster is not None:  # keep the roster's floor employees, as counts per hour
            floor = [s.shift for s in build_roster(self.params) if s.home_role == "floor"]
            params.staffing.floor_staff = [sum(f.start <= h * 60 < f.end for f in floor) for h in range(params.hours)]
        params.staffing.cashiers = list(cashiers)
        params.staffing.from_profile_beta = None
        params.staffing.roster = None
        params.run.replications = self.plan.replications
        params.standards.target_wait_min = self.target_wait
        params.output.customers = False
        params.output.bucket_min = 60.0
        return params

    def evaluate(self, cashiers: list[int]) -> Evaluation:
        """Simulate a plan (once; candidates are cached) and judge each hour."""
        key = tuple(cashiers)
        if key in self._cache:
            return self._cache[key]
        result = run_scenario(self.scenario_for(cashiers))
        hours = len(cashiers)
        levels = [t_interval([rep.timeseries["service_level"][h] for rep in result.replications], self.plan.confidence,
                             domain=SHARE) for h in range(hours)]
        meets = [clears(ci, self.target, ">=") for ci in levels]
        kpis = result.kpis()
        day_ok = True
        if self.plan.min_csat is not None:
            day_ok &= clears(kpis["csat"], self.plan.min_csat, ">=")
        if self.plan.max_abandon_rate is not None:
            day_ok &= clears(kpis["abandon_rate"], self.plan.max_abandon_rate, "<=")
        evaluation = Evaluation(list(cashiers), levels, result, meets, bool(day_ok))
        self._cache[key] = evaluation
        self.progress(f"plan {list(cashiers)}: {sum(meets)}/{hours} hours meet the standard"
                      f"{'' if day_ok else ', day standards missed'}")
        return evaluation

    def _add(self, current: Evaluation, previous: Evaluation | None) -> list[int]:
        lanes = self.params.store.lanes
        plan = list(current.cashiers)
        missed = [h for h, ok in enumerate(current.meets) if not ok]
        if not missed:  # only a day-level standard is missed: help the weakest hour
            measured = [h for h, seen in enumerate(current.measured) if seen] or list(range(len(plan)))
            missed = [min(measured, key=lambda h: current.hourly_service_level[h].mean)]
        for h in missed:
            room = [k for k in (h, h - 1) if k >= 0 and plan[k] < lanes]  # this hour, else the one before
            if room:
                plan[room[0]] += 1
            twice = previous is not None and not previous.meets[h]
            if twice and h > 0 and plan[h - 1] < lanes:  # still missed: lines carried over from the hour before
                plan[h - 1] += 1
        return _repair(plan, self.plan.min_shift_hours, lanes)

    def _try_removals(self, current: Evaluation) -> Evaluation | None:
        def room(h: int) -> float:  # an unmeasured hour (nobody came) has the most to spare
            ci = current.hourly_service_level[h]
            low = ci.mean if math.isnan(ci.ci_low) else ci.ci_low
            return math.inf if ci.n == 0 else low - self.target

        slack = sorted(range(len(current.cashiers)), key=lambda h: -room(h))
        for h in slack:
            trial = list(current.cashiers)
            if trial[h] <= 1:
                continue
            trial[h] -= 1
            if not rosterable(trial, self.plan.min_shift_hours) or len(self._cache) >= self.plan.max_evaluations:
                continue
            evaluation = self.evaluate(trial)
            if evaluation.ok:
                self.log.append(f"removed a cashier at hour {h}")
                return evaluation
        return None

    def run(self) -> Plan:
        """Search from the first cut to a locally minimal plan meeting the standard."""
        start = _repair(first_cut(self.params, self.target_wait, self.target), self.plan.min_shift_hours,
                        self.params.store.lanes)
        cut = self.evaluate(start)
        current, previous = cut, None
        while not current.ok and len(self._cache) < self.plan.max_evaluations:
            plan = self._add(current, previous)
            if plan == current.cashiers:
                self.log.append("every missing hour is at the lane limit: the standard cannot be met")
                break
            previous, current = current, self.evaluate(plan)
            self.log.append(f"added cashiers: {plan}")
        while current.ok:
            better = self._try_removals(current)
            if better is None:
                break
            current = better
        return Plan(cut, current, self.params.arrivals_per_hour(), len(self._cache), self.target, self.target_wait,
                    self.plan.confidence, self.log)
