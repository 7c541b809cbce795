"""Selecting the best plan with a stated confidence: Kim and Nelson's fully sequential KN
procedure, and a feasibility check of a constraint on another KPI.

KN (S.-H. Kim and B. L. Nelson, "A fully sequential procedure for indifference-zone
selection in simulation", ACM TOMACS 11(3), 2001) compares ``k`` plans whose replication
``r`` may share random numbers (common random numbers: replication ``r`` of every plan sees
the same customers). With an indifference zone ``delta`` (in the objective's units) and a
confidence ``1 - alpha``, it guarantees: when the best plan's true mean is better than every
other plan's by at least ``delta``, the plan it selects is the best with probability at least
``1 - alpha``. Its assumptions: each plan's replications are independent and identically
normally distributed (a replication's KPI is a day's average, so the assumption is
approximate; the same assumption as every t interval in these tables), plans may be
correlated replication by replication.

The procedure:

1. First stage: ``n0`` replications of every plan; ``S2[i, l]`` is the sample variance of the
   differences ``X[i, r] - X[l, r]`` over them; ``eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1))
   - 1) / 2`` and ``h2 = 2 eta (n0 - 1)``.
2. After ``r`` replications, a plan ``i`` still in is eliminated when some other plan ``l``
   still in is better on average by more than ``W[i, l](r) = max(0, delta / (2 r) *
   (h2 S2[i, l] / delta ** 2 - r))``: a band that narrows as ``r`` grows and is zero from
   ``r >= h2 S2[i, l] / delta ** 2`` on.
3. If one plan is left it is the best; else one more replication of each plan still in, and
   back to 2.

So the procedure needs at most ``ceil(h2 S2[i, l] / delta ** 2)`` replications to settle the pair
``(i, l)``. The plans still in when a cap on replications is reached cannot be told apart at
that cap: the best is eliminated only with probability at most ``alpha`` (when it is better
than the rest by ``delta``), so it is among them with at least that confidence.

:func:`kn_select` replays the procedure on the replications there are and says where it
stopped and how many more each plan still in may need, so the caller can add replications in
stages of any size and reach the same decision as one replication at a time (a plan eliminated
mid-stage keeps its extra replications, which the decision does not use). It knows nothing of
how replications are run.

:func:`feasibility` checks ``KPI OP bound`` for each plan with one-sided t bounds, Bonferroni
over the plans, so that every "meets" and "misses" it states is right with the stated joint
confidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .stats import t_interval

SENSES = ("min", "max")
MEETS, MISSES, UNCLEAR = "meets", "misses", "unclear"
"""A plan's standing against a constraint: shown to meet it, shown to miss it, or neither."""


def kn_constants(plans: int, first_stage: int, alpha: float) -> tuple[float, float]:
    """KN's ``eta`` and ``h2`` for ``plans`` plans (at least 2), ``first_stage`` replications
    (at least 2) and error probability ``alpha`` in (0, 1) with ``2 alpha / (plans - 1) < 1``.
    Raises ValueError otherwise."""
    if plans < 2 or first_stage < 2:
        raise ValueError(f"KN needs at least 2 plans and 2 first-stage replications, got {plans} and {first_stage}")
    if not 0 < 2 * alpha / (plans - 1) < 1:
        raise ValueError(f"KN needs 0 < 2 alpha / (plans - 1) < 1, got alpha {alpha} with {plans} plans")
    return _fabian(alpha / (plans - 1), first_stage)


def _fabian(error: float, first_stage: int) -> tuple[float, float]:
    """``eta`` and ``h2`` of Fabian's triangular region that decides one comparison wrongly with
    probability at most ``error`` after ``first_stage`` replications: ``eta = ((2 error) **
    (-2 / (n0 - 1)) - 1) / 2``, ``h2 = 2 eta (n0 - 1)``."""
    eta = ((2 * error) ** (-2.0 / (first_stage - 1)) - 1) / 2
    return eta, 2 * eta * (first_stage - 1)


