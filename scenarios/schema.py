"""The application's config schema: the model's parameters plus the keys only the app reads.

``plan.*`` is the standard ``storesim-plan`` plans to. ``sweep.*`` tells the end-of-sweep tables what to rank and what to compare against; the
model never sees it (``scenarios.config.to_params`` strips it), and it does not enter a
run's ``config_hash``, so re-running a sweep with another objective, constraint or baseline
skips every finished job and only rewrites the tables. KPI names are checked against the
jobs' results when the sweep ends (the model, not this file, decides which KPIs exist).
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..sim import validation
from ..sim.checks import MAX_TASK_MIN, Problems, bounded, range_table, shared_limits
from ..sim.params import ScenarioParams, StandardsParams

SENSES = ("min", "max")
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}
_KPI = re.compile(r"^[A-Za-z_]\w*$")
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_]\w*)\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Constraint:
    """``kpi op bound``, e.g. ``service_level >= 0.8``, checked against a KPI's mean."""

    kpi: str
    op: str
    bound: float

    def holds(self, value: float) -> bool:
        """Whether a KPI mean satisfies the constraint (NaN never does)."""
        return value == value and _OPERATORS[self.op](value, self.bound)

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.bound:g}"


def parse_constraint(text: str) -> Constraint:
    """Parse ``kpi op number`` (op one of >=, <=, >, <); ValueError naming what is wrong."""
    match = _CONSTRAINT.match(text)
    if not match:
        raise ValueError(f"must read 'KPI OP NUMBER' with OP one of {', '.join(_OPERATORS)}, "
                         f"e.g. 'service_level >= 0.8'")
    kpi, op, bound = match.groups()
    return Constraint(kpi, op, float(bound))


@dataclass
class SweepParams:
    """How the end-of-sweep tables rank plans (by mean, or with ``delta`` by a selection
    procedure with a guarantee) and which job the others are compared with."""

    objective: str = "total_cost"
    """KPI whose mean ranks the plans."""
    sense: str = "min"
    """``min`` or ``max``: whether a smaller or a larger objective is better."""
    constraint: Optional[str] = "service_level >= 0.8"
    """Plans must meet ``KPI OP NUMBER`` (on its mean; with ``delta``, shown at ``confidence``)
    to be ranked; null ranks every plan."""
    baseline: Optional[str] = None
    """The job others are compared with: a job number, or overrides that pick one job
    (``"staffing.cashiers=4 queue.discipline=single_line"``); null means job 0."""
    top: int = bounded(5, 1, 1000)
    """How many plans to print."""
    delta: Optional[float] = bounded(None, 0, 1e12, low_open=True)
    """Indifference zone of the selection, in the objective's units: the smallest difference
    worth telling apart. null: no selection, plans ranked by their means (docs/sweeps.md)."""
    confidence: float = bounded(0.95, 0.5, 1, low_open=True, high_open=True)
    """Confidence of the selection (with ``delta``): of naming the best plan when it is at least
    ``delta`` better than the others, and of every feasibility verdict on ``constraint``, jointly."""
    max_replications: int = bounded(200, 2, 10_000, note="intervals need two")
    """Most replications per plan the selection may reach by adding replications to the
    contenders; past it, the plans still in are reported as not told apart."""
    constraint_tolerance: Optional[float] = bounded(None, 0, 1e12, low_open=True)
    """With ``delta``: check ``constraint`` fully sequentially (Andradóttir and Kim), adding
    replications to a plan until it is shown to meet or miss it; a plan that meets the bound
    with this much to spare, in the constraint KPI's units (0.02 for a service level), is then
    said to meet it, one that misses it by this much to miss it, at ``confidence``. null: the
    constraint is checked once, on the jobs' own replications, and a plan left unclear is
    not ranked (docs/sweeps.md)."""
    stage_replications: Optional[int] = bounded(None, 1, 10_000, whole=True)
    """Most replications added to each contender per stage of the selection (null: as many as
    the jobs' ``run.replications``). Smaller stages waste fewer replications on plans eliminated
    mid-stage, larger ones run more at once; the decision is the same."""

    def problems(self, p: Problems, prefix: str = "sweep") -> None:
        """The texts that must parse: a KPI name, a sense, a constraint, a baseline (``top``'s
        range is the walker's); the selection's settings only with ``delta``."""
        p.need(isinstance(self.objective, str) and bool(_KPI.match(self.objective)), f"{prefix}.objective",
               "must be a KPI name such as total_cost", self.objective)
        p.choice(f"{prefix}.sense", self.sense, SENSES)
        if self.constraint is not None:
            try:
                parse_constraint(self.constraint)
            except ValueError as error:
                p.need(False, f"{prefix}.constraint", str(error), self.constraint)
        if self.baseline is not None:
            try:
                baseline_selector(self.baseline)
            except ValueError as error:
                p.need(False, f"{prefix}.baseline", str(error), self.baseline)
        if self.delta is None:
            p.unused(prefix, self, ("confidence", "max_replications", "stage_replications", "constraint_tolerance"),
                     f"acts only with {prefix}.delta; set that too, or leave this key out")
        elif self.constraint is None:
            p.unused(prefix, self, ("constraint_tolerance",),
                     f"acts only with a {prefix}.constraint; set one, or leave this key out")
        elif self.constraint_tolerance is not None and p.clear(f"{prefix}.constraint", f"{prefix}.constraint_tolerance"):
            from ..analysis.kpi_domains import domain_of

            kpi = parse_constraint(self.constraint).kpi
            domain = domain_of(kpi)
            if domain is not None and math.isfinite(domain.high - domain.low):
                p.need(self.constraint_tolerance < domain.high - domain.low, f"{prefix}.constraint_tolerance",
                       f"is in the units of {kpi}, whose values lie in "
                       f"[{domain.low:g}, {domain.high:g}]: it must be less than {domain.high - domain.low:g} "
                       f"(0.02 is two points of a share)", self.constraint_tolerance)

    def parsed_constraint(self) -> Constraint | None:
        """The constraint, parsed (None when there is none)."""
        return None if self.constraint is None else parse_constraint(self.constraint)


