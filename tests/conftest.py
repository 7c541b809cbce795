"""Shared fixtures: compose scenarios exactly as the ``storesim`` command does."""

from __future__ import annotations

import os

import pytest
from hydra import compose, initialize_config_module

from storesim.scenarios.config import register_schema, to_params
from storesim.sim import ScenarioParams

os.environ.setdefault("MPLBACKEND", "Agg")
register_schema()


def scenario(*overrides: str) -> ScenarioParams:
    """Checked parameters for ``storesim OVERRIDES...``."""
    with initialize_config_module(config_module="storesim.conf", version_base="1.3"):
        cfg = compose(config_name="config", overrides=list(overrides))
    return to_params(cfg)


@pytest.fixture
def compose_scenario():
    return scenario
