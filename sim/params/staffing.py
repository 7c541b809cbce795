"""``staffing.*``: who is on duty, as counts per hour, square-root staffing or a named roster.

Clock hours (``start_hour``, ``end_hour``) are hours of the day like ``store.open_hour``;
durations are minutes. ``sim/roster.py`` turns a plan into employees with shifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..checks import (MAX_CLOCK_HOUR, MAX_LANES, MAX_SPEED, MAX_WAGE, MIN_SPEED, Problems, bounded, finite,
                      per_hour_values)
from ..clock import clock_from_hours

SKILLS = ("checkout", "floor", "service_desk", "manager", "attendant")
HOME_ROLES = ("checkout", "floor", "attendant")

# Cashiers on duty per opening hour of the default day (08:00 ... 21:00).
DEFAULT_HOURLY_CASHIERS = [3, 4, 5, 6, 7, 7, 6, 6, 7, 9, 10, 8, 5, 4]


@dataclass
class BreakParams:
    """One break in a shift."""

    start_hour: float = bounded(12.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Clock hour the break is due. A cashier at a lane first finishes the customer in service;
    with another regular lane open, the lane then stops taking customers and finishes its line;
    as the only open lane, it may put the break off by ``staffing.break_defer_max_min``."""
    minutes: float = bounded(15.0, 0, 480, low_open=True)
    """Length of the break."""


