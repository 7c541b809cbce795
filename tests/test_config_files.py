"""Mistakes in config files and on the command line: one line naming the file or flag, exit 2.

Each case runs the real ``storesim`` command: a preset of its own given with ``--config-dir``
that Hydra cannot read or merge, an unknown or misplaced flag, or a list too long for any
setting. None may print a traceback, run a simulation or leave an output folder.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]

# (group/file name, its bytes, what the one line must say)
BAD_PRESETS = [
    ("experiment/syntax.yaml", b"# @package _global_\nstore:\n  lanes: [1\n", ", line 4: not valid YAML"),
    ("experiment/tabs.yaml", b"# @package _global_\nstore:\n\tlanes: 3\n", ", line 3: not valid YAML"),
    ("experiment/twice.yaml", b"# @package _global_\nstore:\n  lanes: 3\n  lanes: 4\n",
     ", line 4: duplicate key 'lanes'"),
    ("experiment/latin1.yaml", b"# @package _global_\nscenario: caf\xe9\n", ", line 2: not UTF-8 text (byte 0xe9)"),
    ("experiment/a_list.yaml", b"# @package _global_\n- store.lanes=3\n- run.seed=1\n", ": must hold settings"),
    ("staffing/a_list.yaml", b"- 3\n- 4\n", ": must hold settings (key: value lines), not a list"),
    ("experiment/no_header.yaml", b"scenario: mine\nstore:\n  lanes: 3\n",
     ": its settings would land under 'experiment', which holds none; add '# @package _global_' as its first line"),
    ("experiment/bad_key.yaml", b"# @package _global_\nstore:\n  lanz: 3\n", ": store.lanz: unknown key"),
    ("experiment/bad_value.yaml", b"# @package _global_\nstore:\n  lanes: many\n",
     ": store.lanes: must be an integer, got 'many'"),
]


def storesim(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*STORESIM, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def assert_one_line_refusal(done: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, exactly one stderr line holding every needle, no traceback, nothing printed."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert lines[0].startswith("storesim: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("name,text,problem", BAD_PRESETS, ids=[p[0] for p in BAD_PRESETS])
def test_a_preset_hydra_cannot_use_is_named_with_its_problem(tmp_path, name, text, problem):
    conf = tmp_path / "conf"
    (conf / name).parent.mkdir(parents=True)
    (conf / name).write_bytes(text)
    group, _, option = name.removesuffix(".yaml").partition("/")
    done = storesim(tmp_path, "--config-dir", str(conf), f"{group}={option}", "hydra.run.dir=out")
    line = assert_one_line_refusal(done, str(conf / name) + problem)
    assert line.count(str(conf / name)) == 1
    assert not (tmp_path / "out").exists() and not (tmp_path / "outputs").exists()


def test_a_fixed_preset_runs(tmp_path):
    """The same preset once it has its header: the refusal was about the file, not the idea."""
    conf = tmp_path / "conf" / "experiment"
    conf.mkdir(parents=True)
    (conf / "mine.yaml").write_text("# @package _global_\nscenario: mine\nstore:\n  lanes: 3\n")
    done = storesim(tmp_path, "--config-dir", str(tmp_path / "conf"), "experiment=mine", "hydra.run.dir=out",
                    "--cfg", "job", "-p", "store.lanes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"


@pytest.mark.parametrize("args,line", [
    (["--bogus-flag"], "storesim: error: unknown flag --bogus-flag; see storesim --help"),
    (["store.lanes=3", "--bogus-flag"], "storesim: error: unknown flag --bogus-flag; see storesim --help"),
    (["store.lanes=3", "-m", "staffing.cashiers=2,3"],
     "storesim: error: flag -m comes after an override: put every flag before the overrides, "
     "e.g. storesim -m key=value ..."),
    (["--cfg", "everything"], "storesim: error: argument --cfg/-c: invalid choice: 'everything' "
     "(choose from 'job', 'hydra', 'all'); see storesim --help"),
])
def test_a_wrong_flag_is_one_line_not_a_page_of_usage(tmp_path, args, line):
    done = storesim(tmp_path, *args, "hydra.run.dir=out") if "-m" not in args else storesim(tmp_path, *args)
    assert_one_line_refusal(done)
    assert done.stderr.strip() == line
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("key", ["floor.rate_per_hour", "staffing.floor_staff", "arrivals.rate_per_hour",
                                 "staffing.cashiers", "anything.else"])
def test_a_list_longer_than_a_day_is_refused_at_once_whatever_its_key(tmp_path, key):
    values = ",".join(["100"] * 20_000)
    done = storesim(tmp_path, f"{key}=[{values}]", "hydra.run.dir=out", timeout=60)  # Hydra alone: minutes
    assert_one_line_refusal(done, f"{key}: a list of 20,000 values", "at most 1,440")
    assert not (tmp_path / "out").exists()


def test_lists_up_to_the_bound_reach_the_usual_checks(tmp_path):
    """A long list within the bound goes on to the key's own check (here: one per opening hour)."""
    values = ",".join(["100"] * 1_440)
    done = storesim(tmp_path, f"arrivals.rate_per_hour=[{values}]", "hydra.run.dir=out")
    line = assert_one_line_refusal(done, "arrivals.rate_per_hour")
    assert "1,440" not in line and "longer than any setting" not in line


def test_each_list_is_counted_alone():
    """A sweep over many short lists, or a roster of many-key records, is no long list."""
    from storesim.scenarios.cli import longest_list, overlong_list

    plans = ",".join(["[" + ",".join(["3"] * 14) + "]"] * 200)  # 200 hourly plans: 2,800 numbers
    assert longest_list(plans) == 14 and overlong_list([f"staffing.cashiers={plans}"]) is None
    assert longest_list("[{id: A, start_hour: 8, end_hour: 22}, {id: B}]") == 2
    assert longest_list("['a,b', c]") == 2
    assert overlong_list(["-m", "+x=[" + ",".join(["1"] * 1441) + "]"]).startswith("x: a list of 1,441 values")
