"""Tuning a policy's parameters with Hydra's Optuna sweeper: the objective and the confirmation.

A tuning preset (``conf/experiment/tune_*.yaml``) sets ``tune.objective``; each of its jobs
(one Optuna trial) then returns :func:`objective` of its results to the sweeper, which
minimises it. Every trial runs the same ``run.seed``, so replication *k* of every trial sees
the same customers (common random numbers): trials differ by their parameters, not by luck.

:class:`TuningConfirmation`, a Hydra callback the presets register, makes the study's
``n_trials`` a total (a re-run after an interruption runs only the trials still missing: the
finished ones are in the study's storage, and the sampler's seed is moved on by their number
so that the new trials do not repeat the first ones' draws) and, once the sweep ends, simulates the best trial's
parameters again on replications of the planner's confirmation branch of the seed tree
(``planner.CONFIRM_BRANCH``), which share no stream with the trials': the best trial was
chosen on its own replications, so its figures are biased in its favour; the confirmation's
are not. It writes them to ``<sweep dir>/confirmed/`` (a run folder) and ``tuning.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

CONFIRMED_DIR = "confirmed"
TUNING_JSON = "tuning.json"
RESULTS_YAML = "optimization_results.yaml"
"""Written by the Optuna sweeper into the sweep folder: the best trial's parameters and value."""
FINISHED_STATES = ("COMPLETE", "FAIL", "PRUNED")
"""Trials that count towards ``n_trials``; a RUNNING one was cut off by an interruption."""


def objective(kpis: Mapping[str, Mapping[str, float]], service_standard: float, penalty: float) -> float:
    """Total cost with a penalty for missing the service standard, in cost units (lower is better).

    ``kpis``: KPI name -> ``{"mean", "ci_low", ...}`` as in a run's ``summary.json``. Returns
    ``total_cost`` mean + ``penalty`` x max(0, ``service_standard`` - the service level's lower 95%
    confidence limit); the mean stands in for the limit when there is none (one replication).
    A plan shown to meet the standard pays no penalty; one that misses pays in proportion, so
    the search is led back towards the feasible plans rather than told only "infeasible".
    NaN if either KPI is missing or undefined (Optuna then records the trial as failed).
    """
    cost, level = kpis.get("total_cost") or {}, kpis.get("service_level") or {}
    mean_cost, low = float(cost.get("mean", math.nan)), float(level.get("ci_low", math.nan))
    if math.isnan(low):
        low = float(level.get("mean", math.nan))
    if math.isnan(mean_cost) or math.isnan(low):
        return math.nan
    return mean_cost + penalty * max(0.0, service_standard - low)


class TrialFailed(RuntimeError):
    """A tuning job has no objective: its run failed (``failure.json`` says why)."""


def job_objective(cfg: DictConfig, out_dir: Path) -> float | None:
    """What a sweep job returns to the sweeper: None unless ``tune.objective`` is set; else
    :func:`objective` of the job's ``summary.json`` (a job reused from an earlier attempt
    counts too). Raises TrialFailed when the job has no results or an undefined objective:
    the Optuna sweeper then records the trial as failed (the presets set its
    ``max_failure_rate`` to 1, so the study goes on)."""
    tune = cfg.get("tune")
    if tune is None or tune.get("objective") is None:
        return None
    from ..analysis.run_folder import FAILURE, SUMMARY, read_json

    summary = read_json(out_dir / SUMMARY)
    if not isinstance(summary, dict):
        failure = read_json(out_dir / FAILURE)
        why = failure.get("message", "") if isinstance(failure, dict) else "no results"
        raise TrialFailed(f"the trial in {out_dir} has no results: {why}")
    value = objective(summary.get("kpis") or {}, float(cfg.standards.service_level), float(tune.penalty))
    if math.isnan(value):
        raise TrialFailed(f"the trial in {out_dir} has no total_cost or service_level")
    return value


def _finished_trials(storage: str | None, study_name: str | None) -> int:
    """How many trials of the stored study have finished (0 without storage or study)."""
    if not storage or not study_name:
        return 0
    import optuna

    try:
        study = optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:  # no such study yet
        return 0
    return sum(trial.state.name in FINISHED_STATES for trial in study.trials)


def _check_base_config(config: DictConfig) -> None:
    """Compose the sweep's config with its command-line overrides and the searched keys at their
    defaults, and stop with exit 2 and one line per problem if it is wrong: a setting every
    trial would reject (``run.horizon_min=120`` without rates for two hours) stops the study
    before any trial, not after ``n_trials`` failed ones."""
    from .cli_errors import report_user_error
    from .config import ConfigError
    from .sweep_jobs import check_job_configs

    task = [str(o) for o in OmegaConf.to_container(config.hydra.overrides.task, resolve=False)]
    try:
        check_job_configs(config, [task])
    except ConfigError as error:
        report_user_error(error)
    except Exception:  # noqa: BLE001 - e.g. a comma sweep on the command line: left to the trials
        pass


