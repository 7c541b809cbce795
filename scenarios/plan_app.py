"""The ``storesim-plan`` Hydra app: plan cashiers per hour to the service standard.

Same config tree as ``storesim`` (any scenario, preset or override), plus ``plan.*``.
Writes ``plan.csv``, ``plan_summary.json`` and ``plan.png``/``.svg`` into its run folder.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from ..sim.clock import clock_from_hours
from .app import _discard_if_empty
from .cli_errors import report_user_error
from .config import ConfigError, register_schema, to_app_config
from .schema import typed_keys, unread_keys
from .plan_outputs import write_plan
from .planner import Planner

register_schema()


def _chosen_by_the_planner(given: set[str]) -> list[str]:
    """Notes for cashier settings given to the planner (``given``: the keys typed), which chooses
    the cashiers per hour itself: they are checked like any setting (a count fits any day
    length) but not used, and it says so."""
    keys = ("staffing.cashiers", "staffing.from_profile_beta", "staffing.roster")
    notes = [f"storesim-plan: note: {key} is not used: the planner chooses the cashiers per hour itself "
             "(a first cut from Erlang A with the store's patience, corrected by simulation)"
             for key in keys if key in given]
    if "run.replications" in given:
        notes.append("storesim-plan: note: run.replications is not used: each candidate plan runs "
                     "plan.replications replications, and the confirmation plan.confirm_replications")
    return notes


def _untyped_cashiers_as_a_count(cfg: DictConfig, given: set[str]) -> None:
    """The planner chooses the cashiers itself: a preset's hourly cashiers that the user did not
    type (``given``: the keys typed) become their largest count, so that a day of another
    length (``run.horizon_min``) is not refused for a list the planner would replace anyway."""
    from omegaconf import OmegaConf

    cashiers = cfg.get("staffing", {}).get("cashiers")
    if "staffing.cashiers" not in given and OmegaConf.is_list(cashiers) and len(cashiers):
        cfg.staffing.cashiers = max(int(c) for c in cashiers)


def _evaluation_log(most: int):
    """Each candidate plan's line on stderr, counted against ``plan.max_evaluations`` with the
    time so far (a search has no fixed length, so no time left is promised); silent with
    ``STORESIM_QUIET=1``."""
    import os
    import time

    started, count = time.monotonic(), [0]

    def log(line: str) -> None:
        count[0] += 1
        if os.environ.get("STORESIM_QUIET") != "1":
            elapsed = time.monotonic() - started
            print(f"[{count[0]}/{most} plans at most, {elapsed:.0f} s] {line}", file=sys.stderr, flush=True)

    return log


@hydra.main(version_base="1.3", config_path="../conf", config_name="plan")
def plan_app(cfg: DictConfig) -> None:
    """Search for the plan, then write and print it."""
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    typed = list(HydraConfig.get().overrides.task)
    try:
        _untyped_cashiers_as_a_count(cfg, typed_keys(typed))
        app = to_app_config(cfg)
        refused = unread_keys(app, "storesim-plan", typed) + app.plan.planner_problems(app.standards)
        if refused:
            raise ConfigError("\n".join(refused))
    except ConfigError as error:
        _discard_if_empty(out_dir)
        report_user_error(error, "storesim-plan")
    params = app.scenario_params()
    for note in _chosen_by_the_planner(typed_keys(typed)):
        print(note, file=sys.stderr)
    plan = Planner(params, app.plan, progress=_evaluation_log(app.plan.max_evaluations)).run()
    files, lines = write_plan(out_dir, plan, params.store.open_hour)
    confirm_replications = app.plan.confirm_replications or app.plan.replications
    print(f"storesim-plan: {params.scenario}, {plan.evaluations} plans simulated, "
          f"{app.plan.replications} replications each; the final plan checked on {confirm_replications} "
          f"fresh replications ({len(plan.confirmations)} round{'s' if len(plan.confirmations) > 1 else ''})")
    print(f"{'hour':>5} {'arrivals':>9} {'first cut':>10} {'final':>6}   service level on the fresh replications")
    for h, (rate, cut, final, ci, meets) in enumerate(zip(plan.arrivals_per_hour, plan.first_cut.cashiers,
                                                          plan.final.cashiers, plan.confirmed.hourly_service_level,
                                                          plan.confirmed.meets)):
        clock = clock_from_hours(params.store.open_hour + h)
        if ci.n == 0:
            level = "  no arrivals"
        else:
            bound = "" if math.isnan(ci.ci_low) else f" (lower bound {ci.ci_low:.1%})"
            level = f"{ci.mean:6.1%}{bound}{'' if meets else '  misses'}"
        print(f"{clock:>5} {rate:>9.0f} {cut:>10} {final:>6}   {level}")
    for line in lines:
        print(line)
    print(f"outputs: {out_dir}")
