"""Employees: one ``work()`` loop each, moving between lanes, the floor, walks and breaks.

An employee is in exactly one state at every instant (``STATES``); every change goes
through :meth:`StaffLog.move`, which keeps per-state time-weighted counts and, when asked,
each employee's timeline. Requests to leave (a break is due, the shift ends, the
cross-training policy wants a helper elsewhere) never cut work short: a cashier first
finishes the customer in service, a floor employee the customer they are helping. How a
cashier comes to a lane and leaves it, breaks put off or skipped included, is the
protocol in ``sim/handover.py``. Self-checkout attendants (role ``attendant``), and
cross-trained floor employees sent to answer a kiosk's call, work at the kiosk bank
(``KioskBank.attend`` in ``sim/self_checkout.py``). ``StaffLog`` counts breaks due, taken and the minutes by
which they started late (``break_deferred_min``, ``breaks_skipped``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .customer import ProcessGenerator
from .monitor import LevelTracker
from .roster import EmployeeSpec

if TYPE_CHECKING:
    from .self_checkout import KioskBank
    from .floor import FloorArea
    from .handover import LaneHandover
    from .lane import CheckoutLane

SERVING, LANE_IDLE, FLOOR, WALKING, BREAK, ATTENDING, KIOSK_IDLE, OFF = STATES = (
    "serving", "lane_idle", "floor", "walking", "break", "attending", "kiosk_idle", "off")
KIOSK_STATES = (ATTENDING, KIOSK_IDLE)
"""At the self-checkout kiosks: walking to a kiosk that called and handling its intervention, or
free at the bank (only with kiosks)."""
_PRIORITY = {"switch": 1, "break": 2, "off": 3}


class StaffLog:
    """Who is in which state: counts over time per state, switches, and timelines.

    Attributes:
        counts: state -> time-weighted number of employees in it ("off" excluded).
        timeline: (employee id, state, start, end) intervals, when ``keep_timeline``.
        role_switches: walks between the floor and checkout.
        breaks_due: breaks due after warm-up (by their due time).
        breaks_taken: of these, the ones that started.
        break_deferred_min: minutes by which those that started started after they were due.
    """

    def __init__(self, bucket_min: float, warmup: float, keep_timeline: bool) -> None:
        self.counts = {state: LevelTracker(bucket_min, warmup) for state in STATES if state != OFF}
        self.keep_timeline = keep_timeline
        self.timeline: list[tuple[str, str, float, float]] = []
        self.role_switches = 0
        self.breaks_due = self.breaks_taken = 0
        self.break_deferred_min = 0.0
        self.warmup = warmup

    def move(self, employee: Employee, state: str, now: float) -> None:
        """``employee`` enters ``state`` at ``now``."""
        old = employee.state
        if old == state:
            return
        if old != OFF:
            self.counts[old].change(now, -1)
        if state != OFF:
            self.counts[state].change(now, 1)
        if self.keep_timeline and now > employee.state_since:
            self.timeline.append((employee.spec.employee_id, old, employee.state_since, now))
        employee.state = state
        employee.state_since = now

    def close(self, employees: list[Employee], now: float) -> None:
        """Account for every state up to ``now``."""
        for tracker in self.counts.values():
            tracker.close(now)
        if self.keep_timeline:
            for e in employees:
                if now > e.state_since:
                    self.timeline.append((e.spec.employee_id, e.state, e.state_since, now))


class Employee:
    """One employee on one day.

    Attributes:
        state: one of ``STATES``.
        lane: the lane the employee keeps open, if any.
        heading: "checkout" while sent to a lane and not there yet.
        busy_until: when the floor customer being helped will be done.
    """

    def __init__(self, env: simpy.Environment, spec: EmployeeSpec, log: StaffLog, handover: LaneHandover,
                 floor: FloorArea, walk_min: float, break_defer_max: float) -> None:
        """``walk_min``: walk between the floor and a lane; ``break_defer_max``: minutes a
        break may be put off while nobody else could take the lane's customers."""
        self.env = env
        self.spec = spec
        self.speed = spec.speed
        """Work rate now: ``spec.speed`` at the start of the day, then up the learning curve."""
        self.transactions = 0
        """Checkout transactions handled today (started), for the learning curve."""
        self.start_speed = spec.speed
        self.handling_min = self.hold_min = 0.0
        """Scorecard: minutes from the start of each transaction to the customer leaving the lane
        (exception and hold included); of those, minutes on hold for a manager."""
        self.decisions = self.decisions_right = 0
        """Scorecard: exception decisions taken alone (empowered), and the right ones."""
        self.log = log
        self.handover = handover
        self.floor = floor
        self.walk_min = walk_min
        self.break_defer_max = break_defer_max
        self.state = OFF
        self.state_since = 0.0
        self.lane: CheckoutLane | None = None
        self.heading: str | None = None
        self.busy_until = 0.0
        self.leaving = False
        self.wake: simpy.Event | None = None
        self._pending: tuple[str, float | str, float] | None = None
        """(step, its argument, when it was asked for)."""
        self.break_deadline = 0.0
        """Latest start of the pending break while it is deferred (``sim/handover.py``, rule 4)."""
        self.kiosks: KioskBank | None = None
        """The self-checkout bank, if the store has one and this employee may answer its calls."""
        env.process(self.work())

    def __repr__(self) -> str:
        return f"Employee({self.spec.employee_id}, {self.state})"

    def handled(self) -> None:
        """One more checkout transaction handled: the next one is at the speed of its number on
        the employee's learning curve (``sim/hiring.py``), experience before today included."""
        self.transactions += 1
        curve = self.spec.learning
        if curve is not None:
            self.speed = curve.speed(self.spec.experience + self.transactions + 1)

    def scorecard(self) -> tuple:
        """One row of ``sim.records.SCORECARD_COLUMNS``."""
        s, n = self.spec, self.transactions
        return (s.employee_id, s.home_role, s.days_since_hire, s.experience, s.friendliness, self.start_speed,
                self.speed, n, self.handling_min, self.handling_min / n if n else float("nan"), self.hold_min,
                self.decisions, self.decisions_right)

    # -- requests --------------------------------------------------------------------
    def request(self, step: str, arg: float | str = 0.0) -> bool:
        """Ask the employee to ``step`` ("switch", "break", "off") once their current work is done.

        Returns False when a weightier request is already pending (shift end over break
        over switch); the new one is then dropped.
        """
        if self._pending is not None and _PRIORITY[self._pending[0]] >= _PRIORITY[step]:
            return False
        if self._pending is not None and self._pending[0] == "switch":
            self.heading = None
        now = self.env.now
        self._pending = (step, arg, now)
        if step == "break":
            self.break_deadline = self.handover.latest_break_start(now, float(arg), self.spec.shift.end,
                                                                   self.break_defer_max)
        self.leaving = True
        if self.lane is not None:
            self.handover.cashier_leaving(self.lane)
        elif self.handover.cancel_standby(self) or self.wake is not None:
            self.signal()
        return True

    @property
    def break_pending(self) -> bool:
        """A break is due and has not started."""
        return self._pending is not None and self._pending[0] == "break"

    def break_forced(self, now: float) -> bool:
        """A pending break has been deferred as long as it may be."""
        return self.break_pending and now >= self.break_deadline

    def signal(self) -> None:
        """Wake the employee if it waits for something to happen."""
        wake, self.wake = self.wake, None
        if wake is not None:
            wake.succeed()

    # -- the day ---------------------------------------------------------------------
    def keep_time(self) -> ProcessGenerator:
        """Ask for each break when it is due, and for the end of the shift."""
        env, shift = self.env, self.spec.shift
        for due, minutes in shift.breaks:
            yield env.timeout(max(0.0, due - env.now))
            self.log.breaks_due += env.now >= self.log.warmup
            self.request("break", minutes)
        yield env.timeout(max(0.0, shift.end - env.now))
        self.request("off")

    def work(self) -> ProcessGenerator:
        """From the start of the shift until leaving: work a role, then do what was asked."""
        env = self.env
        yield env.timeout(self.spec.shift.start)
        env.process(self.keep_time())
        role = self.spec.home_role
        while True:
            pending, self._pending = self._pending, None
            self.leaving = False
            if pending is not None:
                step, arg, asked_at = pending
                if step == "off":
                    if "checkout" in self.spec.skills and self.handover.stranded():
                        self._pending, self.leaving = pending, True  # serve them first, then leave
                        yield from self.work_lane()
                        continue
                    if self.kiosks is not None and self.kiosks.keeps(self):  # kiosk calls after closing
                        if role == "attendant":
                            self._pending, self.leaving = pending, True
                            yield from self.kiosks.attend(self)
                        else:
                            self._pending = ("switch", "attendant", env.now)
                        continue
                    self.log.move(self, OFF, env.now)
                    return
                if step == "break":
                    if asked_at >= self.log.warmup:
                        self.log.breaks_taken += 1
                        self.log.break_deferred_min += env.now - asked_at
                    self.log.move(self, BREAK, env.now)
                    yield env.timeout(arg)
                    role = self.spec.home_role
                else:
                    self.log.role_switches += env.now >= self.log.warmup
                    self.log.move(self, WALKING, env.now)
                    yield env.timeout(self.walk_min)
                    role = arg
                continue
            if role == "checkout":
                yield from self.work_lane()
            elif role == "attendant":
                yield from self.kiosks.attend(self)
            else:
                yield from self.floor.work(self)
            if self._pending is None:  # the doors closed and the work ran out, or a helper found no lane free
                back = role != self.spec.home_role and not self.handover.area.doors_closed
                self._pending = ("switch", self.spec.home_role, env.now) if back else ("off", 0.0, env.now)

    def work_lane(self) -> ProcessGenerator:
        """Keep a lane open until released (the lane then has finished its line)."""
        self.heading = None
        self.wake = wake = self.env.event()
        self.handover.take_lane(self)
        yield wake  # already triggered when no lane was free to take

    def released(self) -> None:
        """The lane is closed and its line finished (or none was free to take)."""
        self.lane = None
        self.signal()
