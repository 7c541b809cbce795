"""Hydra's submitit and joblib launchers, made to record a job killed outside Python as failed and go on.

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

Hydra's joblib launcher runs the jobs in a pool of loky worker processes. A worker killed
outside Python (``kill -9``, the out-of-memory killer) breaks the whole pool: joblib raises
``TerminatedWorkerError`` for every job not yet returned, and the sweep would end in a
traceback without tables. ``keep_going_joblib()`` catches it, reads the job folders to see
which jobs finished, records the ones that had started but not finished as lost
(``failure.json``, ``JobLost``), and runs the ones that had not started in a fresh pool.
loky's workers outlive a launching process that is killed (``kill -9``): each worker here
watches its parent and exits when it is gone (``exit_with_parent``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra.core.utils import JobReturn, JobStatus
from omegaconf import DictConfig, OmegaConf, open_dict

from ..analysis.run_folder import FAILED, FAILURE, SKIPPED, SUMMARY
from .sweep_job import _write_json

if TYPE_CHECKING:  # submitit is an optional dependency (pip install -e ".[cluster]")
    import submitit
    from hydra.plugins.launcher import Launcher
    from hydra_plugins.hydra_submitit_launcher.submitit_launcher import BaseSubmititLauncher


def keep_going() -> None:
    """Make Hydra's submitit launchers wait for every job and record a lost one (idempotent)."""
    import submitit
    from hydra_plugins.hydra_submitit_launcher.submitit_launcher import BaseSubmititLauncher

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
    import submitit

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
    import submitit

    out_dir, sweep_config = job_folder(launcher, num, overrides)
    if state == "GONE":
        why = "SLURM has no record of it: cancelled before it started"
    else:
        why = f"state {state}: cancelled, or killed at its time or memory limit (see {job.paths.stderr})"
    kind = "SLURM job" if isinstance(job, submitit.SlurmJob) else "job"
    message = f"{kind} {job.job_id} ended without results ({why}); run the sweep again to retry it"
    if error is not None and "has not produced any output" not in str(error):  # e.g. Python failed in the job
        message += f"; {type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}"
    return write_lost_job(out_dir, sweep_config, overrides, message,
                          cluster_job_id=str(job.job_id), cluster_state=state)


def job_folder(launcher: Launcher, num: int, overrides: list[str]) -> tuple[Path, DictConfig]:
    """The folder of job ``num`` of the sweep, and the job's config, as Hydra composes them."""
    config, context = launcher.config, launcher.hydra_context  # type: ignore[attr-defined]
    assert config is not None and context is not None
    sweep_config = context.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(sweep_config.hydra.job):
        sweep_config.hydra.job.num = num
    return Path(str(sweep_config.hydra.sweep.dir)) / str(sweep_config.hydra.sweep.subdir), sweep_config


def write_lost_job(out_dir: Path, sweep_config: DictConfig, overrides: list[str], message: str,
                   **details: str) -> JobReturn:
    """Record a job that ended without results (``failure.json``, ``JobLost``); what it left
    half-written (temporary files) is removed. Its return for Hydra is a finished job."""
    _hydra_files(out_dir, sweep_config, overrides)
    (out_dir / SKIPPED).unlink(missing_ok=True)
    for leftover in out_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    _write_json(out_dir / FAILURE, {"status": FAILED, "error_type": "JobLost", "message": message,
                                    "overrides": list(overrides), **details})
    return _finished(overrides, FAILED)


def _finished(overrides: list[str], status: str | None) -> JobReturn:
    result = JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED)
    result.return_value = status
    return result


# --- joblib ---------------------------------------------------------------------------------

_MARKS = (".hydra/overrides.yaml", SUMMARY, FAILURE, SKIPPED)  # written at a job's start; at its end


def _marks(folder: Path) -> tuple[int | None, ...]:
    """When each of a job's start and end files was last written (None: absent)."""
    stamps = []
    for name in _MARKS:
        try:
            stamps.append((folder / name).stat().st_mtime_ns)
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def _runs(numbers: list[int]) -> list[list[int]]:
    """Consecutive job numbers grouped: Hydra's launch numbers a batch from its first job on."""
    groups: list[list[int]] = []
    for num in numbers:
        if groups and groups[-1][-1] == num - 1:
            groups[-1].append(num)
        else:
            groups.append([num])
    return groups


_watching: list[int] = []  # the parent a worker's watchdog watches (one watchdog per process)


