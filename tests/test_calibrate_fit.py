"""The robust service fit: one wild row cannot move it, and its residual checks say when the
model is wrong (docs/calibration.md, "Service time")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from storesim.analysis.calibration.estimate import proportion_estimate
from storesim.analysis.calibration.service import fit_service
from storesim.analysis.calibration.service_regression import huber_line

FIXED, PER_ITEM, CV = 0.8, 0.06, 0.45


def _times(n: int = 4000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    items = (1 + rng.negative_binomial(2, 2 / 15, n)).astype(float)
    sigma2 = np.log1p(CV**2)
    return items, (FIXED + PER_ITEM * items) * rng.lognormal(-sigma2 / 2, np.sqrt(sigma2), n)


def test_a_year_long_transaction_does_not_move_the_line():
    items, times = _times()
    clean, _ = huber_line(items, times)
    times[0] = 365 * 24 * 60.0  # the row: once 33.5 min + 2.43 min per item
    spoiled, _ = huber_line(items, times)
    assert np.allclose(spoiled, clean, rtol=0.01), (spoiled, clean)


def test_fit_recovers_the_truth_within_its_intervals_despite_wild_rows():
    items, times = _times()
    times[:3] = [365 * 24 * 60.0, 600.0, 59.0]  # a year, ten hours, an hour
    times[3:20] += 30.0  # tills left open half an hour
    model = fit_service(items, times)
    assert model.distribution == "lognormal"
    assert model.fixed_min.covers(FIXED) and model.per_item_min.covers(PER_ITEM), model.as_dict()
    assert not model.checks.failed(), model.checks.failed()
    largest = [row["line"] for row in model.checks.largest[:3]]
    assert largest == [2, 3, 4]  # line 2 is the first data row


def test_residual_checks_flag_a_wrong_model():
    items, times = _times()
    curved = times * (1 + items / 20.0)  # time grows with the square of the basket
    problems = fit_service(items, curved).checks.failed()
    assert any("drift with basket size" in p for p in problems), problems
    rng = np.random.default_rng(4)
    spread = (FIXED + PER_ITEM * items) * rng.lognormal(0.0, 0.05 + items / 100.0)  # spread grows with items
    problems = fit_service(items, spread).checks.failed()
    assert any("spread changes with basket size" in p for p in problems), problems


def test_residual_checks_are_in_the_fit_summary():
    items, times = _times()
    report = fit_service(items, times).as_dict()
    checks = report["residual_checks"]
    assert checks["passed"] is True and checks["problems"] == []
    assert set(checks) >= {"downweighted_share", "trend_with_items", "spread_with_items", "ks_statistic",
                           "largest_ratios"}
    assert abs(checks["trend_with_items"]["value"]) < checks["trend_with_items"]["limit"]
    assert "Siegel" in report["regression"]


Z95 = 1.959963984540054
"""The standard normal's 97.5% quantile."""


@pytest.mark.parametrize("successes, n, low, high", [  # Newcombe (1998), Statistics in Medicine 17, table I
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0)])
def test_wilson_interval_of_a_share(successes, n, low, high):
    """The published values, and the defining equation: the Wilson interval's ends are the shares
    pi with n (p - pi)^2 = z^2 pi (1 - pi), p the observed share."""
    share = proportion_estimate(successes, n)
    p = successes / n
    assert share.estimate == p
    assert (round(share.ci_low, 4), round(share.ci_high, 4)) == (low, high)
    for end in (share.ci_low, share.ci_high):
        assert n * (p - end) ** 2 == pytest.approx(Z95**2 * end * (1 - end), rel=1e-12, abs=1e-12)
    assert share.ci_low < p < share.ci_high or p in (0.0, 1.0)


def test_wilson_interval_of_no_transactions_is_undefined():
    assert all(math.isnan(v) for v in (proportion_estimate(0, 0).estimate, proportion_estimate(0, 0).ci_high))
