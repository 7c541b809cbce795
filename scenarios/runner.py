"""Replications of one scenario: seeds, optional worker processes, and KPI intervals."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ..analysis.kpi_domains import domain_of
from ..analysis.stats import UNBOUNDED, ConfidenceInterval, rough_intervals, t_interval
from ..sim import ReplicationResult, ScenarioParams, run_replication
from ..sim.validation import check


BRANCHES_FROM = 10_000
"""Seed branches are numbered from here up: above every replication index (``run.replications``
and ``plan.replications`` are at most 10,000), so no branch key is an ordinary replication's."""


def replication_seed(master_seed: int, replication: int, branch: int | None = None) -> np.random.SeedSequence:
    """Seed of replication ``k``: the k-th child of the master seed, whatever the job count.

    Without ``branch`` its spawn key is ``(k,)`` and its named streams (``sim.customer``)
    ``(k, 0)``, ``(k, 1)``, ...; with ``branch`` (an integer >= ``BRANCHES_FROM``) it is
    ``(branch, k)`` and its streams ``(branch, k, 0)``, ... . A key of one branch is never a key
    of another or of the ordinary tree (different lengths, or a first element no replication
    index takes; every element fits one 32-bit word, as SeedSequence reads keys), and
    SeedSequence hashes distinct keys into independent states, so replications of different
    branches never share a stream. Raises ValueError for a branch outside
    [``BRANCHES_FROM``, 2**32).
    """
    if branch is None:
        return np.random.SeedSequence(entropy=master_seed, spawn_key=(replication,))
    if not BRANCHES_FROM <= branch < 2**32:
        raise ValueError(f"a seed branch must be an integer in [{BRANCHES_FROM}, 2**32), got {branch!r}")
    return np.random.SeedSequence(entropy=master_seed, spawn_key=(branch, replication))


def _leave_ctrl_c_to_main() -> None:
    """Workers ignore Ctrl-C: the main process stops them (a worker interrupted while taking
    its next task can hang the pool, and each would print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the main process's handler (storesim.scenarios.cli)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _stop_pool_then(pool: multiprocessing.pool.Pool, previous: Callable | int | None) -> Callable:
    """A SIGTERM handler for while worker processes simulate (``timeout``, SLURM).

    ``timeout`` signals the whole process group, so the workers die too, and a pool whose worker
    died holding its task queue's lock hangs for ever in ``terminate``. So the handler kills
    the workers itself, switches the pool's own clean-up off (nothing is left to clean: the
    outputs are written after the replications), and then hands over to the previous handler,
    which stops the run as usual (exit 143, with its message).
    """
    def stop(signum: int, frame: object) -> None:
        pool._worker_handler._state = multiprocessing.pool.TERMINATE  # no replacements for the killed
        for child in multiprocessing.active_children():
            child.kill()
            child.join(5)
        pool._terminate.cancel()  # Pool.terminate() would wait on the dead workers' lock
        if callable(previous):
            previous(signum, frame)
        else:
            os._exit(128 + signum)

    return stop


def _one(args: tuple[ScenarioParams, int, int | None], on_day: Callable[[int], None] | None = None) -> ReplicationResult:
    params, k, branch = args
    return run_replication(params, replication_seed(params.run.seed, k, branch), on_day)


@dataclass
class ScenarioResult:
    """All replications of one scenario, with the KPIs' intervals across them."""

    params: ScenarioParams
    replications: list[ReplicationResult]
    wall_time_s: float
    _kpis: dict[str, ConfidenceInterval] | None = field(default=None, repr=False, compare=False)

    def kpi_values(self, name: str) -> list[float]:
        return [r.kpis[name] for r in self.replications]

    def kpis(self) -> dict[str, ConfidenceInterval]:
        """KPI name -> mean, std and 95% t interval over replications, clipped to the KPI's
        domain (``analysis.kpi_domains``: shares in [0, 1], counts and costs >= 0); computed once."""
        if self._kpis is None:
            names = self.replications[0].kpis.keys()
            self._kpis = {name: t_interval(self.kpi_values(name), domain=domain_of(name) or UNBOUNDED)
                          for name in names}
        return self._kpis

    @property
    def rough_intervals(self) -> bool:
        """Whether the KPI intervals rest on too few replications to be more than rough."""
        return rough_intervals(len(self.replications))


