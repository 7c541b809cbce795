"""From a staffing plan to employees with shifts.

Counts per hour become shifts by stacking: employee ``k`` of a role works every run of
consecutive hours in which at least ``k + 1`` people of that role are on duty, so the
count on duty is exactly the plan's count. An explicit roster is taken as written.
Cashiers are ``C1, C2, ...``, floor employees ``F1, F2, ...``, self-checkout attendants
(only with kiosks) ``A1, A2, ...``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .checks import Problems, per_hour_values
from .clock import clock_from_hours
from .params import ScenarioParams
from .params.staffing import uncovered_times
from .staffing_rule import square_root_staffing

if TYPE_CHECKING:
    from .hiring import LearningCurve


@dataclass(frozen=True)
class Shift:
    """Working time in minutes since opening, and breaks as (due at, minutes)."""

    start: float
    end: float
    breaks: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class EmployeeSpec:
    """Who an employee is: fixed for the whole replication (``speed``: at the start of the day)."""

    employee_id: str
    home_role: str
    skills: frozenset[str]
    shift: Shift
    speed: float = 1.0
    friendliness: float = 0.7
    wage_per_hour: float = 18.0
    cross_trained: bool = False
    """A floor employee the cross-training policy may send to a lane, and who answers a
    self-checkout kiosk's call when no attendant is free (``sim/self_checkout.py``)."""
    days_since_hire: float = 365.0
    experience: float = 0.0
    """Transactions handled before today (``sim/hiring.py``)."""
    learning: Optional[LearningCurve] = None
    """Speed by transactions handled, or None: ``speed`` all day."""


def shifts_by_level(counts: list[int]) -> list[tuple[int, int, int]]:
    """(level, first hour, end hour) of each stacked shift: level k is the (k+1)-th person on duty."""
    shifts = []
    for level in range(max(counts, default=0)):
        hour = 0
        while hour < len(counts):
            if counts[hour] > level:
                start = hour
                while hour < len(counts) and counts[hour] > level:
                    hour += 1
                shifts.append((level, start, hour))
            else:
                hour += 1
    return shifts


def stacked_shifts(counts: list[int]) -> list[tuple[int, int]]:
    """(first hour, end hour) of each shift that together give ``counts`` per hour."""
    return [(start, end) for _, start, end in shifts_by_level(counts)]


def cashiers_from_profile(params: ScenarioParams, beta: float) -> list[int]:
    """Square-root staffing hour by hour (:func:`square_root_staffing`), at most the lanes."""
    mean = params.mean_service_min
    loads = [rate * mean / 60.0 for rate in params.arrivals_per_hour()]
    return [min(params.store.lanes, square_root_staffing(a, beta)) for a in loads]


def cashiers_by_hour(params: ScenarioParams) -> list[int]:
    """Cashiers on duty in each opening hour, as the staffing plan says."""
    staffing = params.staffing
    if staffing.from_profile_beta is not None:
        return cashiers_from_profile(params, staffing.from_profile_beta)
    return per_hour_values(staffing.cashiers, params.hours)


def attendants_by_hour(params: ScenarioParams) -> list[int]:
    """Self-checkout attendants on duty in each opening hour, as the staffing plan says (none
    without kiosks)."""
    return params.self_checkout.attendants_by_hour(params.store.self_checkout_kiosks, params.staffing.attendants,
                                                   params.hours)


SKILLS_BY_ROLE = {"checkout": frozenset({"checkout"}), "floor": frozenset({"floor", "checkout"}),
                  "attendant": frozenset({"attendant"})}
"""Skills of employees built from counts, by home role."""


def _breaks(start: float, end: float, every_hours: float | None, minutes: float, stagger: int) -> tuple:
    """Breaks that split a shift's work into equal stretches, staggered between employees so
    lanes do not all close at once.

    A shift longer than ``every_hours`` gets ``n = floor(length / every_hours)`` breaks; the
    work between them, ``segment``, is equal, and each break is moved by at most a quarter
    of a segment (by employee), so no break starts at the shift's start, none overlaps
    another and the last ends before the shift does.
    """
    if every_hours is None or end - start <= every_hours * 60:
        return ()
    n = math.floor((end - start) / (every_hours * 60) + 1e-9)
    segment = (end - start - n * minutes) / (n + 1)
    offset = (stagger % 4 - 1.5) / 1.5 * segment / 4
    return tuple((start + (i + 1) * segment + i * minutes + offset, minutes) for i in range(n))


def _from_counts(params: ScenarioParams, role: str, counts: list[int], prefix: str, wage: float) -> list[EmployeeSpec]:
    staffing, horizon = params.staffing, params.horizon_min
    skills = SKILLS_BY_ROLE[role]
    specs = []
    for k, (first, last) in enumerate(stacked_shifts(counts)):
        start, end = first * 60.0, min(last * 60.0, horizon)
        breaks = _breaks(start, end, staffing.break_after_hours, staffing.break_min, k)
        specs.append(EmployeeSpec(f"{prefix}{k + 1}", role, skills, Shift(start, end, breaks),
                                  staffing.speed, staffing.friendliness, wage))
    return specs


