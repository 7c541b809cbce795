"""The benchmark script runs end to end at a toy size (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # about 8 s: it starts every peer and figure of the benchmark script
def test_benchmark_script_prints_every_figure_at_a_tiny_size(tmp_path):
    out = tmp_path / "rows.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--tiny", "--json", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text())
    figures = " ".join(row["figure"] for row in rows)
    for name in ("vs bare SimPy", "vs Ciw", "store day", "kiosks and jockeying", "us/customer", "peak memory",
                 "per-lane lines", "start-up"):  # Ciw: a row either way
        assert name in figures
    assert all(row["storesim"] > 0 for row in rows)
    assert "| figure | storesim | peer | ratio | target | result |" in done.stdout