def run_scenario(params: ScenarioParams, on_replication: Callable[[int], None] | None = None,
                 seed_branch: int | None = None, on_day: Callable[[int], None] | None = None) -> ScenarioResult:
    """Run ``params.run.replications`` replications, in ``params.run.jobs`` processes; with
    ``seed_branch``, on that branch of the seed tree (``replication_seed``) instead of the
    ordinary one, e.g. to confirm a result on replications that never share a stream with it.
    ``on_replication(k)``: k replications done; ``on_day(n)``: n days done over all replications
    of a run of several days (``run.days`` > 1), after each day in one process, after each
    replication with worker processes.

    Raises ValueError listing every problem with ``params`` (or naming a bad ``seed_branch``)
    before any simulation (parameters from ``scenarios.config`` were found fine there and are
    not checked again)."""
    check(params)
    replication_seed(params.run.seed, 0, seed_branch)  # a bad branch fails here, before any simulation
    started = time.perf_counter()
    count = params.run.replications
    tasks = ((params, k, seed_branch) for k in range(count))  # built as the workers take them, not all up front
    results = replications(tasks, count, params.run.jobs, on_replication, on_day if params.run.days > 1 else None)
    return ScenarioResult(params, results, time.perf_counter() - started)


def replications(tasks: Iterable[tuple[ScenarioParams, int, int | None]], count: int, workers: int,
                 on_replication: Callable[[int], None] | None = None,
                 on_day: Callable[[int], None] | None = None) -> list[ReplicationResult]:
    """The replications of ``count`` tasks ``(params, k, branch)`` (``replication_seed``), in
    order, run in ``workers`` processes when more than one, else in this one; the tasks are
    taken as they run, not built all up front. ``on_replication(n)``: n done; ``on_day(n)``: n
    days done over the tasks (runs of several days), after each day in this process, after each
    replication with worker processes. A Ctrl-C or SIGTERM stops the workers at once."""
    results: list[ReplicationResult] = []
    if workers > 1 and count > 1:
        taken: deque[int] = deque()  # the days of each task handed to the pool, in order

        def handed_out() -> Iterator[tuple[ScenarioParams, int, int | None]]:
            for task in tasks:
                taken.append(task[0].run.days)
                yield task

        days_done = 0
        # A multiprocessing pool, not an executor: on Ctrl-C (or any error) leaving the block
        # terminates the workers at once, where an executor can hang or print tracebacks. The
        # workers start with Ctrl-C blocked, so none is interrupted before it ignores it.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            with multiprocessing.Pool(min(workers, count), initializer=_leave_ctrl_c_to_main) as pool:
                previous = signal.getsignal(signal.SIGTERM)
                signal.signal(signal.SIGTERM, _stop_pool_then(pool, previous))
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                for result in pool.imap(_one, handed_out()):
                    results.append(result)
                    days_done += taken.popleft()
                    if on_replication:
                        on_replication(len(results))
                    if on_day:
                        on_day(days_done)
                signal.signal(signal.SIGTERM, previous)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return results
    with _ctrl_c_kept() as pressed:
        days_done = 0
        for task in tasks:
            if on_day:
                results.append(_one(task, lambda d, before=days_done: on_day(before + d)))
            else:
                results.append(_one(task))
            days_done += task[0].run.days
            if pressed:
                raise KeyboardInterrupt
            if on_replication:
                on_replication(len(results))
    return results


@contextmanager
def _ctrl_c_kept() -> Iterator[list[int]]:
    """A Ctrl-C while replications run is never lost. Python raises KeyboardInterrupt wherever
    the main thread is; raised inside a finalizer (a finished replication's SimPy processes
    being closed as its store is freed), it is printed as "Exception ignored" and dropped. So a
    handler also notes it in the list it yields, and the caller raises it again after the
    replication. Outside the main thread, or under another handler, nothing changes."""
    pressed: list[int] = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield pressed
        return

    def note(signum: int, frame) -> None:
        pressed.append(signum)
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, note)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
