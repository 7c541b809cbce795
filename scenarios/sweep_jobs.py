"""The jobs of a sweep as Hydra plans them, and read back from their folders at its end.

Reading one job's folder needs no Hydra (``analysis/run_folder.py``); what needs Hydra is
here. With Hydra's basic sweeper (or storesim's, which expands a sweep the same way) the
list of jobs the sweep was meant to run is known, so folders left by an earlier, different
sweep into the same directory are ignored and a job with no folder is reported as missing.
Also here: composing the jobs' configs (``JobComposer``, each distinct choice of config
groups once), checking them before any job runs, and finding the baseline job that
``sweep.baseline`` names.
"""

from __future__ import annotations

import copy
import pickle
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra.core.config_loader import ConfigLoader
from omegaconf import DictConfig, OmegaConf, open_dict

from ..analysis.run_folder import Job, job_folders, read_job
from .schema import baseline_selector
from .sweep_job import UNRECORDED, note_unrecorded

if TYPE_CHECKING:
    from hydra.core.override_parser.types import Override
    from hydra.types import HydraContext

STORESIM_SWEEPER = "hydra_plugins.storesim_sweeper.storesim_sweeper.StoresimSweeper"
_BASIC_SWEEPERS = ("hydra._internal.core_plugins.basic_sweeper.BasicSweeper", STORESIM_SWEEPER)


def register_sweeper(config: DictConfig) -> None:
    """Make storesim's sweeper known to Hydra when ``config`` uses it. Hydra's scan of the
    ``hydra_plugins`` package finds it in a regular install, not in an editable one (whose
    import hook the scan cannot list); ``Plugins.register`` is Hydra's way for that case."""
    if OmegaConf.select(config, "hydra.sweeper._target_") != STORESIM_SWEEPER:
        return
    from hydra.core.plugins import Plugins
    from hydra_plugins.storesim_sweeper.storesim_sweeper import StoresimSweeper

    plugins = Plugins.instance()
    if STORESIM_SWEEPER not in plugins.class_name_to_class:
        plugins.register(StoresimSweeper)


def planned_jobs(config: DictConfig) -> list[list[str]] | None:
    """The override list of each job the sweep runs, in job order, as Hydra's basic
    sweeper expands it; None for other sweepers or sweeps it cannot expand here."""
    sweeper = OmegaConf.select(config, "hydra.sweeper")
    if sweeper is None or sweeper.get("_target_") not in _BASIC_SWEEPERS:
        return None
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    params = [f"{key}={value}" for key, value in (sweeper.get("params") or {}).items()]
    arguments = params + list(OmegaConf.to_container(config.hydra.overrides.task, resolve=False))
    try:
        overrides = OverridesParser.create().parse_overrides(arguments)
        return BasicSweeper.split_arguments(overrides, None)[0]
    except Exception:  # e.g. glob() sweeps, which need Hydra's config loader
        return None