def exit_with_parent(poll_s: float = 0.5) -> None:
    """Exit this process (at once, code 1) when its parent process ends: a daemon thread
    polls ``os.getppid()``, which changes when the parent dies (the orphan is adopted)."""
    if _watching:
        return
    parent = os.getppid()
    _watching.append(parent)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(1)

    threading.Thread(target=watch, name="storesim-exit-with-parent", daemon=True).start()


def _execute_job_with_parent(*args: Any) -> JobReturn:
    """Hydra's ``execute_job`` of the joblib launcher, in a worker that exits with its parent."""
    from hydra_plugins.hydra_joblib_launcher import _core

    exit_with_parent()
    execute = _core.execute_job
    return getattr(execute, "hydra_original", execute)(*args)


def keep_going_joblib() -> None:
    """Make Hydra's joblib launcher survive a dead worker (idempotent): see the module's doc."""
    from hydra_plugins.hydra_joblib_launcher import _core
    from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher

    if getattr(JoblibLauncher.launch, "keeps_going", False):
        return
    # Hydra's launch maps _core.execute_job over the jobs; in the workers it watches the parent.
    _execute_job_with_parent.hydra_original = _core.execute_job  # type: ignore[attr-defined]
    _core.execute_job = _execute_job_with_parent
    hydra_launch = JoblibLauncher.launch

    def launch(self: JoblibLauncher, job_overrides: Sequence[Sequence[str]],
               initial_job_idx: int) -> Sequence[JobReturn]:
        jobs = {initial_job_idx + i: list(overrides) for i, overrides in enumerate(job_overrides)}
        results: dict[int, JobReturn] = {}
        pending = sorted(jobs)
        while pending:
            folders = {num: job_folder(self, num, jobs[num]) for num in pending}
            before = {num: _marks(folders[num][0]) for num in pending}
            try:
                for group in _runs(pending):
                    returns = hydra_launch(self, [jobs[num] for num in group], group[0])
                    results.update(zip(group, returns))
                break
            except BrokenExecutor as error:  # loky's TerminatedWorkerError: a worker died
                lost, unstarted = [], []
                for num in (n for n in pending if n not in results):
                    now = _marks(folders[num][0])
                    if any(a is not None and a != b for a, b in zip(now[1:], before[num][1:])):
                        results[num] = _finished(jobs[num], None)  # it finished before the pool broke
                    elif now[0] is not None and now[0] != before[num][0]:
                        lost.append(num)
                    else:
                        unstarted.append(num)
                if not lost and unstarted == pending:  # the pool broke before any job started
                    lost, unstarted = unstarted, []
                codes = re.search(r"exit codes of the workers are (\{[^}]*\})", str(error))
                how = f"exit code {codes.group(1)}" if codes else type(error).__name__
                for num in lost:
                    out_dir, sweep_config = folders[num]
                    message = (f"the joblib worker running it died ({how}: killed, e.g. by the out-of-memory "
                               "killer, or stopped when another worker died); run the sweep again to retry it")
                    results[num] = write_lost_job(out_dir, sweep_config, jobs[num], message)
                rest = f"; {len(unstarted)} not yet started run in a fresh pool" if unstarted else ""
                print(f"storesim: a joblib worker died ({how}); job{'s' if len(lost) > 1 else ''} "
                      f"{', '.join(map(str, lost))} recorded as failed{rest}", file=sys.stderr)
                pending = unstarted
        return [results[num] for num in sorted(jobs)]

    launch.keeps_going = True  # type: ignore[attr-defined]
    launch.__doc__ = hydra_launch.__doc__
    JoblibLauncher.launch = launch  # type: ignore[method-assign]


def _state(job: submitit.Job) -> str:
    try:
        return str(job.state)
    except Exception:  # noqa: BLE001 - only for the message
        return "UNKNOWN"


def _hydra_files(out_dir: Path, sweep_config: DictConfig, overrides: list[str]) -> None:
    """The ``.hydra`` files the job would have written had it started: the sweep table finds
    a job's folder by them (``run_folder.job_folders``)."""
    hydra_dir = out_dir / ".hydra"
    if (hydra_dir / "overrides.yaml").exists():
        return
    hydra_dir.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(OmegaConf.create({"hydra": OmegaConf.to_container(sweep_config.hydra, resolve=False)}),
                   hydra_dir / "hydra.yaml")
    OmegaConf.save(OmegaConf.create(list(overrides)), hydra_dir / "overrides.yaml")
