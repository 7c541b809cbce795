"""A run's tables as CSV against Parquet: bytes on disk, time to write the run folder, time to
read the tables back.

    python benchmarks/table_formats.py                          # the default day, 10 replications
    python benchmarks/table_formats.py run.replications=100     # any overrides of `storesim`

Simulates once (records kept), then writes the same result with ``output.format=csv`` and
``output.format=parquet`` (``write_outputs``: tables, summary, manifest; best of 3) and reads
the three tables back as the report does (``run_folder.read_table``; best of 3). Needs pyarrow
(``pip install -e ".[parquet]"``).
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from storesim.analysis.run_folder import TABLE_FORMATS, TABLES, find_table, read_table
from storesim.scenarios.compose import compose
from storesim.scenarios.outputs import write_outputs
from storesim.scenarios.runner import run_scenario

TEXT = ("clock", "outcome", "exception", "employee", "state")
REPEAT = 3


def best_of(action) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(overrides: list[str]) -> None:
    params = compose(*(overrides or ["run.replications=10"]), "output.customers=true")
    result = run_scenario(params)
    customers = sum(len(rep.customers["customer_id"]) for rep in result.replications)
    print(f"{' '.join(overrides) or 'the default day, run.replications=10'}: {customers:,} customer rows")
    print("| format | customers | staff_timeline | timeseries | all tables | write the run folder | read the tables |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as root:
        for fmt in TABLE_FORMATS:
            folder = Path(root) / fmt
            result.params = dataclasses.replace(params, output=dataclasses.replace(params.output, format=fmt))
            write = best_of(lambda: write_outputs(folder, result))
            paths = [find_table(folder, table) for table in TABLES]
            read = best_of(lambda: [read_table(path, text=TEXT) for path in paths])
            sizes = {table: path.stat().st_size / 1e6 for table, path in zip(TABLES, paths)}
            print(f"| {fmt} | {sizes['customers']:.2f} MB | {sizes['staff_timeline']:.2f} MB | "
                  f"{sizes['timeseries']:.2f} MB | {sum(sizes.values()):.2f} MB | {write:.2f} s | {read:.2f} s |")


if __name__ == "__main__":
    main(sys.argv[1:])
