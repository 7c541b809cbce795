"""``experiment=mmc`` agrees with Erlang C, and with reneging on, with Erlang A (exponential
patience) or M/M/c+G (lognormal patience, the model's default).

Each check asks that the theoretical value lie inside the confidence interval over
replications. Several checks share one error budget: each interval has level
1 - 0.05/k for k checks (Bonferroni), so the whole file is a 95% statement.
"""

from __future__ import annotations

import pytest

from storesim.analysis.theory import erlang_a_general_metrics, erlang_a_metrics, mmc_metrics, patience_distribution
from storesim.scenarios.runner import run_scenario
from storesim.analysis.stats import t_interval

from .conftest import scenario

# (servers, load) up to 0.95; service mean 1 minute, so the arrival rate is c * load per minute.
ERLANG_C_CASES = [(1, 0.5), (2, 0.8), (5, 0.9), (10, 0.95)]
# (servers, load, mean patience in minutes); Erlang A copes with overload too.
ERLANG_A_CASES = [(3, 0.9, 4.0), (10, 0.95, 10.0), (4, 1.2, 3.0)]
# (servers, load, mean patience, its cv) with lognormal patience.
GENERAL_CASES = [(4, 1.1, 3.0, 0.6)]
KPIS = ("wait_mean", "service_level", "abandon_rate")
CHECKS = len(ERLANG_C_CASES) * 2 + len(ERLANG_A_CASES) * 3 + len(GENERAL_CASES) * 3
LEVEL = 1 - 0.05 / CHECKS


def simulate(servers: int, load: float, *extra: str, horizon: float = 3000, reps: int = 20):
    rate_per_hour = servers * load * 60
    params = scenario("experiment=mmc", f"staffing.cashiers={servers}", f"store.lanes={servers}",
                      f"arrivals.rate_per_hour={rate_per_hour}", "service.mean_min=1.0",
                      f"run.horizon_min={horizon}", "run.warmup_min=300", f"run.replications={reps}",
                      "run.jobs=2", "output.customers=false", *extra)
    result = run_scenario(params)
    return {name: t_interval(result.kpi_values(name), LEVEL) for name in KPIS}


@pytest.mark.parametrize("servers,load", ERLANG_C_CASES)
def test_mmc_agrees_with_erlang_c(servers, load):
    theory = mmc_metrics(servers * load, 1.0, servers, target_wait=3.0)
    sim = simulate(servers, load, horizon=6000 if load >= 0.9 else 3000)
    assert sim["wait_mean"].ci_low <= theory.wait_mean <= sim["wait_mean"].ci_high, (sim["wait_mean"], theory)
    assert sim["service_level"].ci_low <= theory.service_level <= sim["service_level"].ci_high, (
        sim["service_level"], theory)
    assert sim["abandon_rate"].mean == 0.0


@pytest.mark.parametrize("servers,load,patience", ERLANG_A_CASES)
def test_mmc_with_reneging_agrees_with_erlang_a(servers, load, patience):
    theory = erlang_a_metrics(servers * load, 1.0, servers, 1.0 / patience, target_wait=3.0)
    sim = simulate(servers, load, "abandonment.reneging=true", f"abandonment.patience_mean_min={patience}")
    expected = {"wait_mean": theory.wait_mean_served, "service_level": theory.service_level,
                "abandon_rate": theory.abandon_prob}
    for name, value in expected.items():
        assert sim[name].ci_low <= value <= sim[name].ci_high, (name, sim[name], value)


@pytest.mark.parametrize("servers,load,patience,cv", GENERAL_CASES)
def test_mmc_with_lognormal_reneging_agrees_with_mmcg(servers, load, patience, cv):
    theory = erlang_a_general_metrics(servers * load, 1.0, servers, patience_distribution("lognormal", patience, cv),
                                      target_wait=3.0)
    sim = simulate(servers, load, "abandonment.reneging=true", "abandonment.patience_distribution=lognormal",
                   f"abandonment.patience_mean_min={patience}", f"abandonment.patience_cv={cv}")
    expected = {"wait_mean": theory.wait_mean_served, "service_level": theory.service_level,
                "abandon_rate": theory.abandon_prob}
    for name, value in expected.items():
        assert sim[name].ci_low <= value <= sim[name].ci_high, (name, sim[name], value)