def _from_roster(params: ScenarioParams) -> list[EmployeeSpec]:
    open_hour, horizon = params.store.open_hour, params.horizon_min
    minute = lambda clock_hour: min(horizon, (clock_hour - open_hour) * 60.0)
    return [EmployeeSpec(e.id, e.home_role, frozenset(e.skills),
                         Shift(minute(e.start_hour), minute(e.end_hour),
                               tuple((minute(b.start_hour), b.minutes) for b in e.breaks)),
                         e.speed, e.friendliness, e.wage_per_hour)
            for e in params.staffing.roster]


def _mark_cross_trained(params: ScenarioParams, specs: list[EmployeeSpec]) -> list[EmployeeSpec]:
    policy = params.policy.cross_training
    able = [s for s in specs if s.home_role == "floor" and "checkout" in s.skills]
    if policy.policy == "none" or policy.cross_trained == "none":
        chosen = set()
    elif policy.cross_trained == "all":
        chosen = {s.employee_id for s in able}
    elif policy.cross_trained == "share":
        chosen = {s.employee_id for s in able[: round(policy.share * len(able))]}
    else:
        chosen = set(policy.ids) & {s.employee_id for s in able}
    return [dataclasses.replace(s, cross_trained=s.employee_id in chosen) for s in specs]


def build_roster(params: ScenarioParams) -> list[EmployeeSpec]:
    """Every employee of the day: cashiers, floor employees, then self-checkout attendants."""
    staffing, hours = params.staffing, params.hours
    if staffing.roster is not None:
        specs = _from_roster(params)
    else:
        cashiers = cashiers_by_hour(params)
        floor = per_hour_values(staffing.floor_staff, hours)
        specs = (_from_counts(params, "checkout", cashiers, "C", staffing.wage_per_hour)
                 + _from_counts(params, "floor", floor, "F", staffing.floor_wage_per_hour)
                 + _from_counts(params, "attendant", attendants_by_hour(params), "A", staffing.attendant_wage_per_hour))
    return _mark_cross_trained(params, specs)


def _cross_trained_text(policy) -> str:
    if policy.cross_trained == "share":
        return f"share {policy.share:g}"
    if policy.cross_trained == "ids":
        return f"ids {list(policy.ids)}"
    return policy.cross_trained


def roster_problems(params: ScenarioParams, p: Problems) -> None:
    """Problems only visible once the roster is built: nobody the cross-training policy can send
    to a lane, named employees that do not exist. ``params`` must show no problem by themselves
    (``ScenarioParams.problems``); ``sim.validation.problems`` calls this."""
    policy = params.policy.cross_training
    if policy.policy != "none" and not p:
        specs = build_roster(params)
        p.need(any(s.cross_trained for s in specs), "policy.cross_training.policy",
               f"is {policy.policy!r} but nobody can be sent to a lane: it needs a floor employee with the checkout "
               f"skill among those chosen by policy.cross_training.cross_trained ({_cross_trained_text(policy)}); "
               f"floor employees: {sum(s.home_role == 'floor' for s in specs)}", policy.policy)
    kiosk_problems(params, p)
    if policy.cross_trained == "ids":
        floor_ids = {s.employee_id for s in build_roster(params) if s.home_role == "floor"}
        unknown = [i for i in policy.ids if i not in floor_ids]
        p.need(not unknown, "policy.cross_training.ids",
               f"must name floor employees ({', '.join(sorted(floor_ids)) or 'there are none'})", unknown)


def kiosk_problems(params: ScenarioParams, p: Problems) -> None:
    """Attendants only with kiosks; and while there are kiosks whose transactions may need
    help, someone who can answer a call (an attendant, or a cross-trained floor employee) on
    shift whenever the doors are open: otherwise a kiosk could hold for ever."""
    kiosks, roster = params.store.self_checkout_kiosks, params.staffing.roster
    if not kiosks and roster is not None:
        named = [k for k, e in enumerate(roster) if e.home_role == "attendant"]
        p.need(not named, f"staffing.roster[{named[0] if named else 0}].home_role",
               "attendant needs self-checkout kiosks, and store.self_checkout_kiosks is 0: set "
               "store.self_checkout_kiosks (e.g. self_checkout=six_kiosks), or give the employee another role",
               "attendant")
    if not kiosks or params.self_checkout.intervention_prob == 0 or p:
        return
    open_hour = params.store.open_hour
    hours = lambda minute: open_hour + minute / 60.0
    shifts = [(hours(s.shift.start), hours(s.shift.end)) for s in build_roster(params)
              if s.home_role == "attendant" or s.cross_trained]
    gaps = uncovered_times(shifts, open_hour, hours(params.horizon_min))
    if roster is not None:
        key, how = "staffing.roster", "an employee with home_role: attendant"
    else:
        key, how = "staffing.attendants", "an attendant"
    p.need(not gaps, key, f"needs {how} (or a cross-trained floor employee, policy.cross_training) on shift "
           "whenever the doors are open while there are self-checkout kiosks and self_checkout.intervention_prob > 0 "
           "(interventions need someone to answer them); times without one",
           [f"{clock_from_hours(a)}-{clock_from_hours(b, closing=True)}" for a, b in gaps][:3])
