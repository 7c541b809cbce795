"""Sweep speed-up on local cores, and what a sweep costs per job outside the simulation.

    python benchmarks/sweep_speedup.py                   # 100 store days x 20 replications; overhead of 100 jobs
    python benchmarks/sweep_speedup.py --overhead-only   # only the per-job overhead (a minute)
    python benchmarks/sweep_speedup.py --jobs 8 --replications 10 --repeat 3

Speed-up: Hydra's basic launcher (one job after another) against the joblib launcher with N
workers, for J jobs of the default store day with R replications each. Each figure is the
wall time of the whole ``storesim -m`` command (what a planner waits for), the best of
``--repeat`` runs. The jobs differ in ``run.seed`` only, so they do equal work. Also printed:
how much of the sequential time is simulation inside the jobs, and the best speed-up possible
if only that part ran in parallel (start-up, the launching process's work per job and the
sweep tables stay serial), so a figure below target can be read against its bound; and the
machine's own ceiling: how much faster N plain CPU-bound processes finish together than one
after another, which is below N when other work shares the cores.

Per-job overhead: sweeps of ``--overhead-jobs`` jobs that simulate almost nothing (one
replication of a one-hour M/M/c day) and of one such job, with each launcher. What the
launching process spends per job is the difference of the two, divided by the extra jobs:
its CPU time (``getrusage`` of that process alone, so the joblib workers do not count, nor
other work on the machine), and for the basic launcher, which runs the jobs itself, also the
wall time, both less the jobs' own simulation time (their ``wall_time_s``). The same with
Hydra's own sweeper (``hydra/sweeper=basic``, which composes every job's config twice) is
printed beside it for comparison.
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

# The storesim command, reporting the CPU seconds of its own process (not of its workers)
# into the file named by STORESIM_CPU_FILE when it exits.
STORESIM = [sys.executable, "-c", "import atexit, os, resource\n"
            "def cpu():\n"
            "    usage = resource.getrusage(resource.RUSAGE_SELF)\n"
            "    open(os.environ['STORESIM_CPU_FILE'], 'w').write(repr(usage.ru_utime + usage.ru_stime))\n"
            "atexit.register(cpu)\n"
            "from storesim.scenarios.cli import main\n"
            "main()"]
TARGET = 1.7
OVERHEAD_TARGET_MS = 50.0
SPIN = "x = 0\nfor i in range(15_000_000):\n    x += i"
TINY_JOB = ["experiment=mmc", "run.replications=1", "run.horizon_min=60", "run.warmup_min=0"]


def run_sweep(sweep_dir: Path, jobs: int, replications: int | None, launcher: list[str],
              job: list[str] = ()) -> tuple[float, float]:
    """Wall seconds of one ``storesim -m`` sweep into ``sweep_dir``, and the CPU seconds of
    its launching process."""
    seeds = ",".join(str(seed) for seed in range(1, jobs + 1))
    reps = [f"run.replications={replications}"] if replications is not None else []
    command = [*STORESIM, "-m", f"hydra.sweep.dir={sweep_dir}", f"run.seed={seeds}", *reps,
               "output.customers=false", *job, *launcher, "--quiet"]
    cpu_file = sweep_dir.parent / f"{sweep_dir.name}.cpu"
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True,
                   env={**os.environ, "STORESIM_CPU_FILE": str(cpu_file)})
    return time.perf_counter() - started, float(cpu_file.read_text())


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


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def speedup(tmp: Path, args: argparse.Namespace, parallel: list[str]) -> None:
    times: dict[str, list[float]] = {"sequential": [], "joblib": [], "ceiling": []}
    for k in range(args.repeat):  # alternate, so machine noise hits both alike
        times["sequential"].append(run_sweep(tmp / f"seq{k}", args.jobs, args.replications, [])[0])
        times["joblib"].append(run_sweep(tmp / f"par{k}", args.jobs, args.replications, parallel)[0])
        times["ceiling"].append(machine_ceiling(args.workers))
    same = summaries(tmp / "seq0", args.jobs) == summaries(tmp / "par0", args.jobs)
    work = simulation_seconds(tmp / "seq0", args.jobs)

    sequential, joblib = min(times["sequential"]), min(times["joblib"])
    ratio = sequential / joblib
    bound = sequential / (sequential - work + work / args.workers)
    print(f"sweep of {args.jobs} store days x {args.replications} replications, {os.cpu_count()} cores; "
          f"best of {args.repeat} runs")
    print(f"{'sequential (basic launcher)':<34} {sequential:8.2f} s")
    print(f"{f'joblib, {args.workers} workers':<34} {joblib:8.2f} s")
    print(f"{'speed-up':<34} {ratio:8.2f} x   (target >= {TARGET}x: {'pass' if ratio >= TARGET else 'FAIL'})")
    print(f"{'simulation inside the jobs':<34} {work:8.2f} s of the sequential {sequential:.2f} s")
    print(f"{'bound if only that ran in parallel':<34} {bound:8.2f} x")
    print(f"{f'machine ceiling, {args.workers} processes':<34} {max(times['ceiling']):8.2f} x   "
          f"(below {args.workers} when other work shares the cores)")
    print(f"{'results identical':<34} {'yes' if same else 'NO'}")


def overhead(tmp: Path, args: argparse.Namespace, parallel: list[str]) -> None:
    jobs = args.overhead_jobs
    print(f"per-job overhead of the launching process: {jobs} jobs against 1 "
          f"({' '.join(TINY_JOB)}); best of {args.repeat} runs")
    hydras = ["hydra/sweeper=basic"]
    for name, launcher in (("basic launcher", []), (f"joblib, {args.workers} workers", parallel),
                           ("basic launcher, Hydra's sweeper", hydras), ("joblib, Hydra's sweeper", parallel + hydras)):
        walls, cpus = [], []
        for k in range(args.repeat):
            tag = "".join(c for c in name if c.isalnum())
            one_wall, one_cpu = run_sweep(tmp / f"{tag}1_{k}", 1, None, launcher, TINY_JOB)
            many_wall, many_cpu = run_sweep(tmp / f"{tag}{jobs}_{k}", jobs, None, launcher, TINY_JOB)
            simulated = simulation_seconds(tmp / f"{tag}{jobs}_{k}", jobs) - simulation_seconds(tmp / f"{tag}1_{k}", 1)
            in_process = simulated if "joblib" not in name else 0.0  # the basic launcher simulates in the process
            walls.append((many_wall - one_wall - simulated) / (jobs - 1) * 1000)
            cpus.append((many_cpu - one_cpu - in_process) / (jobs - 1) * 1000)
        cpu = min(cpus)
        verdict = "pass" if cpu <= OVERHEAD_TARGET_MS else "FAIL"
        print(f"{name:<34} {cpu:8.1f} ms CPU a job (target <= {OVERHEAD_TARGET_MS:g} ms: {verdict}); "
              f"wall {min(walls):.1f} ms a job")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100, help="sweep jobs (store days with different seeds)")
    parser.add_argument("--replications", type=int, default=20, help="replications per job")
    parser.add_argument("--workers", type=int, default=2, help="joblib workers (hydra.launcher.n_jobs)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each launcher; the best counts")
    parser.add_argument("--overhead-jobs", type=int, default=100, help="jobs of the per-job overhead sweeps")
    parser.add_argument("--overhead-only", action="store_true", help="measure only the per-job overhead")
    args = parser.parse_args()
    parallel = ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={args.workers}"]
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        overhead(Path(tmp), args, parallel)
        if not args.overhead_only:
            speedup(Path(tmp), args, parallel)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
