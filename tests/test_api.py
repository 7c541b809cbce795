"""The notebook API: storesim.run / sweep / compare give pandas tables; the notebook runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import storesim

MMC = ("experiment=mmc", "arrivals.rate_per_hour=240", "run.replications=3", "run.horizon_min=300")


def test_run_gives_kpis_customers_and_timeseries_as_tables():
    r = storesim.run(*MMC, "staffing.cashiers=5")
    assert list(r.kpis.columns) == ["mean", "std", "ci_low", "ci_high"]
    k = r.kpis.dropna()  # the evening peak's KPIs are null in a 5-hour day
    assert len(k) > 30 and (k["ci_low"] <= k["mean"]).all() and (k["mean"] <= k["ci_high"]).all()
    assert r.kpi("customers_arrived") == r.per_replication["customers_arrived"].mean()
    assert isinstance(r.customers, pd.DataFrame) and set(r.customers["replication"]) == {0, 1, 2}
    assert {"bucket_start_min", "queue_len_mean"} <= set(r.timeseries.columns)
    assert r.params.store.lanes == 5


def test_sweep_expands_like_the_command_and_compare_pairs_the_plans():
    five, seven = storesim.sweep(*MMC, "staffing.cashiers=5,7")
    assert (five.params.store.lanes, seven.params.store.lanes) == (5, 7)
    change = storesim.compare(seven, five)
    assert change.loc["customers_arrived", "difference"] == 0  # the same customers under both plans
    assert change.loc["wait_mean", "difference"] < 0 and bool(change.loc["wait_mean", "paired"])


def test_a_bad_setting_raises_config_error_naming_the_key():
    with pytest.raises(storesim.ConfigError, match="store.lanes"):
        storesim.run("store.lanes=0")
    with pytest.raises(KeyError, match="not a KPI"):
        storesim.run(*MMC).kpi("happiness")


def test_the_teaching_notebook_executes(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    path = Path(__file__).parent.parent / "docs" / "notebooks" / "teaching.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum(o.output_type == "display_data" and "image/png" in o.get("data", {}) for o in outputs) == 2


@pytest.mark.parametrize("overrides,says", [
    (("~store",), "deleting a setting"),
    (("experiment=peak_staffing",), "storesim.sweep"),
    (("nosuch=1",), "nosuch"),
    ((5,), "texts"),
])
def test_run_refuses_what_the_command_refuses(overrides, says):
    with pytest.raises(storesim.ConfigError, match=says):
        storesim.run(*overrides)


def test_sweep_runs_a_preset_sweep():
    plans = storesim.sweep("experiment=peak_staffing", "run.replications=2", "output.customers=false")
    assert [p.params.staffing.cashiers for p in plans] == [6, [6] * 9 + [10, 10] + [6] * 3]
