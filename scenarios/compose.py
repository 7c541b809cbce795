"""Overrides to parameters exactly as the commands compose them: the one place that does it.

``storesim OVERRIDES`` composes ``conf/config.yaml`` with Hydra and converts the result into
checked parameters; the notebook API, the tests, the benchmarks and the demos call
:func:`compose` to get the same parameters without the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig

from ..sim import ScenarioParams
from .config import register_schema, to_params


def compose_config(overrides: Sequence[str] = (), config_dir: str | Path | None = None,
                   hydra_config: bool = False) -> DictConfig:
    """The composed config of ``storesim OVERRIDES`` (``--config-dir`` as ``config_dir``).

    ``hydra_config`` keeps the ``hydra`` node (its sweeper and launcher settings). Raises
    Hydra's or OmegaConf's errors for a key, option or value that cannot be composed.
    """
    from hydra import compose as hydra_compose, initialize_config_module

    register_schema()
    extra = [f"hydra.searchpath=[file://{Path(config_dir).resolve()}]"] if config_dir is not None else []
    with initialize_config_module(config_module="storesim.conf", version_base="1.3"):
        return hydra_compose(config_name="config", overrides=[*extra, *overrides], return_hydra_config=hydra_config)


def compose(*overrides: str, config_dir: str | Path | None = None) -> ScenarioParams:
    """Checked parameters for ``storesim OVERRIDES...``; ConfigError lists every problem."""
    return to_params(compose_config(overrides, config_dir))


def sweep_jobs(overrides: Sequence[str]) -> list[list[str]]:
    """Each job's overrides for ``storesim -m OVERRIDES...``, in job order, as Hydra's basic
    sweeper expands them (a preset's own ``hydra.sweeper.params`` included)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    fixed = [o.input_line for o in parser.parse_overrides(list(overrides)) if not o.is_sweep_override()]
    preset = compose_config(fixed, hydra_config=True).hydra.sweeper.get("params") or {}
    arguments = [f"{key}={value}" for key, value in preset.items()] + list(overrides)
    return BasicSweeper.split_arguments(parser.parse_overrides(arguments), None)[0]
