"""storesim's speed and memory against its peers, in one run so machine noise cancels.

    python benchmarks/run.py            # the full table recorded in benchmarks/README.md
    python benchmarks/run.py --tiny     # every figure at a toy size (the test suite's smoke test)

Prints one table: figure, storesim, peer, ratio, target, pass/fail. Speeds are in customers per
CPU second of this process (``peers.CLOCK``), storesim and its peers measured alternately, best
of several, so that other work on the machine disturbs them alike; start-up is wall time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402

from storesim.scenarios.compose import compose  # noqa: E402
from storesim.sim import ScenarioParams, run_replication  # noqa: E402

ARRIVAL_RATE, SERVERS, WARMUP = 9.0, 10, 100.0


@dataclass
class Row:
    figure: str
    storesim: float
    peer: float | None
    target: str
    ok: bool
    unit: str = ""

    @property
    def ratio(self) -> float | None:
        return self.storesim / self.peer if self.peer else None


def scenario(*overrides: str) -> ScenarioParams:
    """Parameters exactly as ``storesim OVERRIDES`` composes them."""
    return compose(*overrides)


def mmc(customers: int, records: bool = False, *extra: str) -> ScenarioParams:
    """``experiment=mmc`` sized to about ``customers`` arrivals, one replication (``extra``: more overrides)."""
    horizon = customers / ARRIVAL_RATE
    return scenario("experiment=mmc", f"run.horizon_min={horizon}", f"run.warmup_min={min(WARMUP, horizon / 10)}",
                    "run.replications=1", f"output.customers={str(records).lower()}", *extra)


FEATURES = ("self_checkout=six_kiosks", "queue.jockey_diff=2")
"""The store day with kiosks and jockeying on (issue 18: at least 0.8 times the default day's customers/s)."""


def features_rates(day_reps: int, repeats: int) -> tuple[float, float]:
    """Best customers per CPU second of the default store day and of the day with ``FEATURES``,
    each over ``day_reps`` replications, measured alternately ``repeats`` times.

    CPU time (``time.process_time``) rather than wall time, and alternating, so that other work
    on the machine disturbs both alike.
    """
    plain, features = scenario(), scenario(*FEATURES)
    for params in (plain, features):  # untimed: first-time costs (lazy imports, caches) out of the way
        run_replication(params, 0)
    best = [0.0, 0.0]
    for _ in range(repeats):
        for i, params in enumerate((plain, features)):
            started, customers = time.process_time(), 0.0
            for k in range(day_reps):
                customers += run_replication(params, k).kpis["customers_arrived"]
            best[i] = max(best[i], customers / (time.process_time() - started))
    return best[0], best[1]


def storesim_rate(params: ScenarioParams, replications: int = 1) -> tuple[float, float]:
    """(customers per second, seconds per customer) over ``replications`` replications."""
    customers, seconds = 0.0, 0.0
    for k in range(replications):
        started = peers.CLOCK()
        result = run_replication(params, k)
        seconds += peers.CLOCK() - started
        customers += result.kpis["customers_arrived"]
    return customers / seconds, seconds / customers


def best(fn, repeats: int):
    """The fastest of ``repeats`` calls (the least disturbed by other load)."""
    return max((fn() for _ in range(repeats)), key=lambda r: r[0])


def peer_rate(peer, size: int, warmup: float, repeats: int) -> float:
    """Best customers per second of a peer model on the same M/M/c."""
    runs = (peer(size, ARRIVAL_RATE, 1.0, SERVERS, warmup) for _ in range(repeats))
    return max(r.customers / r.seconds for r in runs)


def peak_memory_mb(customers: int, records: bool, *extra: str) -> float:
    """Peak resident memory of a fresh process simulating one M/M/c replication (``extra``: more overrides).

    Read from the process's own high-water mark (VmHWM), not ``ru_maxrss``: Linux carries
    ``ru_maxrss`` across exec, so a child started from this (large) process would report
    the parent's size.
    """
    code = (
        "import sys; sys.path.insert(0, %r); import run;"
        "from storesim.sim import run_replication;"
        "run_replication(run.mmc(%d, %s, *%r), 1);"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    ) % (str(HERE), customers, records, extra)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1]) / 1024