def check_job_configs(config: DictConfig, planned: list[list[str]]) -> None:
    """Compose and validate the sweep's jobs in the launching process, in order, until one
    passes; if none does, raise the first job's error, so a setting every job would reject
    (``+x=1``) stops the sweep before any job runs. A combination only some jobs reject is
    left to those jobs (recorded as failed, the others run). Costs one composition (tens of
    milliseconds) when the first job is valid, and that one the sweep reuses (``JobComposer``)."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from .config import ConfigError, to_params

    if not planned or not GlobalHydra.instance().is_initialized():
        return
    composer = job_composer(GlobalHydra.instance().config_loader(), config)
    first: Exception | None = None
    for overrides in planned:
        try:
            job_config = composer.job_config(overrides)
            with open_dict(job_config):
                del job_config["hydra"]
            to_params(job_config, in_sweep=True)
            return
        except (ConfigError, HydraException, OmegaConfBaseException) as error:
            first = first or error
    assert first is not None
    raise first


def collect_jobs(config: DictConfig, sweep_dir: Path) -> list[Job]:
    """Every job of the sweep, in job order."""
    found = job_folders(sweep_dir)
    planned = planned_jobs(config)
    if planned is None:
        return [read_job(num, list(ovr), folder, UNRECORDED) for (num, ovr), folder in sorted(found.items())]
    return [read_job(num, ovr, found.get((num, tuple(ovr))), UNRECORDED) for num, ovr in enumerate(planned)]


def find_baseline(selector: str | None, jobs: list[tuple[int, list[str]]]) -> int:
    """The number of the baseline job among ``(num, overrides)``; ValueError naming
    ``sweep.baseline`` when it picks no job or several."""
    wanted = baseline_selector(selector) if selector is not None else min(num for num, _ in jobs)
    if isinstance(wanted, int):
        if wanted not in {num for num, _ in jobs}:
            raise ValueError(f"sweep.baseline: no job {wanted} in this sweep of {len(jobs)} jobs")
        return wanted
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    matches = []
    for num, overrides in jobs:
        values = {o.key_or_group: o.value() for o in parser.parse_overrides(overrides)}
        if all(key in values and values[key] == value for key, value in wanted.items()):
            matches.append(num)
    if len(matches) != 1:
        picked = "no job" if not matches else f"{len(matches)} jobs ({', '.join(map(str, matches[:10]))})"
        raise ValueError(f"sweep.baseline: {selector!r} matches {picked}; name one job by its overrides or number")
    return matches[0]


# --- composing the jobs' configs ------------------------------------------------------------

class JobComposer:
    """The configs of one sweep's jobs, each as Hydra's ``load_sweep_config`` composes it, at
    the cost of one composition per distinct choice of config groups.

    Hydra composes a job from the sweep's ``hydra`` overrides and the job's own: the config
    group choices (``staffing=lean``) pick the files of the defaults list, and only then are
    the value overrides (``staffing.cashiers=6``) applied to the merged config, in order. So
    the merged config of each distinct tuple of group overrides is composed once, by Hydra,
    and a job's config is a copy of it with the job's value overrides applied by Hydra's own
    code, its ``hydra.overrides.task`` and ``hydra.job.override_dirname`` set as Hydra sets
    them. The copy is unpickled from the composition pickled once (a few milliseconds, several
    times faster than ``copy.deepcopy`` of a config; pickling is how Hydra's joblib and
    submitit launchers hand configs to their workers). Where a composition cannot be pickled
    (in a joblib worker, Hydra's plugin scan redefines the launcher's config class after the
    config store was restored with the old one), the copy is a ``copy.deepcopy``.

    Errors are Hydra's: a value override that does not fit raises the same
    ``ConfigCompositionException``. A job that overrides a ``hydra.*`` key (which may change
    where configs are searched) is composed by Hydra in full.

    Pickled (by the joblib and submitit launchers, for their workers), it takes its pickled
    compositions along, so a worker composes nothing the launching process has composed (when
    the sweeper checked the batch): a worker's job config is the launching process's. What it
    learns about override lines it keeps for the sweep's other jobs in that process
    (``_MEMOS``).
    """

    def __init__(self, loader: ConfigLoader, master: DictConfig) -> None:
        self.loader = loader
        self.master = master
        self.config_name = master.hydra.job.config_name
        self.hydra_overrides = [str(line) for line in master.hydra.overrides.hydra]
        self.token = uuid.uuid4().hex
        self._bases: dict[tuple[str, ...], bytes | DictConfig] = {}
        self._memo: dict[str, Any] = {"parsed": {}, "repo": None}  # override lines, config repository

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_bases={key: base for key, base in self._bases.items() if isinstance(base, bytes)}, _memo=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._memo = _MEMOS.setdefault(self.token, {"parsed": {}, "repo": None})

    def serves(self, master: DictConfig) -> bool:
        """Whether ``master`` composes jobs as this composer's master does: Hydra's
        ``load_sweep_config`` reads only its config name and ``hydra`` overrides."""
        return master is self.master or (master.hydra.job.config_name == self.config_name
                                          and [str(x) for x in master.hydra.overrides.hydra] == self.hydra_overrides)

    def job_config(self, overrides: Sequence[str]) -> DictConfig:
        """The config of the job with ``overrides``, equal to
        ``loader.load_sweep_config(master, overrides)``."""
        from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
        from hydra.errors import ConfigCompositionException
        from omegaconf.errors import OmegaConfBaseException

        known = [self._parse(line) for line in overrides]
        parsed = [override for override, _ in known]
        if any(o.is_hydra_override() or o.is_sweep_override() for o in parsed):
            return self.loader.load_sweep_config(self.master, list(overrides))
        groups = tuple(override.input_line for override, group in known if group)
        values = [override for override, group in known if not group]
        base = self._bases.get(groups)
        if base is None:
            base = self._bases[groups] = _pickled(self.loader.load_sweep_config(self.master, list(groups)))
        config = pickle.loads(base) if isinstance(base, bytes) else copy.deepcopy(base)
        try:
            ConfigLoaderImpl._apply_overrides_to_config(values, config)
        except OmegaConfBaseException as error:  # as Hydra's load_configuration reports it
            raise ConfigCompositionException().with_traceback(error.__traceback__) from error
        hydra = config.hydra
        hydra.overrides.task = [o.input_line for o in parsed]
        naming = hydra.job.config.override_dirname
        hydra.job.override_dirname = get_overrides_dirname(overrides=parsed, exclude_keys=naming.exclude_keys,
                                                           item_sep=naming.item_sep, kv_sep=naming.kv_sep)
        OmegaConf.copy_cache(from_config=self.master, to_config=config)
        return config

    def _parse(self, line: str) -> tuple[Override, bool]:
        """The override ``line`` parsed, and whether it picks a config group (Hydra's own test,
        ``defaults_list.Overrides``: a config group, unless the value is a dict)."""
        known = self._memo["parsed"].get(line)
        if known is None:
            from hydra.core.override_parser.overrides_parser import OverridesParser

            if self._memo["repo"] is None:  # the config repository as Hydra searches it for this sweep
                self._memo["repo"] = self.loader._parse_overrides_and_create_caching_repo(  # type: ignore[attr-defined]
                    self.config_name, self.hydra_overrides)[1]
            override = OverridesParser.create().parse_overrides([line])[0]
            group = self._memo["repo"].group_exists(override.key_or_group) and not isinstance(override.value(), dict)
            known = self._memo["parsed"][line] = (override, group)
        return known


def _pickled(config: DictConfig) -> bytes | DictConfig:
    """``config`` pickled; itself if it cannot be."""
    try:
        return pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL)
    except pickle.PicklingError:
        return config


_MEMOS: dict[str, dict[str, Any]] = {}
"""A worker process's knowledge of override lines, per sweep (``JobComposer.token``)."""

