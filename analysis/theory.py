"""Queueing-theory formulas used to validate the simulation.

Times are in minutes, rates per minute. Symbols: arrival rate λ, service rate μ
per server, ``c`` servers, patience rate θ (1 / mean patience), offered load
a = λ/μ. Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..sim import staffing_rule

#: Largest birth–death chain (number of states) Erlang A will build before giving up.
MAX_CHAIN_STATES = 5_000_000


# --------------------------------------------------------------------------- checks


def _finite(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _positive(name: str, value: float) -> float:
    value = _finite(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def _non_negative(name: str, value: float) -> float:
    value = _finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _server_count(servers: int) -> int:
    if isinstance(servers, bool):
        raise ValueError("servers must be an integer >= 1, got a bool")
    try:
        count = operator.index(servers)
    except TypeError:
        raise ValueError(f"servers must be an integer >= 1, got {servers!r}") from None
    if count < 1:
        raise ValueError(f"servers must be >= 1, got {count}")
    return count


# --------------------------------------------------------------------------- Erlang C


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of M/M/c/c (Erlang B), by the stable recursion
    B(k) = a·B(k−1) / (k + a·B(k−1)), B(0) = 1."""
    c = _server_count(servers)
    a = _non_negative("offered_load", offered_load)
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = a * blocking / (k + a * blocking)
    return blocking


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an M/M/c arrival has to wait (Erlang C).

    Converted from Erlang B, C = c·B / (c − a·(1 − B)), which stays accurate for
    hundreds of servers. Raises ValueError unless 0 <= a < c.
    """
    c = _server_count(servers)
    a = _non_negative("offered_load", offered_load)
    if a >= c:
        raise ValueError(f"unstable queue: offered load {a} >= servers {c}")
    blocking = erlang_b(c, a)
    return c * blocking / (c - a * (1.0 - blocking))


@dataclass(frozen=True)
class MMcMetrics:
    """Steady-state M/M/c (Erlang C) metrics; waits are over all customers."""

    arrival_rate: float
    service_rate: float
    servers: int
    target_wait: float
    utilization: float
    prob_wait: float
    wait_mean: float
    service_level: float
    queue_len_mean: float
    time_in_system_mean: float

    def prob_wait_within(self, t: float) -> float:
        """P(Wq <= t) = 1 − C·exp(−(cμ − λ)·t) for the Erlang C waiting time."""
        t = _non_negative("t", t)
        drain = self.servers * self.service_rate - self.arrival_rate
        return 1.0 - self.prob_wait * math.exp(-drain * t)


def mmc_metrics(
    arrival_rate: float, service_rate: float, servers: int, target_wait: float = 3.0
) -> MMcMetrics:
    """Erlang C metrics of M/M/c: Wq mean C/(cμ−λ), Lq = λ·Wq, service level at target_wait.

    Raises ValueError for non-positive rates, servers < 1 or λ >= cμ.
    """
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    c = _server_count(servers)
    target = _non_negative("target_wait", target_wait)
    prob_wait = erlang_c(c, lam / mu)
    drain = c * mu - lam
    wait_mean = prob_wait / drain
    return MMcMetrics(
        arrival_rate=lam,
        service_rate=mu,
        servers=c,
        target_wait=target,
        utilization=lam / (c * mu),
        prob_wait=prob_wait,
        wait_mean=wait_mean,
        service_level=1.0 - prob_wait * math.exp(-drain * target),
        queue_len_mean=lam * wait_mean,
        time_in_system_mean=wait_mean + 1.0 / mu,
    )


def littles_law_queue_len(arrival_rate: float, wait_mean: float) -> float:
    """Little's law L = λ·W (mean number waiting from the mean wait)."""
    return _non_negative("arrival_rate", arrival_rate) * _non_negative("wait_mean", wait_mean)


# --------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True)
class ErlangAMetrics:
    """Steady-state M/M/c+M (Erlang A) metrics.

    ``wait_mean_served`` is E[Wq | served], the quantity a simulation that records
    only served customers' waits estimates; ``service_level`` counts abandoners as
    misses. ``utilization`` is E[busy servers]/c. ``states`` is the size of the
    truncated birth–death chain used.
    """

    arrival_rate: float
    service_rate: float
    servers: int
    patience_rate: float
    target_wait: float
    utilization: float
    prob_wait: float
    abandon_prob: float
    queue_len_mean: float
    wait_mean_all: float
    wait_mean_served: float
    service_level: float
    states: int


