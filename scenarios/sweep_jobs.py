"""The jobs of a finished sweep, read back from their folders under ``hydra.sweep.dir``.

Hydra saves each job's overrides in ``<job>/.hydra/overrides.yaml`` and its number in
``<job>/.hydra/hydra.yaml``; the job's own files (``summary.json``, ``failure.json``,
``skipped.json``) give its status. With Hydra's basic sweeper the list of jobs the sweep
was meant to run is known too, so folders left by an earlier, different sweep into the same
directory are ignored and a job with no folder is reported as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf, open_dict

from .outputs import SUMMARY
from .schema import baseline_selector
from .sweep_job import FAILED, FAILURE, MISSING, OK, SKIP, SKIPPED, UNRECORDED, read_json

_BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Job:
    """One job of the sweep: its number, overrides, folder, status and results."""

    num: int
    overrides: list[str]
    folder: Path | None
    status: str
    summary: dict[str, Any] | None = None
    error: str = ""

    def override_values(self) -> dict[str, str]:
        """``{key: value}`` of the job's overrides, as written on the command line."""
        return dict(split_override(text) for text in self.overrides)

    def kpi(self, name: str, field: str = "mean") -> float:
        """A KPI's mean (or ``ci_low``, ``ci_high``, ``std``) from ``summary.json``; NaN if absent."""
        value = ((self.summary or {}).get("kpis", {}).get(name) or {}).get(field)
        return float("nan") if value is None else float(value)

    def per_replication(self, name: str) -> list[float]:
        """A KPI's value in each replication (NaN where it was undefined)."""
        rows = (self.summary or {}).get("per_replication", [])
        return [float("nan") if row.get(name) is None else float(row[name]) for row in rows]


def split_override(text: str) -> tuple[str, str]:
    """``"key=value"`` -> ``("key", "value")``; the key never holds ``=``."""
    key, _, value = text.partition("=")
    return key, value


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return None


def job_folders(sweep_dir: Path) -> dict[tuple[int, tuple[str, ...]], Path]:
    """Every job folder under ``sweep_dir``, keyed by (job number, overrides)."""
    found = {}
    for overrides_file in sorted(sweep_dir.rglob(".hydra/overrides.yaml")):
        folder = overrides_file.parent.parent
        overrides = _load_yaml(overrides_file)
        hydra_cfg = _load_yaml(folder / ".hydra" / "hydra.yaml")
        try:
            num = int(hydra_cfg["hydra"]["job"]["num"])
        except (TypeError, KeyError, ValueError):
            continue
        if isinstance(overrides, list):
            found[(num, tuple(str(o) for o in overrides))] = folder
    return found


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


def swept_keys(jobs: list[Job]) -> list[str]:
    """The override keys that vary from job to job (the sweep's dimensions), in order;
    every key of a one-job sweep."""
    keys: list[str] = []
    for job in jobs:
        keys.extend(k for k in job.override_values() if k not in keys)
    values = [job.override_values() for job in jobs]
    varying = [k for k in keys if len({v.get(k) for v in values}) > 1]
    return varying or (keys if len(jobs) == 1 else [])


def read_job(num: int, overrides: list[str], folder: Path | None) -> Job:
    """A job's status and results from its folder."""
    if folder is None:
        return Job(num, overrides, None, MISSING, error="no job folder")
    failure = read_json(folder / FAILURE)
    if failure is not None:
        error = f"{failure.get('error_type', 'Error')}: {failure.get('message', '')}"
        return Job(num, overrides, folder, FAILED, error=" | ".join(error.splitlines()))
    summary = read_json(folder / SUMMARY)
    if summary is None and str(folder.resolve()) in UNRECORDED:  # failed; failure.json could not be written
        return Job(num, overrides, folder, FAILED, error=UNRECORDED[str(folder.resolve())])
    if summary is None:
        return Job(num, overrides, folder, MISSING, error="no summary.json (job killed?)")
    status = SKIP if (folder / SKIPPED).exists() else OK
    return Job(num, overrides, folder, status, summary)


def collect_jobs(config: DictConfig, sweep_dir: Path) -> list[Job]:
    """Every job of the sweep, in job order."""
    found = job_folders(sweep_dir)
    planned = planned_jobs(config)
    if planned is None:
        return [read_job(num, list(ovr), folder) for (num, ovr), folder in sorted(found.items())]
    return [read_job(num, ovr, found.get((num, tuple(ovr)))) for num, ovr in enumerate(planned)]


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
