"""``policy.*``: the store's policies, one group each: cross-training, empowerment, hiring.

Money is in the store's currency; durations in minutes; days since hire in days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..checks import MAX_CLOCK_HOUR, MAX_LANES, MAX_MONEY, MAX_SPEED, MAX_TASK_MIN, MIN_SPEED, Problems, bounded

CROSS_TRAINING_POLICIES = ("none", "threshold")
TRIGGERS = ("line_per_lane", "predicted_wait")
CROSS_TRAINED = ("all", "none", "share", "ids")
EMPOWERMENT_POLICIES = ("manager_approval", "empowered")
HIRING_POLICIES = ("standard", "experienced", "friendly_trained")

MAX_DAYS = 50 * 365.0
"""Days since hire: a working life."""
EMPOWERED_ONLY = ("decision_min", "value_limit", "accuracy_max", "training_hours", "training_scale_hours",
                  "experience_scale_days", "training_horizon_days", "wrong_refusal_lost_sale")
"""``policy.empowerment.*`` keys that act only when cashiers decide (``empowered``)."""
PROFILE_ONLY = ("speed_trained", "start_speed", "learning_rate", "transactions_per_day", "friendliness_mean",
                "friendliness_sd", "tenure_days")
"""``policy.hiring.*`` keys that act only under a profile other than ``standard`` (which keeps
``staffing.speed`` and ``staffing.friendliness`` for everyone)."""


@dataclass
class CrossTrainingParams:
    """When cross-trained floor employees step in at checkout, and when they go back."""

    policy: str = "none"
    """``none``: dedicated roles; ``threshold``: open a lane when the line passes ``open_at``."""
    trigger: str = "line_per_lane"
    """``line_per_lane`` (people waiting per open lane) or ``predicted_wait`` (minutes)."""
    open_at: float = bounded(3.0, 0, 1000, low_open=True)
    """A helper is sent when the trigger reaches this value."""
    close_below: float = bounded(1.0, 0, 1000)
    """A helper goes back when the trigger stays below this value for ``cooldown_min``."""
    cooldown_min: float = bounded(10.0, 0, 24 * 60)
    """How long the trigger must stay below ``close_below`` before a helper goes back."""
    walk_min: float = bounded(2.0, 0, 60)
    """Walk between the floor and a lane, each way."""
    cross_trained: str = "all"
    """Which floor employees can work a lane: all, none, share, ids."""
    share: float = bounded(1.0, 0, 1, what="a share")
    """With ``cross_trained=share``: the share of floor employees (the first ones by id)."""
    ids: list[str] = field(default_factory=list)
    """With ``cross_trained=ids``: these employees."""

    def problems(self, p: Problems, prefix: str = "policy.cross_training") -> None:
        """Known options, closing below opening, ids as names (that they name floor employees
        is the roster's check, ``sim/roster.py``)."""
        p.choice(f"{prefix}.policy", self.policy, CROSS_TRAINING_POLICIES)
        p.choice(f"{prefix}.trigger", self.trigger, TRIGGERS)
        p.choice(f"{prefix}.cross_trained", self.cross_trained, CROSS_TRAINED)
        if p.clear(f"{prefix}.close_below", f"{prefix}.open_at"):
            p.need(self.close_below <= self.open_at, f"{prefix}.close_below",
                   f"must not exceed policy.cross_training.open_at ({self.open_at:g})", self.close_below)
        p.need(all(isinstance(i, str) and i for i in self.ids), f"{prefix}.ids", "must be employee ids", self.ids)


@dataclass
class EmpowermentParams:
    """Who decides an exception: a manager, or the cashier up to a value limit, and what an
    empowered cashier's decisions cost (wrong ones, training). The model: docs/policies.md."""

    policy: str = "manager_approval"
    """``manager_approval``: the cashier calls a manager and the lane waits (the hold);
    ``empowered``: the cashier decides at once up to ``value_limit``. The default, manager
    approval, is an assumption: the usual rule of a store that has not empowered its cashiers."""
    decision_min: float = bounded(0.3, 0, MAX_TASK_MIN)
    """An empowered cashier's decision time (assumption)."""
    value_limit: float = bounded(20.0, 0, MAX_MONEY)
    """Largest value an empowered cashier may decide alone; above it a manager is called (the
    store's rule; the default is an assumption, swept by ``experiment=empowerment``)."""
    approval_min: float = bounded(1.0, 0, MAX_TASK_MIN)
    """A manager's time at the lane once there (assumption)."""
    manager_walk_min: float = bounded(1.0, 0, 60)
    """A manager's walk to the lane, part of the hold (assumption)."""
    approve_share: float = bounded(0.85, 0, 1, what="a share")
    """Share of requests whose right answer is to grant them: the manager's grant rate, the
    manager being the standard a cashier's decision is judged against (assumption)."""
    accuracy_max: float = bounded(0.97, 0, 1, what="a share")
    """Share of decisions a cashier gets right at best, however trained and experienced; the
    ceiling of the accuracy curve (assumption: even a trained cashier misjudges some cases)."""
    training_hours: float = bounded(4.0, 0, 1000)
    """Hours of decision training per empowered cashier (everyone who may work a lane), paid
    at that employee's wage (assumption: a half-day course)."""
    training_scale_hours: float = bounded(4.0, 0.01, 1000)
    """Training hours that shrink the gap to ``accuracy_max`` by a factor e (assumption)."""
    experience_scale_days: float = bounded(365.0, 0.1, MAX_DAYS)
    """Days since hire that shrink the gap to ``accuracy_max`` by a factor e (assumption: a
    year on the job teaches as much about the store's rules as ``training_scale_hours``)."""
    training_horizon_days: float = bounded(180.0, 1, MAX_DAYS)
    """Days over which the training is paid off: each day carries hours x wage / this
    (assumption: about the stay of a cashier in a job with high turnover)."""
    wrong_refusal_lost_sale: float = bounded(0.3, 0, 1, what="a probability")
    """Chance that a customer wrongly refused leaves their basket: the sale is lost (assumption)."""

    def problems(self, p: Problems, prefix: str = "policy.empowerment") -> None:
        """A known policy; under ``manager_approval`` none of the cashiers' decision settings
        (``EMPOWERED_ONLY``) may differ from its default, since none would act."""
        p.choice(f"{prefix}.policy", self.policy, EMPOWERMENT_POLICIES)
        if self.policy == "manager_approval":
            p.unused(prefix, self, EMPOWERED_ONLY, "acts only when cashiers decide "
                          "(policy/empowerment=empowered); under manager_approval remove it")


@dataclass
class HiringParams:
    """The workforce mix: what the people the store hires are like. The defaults are the
    ``standard`` profile; the others (``conf/policy/hiring/*.yaml``) state every value in
    which they differ. The model and each number's source: docs/policies.md (Hiring)."""

    policy: str = "standard"
    """``standard`` keeps staffing.speed and staffing.friendliness for everyone (no learning
    curve: the store's usual, fully trained workforce); the other profiles draw each
    employee's speed, friendliness and days since hire as below. Each profile's values are
    assumptions, stated in its file (``conf/policy/hiring/*.yaml``)."""
    speed_trained: float = bounded(1.0, MIN_SPEED, MAX_SPEED)
    """Work rate once fully trained (competence; assumption per profile)."""
    start_speed: float = bounded(1.0, MIN_SPEED, 1, what="a share")
    """Work rate on an employee's first transaction, as a share of ``speed_trained``
    (assumption per profile; 1: nothing to learn)."""
    learning_rate: float = bounded(0.8, 0.05, 1, what="a share")
    """Wright's learning rate: each doubling of transactions handled leaves this share of the
    time above the trained time (Wright 1936: 0.8 in aircraft assembly; applying it to a
    cashier's transactions is an assumption)."""
    transactions_per_day: float = bounded(100.0, 1, 10000)
    """Transactions a cashier handles on a working day, counting experience before today:
    days since hire x this (assumption: about one customer every 4-5 minutes of an 8-hour shift)."""
    friendliness_mean: float = bounded(0.7, 0, 1, what="a share")
    """Mean courtesy of the people hired (normal, clipped to 0..1; assumption per profile)."""
    friendliness_sd: float = bounded(0.1, 0, 1)
    """Spread of the courtesy of the people hired (assumption per profile)."""
    tenure_days_mean: float = bounded(365.0, 0, MAX_DAYS, low_open=True)
    """Mean days since hire, exponential across employees: a steady workforce in which people
    leave at a constant rate, a turnover of 365 / this a year, each leaver replaced by a new
    hire who is paid ``onboarding_hours`` of training (assumption per profile)."""
    onboarding_hours: float = bounded(16.0, 0, 1000)
    """Paid hours of onboarding training per new hire, at the wage of the position filled:
    with turnover, ``onboarding_cost`` = this x wage / ``tenure_days_mean`` per position and
    day (assumption per profile: two 8-hour days of induction and shadowing)."""
    tenure_days: Optional[float] = bounded(None, 0, MAX_DAYS)
    """If set, every employee was hired this many days ago: a snapshot of the workforce by
    tenure, for what-ifs, ``experiment=hiring`` and tests (the number is the user's assumption;
    unset, days since hire are drawn from ``tenure_days_mean``)."""
    temporary: int = bounded(0, 0, MAX_LANES)
    """Seasonal temporary cashiers added between ``temporary_start_hour`` and
    ``temporary_end_hour``: new hires (0 days since hire) of the profile, on its learning curve
    (default 0, an assumption: no seasonal help)."""
    temporary_start_hour: float = bounded(16.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Clock hour the temporary cashiers start (assumption: the evening peak, 16-20h)."""
    temporary_end_hour: float = bounded(20.0, 0, MAX_CLOCK_HOUR, what="a clock hour")
    """Clock hour the temporary cashiers leave (assumption: the evening peak, 16-20h)."""
    decision_accuracy: float = bounded(0.7, 0, 1, what="a share")
    """Share of exception decisions an untrained new hire gets right once empowered; training
    and days since hire raise it towards ``policy.empowerment.accuracy_max`` (assumption per profile)."""

    def problems(self, p: Problems, opening: tuple[float, float] | None = None, prefix: str = "policy.hiring") -> None:
        """A known profile, and the temporary cashiers' window ordered and, given the ``opening``
        hours (clock hours from, to), inside them (whether they fit the lanes is the roster's
        check, ``sim/hiring.py``)."""
        start, end = f"{prefix}.temporary_start_hour", f"{prefix}.temporary_end_hour"
        p.choice(f"{prefix}.policy", self.policy, HIRING_POLICIES)
        self._unused_problems(p, prefix)
        if p.clear(start, end):
            p.need(self.temporary_start_hour < self.temporary_end_hour, end,
                   "must be after policy.hiring.temporary_start_hour", self.temporary_end_hour)
        if self.temporary and opening is not None and p.clear(f"{prefix}.temporary", start, end):
            open_hour, close_hour = opening
            p.need(open_hour <= self.temporary_start_hour and self.temporary_end_hour <= close_hour, start,
                   f"the temporary cashiers' window must lie inside the opening hours {open_hour:g}-{close_hour:g}",
                   [self.temporary_start_hour, self.temporary_end_hour])

    def _unused_problems(self, p: Problems, prefix: str) -> None:
        """Settings that would not act are refused (one line each): the profile's speed,
        courtesy and days since hire under ``standard``; the learning curve's pace when there
        is nothing to learn; the temporaries' hours without temporaries."""
        if self.policy == "standard":
            p.unused(prefix, self, PROFILE_ONLY, "acts only under a hiring profile (policy/hiring="
                          "experienced or friendly_trained); standard keeps staffing.speed and "
                          "staffing.friendliness for everyone, so remove it or choose a profile")
        elif self.start_speed == 1:
            p.unused(prefix, self, ("learning_rate", "transactions_per_day"),
                          f"has no effect when {prefix}.start_speed is 1 (nothing to learn); remove it or "
                          "lower start_speed")
        elif self.learning_rate == 1:
            p.unused(prefix, self, ("transactions_per_day",),
                          f"has no effect when {prefix}.learning_rate is 1 (nothing is learnt); remove it or "
                          "lower learning_rate")
        if self.temporary == 0:
            p.unused(prefix, self, ("temporary_start_hour", "temporary_end_hour"),
                          f"acts only with temporary cashiers ({prefix}.temporary above 0); remove it or "
                          "add temporaries")


@dataclass
class PolicyParams:
    """The store's policies."""

    cross_training: CrossTrainingParams = field(default_factory=CrossTrainingParams)
    empowerment: EmpowermentParams = field(default_factory=EmpowermentParams)
    hiring: HiringParams = field(default_factory=HiringParams)

    def problems(self, p: Problems, opening: tuple[float, float] | None = None, prefix: str = "policy") -> None:
        """Each policy's own problems; ``opening``: the opening hours, once they are known to be fine."""
        self.cross_training.problems(p, f"{prefix}.cross_training")
        self.empowerment.problems(p, f"{prefix}.empowerment")
        self.hiring.problems(p, opening, f"{prefix}.hiring")
        accuracy, ceiling = f"{prefix}.hiring.decision_accuracy", f"{prefix}.empowerment.accuracy_max"
        if p.clear(accuracy, ceiling):
            p.need(self.hiring.decision_accuracy <= self.empowerment.accuracy_max, accuracy,
                   f"must not exceed {ceiling} ({self.empowerment.accuracy_max:g}): training cannot make "
                   "decisions worse", self.hiring.decision_accuracy)