def _stationary_distribution(
    lam: float, mu: float, c: int, theta: float, tail_tol: float
) -> np.ndarray:
    """Stationary probabilities p_0..p_N of the Erlang A birth–death chain.

    Birth rate λ, death rate min(n,c)μ + max(n−c,0)θ. Computed in log space (no
    overflow for large c) and truncated at the first N >= c whose tail bound
    p_N·r/(1−r), r = λ/death(N+1), is below ``tail_tol`` times the mass kept;
    death rates never decrease, so this bounds the discarded mass.
    """
    if theta == 0.0 and lam >= c * mu:
        raise ValueError(f"unstable queue without abandonment: λ={lam} >= cμ={c * mu}")
    log_tol = math.log(tail_tol)
    size = 2 * c + 64
    while True:
        n = np.arange(1, size + 1, dtype=float)
        death = np.minimum(n, c) * mu + np.maximum(n - c, 0.0) * theta
        log_ratio = math.log(lam) - np.log(death)  # log(p_{i+1}/p_i), i = 0..size-1
        log_p = np.concatenate(([0.0], np.cumsum(log_ratio)))
        log_kept = np.logaddexp.accumulate(log_p)
        cut = np.arange(c, size)
        ratio = np.exp(log_ratio[cut])
        with np.errstate(divide="ignore", invalid="ignore"):
            log_tail = log_p[cut] + log_ratio[cut] - np.log1p(-np.minimum(ratio, 1.0))
        good = (ratio < 1.0) & (log_tail - log_kept[cut] < log_tol)
        if good.any():
            last = int(cut[np.argmax(good)])
            probs = np.exp(log_p[: last + 1] - log_kept[last])
            return probs / probs.sum()
        if size > MAX_CHAIN_STATES:
            raise ValueError(
                "Erlang A chain needs more than "
                f"{MAX_CHAIN_STATES} states; patience_rate {theta} is too small for this load"
            )
        size *= 2


def _tagged_rates(c_mu: float, theta: float, max_ahead: int) -> tuple[np.ndarray, np.ndarray]:
    """For a tagged waiting customer with k = 0..max_ahead ahead: rate of moving up
    one place (cμ + kθ) and total rate of leaving position k (cμ + (k+1)θ)."""
    ahead = np.arange(max_ahead + 1, dtype=float)
    advance = c_mu + ahead * theta
    return advance, advance + theta


def _served_within(c_mu: float, theta: float, max_ahead: int, t: float) -> np.ndarray:
    """P(tagged customer enters service by time t | k ahead on arrival), k = 0..max_ahead.

    Transient CTMC on the position k, absorbing in "served"; abandonment (rate θ)
    is a leak out of the sub-generator. Evaluated as expm(Q·t) @ 1_served on the
    sparse bidiagonal generator.
    """
    if t == 0.0:
        return np.zeros(max_ahead + 1)
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import expm_multiply

    advance, leave = _tagged_rates(c_mu, theta, max_ahead)
    served = max_ahead + 1  # index of the absorbing "served" state
    positions = np.arange(max_ahead + 1)
    # Diagonal: leave position k; off-diagonal: k -> k−1, and position 0 -> served.
    rows = np.concatenate((positions, positions))
    cols = np.concatenate((positions, np.concatenate(([served], positions[:-1]))))
    rates = np.concatenate((-leave, advance))
    generator = csr_matrix((rates * t, (rows, cols)), shape=(served + 1, served + 1))
    indicator = np.zeros(served + 1)
    indicator[served] = 1.0
    reached = expm_multiply(generator, indicator)
    return np.clip(reached[:-1], 0.0, 1.0)


