"""The ``storesim`` command: outputs on a good run, one-line errors on bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]


def storesim(tmp_path, *args):
    return subprocess.run([*STORESIM, f"hydra.run.dir={tmp_path / 'run'}", *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)


def test_default_run_prints_the_table_and_writes_the_three_outputs(tmp_path):
    done = storesim(tmp_path, "run.replications=2")
    assert done.returncode == 0, done.stderr
    assert "served within 3 min (%)" in done.stdout and "90% wait at most (min)" in done.stdout
    run = tmp_path / "run"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["replications"] == 2 and len(summary["per_replication"]) == 2
    for name in ("wait_mean", "service_level", "abandon_rate", "queue_len_max", "overtime_min", "total_cost"):
        assert set(summary["kpis"][name]) == {"mean", "std", "ci_low", "ci_high"}
    with open(run / "timeseries.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert {"arrivals", "wait_mean", "queue_len_mean", "open_lanes_mean", "reneged"} <= set(rows[0])
    assert (run / "customers.csv").stat().st_size > 0


@pytest.mark.parametrize("override,key", [
    ("arrivals.rate_per_hour=-5", "arrivals.rate_per_hour"),
    ("staffing.cashiers=0", "staffing.cashiers"),
    ("queue.discipline=snake", "queue.discipline"),
    ("arrivals.rate_per_hour=lots", "arrivals.rate_per_hour"),
    ("service.distributoin=gamma", "service.distributoin"),
    ("experiment=nosuch", "experiment"),
])
def test_bad_value_gives_a_one_line_error(tmp_path, override, key):
    args = ["experiment=mmc", override] if override.startswith(("staffing", "arrivals.rate")) else [override]
    done = storesim(tmp_path, *args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "run").exists()


def test_conflicting_hydra_flags_are_a_one_line_error(tmp_path):
    done = subprocess.run([*STORESIM, "-m", "run.seed=1,2", "--cfg", "job"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "storesim: error: Only one of --run, --multirun, --cfg, --info and --shell_completion can be specified"]


def test_help_is_a_page_for_people_naming_every_command(tmp_path):
    import tomllib

    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import main; main()", "--help"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert 10 <= len(lines) <= 40, len(lines)
    scripts = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]["scripts"]
    assert all(name in done.stdout for name in scripts), [n for n in scripts if n not in done.stdout]
    for what in ("-m", "--cfg job", "outputs/", "hydra.run.dir"):
        assert what in done.stdout, what


@pytest.mark.parametrize("args,says", [
    (["hydra.run.dir="], "hydra.run.dir: must name a folder"),
    (["-m", "hydra.sweep.dir=", "staffing.cashiers=5,6"], "hydra.sweep.dir: must name a folder"),
])
def test_an_empty_output_folder_is_refused(tmp_path, args, says):
    done = subprocess.run([*STORESIM, *args], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and done.stderr.strip() == f"storesim: error: {says} (empty, the outputs would be " \
        "scattered into the current folder)"
    assert list(tmp_path.iterdir()) == []


def test_the_planner_says_it_does_not_use_a_cashier_setting(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import plan_main; plan_main()",
                           "staffing.cashiers=3", "run.horizon_min=120", "arrivals.rate_per_hour=[60,90]",
                           "plan.replications=2", f"hydra.run.dir={tmp_path / 'plan'}", "--quiet"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == ("storesim-plan: note: staffing.cashiers is not used: the planner chooses "
                                           "the cashiers per hour itself (a first cut from Erlang A with the store's "
                                           "patience, corrected by simulation)")


def test_the_planner_plans_a_shorter_day_without_being_told_a_cashier_count(tmp_path):
    """The default hourly cashiers (14 hours) do not fit a 2-hour day; the planner replaces them
    anyway, so it does not refuse the day for them (it did, naming staffing.cashiers)."""
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import plan_main; plan_main()",
                           "run.horizon_min=120", "arrivals.rate_per_hour=[60,90]", "plan.replications=3",
                           f"hydra.run.dir={tmp_path / 'plan'}", "--quiet"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "staffing.cashiers" not in done.stderr and (tmp_path / "plan" / "plan_summary.json").exists()


def test_the_planner_refuses_a_sweeps_key_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import plan_main; plan_main()",
                           "sweep.delta=100", f"hydra.run.dir={tmp_path / 'plan'}"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 2 and done.stdout == "" and not (tmp_path / "plan").exists()
    assert done.stderr.strip() == ("storesim-plan: error: sweep.delta: is read only by storesim -m, not by "
                                   "storesim-plan: leave sweep.delta out, got 100.0"), done.stderr


def test_the_planner_refuses_a_sweep_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import plan_main; plan_main()",
                           "-m", "plan.service_level=0.8,0.9"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.strip()] and "-m is not supported" in done.stderr
