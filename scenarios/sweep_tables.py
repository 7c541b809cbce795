"""The sweep's tables: one row per job, each job against the baseline, and the best plans.

``sweep_summary.csv``: job, status, the swept overrides, and every KPI's mean and 95% CI.
``sweep_summary_long.csv``: the same KPIs one row per job and KPI (``mean``, ``ci_low``,
``ci_high``), the shape pandas and plotting libraries take directly.
Numbers are tidy: integers as integers, others to 6 significant digits.
``sweep_comparison.csv``: per job and KPI, the difference from the baseline job with a
paired CI over replications (replication k of every job sees the same customers: common
random numbers) and, for comparison, the unpaired Welch CI.
"""

from __future__ import annotations

import math
from typing import Any

from ..analysis.comparison import compare
from ..analysis.kpi_domains import domain_of
from ..analysis.stats import UNBOUNDED, ConfidenceInterval, t_interval
from ..analysis.run_folder import SUMMARY_CSV, Job
from .console import _num  # the KPI table's number format
from .schema import Constraint, SweepParams
from .sweep_selection import (APART, BEST, ELIMINATED, MISSES_CONSTRAINT, TOO_FEW, UNCLEAR_CONSTRAINT, Plan,
                              SweepSelection)

CI_FIELDS = ("mean", "ci_low", "ci_high")


def kpi_names(jobs: list[Job]) -> list[str]:
    """Every KPI in the jobs' summaries, in the order the first summary lists them."""
    names: list[str] = []
    for job in jobs:
        names.extend(k for k in ((job.summary or {}).get("kpis") or {}) if k not in names)
    return names


def tidy(value: Any) -> Any:
    """A table cell: a whole float as an integer (``10`` not ``10.0``), other floats to 6
    significant digits, NaN as empty; anything else unchanged."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        rounded = value if value.is_integer() else float(f"{value:.6g}")  # 5079.0016 is 5079, not 5079.0
        return int(rounded) if rounded.is_integer() and abs(rounded) < 1e15 else rounded
    return value


def summary_long_table(jobs: list[Job], keys: list[str]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``sweep_summary_long.csv``: one row per job with results and KPI."""
    rows = []
    for job in jobs:
        if job.summary is None:
            continue
        values = job.override_values()
        for kpi in kpi_names([job]):
            rows.append([job.num, *(values.get(k, "") for k in keys), kpi,
                         *(tidy(job.kpi(kpi, f)) for f in CI_FIELDS)])
    return ["job", *keys, "kpi", *CI_FIELDS], rows


SELECTION_FIELDS = ("selection", "selection_replications", "eliminated_after", "selection_mean", "constraint_verdict",
                    "constraint_mean")
"""``sweep_summary.csv``'s columns with ``sweep.delta`` set: the plan's verdict, how many
replications it got in all (the job's and the added ones), after how many KN eliminated it,
and the objective's mean over all of them; with a constraint, its feasibility verdict
(``meets``, ``misses``, ``unclear``) and the constrained KPI's mean over all of them."""