def baseline_selector(text: str) -> int | dict[str, object]:
    """A baseline as a job number, or as ``{key: value}`` overrides the baseline job must have."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        overrides = OverridesParser.create().parse_overrides(text.split())
    except Exception:
        overrides = []
    if not overrides or any(o.is_sweep_override() for o in overrides):
        raise ValueError("must be a job number or space-separated overrides such as 'staffing.cashiers=4'")
    return {o.key_or_group: o.value() for o in overrides}


UNPLANNABLE_ONE = "1 cannot be met to a confidence bound with random service"


@dataclass
class PlanParams:
    """What ``storesim-plan`` plans to, and how hard it looks (``storesim`` ignores it)."""

    target_wait_min: Optional[float] = bounded(None, 0, MAX_TASK_MIN)
    """Wait within which service must begin (null: standards.target_wait_min)."""
    service_level: Optional[float] = bounded(None, 0, 1, high_open=True, what="a share", note=UNPLANNABLE_ONE)
    """Share of each hour's arrivals served within the target (null: standards.service_level)."""
    min_csat: Optional[float] = bounded(None, 0, 1, what="a share")
    """Optional minimum csat over the day."""
    max_abandon_rate: Optional[float] = bounded(None, 0, 1, what="a share")
    """Optional maximum abandonment over the day."""
    confidence: float = bounded(0.95, 0, 1, low_open=True, high_open=True)
    """Joint confidence with which every hour (and day standard) must be shown to meet the
    standard: one-sided bounds at 1 - (1 - confidence) / tests each (Bonferroni)."""
    replications: int = bounded(20, 2, 10_000, note="intervals need two")
    """Replications per candidate plan in the search (the same seeds for every plan)."""
    confirm_replications: Optional[int] = bounded(None, 2, 10_000, whole=True, note="intervals need two")
    """Replications confirming the final plan, on seeds the search never uses (null: as many
    as ``replications``)."""
    max_confirmations: int = bounded(5, 1, 100)
    """Confirmation rounds at most; a plan the last one does not confirm is reported as not confirmed."""
    min_shift_hours: int = bounded(1, 1, 24)
    """Shortest shift a manager can roster; the plan's stacked shifts respect it."""
    max_evaluations: int = bounded(150, 1, 10_000)
    """Give up after simulating this many candidate plans."""

    def planner_problems(self, standards: StandardsParams, prefix: str = "plan") -> list[str]:
        """What only ``storesim-plan`` refuses: planning to a service level of 1 taken from
        ``standards.service_level`` (``storesim`` still reports against it)."""
        p = Problems()
        if self.service_level is None:
            p.need(standards.service_level < 1, "standards.service_level",
                   f"{PLANNABLE_SERVICE_LEVEL} for storesim-plan; or set {prefix}.service_level",
                   standards.service_level)
        return list(p)


