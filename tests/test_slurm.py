"""A sweep on a real SLURM cluster: a cancelled job is recorded as failed, and a re-run resumes.

Needs a running cluster (``bash .ci/slurm/start.sh`` starts a one-node one; ``.ci/run`` does
so before pytest) and the ``[cluster]`` extra. Skipped, saying why, where either is missing,
unless ``STORESIM_REQUIRE_SLURM=1`` (set by ``.ci/run``) turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storesim.analysis.run_folder import FAILURE

from .test_sweeps import rows

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
CI_CONF = Path("/tmp/storesim-slurm/etc/slurm.conf")  # where .ci/slurm/start.sh puts it
# One task at a time, so the order is fixed: job 0 (a long day) runs first and is cancelled
# while it runs, job 1 runs, job 2 is cancelled before it starts.
SWEEP = ("hydra/launcher=submitit_slurm", "hydra.launcher.array_parallelism=1", "hydra.launcher.timeout_min=5",
         "experiment=mmc", "run.replications=1", "output.customers=false", "run.horizon_min=120000,200,300")


def _unavailable() -> str | None:
    """Why no SLURM cluster can be used here, or None."""
    try:
        import hydra_plugins.hydra_submitit_launcher  # noqa: F401
    except ImportError:
        return 'the cluster extra is not installed: pip install -e ".[cluster]"'
    missing = [c for c in ("sbatch", "squeue", "scancel", "sacct", "scontrol") if shutil.which(c) is None]
    if missing:
        return f"SLURM commands not found ({', '.join(missing)}): apt-get install slurm-client slurmctld slurmd"
    try:
        ping = subprocess.run(["scontrol", "ping"], env=_slurm_env(), capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "scontrol ping timed out"
    if "is UP" not in ping.stdout:
        return "no SLURM controller answers scontrol ping: start one with bash .ci/slurm/start.sh"
    if subprocess.run(["sacct", "-n", "-X", "-S", "now"], env=_slurm_env(), capture_output=True).returncode:
        return "sacct fails: the cluster has no accounting, so a cancelled job would never be seen to end"
    return None


def _slurm_env() -> dict[str, str]:
    env = dict(os.environ)
    if "SLURM_CONF" not in env and CI_CONF.exists():
        env["SLURM_CONF"] = str(CI_CONF)
    return env


@pytest.fixture(scope="module")
def slurm() -> dict[str, str]:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("STORESIM_REQUIRE_SLURM") == "1":
            pytest.fail(f"STORESIM_REQUIRE_SLURM=1 but {reason}")
        pytest.skip(reason)
    return _slurm_env()


def wait_for(condition, what: str, timeout: float = 60):
    """Poll ``condition`` until it returns something true; fail naming ``what`` on time-out."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def squeue_state(task: str, env: dict[str, str]) -> str:
    done = subprocess.run(["squeue", "-h", "-r", "-j", task, "-o", "%T"], env=env, capture_output=True, text=True)
    return done.stdout.strip()


def array_id(sweep_dir: Path) -> str | None:
    """The SLURM job id of the sweep's array: submitit names a folder after it on submission."""
    folder = sweep_dir / ".submitit"
    ids = [p.name for p in folder.iterdir() if p.name.isdigit()] if folder.is_dir() else []
    return ids[0] if ids else None


def test_cancelled_jobs_are_recorded_as_failed_and_a_rerun_resumes(slurm, tmp_path):
    sweep_dir = tmp_path / "sweep"
    command = [*STORESIM, "-m", f"hydra.sweep.dir={sweep_dir}", *SWEEP]
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        launcher = subprocess.Popen(command, cwd=tmp_path, env=slurm, stdout=out, stderr=err)
        try:
            array = wait_for(lambda: array_id(sweep_dir), "the sweep's submission to SLURM")
            assert squeue_state(f"{array}_2", slurm) == "PENDING"
            subprocess.run(["scancel", f"{array}_2"], env=slurm, check=True)  # cancelled before it starts
            wait_for(lambda: (sweep_dir / "0" / ".hydra" / "overrides.yaml").exists(), "job 0 to start")
            assert squeue_state(f"{array}_0", slurm) == "RUNNING"
            subprocess.run(["scancel", f"{array}_0"], env=slurm, check=True)  # killed in the middle of its day
            code = launcher.wait(timeout=120)
        finally:
            if launcher.poll() is None:
                launcher.kill()
    stdout, stderr = (tmp_path / "out.txt").read_text(), (tmp_path / "err.txt").read_text()

    # The sweep went on to its end: the tables are written, the two cancelled jobs failed.
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert "sweep of 3 jobs: 1 ok, 0 skipped, 2 failed" in stdout
    table = rows(sweep_dir / "sweep_summary.csv")
    assert [r["status"] for r in table] == ["failed", "ok", "failed"]
    assert [r["run.horizon_min"] for r in table] == ["120000", "200", "300"]
    # sacct says "CANCELLED" or "CANCELLED by <uid>"; a task cancelled while pending leaves no record
    for job, state in (("0", "CANCELLED"), ("2", "GONE")):
        record = json.loads((sweep_dir / job / FAILURE).read_text())
        assert record["error_type"] == "JobLost" and record["cluster_state"].startswith(state)
        assert record["cluster_job_id"] == f"{array}_{job}" and "run the sweep again" in record["message"]
        assert not (sweep_dir / job / "summary.json").exists()
        assert f"job {job} failed: JobLost: SLURM job {array}_{job} ended without results" in stderr
    assert "state CANCELLED" in table[0]["error"] and "cancelled before it started" in table[2]["error"]
    assert float(table[1]["customers_served_mean"]) > 0
    sealed = (sweep_dir / "1" / "summary.json").stat().st_mtime_ns

    # The same command again: the finished job is skipped, the two cancelled ones run.
    again = subprocess.run(command, cwd=tmp_path, env=slurm, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert [r["status"] for r in rows(sweep_dir / "sweep_summary.csv")] == ["ok", "skipped", "ok"]
    assert (sweep_dir / "1" / "summary.json").stat().st_mtime_ns == sealed
    for job in ("0", "2"):
        assert (sweep_dir / job / "summary.json").exists() and not (sweep_dir / job / FAILURE).exists()
