"""The end of a sweep with ``sweep.delta`` set: select the best plan with a stated confidence.

The procedure is ``analysis.selection`` (Kim and Nelson's KN, and a Bonferroni feasibility
check of ``sweep.constraint``); this module feeds it the jobs' replications and runs the
replications it asks for:

1. The error probability ``1 - sweep.confidence`` is split in two halves (Bonferroni) when
   there is a constraint: one for the feasibility verdicts, one for the selection; without a
   constraint the selection has all of it.
2. Feasibility: without ``sweep.constraint_tolerance``, each plan's constraint KPI over its
   own replications (the first stage, ``run.replications``) gets a one-sided t bound at its
   share of the feasibility error, and a plan neither shown to meet nor to miss the constraint
   is left out. With it, Andradóttir and Kim's fully sequential check decides every plan,
   adding replications (in stages, as below) to the plans still unclear until each is shown
   to meet or miss the constraint, or reaches ``sweep.max_replications``. Only plans shown to
   meet the constraint enter the selection (deciding feasibility first and then selecting
   among the plans that pass, on replications that overlap, is an assumption of this design:
   KN's guarantee is stated for a fixed set).
3. Selection: KN among them. While it cannot decide, the contenders still in get more
   replications in stages of at most ``sweep.stage_replications`` (null: the first stage's
   size) each, never more than KN may need
   and never beyond ``sweep.max_replications``. Replication indexes continue where the job
   stopped (job replications 0..n-1, added n, n+1, ...), so the added ones keep common random
   numbers across plans and equal what a job with more ``run.replications`` would have run.
   They run in the launching process, ``run.jobs`` at a time, and are kept in the job's folder
   (``added_replications.json``, tied to the job's ``config_hash``): the same command again
   reuses them and adds only what is missing. The decision is the one KN makes adding one
   replication at a time, whatever the stage size, launcher or ``run.jobs``.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.run_folder import ADDED, HYDRA_DIR, Job, read_json, write_atomic
from ..analysis.selection import (MEETS, MISSES, UNCLEAR, Feasibility, Selection, feasibility, feasibility_sequential,
                                  kn_select, stage)
from ..sim import ScenarioParams
from .schema import Constraint, SweepParams

"""A job's replications added by the selection: ``config_hash``, ``seed``, ``first`` (the index
of the first added replication) and ``per_replication`` (rows as in ``summary.json``)."""

BEST, APART, ELIMINATED = "best", "cannot be told apart", "eliminated"
MISSES_CONSTRAINT, UNCLEAR_CONSTRAINT = "misses constraint", "constraint unclear"
UNDEFINED, TOO_FEW = "objective undefined", "too few replications"
"""A plan's verdict, as the sweep table and the printed lines give it."""


@dataclass
class Plan:
    """One job with results in the selection: its replications (the job's, then the added
    ones), its verdict and, with a constraint, its feasibility."""

    job: Job
    rows: list[dict[str, Any]]
    first_stage: int
    verdict: str = ""
    eliminated_after: int | None = None
    feasible: Feasibility | None = None
    constraint_verdict: str = ""
    """With a constraint: ``meets``, ``misses`` or ``unclear`` (whatever came after)."""

    def values(self, kpi: str) -> list[float]:
        return [math.nan if row.get(kpi) is None else float(row[kpi]) for row in self.rows]

    @property
    def added(self) -> int:
        return len(self.rows) - self.first_stage


@dataclass
class SweepSelection:
    """What the selection found: every plan by job number, KN's last state among the
    contenders (None when fewer than two were left to compare), the error split."""

    objective: str
    plans: dict[int, Plan]
    contenders: list[int]
    selection: Selection | None
    alpha_selection: float
    alpha_feasibility: float | None
    cap: int
    stages: int = 0
    reused: int = 0
    """Added replications found in the job folders (an earlier run of the same sweep)."""
    notes: list[str] = field(default_factory=list)
    constraint_kpi: str | None = None
    """The KPI ``sweep.constraint`` bounds, None without a constraint."""

    def note(self, text: str) -> None:
        """Add a note for the printed lines, once."""
        if text not in self.notes:
            self.notes.append(text)

    @property
    def kept(self) -> list[int]:
        """Job numbers of the best plan, or of the plans that cannot be told apart."""
        return [num for num, plan in self.plans.items() if plan.verdict in (BEST, APART)]

    @property
    def added(self) -> int:
        return sum(plan.added for plan in self.plans.values())


def added_rows(job: Job) -> list[dict[str, Any]]:
    """The replications the selection added to ``job`` earlier, if they belong to its results
    (same ``config_hash``, continuing its replications); else none."""
    if job.folder is None or job.summary is None:
        return []
    document = read_json(job.folder / ADDED)
    if (not isinstance(document, dict) or document.get("config_hash") != job.summary.get("config_hash")
            or document.get("first") != len(job.summary.get("per_replication", []))
            or not isinstance(document.get("per_replication"), list)):
        return []
    return list(document["per_replication"])


