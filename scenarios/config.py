"""From Hydra's composed config to validated model parameters.

The schema is the model's own parameter dataclasses (``sim/params/``, one module per top-level
key) plus the app's own keys (``scenarios/schema.py``: ``sweep.*``, ``plan.*``), registered with
Hydra's ConfigStore so that a misspelt key or a wrong type fails while composing. Value checks
run once, here, before any simulation, and report every problem at once (``AppConfig.problems``;
the runner does not check the same values again, see ``sim/validation.py``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any, TypeVar

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..analysis.run_folder import PARQUET, parquet_missing
from ..sim.checks import Problems
from ..sim.params import ScenarioParams
from .schema import AppConfig, SweepParams, unread_keys

SCHEMA_NAME = "storesim_schema"
T = TypeVar("T")


class ConfigError(ValueError):
    """A user's configuration is wrong; the message has one ``key: problem`` line each."""


def register_schema() -> None:
    """Make the app's config dataclasses Hydra's schema for ``conf/config.yaml``, and register
    the resolvers presets may use (``${most:${staffing.cashiers}}``: the largest count)."""
    ConfigStore.instance().store(name=SCHEMA_NAME, node=AppConfig)
    if not OmegaConf.has_resolver("most"):
        OmegaConf.register_new_resolver("most", _most)


def _most(counts: Any) -> Any:
    """The largest of a count or a list of counts, at least 1 (a lane count: a bad count is left for
    the count's own check to name)."""
    values = list(counts) if isinstance(counts, ListConfig) else [counts]
    whole = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return max([1, *whole])


def _only_schema_keys(node: Any) -> bool:
    """Whether every key of a composed, typed config belongs to its dataclass (``+key`` adds others)."""
    if not isinstance(node, (DictConfig, ListConfig)) or node._is_none() or node._is_missing():
        return True
    if isinstance(node, ListConfig):
        return all(_only_schema_keys(node._get_node(k)) for k in range(len(node)))
    kind = OmegaConf.get_type(node)
    if not dataclasses.is_dataclass(kind):
        return False
    names = {f.name for f in dataclasses.fields(kind)}
    return all(key in names and _only_schema_keys(node._get_node(key)) for key in node.keys())


def _to_object(schema: type[T], node: Any) -> T:
    """``node`` merged onto ``schema`` as a dataclass instance, or ConfigError."""
    if isinstance(node, DictConfig) and OmegaConf.get_type(node) is schema and _only_schema_keys(node):
        try:  # already composed against the schema: convert directly (re-merging costs 0.1 s a job)
            return OmegaConf.to_object(node)
        except OmegaConfBaseException:
            pass  # the slow path below explains the problem
    # Re-merging onto the schema also catches keys added with a leading ``+``.
    try:
        plain = OmegaConf.create(OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node)
        return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(schema), plain))
    except OmegaConfBaseException as error:
        from .cli_errors import describe

        raise ConfigError("\n".join(describe(error))) from None


def _raise_problems(problems: list[str]) -> None:
    if problems:
        raise ConfigError("\n".join(problems))


def to_app_config(cfg: DictConfig, in_sweep: bool = False) -> AppConfig:
    """Convert the composed config into checked app settings, or raise ConfigError.

    ``output.customers`` left null becomes true for a single run and false for a sweep's job
    (``in_sweep``): records for the run you look at, none for hundreds of plans; typed true
    with ``run.days`` > 1, where no records are kept, it is refused.
    ``output.format=parquet`` needs pyarrow where the run writes its files: without it, a
    ConfigError saying how to install it. A sweep's job refuses the app keys a sweep does not
    read (``schema.unread_keys``); the other commands check theirs themselves."""
    app = _to_object(AppConfig, cfg)
    typed_customers = app.output.customers  # null unless typed (conf/config.yaml)
    if app.output.customers is None:
        app.output.customers = not in_sweep
    problems = app.problems()
    if typed_customers and isinstance(app.run.days, int) and app.run.days > 1 and not any(
            line.startswith("run.days") for line in problems):
        problems.append("output.customers: per-customer records and the staff timeline are not kept over several "
                        "days (run.days > 1; weeks.csv holds the weeks): leave output.customers out, got True")
    if in_sweep:
        problems += unread_keys(app, "storesim -m")
    if app.output.format == PARQUET:
        why = parquet_missing()
        problems += [f"output.format: {why} (or write CSV: output.format=csv)"] if why else []
    _raise_problems(problems)
    return app


def to_sweep_params(cfg: DictConfig) -> SweepParams:
    """Only the checked ``sweep.*`` settings (a sweep's base config need not be a valid
    scenario by itself: the swept overrides complete it)."""
    sweep = _to_object(SweepParams, cfg.get("sweep") or {})
    problems = Problems()
    problems.within_ranges(sweep, "sweep")
    sweep.problems(problems)
    _raise_problems(problems)
    return sweep


def to_params(cfg: DictConfig, in_sweep: bool = False) -> ScenarioParams:
    """Convert the composed config into the model's checked parameters (no ``sweep``);
    ``in_sweep``: for a job of ``storesim -m`` (see :func:`to_app_config`)."""
    return to_app_config(cfg, in_sweep).scenario_params()


def params_dict(params: ScenarioParams) -> dict[str, Any]:
    """The parameters as plain data (JSON-ready)."""
    return dataclasses.asdict(params)


def config_hash(params: ScenarioParams) -> str:
    """Fingerprint of everything that determines results (not ``run.jobs``)."""
    data = params_dict(params)
    data["run"].pop("jobs", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
