"""Hiring: each employee's speed and friendliness drawn from the store's hiring profile.

Speed follows a learning curve over days since hire,

    speed(days) = speed_trained * (1 - (1 - start_speed) * exp(-days / learning_days)),

so a new hire starts at ``start_speed`` of full speed and the gap shrinks by a factor e
every ``learning_days``. Seasonal temporary cashiers are added for the peak window.
Explicit rosters keep the speed and friendliness they give.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .checks import Problems
from .clock import clock_from_hours
from .params import HiringParams, ScenarioParams
from .roster import EmployeeSpec, Shift, build_roster


def speed_after(days: float, hiring: HiringParams) -> float:
    """Work rate of an employee hired ``days`` ago."""
    return hiring.speed_trained * (1.0 - (1.0 - hiring.start_speed) * math.exp(-days / hiring.learning_days))


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


def temporary_problems(params: ScenarioParams, p: Problems) -> None:
    """The temporary cashiers must find a free lane: with them, no hour of their window has more
    cashiers on duty than ``store.lanes``. ``params`` must show no problem by themselves
    (``ScenarioParams.problems``); ``sim.validation.problems`` calls this."""
    hiring, lanes = params.policy.hiring, params.store.lanes
    if not hiring.temporary:
        return
    shift = temporary_shift(params)
    cashiers = [s.shift for s in build_roster(params) if s.home_role == "checkout"]
    crowded = [h for h in range(params.hours) if shift.start < (h + 1) * 60 and h * 60 < shift.end
               and sum(c.start <= h * 60 < c.end for c in cashiers) + hiring.temporary > lanes]
    p.need(not crowded, "policy.hiring.temporary", f"would put more cashiers than store.lanes ({lanes}) on duty in "
           "hours", [clock_from_hours(params.store.open_hour + h) for h in crowded][:3])


def hire(params: ScenarioParams, specs: list[EmployeeSpec], rng: np.random.Generator) -> list[EmployeeSpec]:
    """The roster with hiring-profile speeds and friendliness, plus temporary cashiers."""
    hiring = params.policy.hiring
    hired = []
    for spec in specs:
        tenure, friendliness = float(rng.exponential(hiring.tenure_days_mean)), _friendliness(rng, hiring)
        if hiring.policy == "standard" or params.staffing.roster is not None:
            hired.append(spec)
            continue
        days = hiring.tenure_days if hiring.tenure_days is not None else tenure
        hired.append(dataclasses.replace(spec, speed=speed_after(days, hiring), friendliness=friendliness,
                                         days_since_hire=days))
    shift = temporary_shift(params)
    for k in range(hiring.temporary):
        friendliness = _friendliness(rng, hiring) if hiring.policy != "standard" else params.staffing.friendliness
        hired.append(EmployeeSpec(f"T{k + 1}", "checkout", frozenset({"checkout"}), shift,
                                  speed_after(hiring.temporary_days, hiring), friendliness,
                                  params.staffing.wage_per_hour, days_since_hire=hiring.temporary_days))
    return hired