@dataclass
class EmployeeParams:
    """One employee of an explicit roster."""

    id: str = "E1"
    home_role: str = "checkout"
    """Where the employee works when nothing else is asked: checkout, floor, or attendant (at the
    self-checkout kiosks)."""
    skills: list[str] = field(default_factory=lambda: ["checkout"])
    """Any of checkout, floor, service_desk, manager, attendant; a floor employee with checkout is
    cross-trained."""
    start_hour: float = bounded(8.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Clock hour the shift starts."""
    end_hour: float = bounded(22.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Clock hour the shift ends."""
    breaks: list[BreakParams] = field(default_factory=list)
    speed: float = bounded(1.0, MIN_SPEED, MAX_SPEED)
    """Work rate against a standard employee: service time = standard time / speed."""
    friendliness: float = bounded(0.7, 0, 1, what="a share")
    """Courtesy, 0..1."""
    wage_per_hour: float = bounded(18.0, 0, MAX_WAGE)
    """Wage, paid from shift start until the employee leaves."""


@dataclass
class StaffingParams:
    """Who is on duty: counts of cashiers and floor employees, square-root staffing, or a roster.

    The cashiers come from exactly one of ``cashiers``, ``from_profile_beta`` and ``roster``;
    the others must be null, so that no setting is silently overridden (setting two is an
    error naming both). ``floor_staff`` is null with a roster, which names its floor
    employees itself.
    """

    cashiers: Any = bounded(low=1, high=MAX_LANES, whole=True, per_hour=True, optional=True,
                            default_factory=lambda: list(DEFAULT_HOURLY_CASHIERS))
    """Cashiers on duty: one count for the whole day, or a list with one count per opening hour
    (at most ``store.lanes``)."""
    floor_staff: Any = bounded(2, 0, MAX_LANES, per_hour=True, optional=True)
    """Floor employees on duty: one count for the whole day, or one count per opening hour."""
    from_profile_beta: Optional[float] = bounded(None, 0, 10)
    """If set (with ``cashiers`` null), cashiers per hour come from the arrival rates by
    square-root staffing, ceil(a + beta * sqrt(a)) for an offered load of a busy cashiers."""
    roster: Optional[list[EmployeeParams]] = None
    """An explicit roster (with ``cashiers`` and ``floor_staff`` null): every employee, named."""
    break_after_hours: Optional[float] = bounded(None, 0.25, 24)
    """Shifts built from counts get one break per this many hours worked (null: no breaks)."""
    break_min: float = bounded(15.0, 0, 480)
    """Length of each such break."""
    wage_per_hour: float = bounded(18.0, 0, MAX_WAGE)
    """Cashier wage, paid from shift start until the employee leaves (breaks are paid)."""
    floor_wage_per_hour: float = bounded(16.0, 0, MAX_WAGE)
    """Floor employee wage."""
    speed: float = bounded(1.0, MIN_SPEED, MAX_SPEED)
    """Work rate of employees built from counts."""
    friendliness: float = bounded(0.7, 0, 1, what="a share")
    """Courtesy of employees built from counts."""
    attendants: Any = bounded(None, 0, MAX_LANES, whole=True, per_hour=True, optional=True)
    """Self-checkout attendants on duty: one count for the whole day, or a list with one count per
    opening hour, built into shifts like the cashiers' (``A1, A2, ...``; null: one per
    ``self_checkout.kiosks_per_attendant`` kiosks in every hour). Only with kiosks
    (``store.self_checkout_kiosks``); null with a roster, which names its attendants itself
    (``home_role: attendant``). Attendants only attend the kiosks."""
    attendant_wage_per_hour: float = bounded(16.0, 0, MAX_WAGE)
    """Self-checkout attendant wage, paid from shift start until the attendant leaves, like a
    cashier's (only with kiosks)."""
    break_defer_max_min: float = bounded(30.0, 0, 480)
    """Minutes by which a cashier's break may be put off while no other regular lane is open to
    take new customers (the cashier keeps the lane open meanwhile). Assumption: a due break
    starts as soon as the cashier's line is empty, another regular lane opens, or this many
    minutes have passed (then after the customer in service; never later than the shift end
    minus the break's length). See ``sim/employee.py`` for the whole rule."""

    def problems(self, p: Problems, lanes: int, hours: int, open_hour: float, prefix: str = "staffing",
                 close_hour: float | None = None) -> None:
        """The relations between the keys (each key's range is checked by ``Problems.within_ranges``).

        ``close_hour``: when the doors close (default: after ``hours`` opening hours)."""
        if self.break_after_hours is not None and p.clear(f"{prefix}.break_after_hours", f"{prefix}.break_min"):
            p.need(self.break_min < self.break_after_hours * 60, f"{prefix}.break_min",
                   f"must be shorter than the work between breaks, staffing.break_after_hours x 60 "
                   f"({self.break_after_hours * 60:g} minutes)", self.break_min)
        if not self._one_source(p, prefix):
            return
        if self.roster is not None:
            self._roster_problems(p, lanes, hours, open_hour, prefix, close_hour)
            return
        if self.cashiers is not None:
            p.hour_count(f"{prefix}.cashiers", self.cashiers, hours)
            if p.clear(f"{prefix}.cashiers"):
                over = [n for n in per_hour_values(self.cashiers, hours) if n > lanes]
                p.need(not over, f"{prefix}.cashiers", f"needs at most store.lanes ({lanes}) cashiers in every hour",
                       over[:3] if isinstance(self.cashiers, (list, tuple)) else self.cashiers)
        p.hour_count(f"{prefix}.floor_staff", self.floor_staff, hours)
        p.hour_count(f"{prefix}.attendants", self.attendants, hours)

    def attendant_problems(self, p: Problems, kiosks: int, prefix: str = "staffing") -> None:
        """The attendant keys act only with self-checkout kiosks: set without any, they are
        refused rather than ignored; so is the attendant wage with a roster, whose employees carry
        their own (whether the attendants cover the day is the roster's check, ``sim/roster.py``)."""
        if kiosks:
            if self.roster is not None:
                p.unused(prefix, self, ("attendant_wage_per_hour",), f"is unused with {prefix}.roster, whose "
                         "employees carry their own wage_per_hour; drop {key}")
            return
        p.unused(prefix, self, ("attendants", "attendant_wage_per_hour"), "acts only with self-checkout kiosks, "
                 "and store.self_checkout_kiosks is 0: set store.self_checkout_kiosks (e.g. "
                 "self_checkout=six_kiosks), or drop {key}")

    def _one_source(self, p: Problems, prefix: str) -> bool:
        """Exactly one of cashiers, from_profile_beta and roster states the cashiers."""
        before = len(p)
        if self.roster is not None:
            also = [name for name in ("cashiers", "floor_staff", "from_profile_beta", "attendants")
                    if getattr(self, name) is not None]
            if also:
                nulls = " ".join(f"{prefix}.{name}=null" for name in also)
                p.need(False, f"{prefix}.{also[0]}", f"must be null while {prefix}.roster names every employee "
                       f"(choose one: add {nulls}, or use staffing=roster; or drop {prefix}.roster)",
                       getattr(self, also[0]))
        elif self.from_profile_beta is not None:
            p.need(self.cashiers is None, f"{prefix}.cashiers",
                   f"must be null while {prefix}.from_profile_beta sets the cashiers per hour (choose one: add "
                   f"{prefix}.cashiers=null, or use staffing=from_profile; or set {prefix}.from_profile_beta=null)",
                   self.cashiers)
        else:
            p.need(self.cashiers is not None, f"{prefix}.cashiers",
                   f"is null, so nothing says who works at checkout: set {prefix}.cashiers (a count, or one per "
                   f"opening hour), {prefix}.from_profile_beta or {prefix}.roster", self.cashiers)
        if self.roster is None:
            p.need(self.floor_staff is not None, f"{prefix}.floor_staff",
                   "must be a count (0 for none) or one count per opening hour when there is no roster",
                   self.floor_staff)
        return len(p) == before

    def _roster_problems(self, p: Problems, lanes: int, hours: int, open_hour: float, prefix: str,
                         doors_close: float | None = None) -> None:
        ids = [e.id for e in self.roster]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        p.need(not dupes, f"{prefix}.roster", "employee ids must be unique", dupes)
        close_hour = open_hour + hours
        for k, e in enumerate(self.roster):
            key = f"{prefix}.roster[{k}]"
            p.need(isinstance(e.id, str) and e.id.strip() != "", f"{key}.id", "must be a non-empty name", e.id)
            p.choice(f"{key}.home_role", e.home_role, HOME_ROLES)
            unknown = [s for s in e.skills if s not in SKILLS]
            p.need(not unknown, f"{key}.skills", f"must be among {', '.join(SKILLS)}", unknown)
            p.need(e.home_role in e.skills, f"{key}.skills", f"must include the home role {e.home_role!r}", e.skills)
            if not p.clear(f"{key}.start_hour", f"{key}.end_hour"):
                continue
            p.need(open_hour <= e.start_hour < e.end_hour <= close_hour, f"{key}.start_hour",
                   f"shift must lie inside the opening hours {open_hour:g}-{close_hour:g}",
                   [e.start_hour, e.end_hour])
            free_from = e.start_hour  # breaks come in time order, each inside the shift
            for b, brk in enumerate(e.breaks):
                if not p.clear(f"{key}.breaks[{b}]"):
                    continue
                p.need(free_from <= brk.start_hour < e.end_hour,
                       f"{key}.breaks[{b}].start_hour", "must lie inside the shift, after the previous break",
                       brk.start_hour)
                ends = brk.start_hour + brk.minutes / 60
                p.need(ends <= e.end_hour, f"{key}.breaks[{b}].minutes",
                       f"the break must end by the end of the shift ({e.end_hour:g})", brk.minutes)
                free_from = max(free_from, ends)
        cashiers = [e for e in self.roster if e.home_role == "checkout" and finite(e.start_hour) and finite(e.end_hour)]
        shifts = [(e.start_hour, e.end_hour) for e in cashiers]
        uncovered = uncovered_times(shifts, open_hour, close_hour if doors_close is None else doors_close)
        p.need(not uncovered, f"{prefix}.roster", "needs a checkout employee on shift whenever the doors are open; "
               "times without one", [f"{clock_from_hours(a)}-{clock_from_hours(b, closing=True)}" for a, b in uncovered][:3])
        crowded = [h for h in range(hours)
                   if sum(e.start_hour <= open_hour + h < e.end_hour for e in cashiers) > lanes]
        p.need(not crowded, f"{prefix}.roster", f"has more checkout employees on shift than store.lanes ({lanes}) "
               "in hours", [clock_from_hours(open_hour + h) for h in crowded][:3])


def uncovered_times(shifts: list[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
    """The parts of ``[start, end)`` that no ``(from, to)`` shift covers, in clock hours."""
    gaps, covered_to = [], start
    for begin, finish in sorted(shifts):
        if begin > covered_to and covered_to < end:
            gaps.append((covered_to, min(begin, end)))
        covered_to = max(covered_to, finish)
    if covered_to < end:
        gaps.append((covered_to, end))
    return gaps
