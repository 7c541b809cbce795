"""How long ``storesim-calibrate`` takes on a big till log, replay and figures included.

    python benchmarks/calibrate_speed.py                 # 50,000 transactions, replay on 2 cores
    python benchmarks/calibrate_speed.py --weeks 2       # a small log (the test suite's smoke size)

Writes the synthetic example store (``analysis/calibration/example.py``) for ``--weeks``
weeks (14 weeks: about 50,000 transactions), then times the whole command, start-up
included, as a user runs it. Prints one table row: transactions, wall and CPU seconds
(best of ``--repeat`` runs), and whether it met the target.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from storesim.analysis.calibration.example import ExampleStore, write_example

TARGET_S = 20.0
COMMAND = [sys.executable, "-c", "from storesim.scenarios.calibrate_cli import main; main()"]


def child_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(folder: Path, jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds of one calibration of ``folder``'s files."""
    args = ["--transactions", str(folder / "transactions.csv"), "--footfall", str(folder / "footfall.csv"),
            "--name", "bench", "--out", str(folder / "out"), "--jobs", str(jobs)]
    cpu, started = child_cpu_s(), time.perf_counter()
    subprocess.run([*COMMAND, *args], check=True, capture_output=True, text=True)
    return time.perf_counter() - started, child_cpu_s() - cpu


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weeks", type=int, default=14, help="weeks of data (14: about 50,000 transactions)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes for the replay")
    p.add_argument("--repeat", type=int, default=3, help="runs; the fastest counts")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_example(folder, replace(ExampleStore(), weeks=args.weeks))
        rows = sum(1 for _ in open(folder / "transactions.csv")) - 1
        runs = [time_once(folder, args.jobs) for _ in range(args.repeat)]
    wall, cpu = min(runs)
    verdict = "pass" if wall < TARGET_S else "FAIL"
    print("| figure | transactions | wall s | CPU s | target | result |")
    print("|---|---|---|---|---|---|")
    print(f"| storesim-calibrate, replay on {args.jobs} cores | {rows:,} | {wall:.1f} | {cpu:.1f} | "
          f"< {TARGET_S:g} s | {verdict} |")


if __name__ == "__main__":
    main()
