"""The end of a sweep: a Hydra callback that writes the sweep's tables and sets the exit code.

Registered in ``conf/config.yaml`` under ``hydra.callbacks``. Hydra calls
``on_multirun_start`` and ``on_multirun_end`` in the launching process, whatever the
launcher (basic, joblib, submitit), so the tables are written once, there, from the job
folders under ``hydra.sweep.dir``. Kept light to import: every ``storesim`` run loads it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

if TYPE_CHECKING:
    from ..analysis.run_folder import Job

EXIT_JOB_FAILED = 1
EXIT_USAGE = 2


class SweepSummary(Callback):
    """Checks the ``sweep.*`` settings before any job runs; writes the tables after the last."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from .cli_errors import report_user_error
        from .config import ConfigError, to_sweep_params
        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException

        from .sweep_jobs import check_job_configs, find_baseline, planned_jobs, register_sweeper

        register_sweeper(config)  # Hydra instantiates the sweeper right after this
        try:
            sweep = to_sweep_params(config)
            planned = planned_jobs(config)
            if planned is not None:
                find_baseline(sweep.baseline, list(enumerate(planned)))
                check_job_configs(config, planned)  # a key every job rejects: exit 2 now
        except (ConfigError, ValueError, HydraException, OmegaConfBaseException) as error:
            report_user_error(error)
        # For the jobs' progress lines (console.sweep_progress_line), whatever the launcher:
        # its workers, started after this, inherit the environment.
        os.environ["STORESIM_SWEEP_STARTED"] = repr(time.time())
        os.environ["STORESIM_SWEEP_JOBS"] = str(len(planned)) if planned is not None else ""
        from .cli_errors import folder_problem

        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:  # the launcher makes it next, and fails with a traceback
            sweep_dir.mkdir(parents=True, exist_ok=True)
            import tempfile

            tempfile.TemporaryFile(dir=sweep_dir).close()  # a read-only folder fails here
        except OSError as error:
            _error(f"hydra.sweep.dir: {folder_problem(error)}; choose another hydra.sweep.dir")
            sys.exit(EXIT_USAGE)
        target = str(OmegaConf.select(config, "hydra.launcher._target_") or "")
        if target.startswith("hydra_plugins.hydra_submitit_launcher."):
            # A job SLURM kills must not abort the sweep: see sweep_launcher.py.
            from .sweep_launcher import keep_going

            keep_going()
        elif target.startswith("hydra_plugins.hydra_joblib_launcher."):
            # Nor may one dead joblib worker: see sweep_launcher.py.
            from .sweep_launcher import keep_going_joblib

            keep_going_joblib()

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        """A single run (no ``-m``) takes its folder's lock before Hydra writes into it, so two
        runs into one ``hydra.run.dir`` never mix their files: the second stops in one line."""
        from .cli_errors import folder_problem
        from .outputs import FolderBusy, hold_run_folder

        folder = Path(str(config.hydra.run.dir))
        try:
            hold_run_folder(folder)
        except FolderBusy as error:
            _error(str(error))
            sys.exit(EXIT_USAGE)
        except OSError as error:  # before Hydra tries, and fails with its own 28 lines
            _error(f"hydra.run.dir: {folder_problem(error)}; choose another hydra.run.dir")
            sys.exit(EXIT_USAGE)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            code = summarize_sweep(config)
        except OSError as error:  # a full disk, a folder made read-only: the jobs' folders are intact
            where = f" {error.filename}" if error.filename else ""
            _error(f"cannot write the sweep tables{where}: {error.strerror or error}; the jobs' results are in "
                   f"{config.hydra.sweep.dir}: free space and run the same command again to write them")
            code = EXIT_JOB_FAILED
        if code:
            sys.exit(code)


def _error(message: str) -> None:
    print(f"storesim: error: {message}", file=sys.stderr)


