"""Benchmark peers for the storesim M/M/c model.

All three peers simulate the same model as the project's reference run:

* M/M/c, one FCFS pooled line, ``servers`` servers (default c=10),
  Poisson arrivals at ``arrival_rate`` per minute (default 9) and
  exponential service at ``service_rate`` per minute (default 1).
* Arrivals stop at the horizon ``n_customers / arrival_rate`` minutes.
* Statistics (count and mean wait in line, in minutes) cover customers that
  arrived at or after ``warmup_min`` and completed service.
* No tracing, animation or progress bars.

``seconds`` is the CPU time (``CLOCK``, ``time.process_time``) of building the model,
drawing/sampling random numbers, running it and collecting the counted waits;
imports are excluded.  Random drawing is inside the timed region for every peer
because Ciw necessarily samples inside its run.

Run ``python benchmarks/peers.py [n_customers]`` to print a customers/second
table.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import numpy as np
import simpy


CLOCK = time.process_time
"""The clock of every timed figure: this process's CPU time, so that other work sharing the
machine's cores slows the figures little (wall time would count the time others ran)."""


@dataclass(frozen=True)
class PeerResult:
    name: str
    customers: int  # customers that completed service and were counted
    seconds: float  # CPU time of the simulation only (CLOCK), excluding imports
    wait_mean: float  # mean wait in line of counted customers (minutes)


def _draw(n_customers: int, arrival_rate: float, service_rate: float, seed: int):
    """Pre-draw interarrival and service times as Python float lists.

    numpy ``default_rng`` batch draws are the common idiom for pre-drawn
    streams and measured faster here than ``random.Random(seed).expovariate``
    (about 0.035 s vs 0.08 s for 2 x 200,000 draws).  ``.tolist()`` gives plain
    floats so the simulation loops don't pay for numpy scalar arithmetic.
    """
    rng = np.random.default_rng(seed)
    interarrivals = rng.exponential(1.0 / arrival_rate, n_customers).tolist()
    services = rng.exponential(1.0 / service_rate, n_customers).tolist()
    return interarrivals, services


def _mean(waits: list[float]) -> float:
    return math.fsum(waits) / len(waits) if waits else math.nan


def bare_simpy(
    n_customers: int,
    arrival_rate: float = 9.0,
    service_rate: float = 1.0,
    servers: int = 10,
    warmup_min: float = 0.0,
    seed: int = 1,
) -> PeerResult:
    """Textbook SimPy: a source process plus one generator process per customer."""
    t0 = CLOCK()
    # Random numbers: pre-drawn numpy arrays (see _draw).
    interarrivals, services = _draw(n_customers, arrival_rate, service_rate, seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=servers)
    waits: list[float] = []

    def customer(env, server, service):
        arrival = env.now
        with server.request() as req:
            yield req
            if arrival >= warmup_min:
                waits.append(env.now - arrival)
            yield env.timeout(service)

    def source(env, server):
        for interarrival, service in zip(interarrivals, services):
            yield env.timeout(interarrival)
            env.process(customer(env, server, service))

    env.process(source(env, server))
    env.run()  # arrivals stop after n_customers; run until everyone is served
    wait_mean = _mean(waits)
    seconds = CLOCK() - t0
    return PeerResult("bare_simpy", len(waits), seconds, wait_mean)


def ciw_model(
    n_customers: int,
    arrival_rate: float = 9.0,
    service_rate: float = 1.0,
    servers: int = 10,
    warmup_min: float = 0.0,
    seed: int = 1,
) -> PeerResult:
    """The same M/M/c model with Ciw's public API.

    Ciw's arrival stream does not stop by count, so the run goes to
    ``simulate_until_max_time(horizon)`` with ``horizon = n_customers /
    arrival_rate`` (the same arrival window as the other peers, same minute
    time unit) and counts customers that arrived at or after ``warmup_min``
    and completed service by the horizon.  Compared with the other peers this
    leaves out only the ~L = 15 customers still in the system at the horizon,
    plus the Poisson noise of the arrival count (about +-sqrt(n)); the
    customers/second figures are therefore comparable.  No drain period is
    simulated, because Ciw would keep generating arrivals during it.
    """
    import ciw

    t0 = CLOCK()
    ciw.seed(seed)  # Ciw's own seeding of its global RNGs
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(arrival_rate)],
        service_distributions=[ciw.dists.Exponential(service_rate)],
        number_of_servers=[servers],
    )
    sim = ciw.Simulation(network)
    horizon = n_customers / arrival_rate
    sim.simulate_until_max_time(horizon)
    records = sim.get_all_records()  # completed services only (default)
    waits = [r.waiting_time for r in records if r.arrival_date >= warmup_min]
    wait_mean = _mean(waits)
    seconds = CLOCK() - t0
    return PeerResult("ciw", len(waits), seconds, wait_mean)


def heap_recursion(
    n_customers: int,
    arrival_rate: float = 9.0,
    service_rate: float = 1.0,
    servers: int = 10,
    warmup_min: float = 0.0,
    seed: int = 1,
) -> PeerResult:
    """FCFS multi-server recursion with a heap of server free times (no event sim).

    Uses the same random streams as ``bare_simpy`` (same seed, same draw order),
    so the two produce the same waits up to float rounding.
    """
    t0 = CLOCK()
    interarrivals, services = _draw(n_customers, arrival_rate, service_rate, seed)
    free = [0.0] * servers  # a list of equal values is already a heap
    waits: list[float] = []
    arrival = 0.0
    for interarrival, service in zip(interarrivals, services):
        arrival += interarrival
        earliest = free[0]
        start = earliest if earliest > arrival else arrival
        heapq.heapreplace(free, start + service)  # pop earliest, push new free time
        if arrival >= warmup_min:
            waits.append(start - arrival)
    wait_mean = _mean(waits)
    seconds = CLOCK() - t0
    return PeerResult("heap_recursion", len(waits), seconds, wait_mean)


PEERS = (bare_simpy, ciw_model, heap_recursion)


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    warmup = 100.0
    print(f"M/M/10, lambda=9/min, mu=1/min, n_customers={n:,}, warmup={warmup} min")
    print(f"{'peer':<16}{'customers':>11}{'seconds':>10}{'customers/s':>14}{'wait_mean':>11}")
    for peer in PEERS:
        r = peer(n, warmup_min=warmup)
        print(
            f"{r.name:<16}{r.customers:>11,}{r.seconds:>10.3f}"
            f"{r.customers / r.seconds:>14,.0f}{r.wait_mean:>11.4f}"
        )
