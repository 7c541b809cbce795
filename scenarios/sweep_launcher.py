"""Hydra's submitit launchers, made to record a job killed outside Python as failed and go on.

A sweep job catches its own exceptions (``sweep_job.run_sweep_job``), but a job that SLURM
kills (``scancel``, its time or memory limit) or cancels before it starts never gets to: it
leaves no result, and Hydra's submitit launcher then raises in the launching process, which
aborts the sweep before the end-of-sweep tables are written. With ``keep_going()`` the
launcher still waits for every job, writes a lost job's ``failure.json`` (so the sweep table
shows it ``failed`` and a re-run runs it again) and reports it to Hydra as finished.

Hydra instantiates only launchers from its ``hydra_plugins`` package, so rather than a
launcher of its own storesim adapts the ``launch`` of Hydra's (``submitit_slurm``,
``submitit_local`` and storesim's ``slurm`` preset): ``SweepSummary.on_multirun_start``
(``sweep.py``) calls ``keep_going()`` when the sweep uses one of them.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import submitit
from hydra.core.utils import JobReturn, JobStatus
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import BaseSubmititLauncher
from omegaconf import DictConfig, OmegaConf, open_dict

from .sweep_job import FAILED, FAILURE, SKIPPED, _write_json


def keep_going() -> None:
    """Make Hydra's submitit launchers wait for every job and record a lost one (idempotent)."""
    if getattr(BaseSubmititLauncher.launch, "keeps_going", False):
        return
    hydra_launch = BaseSubmititLauncher.launch

    def launch(self: BaseSubmititLauncher, job_overrides: Sequence[Sequence[str]],
               initial_job_idx: int) -> Sequence[JobReturn]:
        hydra_executor = submitit.AutoExecutor

        class Executor(hydra_executor):  # type: ignore[misc,valid-type]
            def map_array(self, fn, *iterable):  # noqa: ANN001, ANN202 - submitit's signature
                jobs = super().map_array(fn, *iterable)
                overrides, numbers = iterable[0], iterable[2]
                # fn is the launcher itself: Hydra maps it over (overrides, dir key, number, ...)
                return [_LostJob(job, fn, list(ovr), num) for job, ovr, num in zip(jobs, overrides, numbers)]

        # Hydra's launch builds its executor from submitit.AutoExecutor and calls results()
        # on each job in turn: the stand-in wraps those jobs, the rest is Hydra's own code.
        submitit.AutoExecutor = Executor
        try:
            return hydra_launch(self, job_overrides, initial_job_idx)
        finally:
            submitit.AutoExecutor = hydra_executor

    launch.keeps_going = True  # type: ignore[attr-defined]
    launch.__doc__ = hydra_launch.__doc__
    BaseSubmititLauncher.launch = launch  # type: ignore[method-assign]


class _LostJob:
    """A submitit job whose ``results()`` reports a lost job instead of raising or hanging."""

    def __init__(self, job: submitit.Job, launcher: BaseSubmititLauncher, overrides: list[str], num: int) -> None:
        self.job, self.launcher, self.overrides, self.num = job, launcher, overrides, num

    def results(self) -> list[Any]:
        state = wait_for_end(self.job)
        if state.startswith(("CANCELLED", "GONE")) and not self.job.paths.result_pickle.exists():
            # Cancelled: no result will come (submitit would wait for one, for a slow filesystem).
            return [record_lost_job(self.launcher, self.num, self.overrides, self.job, state)]
        try:
            return self.job.results()
        except Exception as error:  # noqa: BLE001 - whatever ended the job, the sweep goes on
            return [record_lost_job(self.launcher, self.num, self.overrides, self.job, state, error)]


_LIVE_STATES = ("PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUE", "RESIZING",
                "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD", "REQUEUED")


def wait_for_end(job: submitit.Job, poll_s: float = 1.0, ask_slurm_s: float = 3.0) -> str:
    """Wait until ``job`` has ended; its state.

    submitit learns a job's end from ``sacct``, which has no record of an array task
    cancelled before it started: for those it would wait for ever. So every few seconds
    ``scontrol`` is asked too, which knows such a task (as CANCELLED) until it is purged.
    """
    asked = time.monotonic()
    while not job.done():
        if isinstance(job, submitit.SlurmJob) and time.monotonic() - asked >= ask_slurm_s:
            asked = time.monotonic()
            state = scontrol_state(str(job.job_id))
            if state is not None and not state.startswith(_LIVE_STATES):
                return state
        time.sleep(poll_s)
    return _state(job)


def scontrol_state(job_id: str) -> str | None:
    """SLURM's state of one job (``CANCELLED`` ...); ``GONE`` once SLURM has forgotten it (a
    pending array task that was cancelled is forgotten at once); None if SLURM does not answer."""
    try:
        done = subprocess.run(["scontrol", "show", "job", "--oneliner", job_id], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\bJobState=(\S+)", done.stdout)
    if found:
        return found.group(1)
    return "GONE" if re.search(r"Invalid job id|not found", done.stdout + done.stderr) else None


def record_lost_job(launcher: BaseSubmititLauncher, num: int, overrides: list[str], job: submitit.Job,
                    state: str, error: Exception | None = None) -> JobReturn:
    """Write ``failure.json`` into the folder of job ``num``, which ended without a result."""
    assert launcher.config is not None and launcher.hydra_context is not None
    sweep_config = launcher.hydra_context.config_loader.load_sweep_config(launcher.config, overrides)
    with open_dict(sweep_config.hydra.job):
        sweep_config.hydra.job.num = num
    out_dir = Path(str(sweep_config.hydra.sweep.dir)) / str(sweep_config.hydra.sweep.subdir)
    if state == "GONE":
        why = "SLURM has no record of it: cancelled before it started"
    else:
        why = f"state {state}: cancelled, or killed at its time or memory limit (see {job.paths.stderr})"
    kind = "SLURM job" if isinstance(job, submitit.SlurmJob) else "job"
    message = f"{kind} {job.job_id} ended without results ({why}); run the sweep again to retry it"
    if error is not None and "has not produced any output" not in str(error):  # e.g. Python failed in the job
        message += f"; {type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}"
    _hydra_files(out_dir, sweep_config, overrides)
    (out_dir / SKIPPED).unlink(missing_ok=True)
    _write_json(out_dir / FAILURE, {"status": FAILED, "error_type": "JobLost", "message": message,
                                    "overrides": overrides, "cluster_job_id": str(job.job_id),
                                    "cluster_state": state})
    result = JobReturn(overrides=overrides, status=JobStatus.COMPLETED)
    result.return_value = FAILED
    return result


def _state(job: submitit.Job) -> str:
    try:
        return str(job.state)
    except Exception:  # noqa: BLE001 - only for the message
        return "UNKNOWN"


def _hydra_files(out_dir: Path, sweep_config: DictConfig, overrides: list[str]) -> None:
    """The ``.hydra`` files the job would have written had it started: the sweep table finds
    a job's folder by them (``sweep_jobs.job_folders``)."""
    hydra_dir = out_dir / ".hydra"
    if (hydra_dir / "overrides.yaml").exists():
        return
    hydra_dir.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(OmegaConf.create({"hydra": OmegaConf.to_container(sweep_config.hydra, resolve=False)}),
                   hydra_dir / "hydra.yaml")
    OmegaConf.save(OmegaConf.create(list(overrides)), hydra_dir / "overrides.yaml")