TUNE_OBJECTIVES = ("total_cost_with_service_penalty",)


@dataclass
class TuneParams:
    """What a tuning preset's jobs return to Optuna (``docs/sweeps.md``, Tuning); the model never
    sees it and it does not enter a run's ``config_hash``."""

    objective: Optional[str] = None
    """null: a job returns nothing (every ordinary run and sweep); ``total_cost_with_service_penalty``:
    the mean total cost plus ``penalty`` times the shortfall of the service level's lower 95%
    confidence limit below ``standards.service_level``."""
    penalty: float = bounded(1_000_000.0, 0, 1e12)
    """Cost units per unit (100 percentage points) of service-level shortfall: 10,000 a point."""
    confirm_replications: Optional[int] = bounded(None, 2, 10_000, whole=True, note="intervals need two")
    """Replications confirming the best trial on fresh seeds (null: as many as ``run.replications``)."""

    def problems(self, p: Problems, prefix: str = "tune") -> None:
        """A known objective."""
        if self.objective is not None:
            p.choice(f"{prefix}.objective", self.objective, TUNE_OBJECTIVES)


PLANNABLE_SERVICE_LEVEL = f"must be a share in [0, 1) ({UNPLANNABLE_ONE})"


CURRENCY_MAX = 8
"""Longest ``report_currency`` accepted (codes and symbols are short)."""


@dataclass
class AppConfig(ScenarioParams):
    """Everything the commands read: the scenario's parameters, the sweep and the plan settings."""

    sweep: SweepParams = field(default_factory=SweepParams)
    plan: PlanParams = field(default_factory=PlanParams)
    tune: TuneParams = field(default_factory=TuneParams)
    report: bool = False
    """Draw the run's figures and ``report.html`` into ``<run folder>/report/`` (single runs)."""
    report_currency: Optional[str] = None
    """What costs are counted in, for the report's amounts (``EUR``, ``$``); null: "cost units".
    Kept in the run's ``.hydra/config.yaml``, so ``storesim-report`` uses it too (its
    ``--currency`` wins). The model never sees it: costs are the same numbers in any currency."""

    def problems(self) -> list[str]:
        """Every problem, one ``key: message`` line each: the scenario's (``sim.validation``),
        then the ranges of the app's own keys and their relations."""
        p = Problems(validation.problems(self))
        for name in APP_KEYS:
            p.within_ranges(getattr(self, name), name)
        self.sweep.problems(p)
        self.tune.problems(p)
        if self.report_currency is not None:
            text = str(self.report_currency)
            p.need(0 < len(text.strip()) <= CURRENCY_MAX and text == text.strip(), "report_currency",
                   f"must be a currency code or symbol of 1 to {CURRENCY_MAX} characters, e.g. EUR or '$'",
                   self.report_currency)
        return list(p)

    def scenario_params(self) -> ScenarioParams:
        """The model's parameters alone, without the app's own keys (``APP_KEYS``)."""
        names = [f.name for f in dataclasses.fields(ScenarioParams)]
        return ScenarioParams(**{name: getattr(self, name) for name in names})