@dataclass(frozen=True)
class Selection:
    """Where KN stands on the replications given.

    Attributes:
        kept: indexes of the plans still in, in index order: the best alone once decided,
            else the plans that cannot be told apart yet (or at the cap, or ever: plans whose
            results are equal replication by replication).
        eliminated: plan index -> the number of replications ``r`` after which it was eliminated.
        used: plan index -> replications the decision rests on (``r`` at its elimination, or
            where the replay stopped for a plan still in).
        more: plan index still in -> further replications it may need (0: none will help,
            at the cap or tied). A plan's own count, not the same for every plan.
        have: plan index -> the replications it has (at least ``used``).
        first_stage: ``n0``; ``eta``, ``h2``: KN's constants; ``alpha``: the error probability.
    """

    kept: tuple[int, ...]
    eliminated: dict[int, int]
    used: dict[int, int]
    more: dict[int, int]
    have: dict[int, int]
    first_stage: int
    eta: float
    h2: float
    alpha: float

    @property
    def best(self) -> int | None:
        """The selected plan, once it is the only one left; else None."""
        return self.kept[0] if len(self.kept) == 1 else None

    @property
    def finished(self) -> bool:
        """Whether more replications cannot change the decision: one plan left, or none
        still in needs more (cap reached, or ties)."""
        return self.best is not None or not any(self.more.values())