def summary_table(jobs: list[Job], keys: list[str],
                  selection: SweepSelection | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``sweep_summary.csv``; with a ``selection``, its columns
    (``SELECTION_FIELDS``) after the KPIs."""
    kpis = kpi_names(jobs)
    header = ["job", "status", *keys, "replications", "seed", "config_hash",
              *(f"{k}_{f}" for k in kpis for f in CI_FIELDS), *(SELECTION_FIELDS if selection else ()),
              "error", "folder"]
    rows = []
    for job in jobs:
        values = job.override_values()
        info = job.summary or {}
        rows.append([job.num, job.status, *(values.get(k, "") for k in keys),
                     info.get("replications", ""), info.get("seed", ""), info.get("config_hash", ""),
                     *(tidy(job.kpi(k, f)) for k in kpis for f in CI_FIELDS),
                     *(_selection_cells(selection, job) if selection else ()), job.error,
                     "" if job.folder is None else str(job.folder)])
    return header, rows


def _selection_cells(selection: SweepSelection, job: Job) -> list[Any]:
    plan = selection.plans.get(job.num)
    if plan is None:
        return [""] * len(SELECTION_FIELDS)
    objective = selection_objective(selection, plan)
    kpi = selection.constraint_kpi
    return [plan.verdict, len(plan.rows), "" if plan.eliminated_after is None else plan.eliminated_after,
            tidy(objective.mean), plan.constraint_verdict, "" if kpi is None else tidy(_mean(plan.values(kpi)))]


def comparison_table(jobs: list[Job], baseline: Job, keys: list[str]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``sweep_comparison.csv``: every job with results but the baseline,
    one row per KPI: job mean minus baseline mean, paired and Welch 95% intervals."""
    header = ["job", *keys, "baseline_job", "kpi", "baseline_mean", "mean", "diff", "crn",
              "paired_ci_low", "paired_ci_high", "welch_ci_low", "welch_ci_high"]
    rows = []
    for job in jobs:
        if job.summary is None or job.num == baseline.num:
            continue
        values = job.override_values()
        for kpi in kpi_names([baseline, job]):
            c = compare(job, baseline, kpi)
            paired = [tidy(c.difference.ci_low), tidy(c.difference.ci_high)] if c.paired else ["", ""]
            rows.append([job.num, *(values.get(k, "") for k in keys), baseline.num, kpi, tidy(c.baseline_mean),
                         tidy(c.mean), tidy(c.mean - c.baseline_mean), c.paired, *paired,
                         tidy(c.welch.ci_low), tidy(c.welch.ci_high)])
    return header, rows


def unknown_kpis(jobs: list[Job], sweep: SweepParams) -> list[str]:
    """One ``sweep.<key>: ...`` line for each KPI that the sweep names but no job reports."""
    known = kpi_names(jobs)
    constraint = sweep.parsed_constraint()
    named = {"sweep.objective": sweep.objective, "sweep.constraint": constraint.kpi if constraint else None}
    return [f"{key}: no job reports a KPI named {kpi!r}; KPIs are {', '.join(known)}"
            for key, kpi in named.items() if known and kpi is not None and kpi not in known]


def feasible(job: Job, constraint: Constraint | None) -> bool:
    """Whether the job has results that meet the constraint (on the KPI's mean)."""
    return job.summary is not None and (constraint is None or constraint.holds(job.kpi(constraint.kpi)))


def top_plans(jobs: list[Job], sweep: SweepParams) -> list[Job]:
    """The feasible jobs, best objective first (ties broken by job number)."""
    constraint = sweep.parsed_constraint()
    sign = 1.0 if sweep.sense == "min" else -1.0
    ranked = [job for job in jobs if feasible(job, constraint) and not math.isnan(job.kpi(sweep.objective))]
    return sorted(ranked, key=lambda job: (sign * job.kpi(sweep.objective), job.num))


def format_top(jobs: list[Job], sweep: SweepParams, keys: list[str]) -> str:
    """The best ``sweep.top`` plans as a small text table."""
    constraint = sweep.parsed_constraint()
    best = top_plans(jobs, sweep)
    with_results = sum(job.summary is not None for job in jobs)
    rule = f" subject to {constraint}" if constraint else ""
    title = (f"top plans by {sweep.objective} ({sweep.sense}){rule}: "
             f"{len(best)} of {with_results} plans with results qualify")
    if not best:
        return "\n".join([title, *closest_lines(jobs, sweep, keys)])
    extra = [constraint.kpi] if constraint and constraint.kpi != sweep.objective else []
    header = f"{'rank':>4} {'job':>4}  {sweep.objective + ' [95% CI]':<32}" + "".join(f" {k:>14}" for k in extra)
    lines = [title, header + "  overrides"]
    for rank, job in enumerate(best[: sweep.top], start=1):
        ci = f"{_num(job.kpi(sweep.objective))} [{_num(job.kpi(sweep.objective, 'ci_low'))}, " \
             f"{_num(job.kpi(sweep.objective, 'ci_high'))}]"
        values = job.override_values()
        shown = " ".join(f"{k}={values[k]}" for k in keys if k in values)
        lines.append(f"{rank:>4} {job.num:>4}  {ci:<32}" + "".join(f" {_num(job.kpi(k)):>14}" for k in extra)
                     + f"  {shown}")
    return "\n".join(lines)


CLOSEST = 3
"""Plans shown when none meets the constraint."""


def shortfall(job: Job, constraint: Constraint) -> float:
    """How far the job's mean is from meeting ``constraint`` (0 at a strict bound); NaN
    when the job does not report the KPI."""
    value = job.kpi(constraint.kpi)
    return constraint.bound - value if constraint.op in (">=", ">") else value - constraint.bound


def closest_plans(jobs: list[Job], constraint: Constraint, count: int = CLOSEST) -> list[Job]:
    """The jobs with results nearest to meeting ``constraint``, nearest first."""
    near = [job for job in jobs if job.summary is not None and not math.isnan(shortfall(job, constraint))]
    return sorted(near, key=lambda job: (shortfall(job, constraint), job.num))[:count]


def _kpi_text(kpi: str, value: float, bound: float) -> tuple[str, str]:
    """The constraint KPI's value and its distance from the bound, shares in % and points,
    with the decimals it takes never to read as meeting a bound it misses."""
    from ..analysis.kpi_domains import domain_of
    from ..analysis.number_text import number_text, share_text
    from ..analysis.stats import SHARE

    gap = abs(bound - value)
    if domain_of(kpi) == SHARE:
        points = share_text(gap, 0.0, 1).rstrip("%")
        return share_text(value, bound, 1), f"{points} pts"
    return number_text(value, bound), number_text(gap, 0.0)


def closest_lines(jobs: list[Job], sweep: SweepParams, keys: list[str]) -> list[str]:
    """When no plan meets the constraint: the closest ones and by how much each misses it."""
    constraint = sweep.parsed_constraint()
    near = closest_plans(jobs, constraint) if constraint else []
    if not near:
        return []
    lines = [f"closest to {constraint} (none meets it), nearest first:"]
    for job in near:
        value, gap = _kpi_text(constraint.kpi, job.kpi(constraint.kpi), constraint.bound)
        if shortfall(job, constraint) == 0:
            gap = f"being at the bound (must be {'above' if constraint.op == '>' else 'below'})"
        ci = f"{_num(job.kpi(sweep.objective))} [{_num(job.kpi(sweep.objective, 'ci_low'))}, " \
             f"{_num(job.kpi(sweep.objective, 'ci_high'))}]"
        values = job.override_values()
        shown = " ".join(f"{k}={values[k]}" for k in keys if k in values)
        lines.append(f"  {f'job {job.num}:':<8} {constraint.kpi} {value:>7}, misses by {gap:<9}  "
                     f"{sweep.objective} {ci:<26}  {shown}".rstrip())
    return lines


# --- the selection (sweep.delta) --------------------------------------------------------------

def selection_objective(selection: SweepSelection, plan: Plan) -> ConfidenceInterval:
    """The objective's mean and 95% interval over every replication the plan got."""
    objective = selection.objective
    return t_interval(plan.values(objective), domain=domain_of(objective) or UNBOUNDED)


def _percent(alpha: float) -> str:
    return f"{alpha * 100:.3g}%"


def selection_lines(result: SweepSelection, jobs: list[Job], sweep: SweepParams, keys: list[str]) -> list[str]:
    """The printed end of a sweep with ``sweep.delta``: what the selection guarantees, the best
    plan or the plans that cannot be told apart, a table of the plans and what it cost."""
    constraint = sweep.parsed_constraint()
    rule = f" subject to {constraint}" if constraint else ""
    check = (f" checked fully sequentially, tolerance {sweep.constraint_tolerance:g}"
             if sweep.constraint_tolerance is not None else "")
    errors = (f"error {_percent(result.alpha_selection)} for the selection + {_percent(result.alpha_feasibility)} "
              f"for the constraint{check}, Bonferroni" if constraint else f"error {_percent(result.alpha_selection)}")
    lines = [f"selection by {sweep.objective} ({sweep.sense}){rule}: Kim-Nelson KN, delta {sweep.delta:g}, "
             f"confidence {_percent(sweep.confidence)} ({errors})"]
    plans = result.plans
    kept = result.kept
    checked = [p for p in plans.values() if p.verdict in (MISSES_CONSTRAINT, UNCLEAR_CONSTRAINT)]
    if not result.contenders:
        if constraint is not None and checked:
            lines.append(f"no plan: none of {len(plans)} plans with results is shown to meet {constraint} "
                         f"at {_percent(1 - result.alpha_feasibility)}")
            if not any(constraint.holds(p.job.kpi(constraint.kpi)) for p in plans.values()):
                return lines + closest_lines(jobs, sweep, keys)  # by how much each misses, on its mean
        elif any(p.verdict == TOO_FEW for p in plans.values()):
            lines.append("no plan: the selection needs at least 2 replications of each plan (run.replications)")
        else:
            lines.append(f"no plan: {sweep.objective} is undefined in some replication of every plan")
        if not checked:
            return lines
    elif len(kept) == 1:
        num = kept[0]
        ci = selection_objective(result, plans[num])
        values = plans[num].job.override_values()
        described = " ".join([f"job {num}", *(f"{k}={values[k]}" for k in keys if k in values)])
        lines.append(f"best: {described}: {sweep.objective} {_num(ci.mean)} [{_num(ci.ci_low)}, "
                     f"{_num(ci.ci_high)}] over {len(plans[num].rows)} replications")
    elif kept:
        at_cap = result.selection is not None and max(result.selection.used.values()) >= result.cap
        why = (f"at the cap of {result.cap} replications (sweep.max_replications)" if at_cap
               else "(their results are the same replication by replication)")
        lines.append(f"cannot be told apart {why}: jobs {', '.join(map(str, kept))}; the best plan is among them "
                     f"(at {_percent(1 - result.alpha_selection)}) when it is at least delta {sweep.delta:g} better "
                     f"than the rest")
    extra = [constraint.kpi] if constraint and constraint.kpi != sweep.objective else []
    header = (f"{'job':>4}  {'selection':<24} {'reps':>5}  {sweep.objective + ' [95% CI]':<32}"
              + "".join(f" {k:>14}" for k in extra) + "  overrides")
    lines.append(header)
    order = {BEST: 0, APART: 0, ELIMINATED: 1}
    ranked = sorted(plans.values(), key=lambda p: (order.get(p.verdict, 2), -(p.eliminated_after or 0),
                                                   _sign(sweep) * selection_objective(result, p).mean, p.job.num))
    shown = ranked[: max(sweep.top, len(kept))]
    for plan in shown:
        ci = selection_objective(result, plan)
        text = f"{_num(ci.mean)} [{_num(ci.ci_low)}, {_num(ci.ci_high)}]"
        verdict = plan.verdict + (f" after {plan.eliminated_after}" if plan.eliminated_after is not None else "")
        values = plan.job.override_values()
        overrides = " ".join(f"{k}={values[k]}" for k in keys if k in values)
        lines.append(f"{plan.job.num:>4}  {verdict:<24} {len(plan.rows):>5}  {text:<32}"
                     + "".join(f" {_num(_mean(plan.values(k))):>14}" for k in extra) + f"  {overrides}".rstrip())
    if len(ranked) > len(shown):
        lines.append(f"  ... {len(ranked) - len(shown)} more plans in {SUMMARY_CSV} (sweep.top={sweep.top})")
    first = sum(p.first_stage for p in plans.values())
    added_to = sum(p.added > 0 for p in plans.values())
    kept_from_before = f"; {result.reused} of them kept from an earlier run" if result.reused else ""
    lines.append(f"replications: {first} in the jobs, {result.added} added to {added_to} plan"
                 f"{'s' if added_to != 1 else ''} ({first + result.added} in all{kept_from_before})")
    lines += [f"note: {note}" for note in result.notes]
    unclear = [p.job.num for p in plans.values() if p.verdict == UNCLEAR_CONSTRAINT]
    if unclear and sweep.constraint_tolerance is None:
        lines.append(f"note: job{'s' if len(unclear) > 1 else ''} {', '.join(map(str, unclear))}: {constraint} neither "
                     f"shown to hold nor to fail on {'their' if len(unclear) > 1 else 'its'} replications, so not "
                     f"ranked; sweep.constraint_tolerance (e.g. 0.02 for a share) adds replications until each "
                     f"is decided (docs/sweeps.md)")
    return lines


def _mean(values: list[float]) -> float | None:
    """The mean of the defined values (over every replication a plan got), None if none is."""
    defined = [v for v in values if math.isfinite(v)]
    return sum(defined) / len(defined) if defined else None


def _sign(sweep: SweepParams) -> float:
    return 1.0 if sweep.sense == "min" else -1.0
