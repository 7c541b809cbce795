"""Sweep speed-up on local cores: Hydra's basic launcher (one job after another) against the
joblib launcher with N workers, for J jobs of the default store day with R replications each.

    python benchmarks/sweep_speedup.py                      # 8 jobs x 10 replications, 2 workers
    python benchmarks/sweep_speedup.py --replications 100   # more work per job

Each figure is the wall time of the whole ``storesim -m`` command (what a planner waits for),
the best of ``--repeat`` runs. The jobs differ in ``run.seed`` only, so they do equal work.
Also printed: how much of the sequential time is simulation inside the jobs, and the best
speed-up possible if only that part ran in parallel (start-up, composing each job's config
and the sweep tables stay serial), so a figure below target can be read against its bound;
and the machine's own ceiling: how much faster N plain CPU-bound processes finish together
than one after another, which is below N when other work shares the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
TARGET = 1.8
SPIN = "x = 0\nfor i in range(15_000_000):\n    x += i"


def run_sweep(sweep_dir: Path, jobs: int, replications: int, launcher: list[str]) -> float:
    """Seconds of wall time for one ``storesim -m`` sweep into ``sweep_dir``."""
    seeds = ",".join(str(seed) for seed in range(1, jobs + 1))
    command = [*STORESIM, "-m", f"hydra.sweep.dir={sweep_dir}", f"run.seed={seeds}",
               f"run.replications={replications}", "output.customers=false", *launcher]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def summaries(sweep_dir: Path, jobs: int) -> list[dict]:
    """Each job's summary.json, without its wall time."""
    out = []
    for job in range(jobs):
        document = json.loads((sweep_dir / str(job) / "summary.json").read_text())
        document.pop("wall_time_s")
        out.append(document)
    return out


def simulation_seconds(sweep_dir: Path, jobs: int) -> float:
    """Time the jobs spent simulating (their ``wall_time_s``), summed."""
    return sum(json.loads((sweep_dir / str(job) / "summary.json").read_text())["wall_time_s"] for job in range(jobs))


def machine_ceiling(workers: int) -> float:
    """Speed-up of ``workers`` CPU-bound processes run at once over one run ``workers`` times."""
    def spin(count: int) -> float:
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(count)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - started

    return workers * spin(1) / spin(workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8, help="sweep jobs (store days with different seeds)")
    parser.add_argument("--replications", type=int, default=10, help="replications per job")
    parser.add_argument("--workers", type=int, default=2, help="joblib workers (hydra.launcher.n_jobs)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each launcher; the best counts")
    args = parser.parse_args()
    parallel = ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={args.workers}"]

    with tempfile.TemporaryDirectory() as tmp:
        times: dict[str, list[float]] = {"sequential": [], "joblib": [], "ceiling": []}
        for k in range(args.repeat):  # alternate, so machine noise hits both alike
            times["sequential"].append(run_sweep(Path(tmp) / f"seq{k}", args.jobs, args.replications, []))
            times["joblib"].append(run_sweep(Path(tmp) / f"par{k}", args.jobs, args.replications, parallel))
            times["ceiling"].append(machine_ceiling(args.workers))
        same = summaries(Path(tmp) / "seq0", args.jobs) == summaries(Path(tmp) / "par0", args.jobs)
        work = simulation_seconds(Path(tmp) / "seq0", args.jobs)

    sequential, joblib = min(times["sequential"]), min(times["joblib"])
    speedup = sequential / joblib
    bound = sequential / (sequential - work + work / args.workers)
    print(f"sweep of {args.jobs} store days x {args.replications} replications, {os.cpu_count()} cores; "
          f"best of {args.repeat} runs")
    print(f"{'sequential (basic launcher)':<34} {sequential:8.2f} s")
    print(f"{f'joblib, {args.workers} workers':<34} {joblib:8.2f} s")
    print(f"{'speed-up':<34} {speedup:8.2f} x   (target >= {TARGET}x: {'pass' if speedup >= TARGET else 'FAIL'})")
    print(f"{'simulation inside the jobs':<34} {work:8.2f} s of the sequential {sequential:.2f} s")
    print(f"{'bound if only that ran in parallel':<34} {bound:8.2f} x")
    print(f"{f'machine ceiling, {args.workers} processes':<34} {max(times['ceiling']):8.2f} x   "
          f"(below {args.workers} when other work shares the cores)")
    print(f"{'results identical':<34} {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