APP_KEYS = tuple(f.name for f in dataclasses.fields(AppConfig) if f.name not in ScenarioParams.__dataclass_fields__)
"""The keys only the commands read: ``sweep``, ``plan``, ``tune``, ``report``, ``report_currency``."""

READ_BY = {"sweep": "storesim -m", "tune": "storesim -m with a tuning preset (experiment=tune_...)",
           "plan": "storesim-plan", "report": "storesim without -m (storesim-report draws a sweep's report)",
           "report_currency": "storesim and storesim-report"}
"""Which command reads each of ``APP_KEYS``."""

COMMAND_READS = {"storesim": ("report", "report_currency"), "storesim -m": ("sweep", "tune", "report_currency"),
                 "storesim-plan": ("plan",)}
"""The app keys each command reads; the others, set, are refused (``unread_keys``)."""


def typed_keys(overrides: list[str]) -> set[str]:
    """The keys a command line's overrides set (``+x=1`` and ``~x`` name ``x``)."""
    return {o.split("=", 1)[0].lstrip("+~") for o in overrides}


def unread_keys(app: AppConfig, command: str, typed: list[str] | None = None) -> list[str]:
    """One ``key: message`` line for each app key that ``command`` (a key of ``COMMAND_READS``)
    would not read but that differs from its default: a setting silently ignored is refused,
    like a setting of a feature that is off (``Problems.unused``). With ``typed`` (the command
    line's overrides), only keys set there are named: a preset made for another command (the
    sweep presets' ``sweep.baseline``, given to ``storesim-plan``) brings its own."""
    p = Problems()
    for name in APP_KEYS:
        if name in COMMAND_READS[command]:
            continue
        why = f"is read only by {READ_BY[name]}, not by {command}: leave {{key}} out"
        value = getattr(app, name)
        if dataclasses.is_dataclass(value):
            p.unused(name, value, tuple(f.name for f in dataclasses.fields(value)), why)
        else:
            p.need(value == AppConfig.__dataclass_fields__[name].default, name, why.replace("{key}", name), value)
    if typed is None:
        return list(p)
    keys = typed_keys(typed)
    return [line for line in p if any(line.startswith((f"{k}:", f"{k}.")) for k in keys)]


RANGES_DOC_INTRO = """# The range of every setting

Every numeric setting has a range that a real store could need, with generous headroom, and
small enough that a run stays bounded: one replication of the default day with any one setting
at either end of its range finishes in seconds (overtime after closing included). A value
outside its range stops the run before any simulation with one line,
`key: must be ... in [low, high], got X`. Relations between settings (express lanes below
lanes, cashiers at most the lanes, closing after opening, ordered satisfaction points, shares
adding up to 1, time buckets: at most 25,000 over the opening time plus a day of overtime) are
checked after the ranges, each on values that passed their own range.

The ranges are declared next to each field (`bounded(default, low, high)` in `sim/params/`,
one module per top-level key, and `scenarios/schema.py`) and checked by one walker,
`Problems.within_ranges` in `sim/checks.py`. This table is generated from them
(`scenarios.schema.ranges_doc()`; `tests/test_ranges.py` checks that it is current). `[]` marks
each element of a list (`staffing.roster[0].speed`); "one per opening hour" keys take one
number or a list with one value per opening hour, each in the range.

"""


def ranges_doc() -> str:
    """The text of ``docs/ranges.md``: the introduction and the table of every ranged key."""
    limits = "\n".join(f"- `{names}` = {values}: {why}" for names, values, why in shared_limits())
    return (RANGES_DOC_INTRO + "## Limits shared by several keys\n\n" + limits + "\n\n## Every key\n\n"
            + range_table(AppConfig))
