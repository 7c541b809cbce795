"""Shared fixtures: compose scenarios exactly as the ``storesim`` command does."""

from __future__ import annotations

import os

import pytest
from storesim.scenarios.compose import compose

os.environ.setdefault("MPLBACKEND", "Agg")

scenario = compose
"""Checked parameters for ``storesim OVERRIDES...``, as the command composes them."""


@pytest.fixture
def compose_scenario():
    return scenario
