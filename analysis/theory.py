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


# --------------------------------------------------------------------------- Erlang A, general patience


@dataclass(frozen=True)
class ErlangAGeneralMetrics:
    """Steady-state M/M/c+G metrics (FCFS, general patience distribution G).

    ``service_level`` is the share of arrivals served within ``target_wait`` (abandoners are
    misses); ``wait_mean_served`` is E[Wq | served]; ``wait_mean_all`` is E[min(V, τ)], the
    time in line of every arrival, abandoners included. ``prob_wait`` is P(V > 0), the share
    of arrivals that find every server busy. ``grid_points`` is the size of the grid the
    integrals were taken on.
    """

    arrival_rate: float
    service_rate: float
    servers: int
    target_wait: float
    prob_wait: float
    abandon_prob: float
    wait_mean_all: float
    wait_mean_served: float
    service_level: float
    grid_points: int


def basket_extra_items(mean_items: float, cv: float):
    """The frozen ``scipy.stats`` distribution of a basket's items beyond the first, as the
    model draws baskets (``sim/dists.py``, ``draw_basket_sizes``): negative binomial with mean
    ``mean_items - 1`` and the variance that gives the whole basket coefficient of variation
    ``cv``, Poisson when that variance is too small, a point mass at 0 for one-item baskets."""
    from scipy import stats

    extra = _finite("mean_items", mean_items) - 1.0
    if extra <= 0:
        return stats.poisson(0.0)
    variance = (_finite("cv", cv) * mean_items) ** 2
    if variance <= extra * (1 + 1e-9):
        return stats.poisson(extra)
    size = extra**2 / (variance - extra)
    return stats.nbinom(size, size / (size + extra))


def patience_distribution(family: str, mean: float, cv: float = 1.0):
    """The frozen ``scipy.stats`` distribution of a patience given as the model gives it
    (``abandonment.patience_distribution``, ``patience_mean_min``, ``patience_cv``):
    ``"exponential"`` with this mean, or ``"lognormal"`` with this mean and coefficient of
    variation (σ² = ln(1 + cv²), as the model draws it). Raises ValueError otherwise."""
    from scipy import stats

    mean = _positive("mean", mean)
    if family == "exponential":
        return stats.expon(scale=mean)
    if family == "lognormal":
        sigma2 = math.log1p(_positive("cv", cv) ** 2)
        return stats.lognorm(s=math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2))
    raise ValueError(f"patience distribution must be exponential or lognormal, got {family!r}")


#: Relative size, e^−40 ≈ 4e−18, below which the waiting-time density is treated as zero.
_LOG_NEGLIGIBLE = 40.0
#: Grid points per e-folding of the waiting-time density where it falls fastest (c·μ).
_POINTS_PER_SCALE = 40


