"""The jobs of a sweep as Hydra plans them, and read back from their folders at its end.

Reading one job's folder needs no Hydra (``analysis/run_folder.py``); what needs Hydra is
here. With Hydra's basic sweeper the list of jobs the sweep was meant to run is known, so
folders left by an earlier, different sweep into the same directory are ignored and a job
with no folder is reported as missing. Also here: checking the jobs' configs before any
job runs, and finding the baseline job that ``sweep.baseline`` names.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

from ..analysis.run_folder import Job, job_folders, read_job
from .schema import baseline_selector
from .sweep_job import UNRECORDED

_BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


def planned_jobs(config: DictConfig) -> list[list[str]] | None:
    """The override list of each job the sweep runs, in job order, as Hydra's basic
    sweeper expands it; None for other sweepers or sweeps it cannot expand here."""
    sweeper = OmegaConf.select(config, "hydra.sweeper")
    if sweeper is None or sweeper.get("_target_") != _BASIC_SWEEPER:
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
    milliseconds) when the first job is valid."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from .config import ConfigError, to_params

    if not planned or not GlobalHydra.instance().is_initialized():
        return
    loader = GlobalHydra.instance().config_loader()
    first: Exception | None = None
    for overrides in planned:
        try:
            job_config = loader.load_sweep_config(config, list(overrides))
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