def kn_select(samples: Sequence[Sequence[float]], delta: float, confidence: float, sense: str = "min",
              first_stage: int | None = None, cap: int | None = None) -> Selection:
    """Replay KN on ``samples`` (one sequence per plan; element ``r`` is replication ``r``,
    under common random numbers across plans or independent) as far as they go.

    Args:
        samples: per plan, its replications' objective values; plans may have different
            counts (those eliminated earlier have fewer). Every value must be finite.
        delta: the indifference zone, > 0, in the objective's units.
        confidence: ``1 - alpha`` in (0, 1).
        sense: ``min`` (smaller is better) or ``max``.
        first_stage: ``n0`` (default: the fewest replications any plan has); every plan must
            have at least this many.
        cap: most replications per plan (default: no cap); at least ``n0``.

    Returns:
        a :class:`Selection`. One plan alone is selected at once.

    Raises:
        ValueError: on a non-finite value, ``delta <= 0``, a bad sense or confidence, fewer
            than 2 replications in the first stage, a plan with fewer than ``n0``.
    """
    if sense not in SENSES:
        raise ValueError(f"sense must be one of {SENSES}, got {sense!r}")
    if not delta > 0 or not math.isfinite(delta):
        raise ValueError(f"delta must be a positive number, got {delta!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    data = [np.asarray(s, dtype=float) * (1.0 if sense == "max" else -1.0) for s in samples]
    if any(not np.all(np.isfinite(d)) for d in data):
        raise ValueError("every replication's value must be finite")
    k = len(data)
    counts = [len(d) for d in data]
    n0 = min(counts) if first_stage is None else first_stage
    if k and min(counts) < n0:
        raise ValueError(f"every plan needs the {n0} first-stage replications, one has {min(counts)}")
    if cap is not None and cap < n0:
        raise ValueError(f"the cap ({cap}) must be at least the first stage ({n0})")
    alpha = 1 - confidence
    if k <= 1:
        return Selection(tuple(range(k)), {}, {i: counts[i] for i in range(k)}, {i: 0 for i in range(k)},
                         dict(enumerate(counts)), n0, 0.0, 0.0, alpha)
    eta, h2 = kn_constants(k, n0, alpha)
    first = np.stack([d[:n0] for d in data])  # (k, n0)
    diffs = first[:, None, :] - first[None, :, :]  # (k, k, n0): plan i minus plan l
    s2 = diffs.var(axis=2, ddof=1)
    settle = np.ceil(h2 * s2 / delta**2 - 1e-12).astype(np.int64)  # the r from which W[i, l] = 0
    alive = list(range(k))
    eliminated: dict[int, int] = {}
    used: dict[int, int] = {}
    r = n0
    limit = math.inf if cap is None else cap
    sums = np.array([d[:n0].sum() for d in data])
    while True:
        means = sums[alive] / r
        w = np.maximum(0.0, delta / (2 * r) * (h2 * s2[np.ix_(alive, alive)] / delta**2 - r))
        out = [i for a, i in enumerate(alive) if np.any(means[a] < means - w[a])]
        for i in out:
            eliminated[i] = used[i] = r
        alive = [i for i in alive if i not in out]
        if len(alive) == 1 or r >= limit or any(counts[i] <= r for i in alive):
            break
        sums[alive] += [data[i][r] for i in alive]
        r += 1
    more = {}
    for i in alive:
        used[i] = r
        need = max((int(settle[i, l]) for l in alive if l != i), default=0)
        more[i] = 0 if len(alive) == 1 else max(0, int(min(limit, need)) - counts[i])
    return Selection(tuple(alive), eliminated, used, more, dict(enumerate(counts)), n0, float(eta), float(h2), alpha)


def stage(selection: Selection, step: int) -> dict[int, int]:
    """Replications to add to each plan still in for the next stage: its ``more``, at most
    ``step`` (> 0), and none past ``step`` beyond where the replay stopped (a plan that already
    has more replications than the others, from an earlier check, waits for them); {} when the
    selection is finished."""
    if step < 1:
        raise ValueError(f"a stage adds at least one replication, got {step}")
    if selection.finished:
        return {}
    wanted = {i: min(step, n, selection.used[i] + step - selection.have[i]) for i, n in selection.more.items()}
    return {i: n for i, n in wanted.items() if n > 0}


@dataclass(frozen=True)
class Feasibility:
    """One plan against ``KPI OP bound``: the KPI's mean over ``n`` replications, its one-sided
    bounds at the per-plan level, and the verdict (``meets``, ``misses``, ``unclear``)."""

    verdict: str
    mean: float
    lower: float
    upper: float
    n: int


def feasibility(samples: Sequence[Sequence[float]], op: str, bound: float, confidence: float) -> list[Feasibility]:
    """Check ``KPI OP bound`` (``op`` one of ``>=``, ``>``, ``<=``, ``<``) for each plan, with
    joint confidence ``confidence`` over the plans (Bonferroni: each plan's one-sided t bound at
    ``1 - (1 - confidence) / len(samples)``).

    A plan ``meets`` when its bound on the far side clears ``bound`` (for ``>=``: the lower
    bound is at least ``bound``; for ``>`` above it), ``misses`` when the near-side bound
    fails it (for ``>=``: the upper bound is below ``bound``), else ``unclear``. With
    probability at least ``confidence`` no plan's "meets" or "misses" is wrong (each plan's
    replications i.i.d. normal: an assumption, as for every t interval here). A plan with no
    spread (every replication the same) is judged on its value. NaN values are left out.

    Raises ValueError for an unknown ``op``, a confidence outside (0, 1), or a plan with
    fewer than 2 values.
    """
    if op not in (">=", ">", "<=", "<"):
        raise ValueError(f"op must be one of >=, >, <=, <, got {op!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    level = 1 - (1 - confidence) / max(1, len(samples))
    out = []
    for sample in samples:
        ci = t_interval(sample, 2 * level - 1)  # its ends are the one-sided bounds at ``level``
        if ci.n < 2:
            raise ValueError(f"a feasibility check needs at least 2 values per plan, got {ci.n}")
        mean, lower, upper = ci.mean, ci.ci_low, ci.ci_high
        if op in (">=", ">"):
            meets, misses = (lower >= bound if op == ">=" else lower > bound), (upper < bound if op == ">=" else upper <= bound)
        else:
            meets, misses = (upper <= bound if op == "<=" else upper < bound), (lower > bound if op == "<=" else lower >= bound)
        out.append(Feasibility(MEETS if meets else MISSES if misses else UNCLEAR, mean, lower, upper, ci.n))
    return out


@dataclass(frozen=True)
class SequentialFeasibility:
    """One plan in the fully sequential feasibility check: the verdict (``meets``, ``misses``,
    ``unclear``), the KPI's mean over the replications it rests on (``used``), and how many
    more replications an ``unclear`` plan may need (0: decided, or at the cap)."""

    verdict: str
    mean: float
    used: int
    more: int


def feasibility_constant(plans: int, first_stage: int, alpha: float) -> float:
    """``h2`` of the sequential feasibility check: each of ``plans`` plans gets the error
    ``beta = alpha / plans`` (Bonferroni), and ``h2 = (n0 - 1) ((2 beta) ** (-2 / (n0 - 1)) - 1)``
    with ``n0 = first_stage`` (at least 2): KN's constant for one comparison at error ``beta``
    (Fabian's triangular region). Raises ValueError otherwise."""
    if plans < 1 or first_stage < 2 or not 0 < alpha < 1:
        raise ValueError(f"the feasibility check needs a plan, 2 first-stage replications and 0 < alpha < 1, "
                         f"got {plans}, {first_stage}, {alpha}")
    return _fabian(alpha / plans, first_stage)[1]


def feasibility_sequential(samples: Sequence[Sequence[float]], op: str, bound: float, tolerance: float,
                           confidence: float, first_stage: int | None = None,
                           cap: int | None = None) -> list[SequentialFeasibility]:
    """Check ``KPI OP bound`` for each plan with Andradóttir and Kim's fully sequential
    feasibility check (procedure F_B with one constraint: S. Andradóttir and S.-H. Kim, "Fully
    sequential procedures for comparing constrained systems via simulation", Naval Research
    Logistics 57(5), 2010), replayed on the replications there are.

    With ``Z`` the replication's margin past the bound on the wrong side (``KPI - bound`` for
    ``<=`` and ``<``, ``bound - KPI`` for ``>=`` and ``>``), ``S2`` its sample variance over
    the first ``n0`` replications and ``h2`` from :func:`feasibility_constant`: after ``r``
    replications the plan ``meets`` when the sum of its ``Z`` is at most ``-R(r)`` and
    ``misses`` when it is at least ``R(r)``, ``R(r) = max(0, h2 S2 / (2 tolerance) -
    tolerance r / 2)``; else one more replication. ``R`` is 0 from ``r >= h2 S2 /
    tolerance ** 2`` on, so a plan is decided by then. The guarantee, jointly over the plans with
    probability at least ``confidence``: every plan whose mean meets the bound with
    ``tolerance`` to spare is said to meet it, and every plan whose mean misses it by at least
    ``tolerance`` is said to miss it (plans within ``tolerance`` of the bound may get either
    verdict). The assumption, as for KN: each plan's replications i.i.d. normal. A plan with no
    spread is decided on its first stage (exactly at the bound: it meets ``>=`` and ``<=``,
    misses ``>`` and ``<``).

    Args:
        samples: per plan, its replications' KPI values in order (all finite).
        op: ``>=``, ``>``, ``<=`` or ``<``; bound: the constraint's number.
        tolerance: > 0, in the KPI's units.
        confidence: in (0, 1), joint over the plans (Bonferroni).
        first_stage: ``n0`` (default: the fewest replications any plan has), at least 2.
        cap: most replications per plan; a plan still undecided there is ``unclear``.

    Raises:
        ValueError: on a bad op, tolerance, confidence or value, or a plan with fewer than ``n0``.
    """
    if op not in (">=", ">", "<=", "<"):
        raise ValueError(f"op must be one of >=, >, <=, <, got {op!r}")
    if not tolerance > 0 or not math.isfinite(tolerance):
        raise ValueError(f"tolerance must be a positive number, got {tolerance!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    sign = 1.0 if op in ("<=", "<") else -1.0
    margins = [sign * (np.asarray(s, dtype=float) - bound) for s in samples]
    if any(not np.all(np.isfinite(z)) for z in margins):
        raise ValueError("every replication's value must be finite")
    if not margins:
        return []
    n0 = min(len(z) for z in margins) if first_stage is None else first_stage
    if min(len(z) for z in margins) < n0:
        raise ValueError(f"every plan needs the {n0} first-stage replications")
    h2 = feasibility_constant(len(margins), n0, 1 - confidence)
    limit = math.inf if cap is None else cap
    strict = op in (">", "<")
    out = []
    for z in margins:
        s2 = float(np.var(z[:n0], ddof=1))
        total, r, verdict = float(z[:n0].sum()), n0, UNCLEAR
        while True:
            reach = max(0.0, h2 * s2 / (2 * tolerance) - tolerance * r / 2)
            if total < -reach or (total == -reach and not (strict and reach == 0)):
                verdict = MEETS
            elif total >= reach:
                verdict = MISSES
            if verdict != UNCLEAR or r >= min(len(z), limit):
                break
            total += z[r]
            r += 1
        need = math.ceil(h2 * s2 / tolerance**2 - 1e-12)
        more = 0 if verdict != UNCLEAR else max(0, int(min(limit, need)) - len(z))
        out.append(SequentialFeasibility(verdict, float(sign * total / r + bound), r, more))
    return out
