"""From Hydra's composed config to validated model parameters.

The schema is the model's own parameter dataclasses (``sim/params.py``), registered with
Hydra's ConfigStore so that a misspelt key or a wrong type fails while composing. Value
checks run once, here, before any simulation, and report every problem at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..sim.params import ScenarioParams

SCHEMA_NAME = "storesim_schema"


class ConfigError(ValueError):
    """A user's configuration is wrong; the message has one ``key: problem`` line each."""


def register_schema() -> None:
    """Make the parameter dataclasses Hydra's schema for ``conf/config.yaml``."""
    ConfigStore.instance().store(name=SCHEMA_NAME, node=ScenarioParams)


def to_params(cfg: DictConfig) -> ScenarioParams:
    """Convert the composed config into checked parameters, or raise ConfigError."""
    # Re-merging onto the schema also catches keys added with a leading ``+``.
    try:
        plain = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
        params = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(ScenarioParams), plain))
    except OmegaConfBaseException as error:
        from .cli_errors import describe

        raise ConfigError("\n".join(describe(error))) from None
    problems = params.problems()
    if problems:
        raise ConfigError("\n".join(problems))
    return params


def params_dict(params: ScenarioParams) -> dict[str, Any]:
    """The parameters as plain data (JSON-ready)."""
    return dataclasses.asdict(params)


def config_hash(params: ScenarioParams) -> str:
    """Fingerprint of everything that determines results (not ``run.jobs``)."""
    data = params_dict(params)
    data["run"].pop("jobs", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
