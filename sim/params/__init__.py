"""Parameters of one simulated store: plain dataclasses, one module per top-level config key.

``store.py`` holds ``store.*``, ``arrivals.py`` ``arrivals.*``, and so on for customers,
service, abandonment, queue, staffing, floor, self_checkout, policy (cross-training, empowerment, hiring),
exceptions, managers, satisfaction, standards, households, run and output. :class:`ScenarioParams` gathers
them; every class is re-exported here (``from .params import StaffingParams``).

All times are in minutes and all rates per hour unless the name says otherwise.
The defaults describe the default scenario: a mid-size supermarket open 08:00-22:00
with an evening peak at 17:00-19:00, ten lanes of which two are express.

The dataclasses are the Hydra schema too (``scenarios`` registers them), which is why
they are not ``frozen``: OmegaConf cannot merge YAML into frozen nodes. The model treats
them as read-only.

Checking, in one style: every number declares its range next to it (``bounded(default, low,
high)``), checked by the one walker ``Problems.within_ranges``, and tabled in ``docs/ranges.md``;
each class's ``problems(p, ...)`` adds only the relations between its keys (and, given as
arguments, the few other settings they depend on). :meth:`ScenarioParams.problems` runs both
for the whole tree; ``sim/validation.py`` adds what only the roster shows and is the one check a
run makes.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from ..checks import Problems, per_hour_values
from .abandonment import PATIENCE_DISTRIBUTIONS, AbandonmentParams
from .arrivals import DEFAULT_PROFILE, ArrivalParams
from .customers import CustomerParams, SegmentParams
from .exceptions import EXCEPTION_KINDS, ExceptionKind, ExceptionParams
from .floor import FloorParams
from .households import HouseholdParams
from .managers import ManagerParams
from .output import OutputParams
from .policy import (CROSS_TRAINED, CROSS_TRAINING_POLICIES, EMPOWERMENT_POLICIES, HIRING_POLICIES, TRIGGERS,
                     CrossTrainingParams, EmpowermentParams, HiringParams, PolicyParams)
from .queue import DISCIPLINES, QueueParams
from .run import RunParams
from .satisfaction import SatisfactionParams
from .self_checkout import SelfCheckoutParams
from .service import SERVICE_DISTRIBUTIONS, ServiceParams
from .staffing import DEFAULT_HOURLY_CASHIERS, HOME_ROLES, SKILLS, BreakParams, EmployeeParams, StaffingParams
from .standards import StandardsParams
from .store import StoreParams

__all__ = [
    "AbandonmentParams", "ArrivalParams", "BreakParams", "CrossTrainingParams", "CustomerParams", "EmployeeParams",
    "EmpowermentParams", "ExceptionKind", "ExceptionParams", "FloorParams", "HiringParams", "HouseholdParams", "ManagerParams",
    "OutputParams", "PolicyParams", "QueueParams", "RunParams", "SatisfactionParams", "ScenarioParams",
    "SegmentParams", "SelfCheckoutParams", "ServiceParams", "StaffingParams", "StandardsParams", "StoreParams",
    "CROSS_TRAINED", "CROSS_TRAINING_POLICIES", "DEFAULT_HOURLY_CASHIERS", "DEFAULT_PROFILE", "DISCIPLINES",
    "EMPOWERMENT_POLICIES", "EXCEPTION_KINDS", "HIRING_POLICIES", "HOME_ROLES", "PATIENCE_DISTRIBUTIONS",
    "SERVICE_DISTRIBUTIONS", "SKILLS", "TRIGGERS",
]


@dataclass
class ScenarioParams:
    """Everything one replication of a store needs: one field per top-level config key."""

    scenario: str = "store_day"
    """The scenario's name; it names the output folder."""
    store: StoreParams = field(default_factory=StoreParams)
    arrivals: ArrivalParams = field(default_factory=ArrivalParams)
    customers: CustomerParams = field(default_factory=CustomerParams)
    service: ServiceParams = field(default_factory=ServiceParams)
    abandonment: AbandonmentParams = field(default_factory=AbandonmentParams)
    queue: QueueParams = field(default_factory=QueueParams)
    staffing: StaffingParams = field(default_factory=StaffingParams)
    floor: FloorParams = field(default_factory=FloorParams)
    self_checkout: SelfCheckoutParams = field(default_factory=SelfCheckoutParams)
    policy: PolicyParams = field(default_factory=PolicyParams)
    exceptions: ExceptionParams = field(default_factory=ExceptionParams)
    managers: ManagerParams = field(default_factory=ManagerParams)
    satisfaction: SatisfactionParams = field(default_factory=SatisfactionParams)
    standards: StandardsParams = field(default_factory=StandardsParams)
    households: HouseholdParams = field(default_factory=HouseholdParams)
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
        """Every problem these values show by themselves, one ``key: message`` line each: every
        key's range first, then the relations of each group. (What only the roster built from
        them shows is added by ``sim.validation.problems``, the check a run makes.)"""
        p = Problems()
        p.need(isinstance(self.scenario, str) and self.scenario.strip() not in ("", ".", "..")
               and not any(c in self.scenario for c in "/\\"), "scenario",
               "must be a non-empty name without / or \\ (it names the output folder)", self.scenario)
        for f in dataclasses.fields(ScenarioParams):
            p.within_ranges(getattr(self, f.name), f.name)
        self.store.problems(p)
        timing = ("store.lanes:", "store.open_hour:", "store.close_hour:", "run.horizon_min:")
        timing_ok = not any(line.startswith(timing) for line in p)  # the opening hours and the lanes are fine
        opening = (self.store.open_hour, self.store.open_hour + self.horizon_min / 60.0) if timing_ok else None
        self.customers.problems(p)
        self.service.problems(p)
        self.abandonment.problems(p)
        self.queue.problems(p)
        self.output.problems(p, self.horizon_min if timing_ok else None)
        self.policy.problems(p, opening)
        self.exceptions.problems(p)
        self.satisfaction.problems(p)
        self.households.problems(p, self.run.days if p.clear("run.days") else None)
        self.self_checkout.problems(p, self.store.self_checkout_kiosks,
                                    self.staffing.attendants is not None or self.staffing.roster is not None)
        self.staffing.attendant_problems(p, self.store.self_checkout_kiosks)
        if timing_ok:
            before = len(p)
            self.arrivals.problems(p, self.hours)
            self.floor.problems(p, self.hours)
            self.staffing.problems(p, self.store.lanes, self.hours, self.store.open_hour, close_hour=opening[1])
            mismatched = sorted({line.split(":")[0] for line in p[before:] if "needs one value per opening hour" in line})
            if mismatched and self.run.horizon_min is not None:
                p.need(False, "run.horizon_min", f"gives {self.hours} opening hours, so {', '.join(mismatched)} "
                       f"need {self.hours} values (or set run.horizon_min=null)", self.run.horizon_min)
        self.run.problems(p, self.horizon_min if timing_ok else None)
        return list(p)
