"""A plan against the baseline plan, KPI by KPI: paired under common random numbers, else Welch.

Replication k of a run draws its customers from the k-th child of the run's seed, so two
runs with the same ``seed`` and ``replications`` saw the same customers, replication by
replication (common random numbers). Their difference is then a paired one, whose interval
is narrower than the unpaired (Welch) interval of two independent samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .run_folder import Job
from .stats import ConfidenceInterval, paired_difference, welch_difference


def common_random_numbers(plan: Job, baseline: Job) -> bool:
    """Whether replication k of both runs saw the same customers: same seed and replications."""
    a, b = plan.summary or {}, baseline.summary or {}
    return a.get("seed") == b.get("seed") and a.get("replications") == b.get("replications")


def difference(plan: Sequence[float], baseline: Sequence[float], paired: bool) -> ConfidenceInterval:
    """``mean(plan) − mean(baseline)`` with its 95% interval: the paired t interval of the
    per-replication differences when ``paired`` (same customers), else Welch's."""
    return paired_difference(plan, baseline) if paired else welch_difference(plan, baseline)


@dataclass(frozen=True)
class Comparison:
    """One KPI of a plan against the baseline plan.

    Attributes:
        kpi: the KPI's name in ``summary.json``.
        baseline_mean, mean: the two runs' means (from their summaries).
        paired: both runs used common random numbers.
        difference: plan minus baseline with its 95% interval, paired when ``paired``.
        welch: the unpaired (Welch) interval of the same difference, for comparison.
    """

    kpi: str
    baseline_mean: float
    mean: float
    paired: bool
    difference: ConfidenceInterval
    welch: ConfidenceInterval


def compare(plan: Job, baseline: Job, kpi: str) -> Comparison:
    """``plan`` minus ``baseline`` for KPI ``kpi``, over their replications."""
    ours, theirs = plan.per_replication(kpi), baseline.per_replication(kpi)
    crn = common_random_numbers(plan, baseline)
    welch = difference(ours, theirs, paired=False)
    return Comparison(kpi, baseline.kpi(kpi), plan.kpi(kpi), crn,
                      difference(ours, theirs, paired=True) if crn else welch, welch)