def erlang_a_general_metrics(
    arrival_rate: float, service_rate: float, servers: int, patience, target_wait: float = 3.0
) -> ErlangAGeneralMetrics:
    """Erlang A with a general patience distribution: the M/M/c+G queue (FCFS), exactly.

    ``patience`` is anything with a vectorised survival function ``sf(x)`` on x >= 0 in
    minutes and a ``mean()``, e.g. a frozen ``scipy.stats`` distribution (see
    :func:`patience_distribution`); the mean must be finite. Rates per minute as everywhere in this module.

    Source: Baccelli and Hébuterne (1981), "On queues with impatient customers", Performance
    '81, 159-179; in the form of Zeltyn and Mandelbaum (2005), "Call centers with impatient
    customers: many-server asymptotics of the M/M/n+G queue", Queueing Systems 51, 361-402,
    §3. With Ḡ the patience survival function and H(x) = ∫₀ˣ Ḡ(u) du = E[min(τ, x)], the
    offered wait V (the wait of a customer of infinite patience) has an atom
    P(V = 0) = Σ_{j<c} a^j/j! / Z and the density
    f_V(x) = λ·a^{c−1}/(c−1)!·exp(λH(x) − cμx) / Z on x > 0, Z normalising (a = λ/μ). A
    customer of patience τ (independent of V, by PASTA) is served iff V < τ, after V; so
    P(served within t) = P(V = 0) + ∫₀ᵗ f_V(x)Ḡ(x) dx, P(abandon) = ∫ f_V(x)G(x) dx and
    E[min(V, τ)] = ∫ f_V(x)H(x) dx. Exponential patience of rate θ gives Erlang A
    (:func:`erlang_a_metrics`); Mandelbaum and Zeltyn's approximation replaces a general G
    by the exponential of rate g(0), the density at 0, which for a lognormal patience
    (g(0) = 0) is Erlang C: this function needs no such approximation.

    Numerics: everything is divided by a^{c−1}/(c−1)! (the sum becomes 1/B(c−1, a), Erlang
    B) and the exponent λH(x) − cμx, concave in x, by its maximum; H and the integrals are
    composite Simpson sums on a grid fine enough for the fastest decay (c·μ) and long enough
    that the density has fallen by e^−40. Raises ValueError for bad rates or servers, for a
    patience without a finite mean, or if a grid of over ``MAX_CHAIN_STATES`` points would
    be needed.
    """
    from scipy.integrate import cumulative_simpson, simpson

    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    c = _server_count(servers)
    target = _non_negative("target_wait", target_wait)
    mean_patience = float(patience.mean()) if hasattr(patience, "mean") else math.nan
    if not (math.isfinite(mean_patience) and mean_patience > 0):
        raise ValueError(f"patience must have a finite positive mean, got {mean_patience}")
    c_mu = c * mu

    def survival(x: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(patience.sf(x), dtype=float), 0.0, 1.0)

    # The exponent φ(x) = λH(x) − cμx starts at 0 and never exceeds λ·E[τ] − cμx, nor, as
    # H(x) <= x, (λ − cμ)x: its maximum is >= 0 and past x_end it is below that maximum by
    # more than _LOG_NEGLIGIBLE.
    reach = (lam * mean_patience + _LOG_NEGLIGIBLE) / c_mu
    if lam < c_mu:
        reach = min(reach, _LOG_NEGLIGIBLE / (c_mu - lam))
    x_end = target + reach
    step = 1.0 / (_POINTS_PER_SCALE * max(c_mu, lam))
    points = int(math.ceil(x_end / step)) + 1
    if points > MAX_CHAIN_STATES:
        raise ValueError(f"M/M/c+G needs a grid of more than {MAX_CHAIN_STATES} points for this patience and load")
    # Two uniform pieces, [0, t] and [t, x_end], so that t is a grid point; odd counts for Simpson.
    head = max(3, 2 * int(math.ceil(target / step / 2)) + 1) if target > 0 else 1
    tail = max(3, 2 * int(math.ceil((x_end - target) / step / 2)) + 1)
    x = np.concatenate((np.linspace(0.0, target, head), np.linspace(target, x_end, tail)[1:]))
    sf = survival(x)
    integrated = cumulative_simpson(sf, x=x, initial=0.0)  # H(x)
    phi = lam * integrated - c_mu * x
    top = float(phi.max())
    scaled = np.exp(phi - top)  # f_V(x) ∝ λ·e^top·scaled(x)

    def integral(values: np.ndarray) -> float:
        return float(simpson(scaled * values, x=x))

    log_free = -math.log(erlang_b(c - 1, lam / mu)) if c > 1 else 0.0  # log Σ_{j<c} a^j/j! − log a^{c−1}/(c−1)!
    log_delay = math.log(lam) + top
    log_total = float(np.logaddexp(log_free, log_delay + math.log(integral(np.ones_like(x)))))
    delayed = math.exp(log_delay - log_total)  # f_V(x) = delayed·scaled(x)
    prob_no_wait = math.exp(log_free - log_total)
    within = prob_no_wait + delayed * (float(simpson((scaled * sf)[:head], x=x[:head])) if head > 1 else 0.0)
    abandon = delayed * integral(1.0 - sf)
    served = 1.0 - abandon
    return ErlangAGeneralMetrics(
        arrival_rate=lam,
        service_rate=mu,
        servers=c,
        target_wait=target,
        prob_wait=1.0 - prob_no_wait,
        abandon_prob=min(max(abandon, 0.0), 1.0),
        wait_mean_all=delayed * integral(integrated),
        wait_mean_served=delayed * integral(x * sf) / served if served > 0 else math.nan,
        service_level=min(max(within, 0.0), 1.0),
        grid_points=int(x.size),
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
    *,
    patience=None,
) -> int:
    """Smallest c with P(Wq <= target_wait) >= service_level.

    Uses Erlang C (only stable c, i.e. c > a) when neither patience_rate nor patience is
    given; Erlang A's service_level with exponential patience of rate ``patience_rate``;
    with a patience distribution ``patience`` (as :func:`erlang_a_general_metrics` takes
    it), M/M/c+G's. Abandoners count as misses; with patience any c >= 1. All are
    increasing in c. Raises ValueError unless 0 <= service_level < 1, or if both
    patience_rate and patience are given.
    """
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    target = _non_negative("target_wait", target_wait)
    level = _finite("service_level", service_level)
    if not 0.0 <= level < 1.0:
        raise ValueError(f"service_level must be in [0, 1), got {level}")
    if patience is not None:
        if patience_rate is not None:
            raise ValueError("give patience_rate (exponential) or patience (a distribution), not both")
        return _smallest_meeting(
            lambda c: erlang_a_general_metrics(lam, mu, c, patience, target).service_level >= level, 1
        )

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


def priority_wait(servers: int, high_rate: float, high_mean: float, low_rate: float, low_mean: float) -> float:
    """Mean wait of the high-priority class of a c-server queue with two classes and
    non-preemptive priority (a high-priority request waits for the first server to free
    up, never cuts a low-priority task short): rates per minute, mean task times in minutes.

    Cobham's formula for M/M/c with one exponential service rate for both classes,
    W_high = C(c, a)·s̄/c / (1 − ρ_high) (Gross, Shortle, Thompson and Harris, Fundamentals
    of Queueing Theory, 4th ed., §3.4.2), applied with the mean s̄ of the two classes'
    tasks: an approximation when their task times differ. a = λ_h·m_h + λ_l·m_l is the
    offered load and ρ_high = λ_h·m_h / c; where a >= c the low class never clears and every
    server is taken to be busy (C = 1). Returns ``inf`` when ρ_high >= 1 and 0 with no
    high-priority requests. Raises ValueError on negative inputs.
    """
    c = _server_count(servers)
    lam_h, m_h = _non_negative("high_rate", high_rate), _non_negative("high_mean", high_mean)
    lam_l, m_l = _non_negative("low_rate", low_rate), _non_negative("low_mean", low_mean)
    if lam_h == 0.0:
        return 0.0
    load_high = lam_h * m_h
    if load_high >= c:
        return math.inf
    load = load_high + lam_l * m_l
    if load == 0.0:
        return 0.0
    mean_task = load / (lam_h + lam_l)
    all_busy = 1.0 if load >= c else erlang_c(c, load)
    return all_busy * mean_task / c / (1.0 - load_high / c)



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
