"""Tuning presets through Hydra's Optuna sweeper: objective, end to end, resume, confirmation."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from storesim.scenarios.planner import CONFIRM_BRANCH
from storesim.scenarios.runner import run_scenario
from storesim.scenarios.tuning import CONFIRMED_DIR, TUNING_JSON, TrialFailed, job_objective, objective

optuna = pytest.importorskip("optuna", reason="the tune extra is not installed: pip install -e '.[tune]'")
pytest.importorskip("hydra_plugins.hydra_optuna_sweeper", reason="the tune extra is not installed: pip install -e '.[tune]'")

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
TINY = ("run.replications=2", "run.horizon_min=120", "arrivals.rate_per_hour=150", "staffing.cashiers=6",
        "output.customers=false")


def tune(sweep_dir: Path, preset: str, trials: int, *args: str) -> subprocess.CompletedProcess:
    """``storesim -m experiment=PRESET`` with ``trials`` trials in all, on tiny days, into ``sweep_dir``."""
    done = subprocess.run([*STORESIM, "-m", f"experiment={preset}", f"hydra.sweeper.n_trials={trials}", *TINY, *args,
                           f"hydra.sweep.dir={sweep_dir}"], capture_output=True, text=True, cwd=sweep_dir.parent,
                          timeout=240)
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: the sweep table's verdict, not a crash
    return done


def trials(sweep_dir: Path, name: str) -> list:
    return optuna.load_study(study_name=name, storage=f"sqlite:///{sweep_dir / 'study.db'}").trials


def test_objective_is_cost_plus_penalty_for_the_service_shortfall():
    cost = {"mean": 5000.0, "ci_low": 4000.0, "ci_high": 6000.0}
    met = {"total_cost": cost, "service_level": {"mean": 0.9, "ci_low": 0.82}}
    missed = {"total_cost": cost, "service_level": {"mean": 0.85, "ci_low": 0.75}}
    assert objective(met, 0.8, 1e6) == 5000.0
    assert objective(missed, 0.8, 1e6) == pytest.approx(5000.0 + 1e6 * 0.05)
    single = {"total_cost": cost, "service_level": {"mean": 0.7, "ci_low": math.nan}}  # one replication: the mean
    assert objective(single, 0.8, 100.0) == pytest.approx(5010.0)
    assert math.isnan(objective({"total_cost": cost}, 0.8, 1e6))


def test_an_ordinary_job_returns_nothing(tmp_path):
    plain = OmegaConf.create({"tune": {"objective": None, "penalty": 1.0}, "standards": {"service_level": 0.8}})
    assert job_objective(plain, tmp_path) is None
    tuned = OmegaConf.create({"tune": {"objective": "total_cost_with_service_penalty", "penalty": 1.0},
                              "standards": {"service_level": 0.8}})
    with pytest.raises(TrialFailed, match="has no results"):  # no summary.json: the trial failed
        job_objective(tuned, tmp_path)


def test_unknown_objective_is_refused_before_any_run(tmp_path):
    done = subprocess.run([*STORESIM, "tune.objective=cheapest", *TINY, f"hydra.run.dir={tmp_path / 'run'}"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "tune.objective: must be one of total_cost_with_service_penalty" in done.stderr


def test_cross_training_study_resumes_and_confirms_on_fresh_seeds(tmp_path):
    sweep_dir = tmp_path / "ct"
    tune(sweep_dir, "tune_cross_training", 2)  # interrupted after two trials, as far as the study knows
    first = trials(sweep_dir, "tune_cross_training")
    assert [t.state.name for t in first] == ["COMPLETE", "COMPLETE"]

    done = tune(sweep_dir, "tune_cross_training", 4)
    assert "2 of 4 trials done, 2 to run" in done.stdout
    after = trials(sweep_dir, "tune_cross_training")
    assert [t.state.name for t in after] == ["COMPLETE"] * 4
    assert [t.params for t in after[:2]] == [t.params for t in first]  # the first two reused, not re-run
    assert [t.value for t in after[:2]] == [t.value for t in first]
    drawn = [tuple(sorted(t.params.items())) for t in after]
    assert len(set(drawn)) == 4  # the resumed sampler does not repeat the first draws
    for t in after:  # close_below's range lies below open_at's: every trial a valid policy
        assert 2.0 <= t.params["policy.cross_training.open_at"] <= 6.0
        assert 0.0 <= t.params["policy.cross_training.close_below"] <= 2.0
        assert 0 <= t.params["policy.cross_training.cooldown_min"] <= 30

    document = json.loads((sweep_dir / TUNING_JSON).read_text())
    best = min(after, key=lambda t: t.value)
    assert document["best_params"] == best.params
    assert document["search"]["objective"] == pytest.approx(best.value)
    assert document["search"]["seed_branch"] is None and document["confirmed"]["seed_branch"] == CONFIRM_BRANCH
    assert "confirmed on fresh seeds" in done.stdout

    # The best trial's value comes back exactly from the ordinary seed tree (the trials' seeds),
    # the confirmation's figures from CONFIRM_BRANCH: the same plan on other replications.
    params = best_params_scenario(best.params)
    again = {name: ci.as_dict() for name, ci in run_scenario(params).kpis().items()}
    assert objective(again, 0.8, 1e6) == pytest.approx(best.value, rel=1e-12)
    fresh = {name: ci.as_dict() for name, ci in run_scenario(params, seed_branch=CONFIRM_BRANCH).kpis().items()}
    assert fresh["total_cost"]["mean"] == pytest.approx(document["confirmed"]["total_cost"]["mean"], rel=1e-12)
    assert fresh["total_cost"]["mean"] != again["total_cost"]["mean"]
    confirmed = json.loads((sweep_dir / CONFIRMED_DIR / "summary.json").read_text())["kpis"]
    assert confirmed["total_cost"]["mean"] == pytest.approx(fresh["total_cost"]["mean"], rel=1e-12)


def best_params_scenario(best: dict):
    """The scenario of the tuning test's trial with parameters ``best``, composed in-process."""
    from hydra import compose, initialize_config_dir

    from storesim.scenarios.config import register_schema, to_params

    register_schema()
    conf = Path(__file__).resolve().parent.parent / "conf"
    overrides = ["experiment=tune_cross_training", *TINY, *(f"{key}={value}" for key, value in best.items())]
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)
    return to_params(cfg, in_sweep=True)


