"""Hiring: each employee's speed, courtesy and experience drawn from the store's hiring profile.

Speed follows a learning curve in transactions handled, the power law of practice in the
form of Wright's learning curve with a floor (the trained time):

    time(n) = t_trained * (1 + (1 / start_speed - 1) * n ** -b),    b = -log2(learning_rate),

for the ``n``-th transaction an employee handles, ``t_trained`` being the time at
``speed_trained``: the time above the trained time falls to ``learning_rate`` of itself
with every doubling of transactions handled (T. P. Wright, "Factors affecting the cost of
airplanes", Journal of the Aeronautical Sciences, 1936; a power law of practice, A. Newell
and P. S. Rosenbloom, "Mechanisms of skill acquisition and the law of practice", 1981).
Speed is its inverse: ``speed(n) = speed_trained / (1 + (1 / start_speed - 1) * n ** -b)``.

An employee's experience at the start of the day is their days since hire times
``transactions_per_day``; each transaction handled today adds one, so a new hire gets
faster during the day (``sim/employee.py``, :meth:`Employee.handled`). Days since hire
are drawn exponential with mean ``tenure_days_mean`` (a steady workforce whose people
leave at a constant rate, a turnover of ``365 / tenure_days_mean`` a year). Seasonal
temporary cashiers are new hires: 0 days since hire, on the same curve. Explicit rosters,
and the ``standard`` profile, keep the speed and friendliness they give.

Turnover costs training: every position (each employee on the day's staff, temporaries
included) is refilled on average every ``tenure_days_mean`` days, and each new hire is paid
``onboarding_hours`` of training at the position's wage, so a day carries
``onboarding_hours x wage / tenure_days_mean`` per position (``onboarding_cost``, part of
``labor_cost``), whatever the profile, ``standard`` included. Unlike the empowerment
training (a one-off, amortised), turnover is a flow: every day carries its share.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import numpy as np

from .checks import Problems
from .clock import clock_from_hours
from .params import HiringParams, ScenarioParams
from .roster import EmployeeSpec, Shift, build_roster


@dataclasses.dataclass(frozen=True)
class LearningCurve:
    """Speed as a function of transactions handled (module docstring).

    Attributes:
        speed_trained: work rate once fully trained (> 0).
        start_speed: work rate on the first transaction, as a share of ``speed_trained`` (0..1].
        learning_rate: share of the time above the trained time left after each doubling (0..1].
    """

    speed_trained: float
    start_speed: float
    learning_rate: float

    @property
    def exponent(self) -> float:
        """``b = -log2(learning_rate)`` (0 when nothing is learnt)."""
        return -math.log2(self.learning_rate)

    def speed(self, n: float) -> float:
        """Work rate on the ``n``-th transaction (``n >= 1``; fractional counts are fine)."""
        excess = 1.0 / self.start_speed - 1.0
        return self.speed_trained / (1.0 + excess * max(1.0, n) ** -self.exponent)


def learning_curve(hiring: HiringParams) -> LearningCurve:
    """The profile's learning curve."""
    return LearningCurve(hiring.speed_trained, hiring.start_speed, hiring.learning_rate)


def speed_after(days: float, hiring: HiringParams) -> float:
    """Work rate at the start of the day, ``days`` after hiring: the speed of the first
    transaction of that day, after ``days x transactions_per_day`` before it."""
    return learning_curve(hiring).speed(days * hiring.transactions_per_day + 1.0)


def onboarding_cost_per_day(hiring: HiringParams, staff: Iterable[EmployeeSpec]) -> float:
    """Training of new hires paid per day (module docstring): the sum over ``staff`` of
    ``onboarding_hours x wage_per_hour / tenure_days_mean``, in the store's currency.

    ``365 / tenure_days_mean`` hires a year per position, each trained ``onboarding_hours``
    at the position's wage, spread evenly over the year's days."""
    return sum(hiring.onboarding_hours * s.wage_per_hour for s in staff) / hiring.tenure_days_mean


def _friendliness(rng: np.random.Generator, hiring: HiringParams) -> float:
    """Normal around the profile's mean, within [0, 1]. The spread is taken as ``abs``: a spread of
    ``-0.0`` is in range (it equals 0) but numpy refuses it as a negative scale."""
    return float(min(1.0, max(0.0, rng.normal(hiring.friendliness_mean, abs(hiring.friendliness_sd)))))


