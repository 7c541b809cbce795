"""``hydra/sweeper: storesim``: Hydra's basic sweeper, composing each job's config cheaply.

Hydra's basic sweeper composes every job's config to check the batch before launching it
(``validate_batch_is_legal``), and the launcher composes it again to run the job: two full
compositions (config files, defaults list, merges; tens of milliseconds each) per job, in
the launching process for the basic launcher. This sweeper expands and runs a sweep exactly
as the basic one does (same jobs, same order, same ``params`` and ``max_batch_size``) but
hands the sweeper's checks and the launcher a config loader that composes each distinct
choice of config groups once and applies each job's value overrides to a copy
(``storesim.scenarios.sweep_jobs.JobComposer``). Every launcher (basic, joblib, submitit)
takes it as it is: it is the config loader they already call.

Hydra instantiates plugins only from the ``hydra_plugins`` namespace package, so this
module lives there and stays small; storesim is imported when a sweep starts, not when Hydra
scans its plugins. Its settings are ``conf/hydra/sweeper/storesim.yaml``. Hydra's scan of
``hydra_plugins`` finds it in a regular install; an editable one hides it from the scan, so
storesim registers it before the sweep starts (``sweep_jobs.register_sweeper``).
"""

from __future__ import annotations

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class StoresimSweeper(BasicSweeper):
    """Hydra's ``BasicSweeper`` whose checks and launcher compose through a ``JobComposer``."""

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        from storesim.scenarios.sweep_jobs import composing_context, noting_unrecorded

        super().setup(hydra_context=composing_context(hydra_context, config), task_function=task_function,
                      config=config)
        self.launcher.launch = noting_unrecorded(self.launcher.launch)