class TuningConfirmation(Callback):
    """Resume a stored study up to ``n_trials`` in all; confirm its best trial on fresh seeds."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Count the finished trials already in the study's storage and let the sweeper (built
        from this config right after) run only the rest, its sampler seeded ``seed + done``."""
        _check_base_config(config)
        sweeper = config.hydra.sweeper
        storage, name = sweeper.get("storage"), sweeper.get("study_name")
        if storage and str(storage).startswith("sqlite:///"):
            Path(str(storage)[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        done = _finished_trials(storage, name)
        total = int(sweeper.n_trials)
        if done:
            with read_write(config.hydra), open_dict(config.hydra):
                sweeper.n_trials = max(0, total - done)
                seed = OmegaConf.select(sweeper, "sampler.seed")
                if seed is not None:  # a sampler seeded as before would repeat the first trials' draws
                    sweeper.sampler.seed = int(seed) + done
            print(f"storesim: study {name} resumed from {storage}: {done} of {total} trials done, "
                  f"{max(0, total - done)} to run", flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        results = sweep_dir / RESULTS_YAML
        if not results.is_file():
            return
        best = OmegaConf.to_container(OmegaConf.load(results), resolve=True)
        if "best_params" not in best:
            return
        document = confirm_best(config, best["best_params"], float(best["best_value"]))
        print(format_confirmation(document, sweep_dir), flush=True)


def confirm_best(config: DictConfig, best_params: Mapping[str, Any], best_value: float) -> dict[str, Any]:
    """Simulate ``best_params`` (with the sweep's own overrides) on ``tune.confirm_replications``
    replications of ``CONFIRM_BRANCH``; write the run into ``<sweep dir>/confirmed/`` and the
    search's and the confirmation's figures into ``<sweep dir>/tuning.json``; return the latter."""
    from hydra.core.global_hydra import GlobalHydra

    from ..analysis.run_folder import write_atomic
    from .config import to_app_config
    from .outputs import write_outputs
    from .schema import typed_keys
    from .planner import CONFIRM_BRANCH
    from .runner import run_scenario

    task = [str(o) for o in OmegaConf.to_container(config.hydra.overrides.task, resolve=False)]
    keys = set(best_params)
    overrides = [o for o in task if not typed_keys([o]) & keys]
    overrides += [f"{key}={value}" for key, value in best_params.items()]
    job_config = GlobalHydra.instance().config_loader().load_sweep_config(config, overrides)
    with open_dict(job_config):
        del job_config["hydra"]
    app = to_app_config(job_config, in_sweep=True)
    params = app.scenario_params()
    search_replications = params.run.replications
    params.run.replications = app.tune.confirm_replications or search_replications
    result = run_scenario(params, seed_branch=CONFIRM_BRANCH)
    sweep_dir = Path(str(config.hydra.sweep.dir))
    write_outputs(sweep_dir / CONFIRMED_DIR, result)
    kpis = {name: ci.as_dict() for name, ci in result.kpis().items()}
    standard = params.standards.service_level
    level_low = kpis["service_level"]["ci_low"]
    document = {
        "study_name": str(config.hydra.sweeper.get("study_name")),
        "storage": config.hydra.sweeper.get("storage"),
        "objective": app.tune.objective,
        "penalty": app.tune.penalty,
        "service_standard": standard,
        "best_params": dict(best_params),
        "search": {"seed": params.run.seed, "seed_branch": None, "replications": search_replications,
                   "objective": best_value},
        "confirmed": {
            "seed": params.run.seed, "seed_branch": CONFIRM_BRANCH, "replications": params.run.replications,
            "objective": objective(kpis, standard, app.tune.penalty),
            "total_cost": kpis["total_cost"], "service_level": kpis["service_level"],
            "meets_standard": bool(level_low >= standard if not math.isnan(level_low)
                                   else kpis["service_level"]["mean"] >= standard),
            "folder": CONFIRMED_DIR,
        },
    }
    write_atomic(sweep_dir / TUNING_JSON, json.dumps(document, indent=1, default=_plain) + "\n")
    return document


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) else str(value)


def format_confirmation(document: Mapping[str, Any], sweep_dir: Path) -> str:
    """The lines printed after a tuning sweep: the best parameters, the search's objective and
    the confirmation's figures on fresh seeds."""
    confirmed = document["confirmed"]
    cost, level = confirmed["total_cost"], confirmed["service_level"]
    params = " ".join(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
                      for key, value in document["best_params"].items())
    verdict = "meets" if confirmed["meets_standard"] else "MISSES"
    return "\n".join([
        f"best trial: {params}",
        f"  search ({document['search']['replications']} replications, the trials' seeds): "
        f"objective {document['search']['objective']:,.0f}",
        f"  confirmed on fresh seeds (branch {confirmed['seed_branch']}, {confirmed['replications']} replications): "
        f"objective {confirmed['objective']:,.0f}, total_cost {cost['mean']:,.0f} "
        f"[{cost['ci_low']:,.0f}, {cost['ci_high']:,.0f}], service_level {level['mean']:.3f} "
        f"[{level['ci_low']:.3f}, {level['ci_high']:.3f}]: {verdict} the standard {document['service_standard']:g}",
        f"tuning: {sweep_dir / TUNING_JSON}",
    ])
