"""Faults: bad sweeps, dead workers, full disks, busy or unwritable folders, signals.

Each fault must end in one clear line and the right exit code, with no traceback, nothing
half-written and no finished result lost.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
TINY = ("experiment=mmc", "run.horizon_min=100", "run.replications=1", "run.warmup_min=0", "output.customers=false")


def storesim(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*STORESIM, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def rows(path: Path) -> list[dict[str, str]]:
    with open(path) as handle:
        return list(csv.DictReader(handle))


def no_traceback(done: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in done.stderr and "Traceback" not in done.stdout


# --- 1. a setting every job rejects stops the sweep before any job runs ----------------------

def test_a_key_every_job_rejects_stops_the_sweep_before_any_job(tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, "staffing.cashiers=1,2", "+x=1")
    assert done.returncode == 2 and no_traceback(done)
    assert done.stderr.startswith("storesim: error: x: unknown key") and len(done.stderr.splitlines()) == 1
    assert "Launching" not in done.stdout + done.stderr and not sweep_dir.exists()


def test_a_combination_only_some_jobs_reject_still_runs_the_others(tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, "run.replications=0,1")
    assert done.returncode == 1 and no_traceback(done)
    assert [r["status"] for r in rows(sweep_dir / "sweep_summary.csv")] == ["failed", "ok"]