_COMPOSERS: list[JobComposer] = []  # this process's composer of the sweep under way


def job_composer(loader: ConfigLoader, master: DictConfig) -> JobComposer:
    """The composer of the sweep with ``master`` config: one per sweep, so that the check of
    its configs (``check_job_configs``), the sweeper and the launcher share compositions."""
    if _COMPOSERS and _COMPOSERS[0].loader is loader and _COMPOSERS[0].master is master:
        return _COMPOSERS[0]
    _COMPOSERS[:] = [JobComposer(loader, master)]
    return _COMPOSERS[0]


def composing_context(context: HydraContext, master: DictConfig) -> HydraContext:
    """``context`` with a config loader whose ``load_sweep_config`` composes through the
    sweep's ``JobComposer``; everything else is the original loader's."""
    from dataclasses import replace

    return replace(context, config_loader=ComposingLoader(job_composer(context.config_loader, master)))


class ComposingLoader(ConfigLoader):
    """Hydra's config loader, with each sweep job's config from a ``JobComposer``."""

    def __init__(self, composer: JobComposer) -> None:
        self.composer = composer

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
        if self.composer.serves(master_config):
            config = self.composer.job_config(sweep_overrides)
            if master_config is not self.composer.master:
                OmegaConf.copy_cache(from_config=master_config, to_config=config)
            return config
        return self.composer.loader.load_sweep_config(master_config, sweep_overrides)

    def load_configuration(self, *args: Any, **kwargs: Any) -> DictConfig:
        return self.composer.loader.load_configuration(*args, **kwargs)

    def get_search_path(self) -> Any:
        return self.composer.loader.get_search_path()

    def get_sources(self) -> Any:
        return self.composer.loader.get_sources()

    def list_groups(self, parent_name: str) -> Any:
        return self.composer.loader.list_groups(parent_name)

    def get_group_options(self, *args: Any, **kwargs: Any) -> Any:
        return self.composer.loader.get_group_options(*args, **kwargs)

    def compute_defaults_list(self, *args: Any, **kwargs: Any) -> Any:
        return self.composer.loader.compute_defaults_list(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # the loader's other attributes (its repository ...)
        if name == "composer":  # not yet set (while unpickling)
            raise AttributeError(name)
        return getattr(self.composer.loader, name)


def noting_unrecorded(launch: Callable[..., Sequence[Any]]) -> Callable[..., Sequence[Any]]:
    """A launcher's ``launch`` that also takes note of the jobs whose ``failure.json`` could
    not be written, whichever process ran them (``sweep_job.note_unrecorded``)."""

    def launch_noting(job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[Any]:
        returns = launch(job_overrides, initial_job_idx)
        note_unrecorded(returns)
        return returns

    return launch_noting