def job_params(job: Job) -> ScenarioParams:
    """The model parameters ``job`` ran with, from its ``.hydra/config.yaml``; ValueError when
    they no longer give its ``config_hash`` (its folder was changed)."""
    from omegaconf import OmegaConf

    from .config import config_hash, register_schema, to_params

    assert job.folder is not None and job.summary is not None
    register_schema()  # the resolvers a preset's config may use
    params = to_params(OmegaConf.load(job.folder / HYDRA_DIR / "config.yaml"), in_sweep=True)
    if config_hash(params) != job.summary.get("config_hash"):
        raise ValueError(f"job {job.num}: {job.folder / HYDRA_DIR / 'config.yaml'} does not give the config_hash "
                         f"of its results; run the sweep again")
    return params


def run_replications(tasks: list[tuple[ScenarioParams, int]], workers: int) -> list[dict[str, Any]]:
    """Replication ``k`` of each ``(params, k)``, as ``summary.json`` rows, in order; in
    ``workers`` processes when more than one. Each is the replication a job with more
    ``run.replications`` would run (``runner.replication_seed``)."""
    from .outputs import json_ready
    from .runner import replications

    results = replications(((params, k, None) for params, k in tasks), len(tasks), workers)
    return [json_ready({**r.kpis, "day_end_min": r.ended_at}) for r in results]


def _save_added(plan: Plan) -> None:
    assert plan.job.folder is not None and plan.job.summary is not None
    document = {"config_hash": plan.job.summary.get("config_hash"), "seed": plan.job.summary.get("seed"),
                "first": plan.first_stage, "per_replication": plan.rows[plan.first_stage:]}
    # compact: rewritten whole after every stage (so an interrupted selection keeps its work), and
    # json's C encoder serves only compact output
    write_atomic(plan.job.folder / ADDED, json.dumps(document, separators=(",", ":")) + "\n")


def select_plans(jobs: list[Job], sweep: SweepParams, quiet: bool = False) -> SweepSelection:
    """Run the selection of ``sweep`` (``sweep.delta`` set) over the jobs with results, adding
    replications as the feasibility check (with ``sweep.constraint_tolerance``) and KN ask;
    every plan's verdict is set."""
    assert sweep.delta is not None
    constraint = sweep.parsed_constraint()
    alpha = 1 - sweep.confidence
    alpha_feasibility = alpha / 2 if constraint else None
    alpha_selection = alpha - (alpha_feasibility or 0.0)
    plans = {}
    for job in jobs:
        if job.summary is not None:
            first = job.summary.get("per_replication", [])
            plans[job.num] = Plan(job, [*first, *added_rows(job)], len(first))
    result = SweepSelection(sweep.objective, plans, [], None, alpha_selection, alpha_feasibility, sweep.max_replications)
    result.reused = sum(plan.added for plan in plans.values())
    result.constraint_kpi = constraint.kpi if constraint else None
    ranked = []
    for num, plan in plans.items():
        first = plan.values(sweep.objective)[:plan.first_stage]
        if len(first) < 2:  # KN's first stage needs a variance
            plan.verdict = TOO_FEW
        elif not all(math.isfinite(v) for v in first):
            plan.verdict = UNDEFINED
        else:
            ranked.append(num)
    if not ranked:
        return result
    n0 = min(plans[n].first_stage for n in ranked)
    result.cap = cap = max(sweep.max_replications, n0)
    adder = _Adder(plans, sweep, result, quiet)
    if constraint is not None:
        assert alpha_feasibility is not None
        if sweep.constraint_tolerance is None:
            verdicts = _feasible_once(plans, ranked, constraint, alpha_feasibility)
        else:
            verdicts = _feasible_sequentially(plans, ranked, constraint, alpha_feasibility, sweep.constraint_tolerance,
                                              n0, cap, adder)
        for num in ranked:
            plans[num].constraint_verdict = verdicts.get(num, UNCLEAR)
            if verdicts.get(num) != MEETS:
                plans[num].verdict = MISSES_CONSTRAINT if verdicts.get(num) == MISSES else UNCLEAR_CONSTRAINT
        ranked = [num for num in ranked if verdicts.get(num) == MEETS]
    result.contenders = ranked
    if not ranked:
        return result
    while True:
        usable = [_usable(plans[n].values(sweep.objective)) for n in ranked]
        selection = kn_select(usable, sweep.delta, 1 - alpha_selection, sweep.sense, first_stage=n0, cap=cap)
        more = stage(selection, sweep.stage_replications or n0)
        wanted = {}
        for index, count in sorted(more.items()):
            num = ranked[index]
            if len(usable[index]) < len(plans[num].rows):  # an undefined objective ends a plan's usable replications
                result.note(f"job {num}: {sweep.objective} undefined in replication {len(usable[index])}; the "
                            f"selection uses its first {len(usable[index])} and adds none")
                continue
            wanted[num] = count
        if not adder.add(wanted, "contenders"):
            break
    result.selection = selection
    for index, num in enumerate(ranked):
        plan = plans[num]
        if index in selection.eliminated:
            plan.verdict, plan.eliminated_after = ELIMINATED, selection.eliminated[index]
        else:
            plan.verdict = BEST if selection.best is not None else APART
    return result