def summarize_sweep(config: DictConfig) -> int:
    """Write the sweep's tables into ``hydra.sweep.dir`` and print the best plans.

    With ``sweep.delta`` set, the best plan is selected with its guarantee first
    (``sweep_selection``), adding replications to the contenders, and the lines printed are
    the selection's. Returns the exit code: 0; 1 if a job failed or is missing (or a job's
    folder no longer matches its results, for the selection); 2 if a ``sweep.*`` setting
    does not fit the results (a KPI no job reports, a baseline that picks no job).
    """
    from ..analysis.run_folder import FAILED, MISSING, OK, SKIP, swept_keys, write_atomic
    from ..analysis.run_folder import SUMMARY_CSV, SUMMARY_LONG_CSV
    from .config import to_sweep_params
    from .outputs import csv_text
    from .sweep_jobs import collect_jobs
    from .sweep_tables import (format_top, selection_lines, summary_long_table,
                               summary_table, unknown_kpis)

    sweep = to_sweep_params(config)
    sweep_dir = Path(config.hydra.sweep.dir)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    jobs = collect_jobs(config, sweep_dir)
    keys = swept_keys(jobs)
    problems = unknown_kpis(jobs, sweep)
    selection, unselected = None, None
    if sweep.delta is not None and not problems:
        from .sweep_selection import select_plans

        try:  # adds replications to the contenders: before the tables, which show them
            selection = select_plans(jobs, sweep, quiet=os.environ.get("STORESIM_QUIET") == "1")
        except ValueError as error:  # a job folder changed under the sweep
            unselected = str(error)
    write_atomic(sweep_dir / SUMMARY_CSV, csv_text(*summary_table(jobs, keys, selection)))
    write_atomic(sweep_dir / SUMMARY_LONG_CSV, csv_text(*summary_long_table(jobs, keys)))
    counts = {status: sum(job.status == status for job in jobs) for status in (OK, SKIP, FAILED, MISSING)}
    shown = ", ".join(f"{n} {status}" for status, n in counts.items() if n or status != MISSING)
    print(f"storesim: sweep of {len(jobs)} jobs: {shown}\nsweep table: {sweep_dir / SUMMARY_CSV}")
    code = EXIT_JOB_FAILED if counts[FAILED] or counts[MISSING] else 0
    if not write_comparison(sweep_dir, jobs, keys, sweep.baseline):
        code = EXIT_USAGE
    for problem in problems:
        _error(problem)
    if problems:
        code = EXIT_USAGE
    elif unselected is not None:
        _error(f"no selection: {unselected}")
        code = EXIT_JOB_FAILED
    elif selection is not None:
        print("\n".join(selection_lines(selection, jobs, sweep, keys)))
    else:
        print(format_top(jobs, sweep, keys))
    for job in jobs:
        if job.status in (FAILED, MISSING):
            print(f"storesim: job {job.num} {job.status}: {job.error}", file=sys.stderr)
    return code


def write_comparison(sweep_dir: Path, jobs: list[Job], keys: list[str], selector: str | None) -> bool:
    """Write ``sweep_comparison.csv`` against the baseline job, if it has results; False if
    ``sweep.baseline`` picks no job."""
    from ..analysis.run_folder import write_atomic
    from .outputs import csv_text
    from .sweep_jobs import find_baseline
    from ..analysis.run_folder import COMPARISON_CSV
    from .sweep_tables import comparison_table

    path = sweep_dir / COMPARISON_CSV
    path.unlink(missing_ok=True)  # never leave one computed against an outdated baseline
    if not jobs:
        return True
    try:
        number = find_baseline(selector, [(job.num, job.overrides) for job in jobs])
    except ValueError as error:
        _error(str(error))
        return False
    baseline = next(job for job in jobs if job.num == number)
    if baseline.summary is None:
        print(f"storesim: baseline job {baseline.num} has no results ({baseline.status}); no {COMPARISON_CSV}",
              file=sys.stderr)
    else:
        write_atomic(path, csv_text(*comparison_table(jobs, baseline, keys)))
        print(f"comparison with job {baseline.num}: {path}")
    return True