def erlang_a_metrics(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    patience_rate: float,
    target_wait: float = 3.0,
    *,
    tail_tol: float = 1e-14,
) -> ErlangAMetrics:
    """Erlang A (M/M/c+M, FCFS) metrics from the birth–death chain on the number in system.

    Arrivals see the stationary distribution (PASTA). A tagged arrival finding k
    waiting ahead leaves position k at rate cμ + (k+1)θ, moving up with probability
    (cμ+kθ)/(cμ+(k+1)θ); the recursion over k gives P(served | k) = cμ/(cμ+(k+1)θ)
    and E[W·1{served} | k] = P(served | k)·Σ_{j<=k} 1/(cμ+(j+1)θ). The service
    level uses the tagged customer's transient CTMC. θ = 0 is allowed when λ < cμ
    and reproduces Erlang C. Raises ValueError on bad inputs.
    """
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    c = _server_count(servers)
    theta = _non_negative("patience_rate", patience_rate)
    target = _non_negative("target_wait", target_wait)
    if not 0.0 < tail_tol < 1e-3:
        raise ValueError(f"tail_tol must be in (0, 1e-3), got {tail_tol}")

    probs = _stationary_distribution(lam, mu, c, theta, tail_tol)
    busy = np.minimum(np.arange(probs.size), c)
    waiting_probs = probs[c:]  # arrival finds k = 0, 1, ... customers waiting
    max_ahead = waiting_probs.size - 1
    ahead = np.arange(max_ahead + 1, dtype=float)

    prob_wait = float(waiting_probs.sum())
    prob_no_wait = float(probs[:c].sum())  # summed directly: no cancellation when prob_wait ≈ 1
    queue_len_mean = float(ahead @ waiting_probs)

    c_mu = c * mu
    _, leave = _tagged_rates(c_mu, theta, max_ahead)
    served_given_k = c_mu / leave
    wait_served_given_k = served_given_k * np.cumsum(1.0 / leave)
    prob_served = prob_no_wait + float(served_given_k @ waiting_probs)
    wait_mean_served = float(wait_served_given_k @ waiting_probs) / prob_served

    served_in_time = _served_within(c_mu, theta, max_ahead, target)
    service_level = prob_no_wait + float(served_in_time @ waiting_probs)

    return ErlangAMetrics(
        arrival_rate=lam,
        service_rate=mu,
        servers=c,
        patience_rate=theta,
        target_wait=target,
        utilization=float(busy @ probs) / c,
        prob_wait=prob_wait,
        abandon_prob=theta * queue_len_mean / lam,
        queue_len_mean=queue_len_mean,
        wait_mean_all=queue_len_mean / lam,
        wait_mean_served=wait_mean_served,
        service_level=min(max(service_level, 0.0), 1.0),
        states=int(probs.size),
    )


# --------------------------------------------------------------------------- staffing


def square_root_staffing(offered_load: float, beta: float) -> int:
    """Square-root staffing rule c = ⌈a + β·√a⌉ (at least 1) for an offered load ``a > 0``;
    the model's own rule, :func:`storesim.sim.staffing_rule.square_root_staffing`.

    Raises ValueError if ``offered_load`` is not > 0 or ``beta`` is not finite.
    """
    return staffing_rule.square_root_staffing(_positive("offered_load", offered_load), beta)


def _smallest_meeting(meets: Callable[[int], bool], low: int) -> int:
    """Smallest c >= low with meets(c), for a predicate monotone in c (gallop, then bisect)."""
    if meets(low):
        return low
    bad, step = low, 1
    while True:
        good = bad + step
        if meets(good):
            break
        bad, step = good, step * 2
    while good - bad > 1:
        middle = (bad + good) // 2
        if meets(middle):
            good = middle
        else:
            bad = middle
    return good


def min_servers_for_service_level(
    arrival_rate: float,
    service_rate: float,
    target_wait: float,
    service_level: float,
    patience_rate: float | None = None,
) -> int:
    """Smallest c with P(Wq <= target_wait) >= service_level.

    Uses Erlang C (only stable c, i.e. c > a) when patience_rate is None, else
    Erlang A's service_level (abandoners count as misses; any c >= 1). Both are
    increasing in c. Raises ValueError unless 0 <= service_level < 1.
    """
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    target = _non_negative("target_wait", target_wait)
    level = _finite("service_level", service_level)
    if not 0.0 <= level < 1.0:
        raise ValueError(f"service_level must be in [0, 1), got {level}")

    if patience_rate is None:
        lowest_stable = math.floor(lam / mu) + 1
        return _smallest_meeting(
            lambda c: mmc_metrics(lam, mu, c, target).service_level >= level, lowest_stable
        )
    theta = _non_negative("patience_rate", patience_rate)
    lowest = 1 if theta > 0 else math.floor(lam / mu) + 1
    return _smallest_meeting(
        lambda c: erlang_a_metrics(lam, mu, c, theta, target).service_level >= level, lowest
    )


# --------------------------------------------------------------------------- approximations


def allen_cunneen_wait(
    arrival_rate: float, service_rate: float, servers: int, ca2: float, cs2: float
) -> float:
    """Allen–Cunneen GI/G/c mean wait: Erlang C mean wait scaled by (ca² + cs²)/2.

    ca2, cs2 are the squared coefficients of variation of interarrival and service times.
    """
    ca2 = _non_negative("ca2", ca2)
    cs2 = _non_negative("cs2", cs2)
    return mmc_metrics(arrival_rate, service_rate, servers).wait_mean * (ca2 + cs2) / 2.0


def kingman_wait(arrival_rate: float, service_rate: float, ca2: float, cs2: float) -> float:
    """Kingman's G/G/1 mean wait approximation ρ/(1−ρ) · (ca² + cs²)/2 · 1/μ."""
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    ca2 = _non_negative("ca2", ca2)
    cs2 = _non_negative("cs2", cs2)
    rho = lam / mu
    if rho >= 1.0:
        raise ValueError(f"unstable queue: utilization {rho} >= 1")
    return rho / (1.0 - rho) * (ca2 + cs2) / 2.0 / mu