def test_empowerment_preset_runs_end_to_end(tmp_path):
    sweep_dir = tmp_path / "emp"
    done = tune(sweep_dir, "tune_empowerment", 3)
    study = trials(sweep_dir, "tune_empowerment")
    assert [t.state.name for t in study] == ["COMPLETE"] * 3
    assert all(math.isfinite(t.value) for t in study)
    for t in study:
        assert 0.0 <= t.params["policy.empowerment.value_limit"] <= 100.0
        assert 0.0 <= t.params["policy.empowerment.training_hours"] <= 16.0
    document = json.loads((sweep_dir / TUNING_JSON).read_text())
    assert document["confirmed"]["seed_branch"] == CONFIRM_BRANCH
    assert document["confirmed"]["replications"] == 2
    assert "best trial: policy.empowerment" in done.stdout


@pytest.mark.slow
def test_a_study_killed_midway_resumes_to_its_total(tmp_path):
    """Kill the sweep (its whole process group) once two trials have finished; the same command then
    runs only the missing trials, leaving the cut-off one as RUNNING in the study."""
    import os
    import signal

    sweep_dir = tmp_path / "killed"
    command = [*STORESIM, "-m", "experiment=tune_empowerment", "hydra.sweeper.n_trials=4", *TINY,
               f"hydra.sweep.dir={sweep_dir}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               cwd=tmp_path, start_new_session=True)
    try:
        for line in process.stdout:
            if line.startswith("storesim: job 2 "):  # trials 0 and 1 told to the study before job 2 ran
                break
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
    before = trials(sweep_dir, "tune_empowerment")
    finished = sum(t.state.name == "COMPLETE" for t in before)
    assert 2 <= finished < 4

    done = tune(sweep_dir, "tune_empowerment", 4)
    assert f"{finished} of 4 trials done, {4 - finished} to run" in done.stdout
    after = trials(sweep_dir, "tune_empowerment")
    assert sum(t.state.name == "COMPLETE" for t in after) == 4
    assert [t.params for t in after[:finished]] == [t.params for t in before[:finished]]
    assert (sweep_dir / TUNING_JSON).is_file()
