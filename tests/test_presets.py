"""The planners' question presets run as one command each and compare what they claim to."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]


def sweep(tmp_path, preset, *extra):
    done = subprocess.run([*STORESIM, "-m", f"experiment={preset}", "run.replications=3", *extra,
                           f"hydra.sweep.dir={tmp_path}"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "sweep_summary.csv") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("preset,jobs,swept", [
    ("cross_training", 2, "policy/cross_training"),
    ("empowerment", 18, "policy.empowerment.value_limit"),
    ("hiring", 10, "policy/hiring"),
])
def test_question_preset_runs_its_plans(tmp_path, preset, jobs, swept):
    rows = sweep(tmp_path, preset)
    assert len(rows) == jobs
    assert all(row["status"] == "ok" for row in rows)
    assert len({row[swept] for row in rows}) == len(set(r[swept] for r in rows)) >= 2
    assert (tmp_path / "sweep_comparison.csv").exists()
