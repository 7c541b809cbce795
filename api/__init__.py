"""storesim from Python (a notebook, a script): run scenarios, sweep plans, compare two.

    import storesim
    r = storesim.run("experiment=mmc", "staffing.cashiers=5")
    r.kpis                      # DataFrame: one row per KPI, columns mean, std, ci_low, ci_high
    r.customers, r.timeseries   # DataFrames, one row per customer / time bucket and replication
    storesim.run("run.days=91").weeks   # one row per week and replication (a quarter of households)
    plans = storesim.sweep("experiment=mmc", "staffing.cashiers=5,6,7")
    storesim.compare(plans[0], plans[1])   # paired differences (same customers in both)

The arguments are the command line's overrides, composed exactly as ``storesim`` composes
them; a wrong setting raises ``storesim.ConfigError`` listing every problem. Nothing is
written to disk.
"""

from __future__ import annotations

__all__ = ["ConfigError", "Result", "compare", "run", "sweep"]


def __getattr__(name: str):
    """Load the API on first use, so that ``import storesim.sim`` (or ``storesim.analysis``)
    does not bring in Hydra, pandas and the application."""
    if name in __all__:
        from . import results

        return getattr(results, name)
    raise AttributeError(f"module 'storesim' has no attribute {name!r}")