def temporary_shift(params: ScenarioParams) -> Shift:
    """The peak window of the temporary cashiers, in minutes since opening."""
    hiring, open_hour = params.policy.hiring, params.store.open_hour
    start = max(0.0, (hiring.temporary_start_hour - open_hour) * 60.0)
    end = min(params.horizon_min, (hiring.temporary_end_hour - open_hour) * 60.0)
    return Shift(start, max(start, end))


def hiring_problems(params: ScenarioParams, p: Problems) -> None:
    """What the hiring profile needs of the staff plan. ``params`` must show no problem by
    themselves (``ScenarioParams.problems``); ``sim.validation.problems`` calls this.

    - A profile other than ``standard`` draws speed and friendliness, which an explicit roster
      (``staffing.roster``) gives for everyone: with a roster, a profile acts on speed and
      courtesy only through temporary cashiers, so without them it is refused (one line).
    - The temporary cashiers must find a free lane: with them, no hour of their window has
      more cashiers on duty than ``store.lanes``.
    """
    hiring, lanes = params.policy.hiring, params.store.lanes
    p.need(hiring.policy == "standard" or params.staffing.roster is None or hiring.temporary > 0,
           "policy.hiring.policy", "draws speed and friendliness, which staffing.roster gives for every employee; "
           "with a roster use policy/hiring=standard (decision_accuracy, tenure_days_mean and onboarding_hours "
           "are set under it) or add temporary cashiers (policy.hiring.temporary)", hiring.policy)
    if not hiring.temporary:
        return
    shift = temporary_shift(params)
    cashiers = [s.shift for s in build_roster(params) if s.home_role == "checkout"]
    crowded = [h for h in range(params.hours) if shift.start < (h + 1) * 60 and h * 60 < shift.end
               and sum(c.start <= h * 60 < c.end for c in cashiers) + hiring.temporary > lanes]
    p.need(not crowded, "policy.hiring.temporary", f"would put more cashiers than store.lanes ({lanes}) on duty in "
           "hours", [clock_from_hours(params.store.open_hour + h) for h in crowded][:3])


def hire(params: ScenarioParams, specs: list[EmployeeSpec], rng: np.random.Generator) -> list[EmployeeSpec]:
    """The roster with hiring-profile speeds, friendliness and experience, plus temporary
    cashiers (new hires). Each employee draws days since hire and friendliness in that order,
    whatever the profile, so the draws of the others stay the same across profiles."""
    hiring = params.policy.hiring
    curve = learning_curve(hiring)
    learns = hiring.start_speed < 1.0 and hiring.learning_rate < 1.0
    hired = []
    for spec in specs:
        tenure, friendliness = float(rng.exponential(hiring.tenure_days_mean)), _friendliness(rng, hiring)
        if hiring.policy == "standard" or params.staffing.roster is not None:
            hired.append(spec)
            continue
        days = hiring.tenure_days if hiring.tenure_days is not None else tenure
        hired.append(_hired(spec, days, friendliness, hiring, curve if learns else None))
    shift = temporary_shift(params)
    standard = hiring.policy == "standard"
    for k in range(hiring.temporary):
        friendliness = params.staffing.friendliness if standard else _friendliness(rng, hiring)
        temp = EmployeeSpec(f"T{k + 1}", "checkout", frozenset({"checkout"}), shift,
                            params.staffing.speed, friendliness, params.staffing.wage_per_hour)
        hired.append(temp if standard else _hired(temp, 0.0, friendliness, hiring, curve if learns else None))
    return hired


def _hired(spec: EmployeeSpec, days: float, friendliness: float, hiring: HiringParams,
           curve: LearningCurve | None) -> EmployeeSpec:
    """``spec`` hired ``days`` ago under the profile: experience, speed at the start of the day."""
    experience = days * hiring.transactions_per_day
    speed = curve.speed(experience + 1.0) if curve is not None else hiring.speed_trained
    return dataclasses.replace(spec, speed=speed, friendliness=friendliness, days_since_hire=days,
                               experience=experience, learning=curve)
