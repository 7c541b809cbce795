"""How long a quarter of the default store takes: 13 weeks (91 days, about 180,000 checkout
customers) over a population of households, records off, one replication at a time.

    python benchmarks/quarter_speed.py               # 2 replications of experiment=quarter
    python benchmarks/quarter_speed.py --days 7      # a short run (the test suite's smoke size)

Times each replication in CPU seconds (``time.process_time``: the 2 cores are shared) and
prints one table row: customers, CPU seconds of the slowest replication, and whether it met
the target (under 30 s).
"""

from __future__ import annotations

import argparse
import time

from storesim.scenarios.compose import compose
from storesim.scenarios.runner import replication_seed
from storesim.sim import run_replication

TARGET_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=91)
    parser.add_argument("--replications", type=int, default=2)
    args = parser.parse_args()
    params = compose("experiment=quarter", f"run.days={args.days}", "output.customers=false")
    slowest, customers = 0.0, []
    for k in range(args.replications):
        start = time.process_time()
        result = run_replication(params, replication_seed(params.run.seed, k))
        slowest = max(slowest, time.process_time() - start)
        customers.append(sum(result.weeks["customers_arrived"]))
    verdict = "pass" if slowest < TARGET_S else "FAIL"
    print(f"| {args.days} days of the default store, {min(customers):,.0f} to {max(customers):,.0f} customers "
          f"| {slowest:.1f} s CPU | < {TARGET_S:g} s | {verdict} |")


if __name__ == "__main__":
    main()