def startup_seconds(*args: str, repeats: int = 3) -> float:
    """Best wall time of ``storesim ARGS`` as a whole process."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "storesim.scenarios", *args, f"hydra.run.dir={tmp}/run"],
                           capture_output=True, check=True, cwd=tmp)
            times.append(time.perf_counter() - started)
    return min(times)


def run_all(size: int, big: int, repeats: int, day_reps: int) -> list[Row]:
    rows: list[Row] = []
    warmup = min(WARMUP, size / ARRIVAL_RATE / 10)
    models = [peers.bare_simpy, peers.heap_recursion] + ([peers.ciw_model] if importlib.util.find_spec("ciw") else [])
    rate, fastest = 0.0, [0.0] * len(models)
    for _ in range(repeats):  # alternating, so that a change of load touches them alike
        rate = max(rate, storesim_rate(mmc(size))[0])
        fastest = [max(f, peer_rate(peer, size, warmup, 1)) for f, peer in zip(fastest, models)]
    bare, heap = fastest[:2]
    ciw = fastest[2] if len(fastest) > 2 else None
    rows.append(Row(f"mmc {size:,} customers/s vs bare SimPy", rate, bare, "ratio >= 1.0", rate >= bare))
    if ciw is not None:
        rows.append(Row(f"mmc {size:,} customers/s vs Ciw", rate, ciw, "ratio >= 2.0", rate >= 2 * ciw))
    else:
        rows.append(Row(f"mmc {size:,} customers/s vs Ciw (not installed: pip install -e '.[bench]')", rate, None,
                        "ratio >= 2.0", False))
    rows.append(Row(f"mmc {size:,} customers/s vs heap recursion", rate, heap, "(reference)", True))
    day = 0.0
    for _ in range(repeats):
        day = max(day, storesim_rate(scenario(), day_reps)[0])
        bare = max(bare, peer_rate(peers.bare_simpy, size, warmup, 1))
    rows.append(Row(f"store day ({day_reps} reps) customers/s vs bare SimPy", day, bare, "ratio >= 0.5",
                    day >= 0.5 * bare))
    # best of 5 repeats scattered 0.73 to 0.86 a run on a 2-core machine; of 15, 0.81 to 0.83
    plain, features = features_rates(day_reps // 2 or 1, 5 * repeats)
    rows.append(Row(f"store day with kiosks and jockeying ({day_reps // 2 or 1} reps) customers per CPU s vs the "
                    "default day", features, plain, "ratio >= 0.8", features >= 0.8 * plain))
    small = best(lambda: storesim_rate(mmc(big // 100)), repeats)[1]
    large = best(lambda: storesim_rate(mmc(big)), 1)[1]
    rows.append(Row(f"us/customer at {big:,} vs {big // 100:,}", large * 1e6, small * 1e6, "ratio <= 1.25",
                    large <= 1.25 * small, "us"))
    mem = peak_memory_mb(big, records=False)
    rows.append(Row(f"peak memory, {big:,} customers, records off", mem, None, "<= 150 MB", mem <= 150, "MB"))
    mem_lanes = peak_memory_mb(big, False, "queue.discipline=per_lane")
    rows.append(Row(f"peak memory, {big:,} customers, records off, per-lane lines", mem_lanes, None, "<= 150 MB",
                    mem_lanes <= 150, "MB"))
    mem_on = peak_memory_mb(big, records=True)
    rows.append(Row(f"peak memory, {big:,} customers, records on", mem_on, None, "(columnar)", True, "MB"))
    helped = startup_seconds("--help")
    rows.append(Row("start-up: storesim --help", helped, None, "< 1.5 s", helped < 1.5, "s"))
    tiny = startup_seconds("experiment=mmc", "run.replications=1", "run.horizon_min=60", "run.warmup_min=0")
    rows.append(Row("start-up: one tiny replication", tiny, None, "< 1.5 s", tiny < 1.5, "s"))
    return rows


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit in ("s", "us"):
        return f"{value:.2f} {unit}"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:,.0f}"


def table(rows: list[Row]) -> str:
    lines = ["| figure | storesim | peer | ratio | target | result |", "|---|---:|---:|---:|---|---|"]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        lines.append(f"| {r.figure} | {fmt(r.storesim, r.unit)} | {fmt(r.peer, r.unit)} | {ratio} | {r.target} | "
                     f"{'pass' if r.ok else 'FAIL'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="toy sizes, to check the script runs")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    if args.tiny:
        rows = run_all(size=2_000, big=20_000, repeats=1, day_reps=1)
    else:
        rows = run_all(size=200_000, big=1_000_000, repeats=3, day_reps=20)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=1))
    return 0 if all(r.ok for r in rows) or args.tiny else 1


if __name__ == "__main__":
    sys.exit(main())
