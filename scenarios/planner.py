"""The staffing planner: the cheapest hourly cashier plan that meets the service standard.

1. First cut: each hour alone, the fewest cashiers that meet the standard in an M/M/c+G
   queue (Erlang A with the model's own patience distribution; Erlang C when customers do
   not renege) whose service time includes the expected exception holds. With
   self-checkout kiosks, the customers sure to use them (:func:`kiosk_channel`) are taken
   out of the staffed lanes' arrivals, and the staffed lanes keep the larger baskets.
2. Search: simulation of the whole day with common random numbers (the same replication seeds
   for every candidate plan): while some hour misses the standard, add a cashier in that hour
   (at the lane limit, in the nearest hour before below it) and, when it was missed last time too, one in the
   hour before as well, since lines carry over; once every hour meets it, try removing one
   cashier-hour at a time, hours with the most room to spare first, and keep any removal after
   which every hour still meets it. It stops when no single removal does: a local minimum.
   A plan *meets* the standard when every measured hour's one-sided lower bound of its service
   level (and each day-level standard's bound), at level ``1 - (1 - confidence) / m`` over the
   ``m`` tests, clears it (Bonferroni: all hold together with probability at least
   ``confidence``); bounds over replications, clipped to [0, 1].
3. Confirmation: the search's plan is simulated again on replications of their own branch of
   the seed tree (``CONFIRM_BRANCH``, see ``runner.replication_seed``), which share no stream
   with the search's, so the figures carry no bias from having chosen the plan, and judged the
   same way; only this decides whether it is reported as meeting the standard. Where it fails,
   cashiers are added in the failing hours as the search would, those hours keep at least
   that many, and the search goes on from there; then the new plan is confirmed on the same
   branch, for at most ``max_confirmations`` rounds.

An hour whose service level cannot be measured (nobody arrived in it in any replication) is
not a miss: it needs only the minimum cover, one cashier; so is a day-level standard whose KPI
cannot be measured. The target must be below 1 (a share of exactly 1 with random service cannot
be shown to a confidence bound); ``Planner`` raises ValueError otherwise.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..analysis.kpi_domains import domain_of
from ..analysis.stats import SHARE, UNBOUNDED, ConfidenceInterval, Domain, t_interval
from ..analysis.theory import basket_extra_items, min_servers_for_service_level, patience_distribution, priority_wait
from ..sim import ScenarioParams
from ..sim.roster import build_roster, shifts_by_level
from .runner import BRANCHES_FROM, ScenarioResult, run_scenario
from .schema import PlanParams

CONFIRM_BRANCH = BRANCHES_FROM
"""The seed branch of the confirmation replications; the search uses the ordinary tree."""


@dataclass
class Evaluation:
    """One candidate plan simulated: service level per hour and the day's KPIs.

    ``hourly_service_level`` holds each hour's mean with one-sided bounds at the Bonferroni
    level ``level`` (``ci_low`` is the lower bound that must clear the standard, ``ci_high``
    the upper one), on the search's seeds or on a confirmation branch (``seed_branch``).
    """

    cashiers: list[int]
    hourly_service_level: list[ConfidenceInterval]
    result: ScenarioResult
    meets: list[bool] = field(default_factory=list)
    day_ok: bool = True
    seed_branch: int | None = None
    """The seed branch simulated (None: the ordinary tree, the search's)."""
    level: float = math.nan
    """Each bound's one-sided level, 1 - (1 - confidence) / tests."""

    @property
    def ok(self) -> bool:
        return all(self.meets) and self.day_ok

    @property
    def measured(self) -> list[bool]:
        """Per hour, whether its service level could be measured (someone arrived in some replication)."""
        return [ci.n > 0 for ci in self.hourly_service_level]


def joint_bounds(values: list[float], confidence: float, tests: int, domain: Domain = UNBOUNDED) -> ConfidenceInterval:
    """Mean of the finite ``values`` with one-sided t bounds below and above, each at level
    ``1 - (1 - confidence) / tests``: by Bonferroni the lower (or upper) bounds of ``tests``
    such quantities all hold together with probability at least ``confidence``. Clipped to
    ``domain``; NaN bounds below two values, as ``t_interval``."""
    data = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if data.size < 2:
        return t_interval(data, confidence, domain=domain)
    from scipy import stats

    mean, std = float(data.mean()), (0.0 if np.ptp(data) == 0 else float(data.std(ddof=1)))
    half = float(stats.t.ppf(1 - (1 - confidence) / max(tests, 1), data.size - 1)) * std / math.sqrt(data.size)
    return domain.clip(ConfidenceInterval(mean, std, mean - half, mean + half, int(data.size)))


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
    """What the planner found: ``final`` is the last plan searched (its figures on the search's
    seeds), ``confirmations`` each round's figures on the confirmation branch, the last one of
    ``final``."""

    first_cut: Evaluation
    final: Evaluation
    arrivals_per_hour: list[float]
    evaluations: int
    target: float
    target_wait: float
    confidence: float
    log: list[str]
    confirmations: list[Evaluation] = field(default_factory=list)

    @property
    def confirmed(self) -> Evaluation:
        """The final plan's figures on the confirmation branch."""
        return self.confirmations[-1]

    @property
    def is_confirmed(self) -> bool:
        """Whether the confirmation shows the final plan meeting every standard at the joint confidence."""
        return bool(self.confirmations) and self.confirmed.ok and self.confirmed.cashiers == self.final.cashiers


def exception_lane_min(params: ScenarioParams, arrivals_per_hour: float) -> float:
    """Expected minutes a lane spends on exceptions per checkout customer, in an hour with
    ``arrivals_per_hour`` arrivals: the lane is held from the end of scanning until the
    exception is settled (``sim/empowerment.py``).

    Per kind k of share p_k: the handling ``handling_min`` (at the cashier's speed, as the
    model divides it), then either an empowered decision (``decision_min``, the lane does
    not wait for anyone) or a manager: the wait for a free manager, the walk and the
    approval. Under ``manager_approval`` every exception calls a manager; under
    ``empowered`` those whose value (exponential of mean ``value_mean``) exceeds
    ``value_limit``, a share exp(−limit / mean). Managers' calls go before their duties
    but cut none short, so the wait for one is :func:`theory.priority_wait` with the calls
    (walk + approval) as the high class and the duties (``duties_per_hour``, ``duty_min``)
    as the low one. Assumptions: every arrival reaches the lane (abandonment ignored), all
    cashiers work at ``staffing.speed``, and a day with ``managers.count`` managers on duty.
    Returns ``inf`` when the calls alone would keep every manager busy.
    """
    policy, kinds = params.policy.empowerment, params.exceptions.kinds()
    speed = params.staffing.speed
    empowered = policy.policy == "empowered"
    calling = [math.exp(-policy.value_limit / k.value_mean) if empowered else 1.0 for k in kinds]
    call_share = sum(k.share * q for k, q in zip(kinds, calling))
    call_min = policy.manager_walk_min + policy.approval_min
    managers = params.managers
    wait = priority_wait(managers.count, arrivals_per_hour / 60.0 * call_share, call_min,
                         managers.duties_per_hour / 60.0, managers.duty_min)
    handling = sum(k.share * k.handling_min for k in kinds) / speed
    decisions = sum(k.share * (1.0 - q) for k, q in zip(kinds, calling)) * policy.decision_min
    return handling + decisions + (call_share * (wait + call_min) if call_share > 0 else 0.0)


def effective_service_min(params: ScenarioParams, arrivals_per_hour: float) -> float:
    """Mean minutes a customer holds a lane in an hour with ``arrivals_per_hour`` arrivals:
    the service (``mean_service_min`` at ``staffing.speed``) plus the expected exception
    time, :func:`exception_lane_min`."""
    return params.mean_service_min / params.staffing.speed + exception_lane_min(params, arrivals_per_hour)


@dataclass(frozen=True)
class _SegmentPatience:
    """The patience of a customer mix: segment i (share w_i) has the base patience scaled by
    f_i, so the survival function is Σ w_i·Ḡ(x / f_i)."""

    base: object
    shares: tuple[float, ...]
    factors: tuple[float, ...]

    def sf(self, x):
        return sum(w * self.base.sf(np.asarray(x) / f) for w, f in zip(self.shares, self.factors))

    def mean(self) -> float:
        return float(self.base.mean()) * sum(w * f for w, f in zip(self.shares, self.factors))


def patience_of(params: ScenarioParams):
    """The model's patience distribution (``abandonment.*``, scaled per customer segment), or
    None when customers do not renege; as :func:`theory.erlang_a_general_metrics` takes it."""
    ab = params.abandonment
    if not ab.reneging:
        return None
    base = patience_distribution(ab.patience_distribution, ab.patience_mean_min, ab.patience_cv)
    segments = params.customers.segments
    if not segments:
        return base
    return _SegmentPatience(base, tuple(s.share for s in segments), tuple(s.patience_factor for s in segments))


@dataclass(frozen=True)
class KioskChannel:
    """What self-checkout takes off the staffed lanes, as the first cut counts it.

    Attributes:
        share: share of arrivals sure to use the kiosks.
        staffed_service_min: mean service time (at ``staffing.speed``) of the others.
    """

    share: float
    staffed_service_min: float


def kiosk_channel(params: ScenarioParams) -> KioskChannel:
    """The customers sure to use the kiosks (``sim/checkout.py``): those who prefer them
    (``self_checkout.preference_share``) with a basket of at most ``self_checkout.max_items``
    (:func:`theory.basket_extra_items`) and no exception. Customers who go only when the
    kiosks' expected wait is shorter are left at the lanes, and kiosk balking is ignored, so
    the staffed lanes' load is if anything overstated. Without kiosks: share 0."""
    service = params.mean_service_min / params.staffing.speed
    if not params.store.self_checkout_kiosks:
        return KioskChannel(0.0, service)
    kiosk, customers = params.self_checkout, params.customers
    extra = basket_extra_items(customers.basket_mean_items, customers.basket_cv)
    fits = float(extra.cdf(kiosk.max_items - 1))
    fitting_items = fits + float(sum(i * extra.pmf(i) for i in range(kiosk.max_items)))  # E[items; items <= max]
    goes = kiosk.preference_share * (1.0 - sum(k.share for k in params.exceptions.kinds()))
    share = goes * fits
    if share >= 1.0:
        return KioskChannel(1.0, service)
    svc = params.service
    if svc.mean_min is None:
        items = (customers.basket_mean_items - goes * fitting_items) / (1.0 - share)  # E[items | staffed lane]
        service = (svc.fixed_min + svc.per_item_min * items) / params.staffing.speed
    return KioskChannel(share, service)


def first_cut(params: ScenarioParams, target_wait: float, level: float) -> list[int]:
    """Fewest cashiers per hour meeting the standard, each hour as if it stood alone: one
    pooled line, Poisson arrivals at the hour's rate, exponential service with the mean
    :func:`effective_service_min` (service plus exception holds), and the model's own
    patience (M/M/c+G, :func:`theory.erlang_a_general_metrics`; Erlang C when customers do
    not renege). Balking is ignored. With kiosks, the arrivals sure to use them are taken
    out and the rest keep their larger baskets and every exception (:func:`kiosk_channel`).
    At most ``store.lanes``, at least one."""
    patience = patience_of(params)
    channel = kiosk_channel(params)
    counts = []
    for rate in params.arrivals_per_hour():
        staffed = rate * (1.0 - channel.share)
        if staffed <= 0:
            counts.append(1)
            continue
        if channel.share:  # every exception stays at the lanes, spread over fewer customers
            mean = channel.staffed_service_min + exception_lane_min(params, rate) / (1.0 - channel.share)
        else:
            mean = effective_service_min(params, rate)
        if not math.isfinite(mean):  # managers cannot keep up with the calls: no count is enough
            counts.append(params.store.lanes)
            continue
        c = min_servers_for_service_level(staffed / 60.0, 1.0 / mean, target_wait, level, patience=patience)
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
    """Searches for the cheapest plan meeting the standard, simulating each candidate once, and
    confirms it on seeds of its own."""

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

    def scenario_for(self, cashiers: list[int], replications: int | None = None) -> ScenarioParams:
        """The scenario with this hourly plan, hourly buckets and no per-customer records, with
        ``replications`` (default ``plan.replications``)."""
        params = copy.deepcopy(self.params)
        if params.staffing.roster is not None:  # keep the roster's floor employees, as counts per hour
            floor = [s.shift for s in build_roster(self.params) if s.home_role == "floor"]
            params.staffing.floor_staff = [sum(f.start <= h * 60 < f.end for f in floor) for h in range(params.hours)]
        params.staffing.cashiers = list(cashiers)
        params.staffing.from_profile_beta = None
        params.staffing.roster = None
        params.run.replications = replications or self.plan.replications
        params.standards.target_wait_min = self.target_wait
        params.output.customers = False
        params.output.bucket_min = 60.0
        return params

    def _day_standards(self) -> list[tuple[str, float, str]]:
        """The day-level standards set: (KPI, bound, sense)."""
        return [(kpi, bound, sense) for kpi, bound, sense in (("csat", self.plan.min_csat, ">="),
                                                              ("abandon_rate", self.plan.max_abandon_rate, "<="))
                if bound is not None]

    def _judge(self, cashiers: list[int], result: ScenarioResult, seed_branch: int | None) -> Evaluation:
        """Each measured hour's service level and each day standard's KPI with one-sided bounds at
        the Bonferroni level over all of them (together they hold with probability
        ``plan.confidence``); an hour or standard meets when its bound clears the standard."""
        values = [[rep.timeseries["service_level"][h] for rep in result.replications] for h in range(len(cashiers))]
        measured = sum(any(math.isfinite(v) for v in hour) for hour in values)
        standards = self._day_standards()
        tests = max(1, measured + len(standards))
        levels = [joint_bounds(hour, self.plan.confidence, tests, SHARE) for hour in values]
        meets = [clears(ci, self.target, ">=") for ci in levels]
        day_ok = all(clears(joint_bounds(result.kpi_values(kpi), self.plan.confidence, tests,
                                         domain_of(kpi) or UNBOUNDED), bound, sense)
                     for kpi, bound, sense in standards)
        level = 1 - (1 - self.plan.confidence) / tests
        return Evaluation(list(cashiers), levels, result, meets, bool(day_ok), seed_branch, level)

    def evaluate(self, cashiers: list[int]) -> Evaluation:
        """Simulate a plan on the search's seeds (once; candidates are cached) and judge it as
        the confirmation will (``_judge``)."""
        key = tuple(cashiers)
        if key in self._cache:
            return self._cache[key]
        evaluation = self._judge(cashiers, run_scenario(self.scenario_for(cashiers)), None)
        self._cache[key] = evaluation
        self.progress(f"plan {list(cashiers)}: {sum(evaluation.meets)}/{len(cashiers)} hours meet the standard"
                      f"{'' if evaluation.day_ok else ', day standards missed'}")
        return evaluation

    def confirm(self, cashiers: list[int], seed_branch: int = CONFIRM_BRANCH) -> Evaluation:
        """Simulate a plan on ``plan.confirm_replications`` replications of ``seed_branch``, which
        share no stream with the search's, and judge it (``_judge``)."""
        result = run_scenario(self.scenario_for(cashiers, self.plan.confirm_replications), seed_branch=seed_branch)
        evaluation = self._judge(cashiers, result, seed_branch)
        self.progress(f"confirming {list(cashiers)} on fresh seeds: {sum(evaluation.meets)}/{len(cashiers)} hours "
                      f"meet the standard at joint confidence {self.plan.confidence:g}"
                      f"{'' if evaluation.day_ok else ', day standards missed'}")
        return evaluation

    def _add(self, current: Evaluation, previous: Evaluation | None) -> list[int]:
        lanes = self.params.store.lanes
        plan = list(current.cashiers)
        missed = [h for h, ok in enumerate(current.meets) if not ok]
        if not missed:  # only a day-level standard is missed: help the weakest hour
            measured = [h for h, seen in enumerate(current.measured) if seen] or list(range(len(plan)))
            missed = [min(measured, key=lambda h: current.hourly_service_level[h].mean)]
        for h in missed:
            room = [k for k in range(h, -1, -1) if plan[k] < lanes]  # this hour, else the nearest one before
            if room:
                plan[room[0]] += 1
            twice = previous is not None and not previous.meets[h]
            if twice and h > 0 and plan[h - 1] < lanes:  # still missed: lines carried over from the hour before
                plan[h - 1] += 1
        return _repair(plan, self.plan.min_shift_hours, lanes)

    def _try_removals(self, current: Evaluation, floors: list[int]) -> Evaluation | None:
        def room(h: int) -> float:  # an unmeasured hour (nobody came) has the most to spare
            ci = current.hourly_service_level[h]
            low = ci.mean if math.isnan(ci.ci_low) else ci.ci_low
            return math.inf if ci.n == 0 else low - self.target

        slack = sorted(range(len(current.cashiers)), key=lambda h: -room(h))
        for h in slack:
            trial = list(current.cashiers)
            if trial[h] <= max(1, floors[h]):
                continue
            trial[h] -= 1
            if not rosterable(trial, self.plan.min_shift_hours) or len(self._cache) >= self.plan.max_evaluations:
                continue
            evaluation = self.evaluate(trial)
            if evaluation.ok:
                self.log.append(f"removed a cashier at hour {h}")
                return evaluation
        return None

    def _search(self, current: Evaluation, floors: list[int]) -> Evaluation:
        """From ``current``, add cashiers until every hour meets the standard on the search's
        seeds, then remove cashier-hours (never below ``floors``) while it still does."""
        previous = None
        while not current.ok and len(self._cache) < self.plan.max_evaluations:
            plan = self._add(current, previous)
            if plan == current.cashiers:
                self.log.append("every missing hour is at the lane limit: the standard cannot be met")
                break
            previous, current = current, self.evaluate(plan)
            self.log.append(f"added cashiers: {plan}")
        while current.ok:
            better = self._try_removals(current, floors)
            if better is None:
                break
            current = better
        return current

    def run(self) -> Plan:
        """Search from the first cut to a locally minimal plan meeting the standard, confirm it on
        fresh seeds, and while the confirmation fails add cashiers where it does and search on."""
        start = _repair(first_cut(self.params, self.target_wait, self.target), self.plan.min_shift_hours,
                        self.params.store.lanes)
        cut = self.evaluate(start)
        floors = [1] * len(start)
        current = self._search(cut, floors)
        confirmations: list[Evaluation] = []
        while True:
            confirmations.append(self.confirm(current.cashiers))
            confirmed = confirmations[-1]
            if confirmed.ok:
                self.log.append(f"confirmed on fresh seeds: {current.cashiers}")
                break
            failing = [h for h, ok in enumerate(confirmed.meets) if not ok]
            self.log.append(f"not confirmed on fresh seeds: {current.cashiers} (hours {failing} miss"
                            f"{'' if confirmed.day_ok else ', day standards missed'})")
            if (not current.ok or len(confirmations) >= self.plan.max_confirmations
                    or len(self._cache) >= self.plan.max_evaluations):
                break  # the search found nothing that meets the standard, or no rounds or evaluations are left
            plan = self._add(confirmed, confirmations[-2] if len(confirmations) > 1 else None)
            if plan == current.cashiers:
                self.log.append("every hour the confirmation misses is at the lane limit")
                break
            floors = [max(f, c) if c > old else f for f, c, old in zip(floors, plan, current.cashiers)]
            self.log.append(f"added cashiers after the confirmation: {plan}")
            current = self._search(self.evaluate(plan), floors)
        return Plan(cut, current, self.params.arrivals_per_hour(), len(self._cache), self.target, self.target_wait,
                    self.plan.confidence, self.log, confirmations)