def _usable(values: list[float]) -> list[float]:
    """A plan's values up to its first undefined one (a sequential procedure needs them in order)."""
    return values[: next((i for i, v in enumerate(values) if not math.isfinite(v)), len(values))]


def _feasible_once(plans: dict[int, Plan], ranked: list[int], constraint: Constraint,
                   alpha: float) -> dict[int, str]:
    """Each plan's feasibility on its jobs' own replications: one-sided t bounds (``feasibility``)."""
    kpi = {num: [v for v in plans[num].values(constraint.kpi)[:plans[num].first_stage] if math.isfinite(v)]
           for num in ranked}
    checked = [num for num in ranked if len(kpi[num]) >= 2]  # fewer: the KPI is undefined in most replications
    checks = feasibility([kpi[num] for num in checked], constraint.op, constraint.bound, 1 - alpha)
    for num, check in zip(checked, checks):
        plans[num].feasible = check
    return {num: check.verdict for num, check in zip(checked, checks)}


def _feasible_sequentially(plans: dict[int, Plan], ranked: list[int], constraint: Constraint, alpha: float,
                           tolerance: float, n0: int, cap: int, adder: _Adder) -> dict[int, str]:
    """Each plan's feasibility by the fully sequential check (``feasibility_sequential``), adding
    replications in stages to the plans still unclear, up to ``cap``. A plan whose constraint
    KPI is undefined in one of its first ``n0`` replications is left unclear."""
    checked = [num for num in ranked if len(_usable(plans[num].values(constraint.kpi))) >= n0]
    for num in ranked:
        if num not in checked:
            adder.result.note(f"job {num}: {constraint.kpi} undefined in one of its first {n0} replications; "
                              f"its constraint is left unclear")
    verdicts: dict[int, str] = {}
    while checked:
        usable = [_usable(plans[num].values(constraint.kpi)) for num in checked]
        checks = feasibility_sequential(usable, constraint.op, constraint.bound, tolerance, 1 - alpha,
                                        first_stage=n0, cap=cap)
        verdicts = {num: check.verdict for num, check in zip(checked, checks)}
        step = adder.sweep.stage_replications or n0
        wanted = {}
        for num, check, values in zip(checked, checks, usable):
            if check.more > 0 and len(values) < len(plans[num].rows):
                adder.result.note(f"job {num}: {constraint.kpi} undefined in replication {len(values)}; the "
                                  f"constraint's check uses its first {len(values)} and adds none")
            elif check.more > 0:
                wanted[num] = min(step, check.more)
        if not adder.add(wanted, "plans whose constraint is unclear"):
            break
    return verdicts


class _Adder:
    """Runs the replications the procedures ask for, continuing each job's replication
    indexes, and keeps them in the job's folder after every stage."""

    def __init__(self, plans: dict[int, Plan], sweep: SweepParams, result: SweepSelection, quiet: bool) -> None:
        self.plans, self.sweep, self.result, self.quiet = plans, sweep, result, quiet
        self.params: dict[int, ScenarioParams] = {}

    def add(self, wanted: dict[int, int], whom: str) -> bool:
        """Add ``wanted[num]`` replications to each plan; False when there is nothing to add."""
        wanted = {num: count for num, count in sorted(wanted.items()) if count > 0}
        if not wanted:
            return False
        self.result.stages += 1
        tasks, owners = [], []
        for num, count in wanted.items():
            plan = self.plans[num]
            if num not in self.params:
                self.params[num] = job_params(plan.job)
            start = len(plan.rows)
            tasks += [(self.params[num], k) for k in range(start, start + count)]
            owners += [num] * count
        if not self.quiet:
            shown = ", ".join(f"job {num} +{count}" for num, count in wanted.items())
            print(f"storesim: selection stage {self.result.stages}: adding replications to the {whom} ({shown})",
                  file=sys.stderr, flush=True)
        workers = max(1, self.params[owners[0]].run.jobs)  # the jobs' own setting (a sweep sets it for all)
        for num, row in zip(owners, run_replications(tasks, workers)):
            self.plans[num].rows.append(row)
        for num in wanted:
            _save_added(self.plans[num])
        return True
