"""The ``storesim`` Hydra app: compose the config, validate it, run, write, print."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from .cli_errors import report_user_error, report_write_error
from .config import ConfigError, register_schema, to_app_config
from .schema import unread_keys
from .console import ProgressBar, kpi_table, sweep_progress_line
from .outputs import RUN_LOCK, clear_old_results, standards_met, write_outputs
from .runner import run_scenario
from .sweep_job import run_sweep_job, unrecorded_note
from .tuning import job_objective

register_schema()


def _discard_if_empty(out_dir: Path) -> None:
    """Remove a run folder that holds nothing but Hydra's own bookkeeping."""
    if out_dir.is_dir() and all(p.name in (".hydra", "storesim.log", RUN_LOCK) for p in out_dir.iterdir()):
        shutil.rmtree(out_dir, ignore_errors=True)
        here = Path.cwd().resolve()
        for parent in out_dir.resolve().parents:  # outputs/<scenario>/ too, if nothing else is there
            if parent == here or here not in parent.parents:
                break
            try:
                parent.rmdir()
            except OSError:
                break


def _say(line: str) -> None:
    """Print a sweep job's line; if whoever reads the output has gone (``storesim -m ... | head``),
    the sweep goes on quietly, so that its jobs and tables are still written."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _refuse_sweep_in_single_run(hydra_cfg: DictConfig) -> None:
    """A preset that sweeps (``hydra.sweeper.params``) needs ``-m``: without it, none of its
    plans would run and the run would still carry the preset's name."""
    swept = hydra_cfg.sweeper.get("params") or {}
    if swept:
        import shlex
        import sys

        what = "; ".join(f"{key} over {value}" for key, value in swept.items())
        command = " ".join(shlex.quote(a) for a in ["storesim", "-m", *sys.argv[1:]])
        raise ConfigError(f"hydra.sweeper.params: this preset is a sweep ({what}); run it with -m: {command}")


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def app(cfg: DictConfig) -> float | dict[str, list[str]] | None:
    """Run one scenario's replications and write its outputs into the Hydra run folder.

    In a sweep (``storesim -m``) a job never raises: a failure is recorded in the job's
    folder for the end-of-sweep table, and finished jobs are skipped on a re-run. A job of a
    tuning preset (``tune.objective`` set) returns its objective to the Optuna sweeper, or,
    once its failure is recorded, raises ``tuning.TrialFailed`` so that Optuna records the
    trial as failed (``tuning.job_objective``). Any other sweep job returns None, or, when
    its failure could not be recorded (a full disk), a note of it for the launching process
    (``sweep_job.unrecorded_note``); a single run returns None.
    """
    hydra_cfg = HydraConfig.get()
    out_dir = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode == RunMode.MULTIRUN:
        status = run_sweep_job(cfg, out_dir, list(hydra_cfg.overrides.task))
        _say(f"storesim: job {hydra_cfg.job.num} {status}")
        progress = sweep_progress_line(Path(hydra_cfg.sweep.dir))
        if progress:  # one write, so that lines from parallel jobs do not interleave
            sys.stderr.write(progress + "\n")
            sys.stderr.flush()
        objective = job_objective(cfg, out_dir)
        return unrecorded_note(out_dir) if objective is None else objective
    try:
        _refuse_sweep_in_single_run(hydra_cfg)
        app_config = to_app_config(cfg)
        unread = unread_keys(app_config, "storesim", list(hydra_cfg.overrides.task))
        if unread:
            raise ConfigError("\n".join(unread))
        params = app_config.scenario_params()
    except ConfigError as error:
        # Exit from inside the job: Hydra would otherwise add its own report of the failure.
        _discard_if_empty(out_dir)
        report_user_error(error)
    clear_old_results(out_dir)  # a re-run into the folder never leaves the last run's summary.json beside its files
    if params.run.days > 1:  # progress by the day: a replication is many days
        result = run_scenario(params, on_day=ProgressBar(params.run.replications * params.run.days, "days"))
    else:
        result = run_scenario(params, on_replication=ProgressBar(params.run.replications))
    try:
        write_outputs(out_dir, result)
    except OSError as error:  # a full disk: leave no run that looks finished, nor part of one
        clear_old_results(out_dir)
        report_write_error(error)  # from inside the job, or Hydra adds its own report
    print(f"storesim: {params.scenario}, {params.run.replications} replications, seed {params.run.seed}")
    print(kpi_table(result, standards_met(result)))
    print(f"outputs: {out_dir}")
    if cfg.get("report"):
        from ..analysis.report import build_report
        from .report_cli import recorded_parameters

        report = build_report([out_dir], currency=cfg.get("report_currency"), parameters_of=recorded_parameters)
        print(f"report: {report.html}")
