"""Finished runs read back from their folders, one :class:`PlanRun` per staffing plan.

A path is a run folder (``summary.json`` inside) or a sweep folder (numbered job folders,
each with ``.hydra/overrides.yaml``). A plan is named by what sets it apart: the overrides
that vary between the runs (``lean``, ``cashiers=7 discipline=single_line``), else the
scenario name, else the folder name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ...sim import ScenarioParams
from ..run_folder import (CUSTOMERS, FAILURE, HYDRA_DIR, STAFF_TIMELINE, SUMMARY, TIMESERIES, WEEKS, DamagedFile, Job,
                          NeedsPyarrow, find_table, job_folders, own_overrides, read_job, read_table, read_yaml,
                          swept_keys)

ParametersOf = Callable[[dict[str, Any]], ScenarioParams]
"""The application's reading of a run's recorded config (``summary.json``'s ``config``) as
the model's parameters (``scenarios.report_cli.recorded_parameters``); raises for a config
it cannot take."""

NAME_MAX = 40
"""Longer plan names are shortened with an ellipsis (the plans table shows the overrides)."""


class ReportInputError(ValueError):
    """A path or option the report cannot use; the message is one line for the user."""


@dataclass
class PlanRun:
    """One plan's finished run: its name, number, colour and the files of its folder.

    Attributes:
        job: the run as the sweep tables see it (overrides, summary, per-replication KPIs).
        number: the job number in a single sweep, else the run's position among the paths.
        name: short plan name used in every figure and table.
        colour: the plan's colour in every figure.
        parameters_of: rebuilds the run's parameters from its recorded config, for the
            cashier-hours of its roster; without it the plan has no cashier-hours.
    """

    job: Job
    number: int
    name: str = ""
    colour: str = ""
    parameters_of: ParametersOf | None = field(default=None, repr=False)

    @property
    def folder(self) -> Path:
        assert self.job.folder is not None
        return self.job.folder

    @property
    def summary(self) -> dict[str, Any]:
        return self.job.summary or {}

    def kpi(self, name: str, what: str = "mean") -> float:
        """A KPI's mean (or ``ci_low``, ``ci_high``); NaN if the run does not report it."""
        return self.job.kpi(name, what)

    def setting(self, dotted: str, default: Any = None) -> Any:
        """A parameter of the run from ``summary.json``'s ``config`` (e.g. ``store.open_hour``)."""
        node: Any = self.summary.get("config") or {}
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return default if node is None else node

    @property
    def open_hour(self) -> float:
        return float(self.setting("store.open_hour", 0.0))

    @property
    def horizon_min(self) -> float:
        """Minutes the doors were open."""
        horizon = self.setting("run.horizon_min")
        if horizon is not None:
            return float(horizon)
        return (float(self.setting("store.close_hour", 24.0)) - self.open_hour) * 60.0

    @property
    def target_wait_min(self) -> float:
        return float(self.setting("standards.target_wait_min", 3.0))

    @property
    def required_service_level(self) -> float | None:
        value = self.setting("standards.service_level")
        return None if value is None else float(value)

    @property
    def peak_window(self) -> tuple[float, float] | None:
        """The evening peak in minutes since opening, when it lies within the opening hours."""
        start, end = self.setting("store.peak_start_hour"), self.setting("store.peak_end_hour")
        if start is None or end is None:
            return None
        window = ((float(start) - self.open_hour) * 60.0, (float(end) - self.open_hour) * 60.0)
        return window if window[0] < self.horizon_min and window[1] > 0 else None

    @cached_property
    def cashier_hours(self) -> float | None:
        """Hours of cashier shifts in the day, from the run's recorded config (one count for
        every hour, one per hour, square-root staffing, or a roster; temporary cashiers
        included); None when the config cannot be rebuilt (an older or partial record)."""
        return cashier_hours(self.summary.get("config"), self.parameters_of)

    @cached_property
    def attendant_hours(self) -> float | None:
        """Hours of self-checkout attendant shifts in the day (0 without kiosks), as ``cashier_hours``."""
        return attendant_hours(self.summary.get("config"), self.parameters_of)

    @property
    def label(self) -> str:
        """The name with the plan's cashier-hours, ``lean (84 cashier-hours)``, and attendant-hours
        with self-checkout, ``six_kiosks (59 cashier-hours, 14 attendant-hours)``, for the reader;
        the bare name where it is known."""
        hours = self.cashier_hours
        if hours is None:
            return self.name
        attendants = self.attendant_hours
        extra = f", {attendants:,.4g} attendant-hours" if attendants else ""
        return f"{self.name} ({hours:,.4g} cashier-hours{extra})"

    def meets_standard(self) -> bool:
        """Whether the mean service level reaches the required one (False when undefined)."""
        required = self.required_service_level
        level = self.kpi("service_level")
        return required is not None and level == level and level >= required

    @cached_property
    def timeseries(self) -> dict[str, np.ndarray]:
        """The ``timeseries`` table (CSV or Parquet) as numeric columns (empty when absent)."""
        return read_columns(find_table(self.folder, TIMESERIES), text=("clock",))

    @cached_property
    def weeks(self) -> dict[str, np.ndarray]:
        """The ``weeks`` table of a run of several days (empty when absent)."""
        return read_columns(find_table(self.folder, WEEKS))

    @cached_property
    def customers(self) -> dict[str, np.ndarray] | None:
        """The ``customers`` table (replication, arrival, outcome, wait), or None when not kept."""
        path = find_table(self.folder, CUSTOMERS)
        if path is None:
            return None
        return read_columns(path, only=("replication", "arrived_at_min", "outcome", "wait_min"), text=("outcome",))

    @cached_property
    def staff_timeline(self) -> dict[str, np.ndarray] | None:
        """The ``staff_timeline`` table (replication, employee, state, start, end), or None when not kept."""
        path = find_table(self.folder, STAFF_TIMELINE)
        if path is None:
            return None
        return read_columns(path, text=("employee", "state"))


def cashier_hours(config: Any, parameters_of: ParametersOf | None) -> float | None:
    """Hours of cashier shifts in one day under ``config`` (``summary.json``'s ``config``),
    built as the model builds its roster from ``parameters_of(config)``; None without
    ``parameters_of`` or if the config cannot be rebuilt."""
    if parameters_of is None or not isinstance(config, dict) or not isinstance(config.get("staffing"), dict):
        return None
    try:
        from ...sim.hiring import temporary_shift
        from ...sim.roster import build_roster

        params = parameters_of(config)
        minutes = sum(s.shift.end - s.shift.start for s in build_roster(params) if s.home_role == "checkout")
        temporary = params.policy.hiring.temporary
        if temporary:
            shift = temporary_shift(params)
            minutes += temporary * (shift.end - shift.start)
    except Exception:  # noqa: BLE001 - any config this version cannot rebuild: no hours, not no report
        return None
    hours = minutes / 60.0
    return hours if math.isfinite(hours) and hours >= 0 else None


def attendant_hours(config: Any, parameters_of: ParametersOf | None) -> float | None:
    """Hours of self-checkout attendant shifts in one day under ``config``, as :func:`cashier_hours`."""
    if parameters_of is None or not isinstance(config, dict) or not isinstance(config.get("staffing"), dict):
        return None
    try:
        from ...sim.roster import build_roster

        minutes = sum(s.shift.end - s.shift.start for s in build_roster(parameters_of(config))
                      if s.home_role == "attendant")
    except Exception:  # noqa: BLE001 - any config this version cannot rebuild: no hours, not no report
        return None
    return minutes / 60.0 if math.isfinite(minutes) else None


def read_columns(path: Path | None, only: Sequence[str] | None = None,
                 text: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """A run's table as one numpy array per column (``run_folder.read_table``); a damaged
    file is a ReportInputError that says to run the scenario again, a Parquet table without
    pyarrow one that says how to install it."""
    try:
        return read_table(path, only, text)
    except DamagedFile as error:
        raise ReportInputError(f"{error}; run the scenario again") from None
    except NeedsPyarrow as error:
        raise ReportInputError(str(error)) from None


def load_plans(paths: Sequence[Path], parameters_of: ParametersOf | None = None) -> tuple[list[PlanRun], list[Job]]:
    """The runs under ``paths`` that have results, named and numbered, and the jobs without
    results; ``parameters_of`` as in :class:`PlanRun`.

    Raises ReportInputError for a path that is missing, empty or not a run or sweep folder.
    """
    found: list[tuple[Job, int | None]] = []
    for path in paths:
        found.extend(_jobs_in(Path(path)))
    sweep_numbers = len(paths) == 1 and all(num is not None for _, num in found)
    runs, failed = [], []
    for position, (job, num) in enumerate(found):
        if job.summary is None:
            failed.append(job)
        else:
            runs.append(PlanRun(job, num if sweep_numbers and num is not None else position,
                                parameters_of=parameters_of))
    if not runs:
        where = ", ".join(str(p) for p in paths)
        raise ReportInputError(f"no run under {where} has results (every job failed or is unfinished)")
    for run, name in zip(runs, plan_names([r.job for r in runs])):
        run.name = name
    return runs, failed


def _jobs_in(path: Path) -> list[tuple[Job, int | None]]:
    """The runs in ``path``: itself if it is a run folder, else the job folders of a sweep."""
    if not path.exists():
        raise ReportInputError(f"{path}: no such directory")
    if not path.is_dir():
        raise ReportInputError(f"{path}: not a directory (give a run folder or a sweep folder)")
    if not any(path.iterdir()):
        raise ReportInputError(f"{path}: empty directory, not a storesim run or sweep folder")
    if (path / SUMMARY).exists() or (path / FAILURE).exists():
        return [(read_job(0, own_overrides(path), path), None)]
    jobs = [(read_job(num, list(overrides), folder), num)
            for (num, overrides), folder in sorted(job_folders(path).items())]
    if not jobs:
        raise ReportInputError(f"{path}: not a storesim run or sweep folder (no {SUMMARY} and no job folders)")
    return jobs


def recorded_currency(plans: Sequence[PlanRun]) -> str | None:
    """The ``report_currency`` the runs were made with (their ``.hydra/config.yaml``), when
    every plan that records one records the same; else None."""
    found = set()
    for plan in plans:
        config = read_yaml(plan.folder / HYDRA_DIR / "config.yaml")
        value = config.get("report_currency") if isinstance(config, dict) else None
        if value is not None and str(value).strip():
            found.add(str(value).strip())
    return found.pop() if len(found) == 1 else None


def plan_keys(jobs: list[Job]) -> list[str]:
    """The overrides that set plans apart (Hydra's own settings never do)."""
    trimmed = [Job(job.num, [o for o in job.overrides if not o.lstrip("+~").startswith("hydra.")], job.folder,
                   job.status, job.summary) for job in jobs]
    return swept_keys(trimmed) if len(jobs) > 1 else []


def _short(key: str, keys: list[str]) -> str:
    """``staffing.cashiers`` -> ``cashiers``, unless another key ends the same way."""
    tail = re.split(r"[./]", key.lstrip("+~"))[-1]
    clash = sum(re.split(r"[./]", k.lstrip("+~"))[-1] == tail for k in keys) > 1
    return key if clash else tail


def _bare(value: str) -> bool:
    """A value that says nothing alone (``self_checkout=none`` named "none" reads as no plan)."""
    return value.strip().lower() in ("none", "null", "true", "false")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _readable(value: str) -> str:
    """A swept value as a name shows it: a number with many digits (an Optuna trial's
    ``2.1824078005312253``) to 4 significant digits, anything else as written."""
    if _is_number(value) and len(value) > 6 and "." in value:
        return f"{float(value):.4g}"
    return value


def plan_names(jobs: list[Job]) -> list[str]:
    """A short, unique name for each job's plan."""
    keys = plan_keys(jobs)
    names = []
    for job in jobs:
        values = job.override_values()
        if keys:
            parts = [(k, values[k]) for k in keys if k in values]
            single = len(parts) == 1 and not _is_number(parts[0][1]) and not _bare(parts[0][1])
            name = parts[0][1] if single else " ".join(f"{_short(k, keys)}={_readable(v)}" for k, v in parts) or "default"
        elif len({str((j.summary or {}).get("scenario")) for j in jobs}) == len(jobs):
            name = str((job.summary or {}).get("scenario"))
            changed = _plan_overrides(job) if len(jobs) == 1 else []
            if changed:  # a single run: what its command changed
                name = " ".join(changed)
        else:
            name = job.folder.name if job.folder is not None else f"run {job.num}"
        names.append(name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…")
    return _unique(names)


def _plan_overrides(job: Job) -> list[str]:
    """A run's own overrides that shape its plan, shortened (``jockey_diff=2``; a preset
    ``experiment=mmc`` by its name): not Hydra's, nor what only sets how it runs or what it
    writes (``run.*``, ``output.*``, ``report``)."""
    keep = [o.lstrip("+") for o in job.overrides
            if not o.lstrip("+~").startswith(("hydra.", "run.", "output.", "report"))]
    keys = [o.split("=", 1)[0] for o in keep]
    return [o.split("=", 1)[1] if k == "experiment" else f"{_short(k, keys)}={o.split('=', 1)[1]}" if "=" in o else o
            for k, o in zip(keys, keep)]


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if names.count(name) == 1 else f"{name} #{seen[name]}")
    return out


def ranked(plans: list[PlanRun]) -> list[PlanRun]:
    """Plans meeting the service standard first, then by total cost (cheapest first)."""
    def key(plan: PlanRun) -> tuple[bool, float, int]:
        cost = plan.kpi("total_cost")
        return (not plan.meets_standard(), cost if cost == cost else math.inf, plan.number)

    return sorted(plans, key=key)


def featured(plans: list[PlanRun], baseline: PlanRun, limit: int = 6) -> list[PlanRun]:
    """The baseline and the best-ranked other plans, at most ``limit``, in the plans' order."""
    chosen = {id(baseline)} | {id(p) for p in ranked([p for p in plans if p is not baseline])[: limit - 1]}
    return [p for p in plans if id(p) in chosen]
