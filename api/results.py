"""Runs as pandas tables: the notebook face of ``storesim``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from .analysis.comparison import difference
from .scenarios.config import ConfigError
from .sim.days import WEEK_COLUMNS
from .sim.records import CUSTOMER_COLUMNS
from .scenarios.runner import ScenarioResult, run_scenario
from .sim import ScenarioParams

__all__ = ["ConfigError", "Result", "compare", "run", "sweep"]


@dataclass
class Result:
    """One scenario's replications.

    Attributes:
        overrides: the overrides it was composed from.
        params: the checked parameters.
        scenario: the run itself (replications, KPIs with intervals).
    """

    overrides: tuple[str, ...]
    params: ScenarioParams
    scenario: ScenarioResult = field(repr=False)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """One row per KPI (the index): ``mean``, ``std``, ``ci_low``, ``ci_high`` (95%, clipped
        to the KPI's domain)."""
        rows = {name: ci.as_dict() for name, ci in self.scenario.kpis().items()}
        return pd.DataFrame.from_dict(rows, orient="index")[["mean", "std", "ci_low", "ci_high"]]

    @cached_property
    def per_replication(self) -> pd.DataFrame:
        """One row per replication, one column per KPI."""
        return pd.DataFrame([r.kpis for r in self.scenario.replications]).rename_axis("replication")

    @cached_property
    def customers(self) -> pd.DataFrame:
        """One row per customer and replication (``customers.csv``); empty when
        ``output.customers=false``."""
        frames = [pd.DataFrame({name: rep.customers[name] for name in CUSTOMER_COLUMNS}).assign(replication=k)
                  for k, rep in enumerate(self.scenario.replications) if rep.customers is not None]
        if not frames:
            return pd.DataFrame(columns=["replication", *CUSTOMER_COLUMNS])
        table = pd.concat(frames, ignore_index=True)
        return table[["replication", *CUSTOMER_COLUMNS]]

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """One row per time bucket and replication (``timeseries.csv``)."""
        frames = [pd.DataFrame(rep.timeseries).assign(replication=k)
                  for k, rep in enumerate(self.scenario.replications)]
        table = pd.concat(frames, ignore_index=True)
        return table[["replication", *[c for c in table.columns if c != "replication"]]]

    @cached_property
    def weeks(self) -> pd.DataFrame:
        """One row per week and replication of a run of several days (``weeks.csv``, ``run.days``
        > 1); empty for a single day."""
        frames = [pd.DataFrame(rep.weeks).assign(replication=k)
                  for k, rep in enumerate(self.scenario.replications) if rep.weeks is not None]
        if not frames:
            return pd.DataFrame(columns=["replication", *WEEK_COLUMNS])
        return pd.concat(frames, ignore_index=True)[["replication", *WEEK_COLUMNS]]

    def kpi(self, name: str) -> float:
        """A KPI's mean over replications (KeyError naming the KPIs there are)."""
        if name not in self.kpis.index:
            raise KeyError(f"{name!r} is not a KPI of this run; there are {', '.join(self.kpis.index)}")
        return float(self.kpis.loc[name, "mean"])

    def __repr__(self) -> str:
        shown = " ".join(self.overrides) or "the default day"
        return f"<storesim.Result {shown}: {self.params.run.replications} replications>"


def _checked(overrides: tuple[str, ...], job_of_a_sweep: bool = False) -> ScenarioParams:
    """The parameters of ``storesim OVERRIDES`` with the command's own refusals: text overrides
    only, no ``~key``, no sweep (a preset's or a comma list: use :func:`sweep`), and every Hydra
    or OmegaConf error as a ConfigError."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from .scenarios.cli import refuse_deletions
    from .scenarios.cli_errors import describe
    from .scenarios.compose import compose_config
    from .scenarios.config import to_params

    bad = [o for o in overrides if not isinstance(o, str)]
    if bad:
        raise ConfigError(f"overrides must be texts such as 'staffing.cashiers=5', got {bad[0]!r}")
    refuse_deletions(list(overrides))
    try:
        swept = compose_config(overrides, hydra_config=True).hydra.sweeper.get("params") or {}
        config = compose_config(overrides)
    except (HydraException, OmegaConfBaseException) as error:
        raise ConfigError("\n".join(describe(error))) from None
    if swept and not job_of_a_sweep:
        raise ConfigError(f"this is a sweep ({', '.join(f'{k} over {v}' for k, v in swept.items())}); "
                          "use storesim.sweep(...) for its plans")
    return to_params(config)


def run(*overrides: str) -> Result:
    """Simulate ``storesim OVERRIDES...`` and return its replications as tables.

    Raises ConfigError (one ``key: problem`` line each) before any simulation, for what the
    command refuses too (``~key``, a sweep preset, an unknown key).
    """
    params = _checked(overrides)
    return Result(tuple(overrides), params, run_scenario(params))


def sweep(*overrides: str) -> list[Result]:
    """One :class:`Result` per plan of a sweep, as ``storesim -m OVERRIDES...`` expands it
    (``a=1,2 b=x,y`` gives four plans, a preset's own sweep included), in job order."""
    from .scenarios.compose import sweep_jobs

    jobs = sweep_jobs(overrides)
    return [Result(tuple(job), params, run_scenario(params))
            for job in jobs for params in [_checked(tuple(job), job_of_a_sweep=True)]]


def compare(plan: Result, baseline: Result) -> pd.DataFrame:
    """Each KPI of ``plan`` minus ``baseline``: one row per KPI with ``baseline``, ``plan``,
    ``difference``, ``ci_low``, ``ci_high`` (95%) and ``paired``.

    Paired (replication k against replication k) when both used the same seed and number of
    replications, so both saw the same customers; Welch's interval otherwise.
    """
    paired = (plan.params.run.seed == baseline.params.run.seed
              and plan.params.run.replications == baseline.params.run.replications)
    rows = {}
    for name in baseline.kpis.index.intersection(plan.kpis.index):
        a, b = plan.per_replication[name].tolist(), baseline.per_replication[name].tolist()
        if any(math.isnan(v) for v in a + b):
            continue
        diff = difference(a, b, paired)
        rows[name] = {"baseline": float(sum(b) / len(b)), "plan": float(sum(a) / len(a)),
                      "difference": diff.mean, "ci_low": diff.ci_low, "ci_high": diff.ci_high, "paired": paired}
    return pd.DataFrame.from_dict(rows, orient="index")
