"""Faults: bad sweeps, dead workers, full disks, busy or unwritable folders, signals.

Each fault must end in one clear line and the right exit code, with no traceback, nothing
half-written and no finished result lost.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Imported now, not inside a test that captures stderr: ProgressBar's default stream is the
# sys.stderr of its import, and a test's captured one is closed after the test.
import storesim.scenarios.console  # noqa: E402,F401

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
TINY = ("experiment=mmc", "run.horizon_min=100", "run.replications=1", "run.warmup_min=0", "output.customers=false")


def storesim(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*STORESIM, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def rows(path: Path) -> list[dict[str, str]]:
    with open(path) as handle:
        return list(csv.DictReader(handle))


def no_traceback(done: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in done.stderr and "Traceback" not in done.stdout


# --- 1. a setting every job rejects stops the sweep before any job runs ----------------------

def test_a_key_every_job_rejects_stops_the_sweep_before_any_job(tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, "staffing.cashiers=1,2", "+x=1")
    assert done.returncode == 2 and no_traceback(done)
    assert done.stderr.startswith("storesim: error: x: unknown key") and len(done.stderr.splitlines()) == 1
    assert "Launching" not in done.stdout + done.stderr and not sweep_dir.exists()


def test_a_key_no_sweep_reads_stops_the_sweep_before_any_job(tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, "staffing.cashiers=1,2", "report=true")
    assert done.returncode == 2 and no_traceback(done)
    assert done.stderr.startswith("storesim: error: report: is read only by storesim without -m") \
        and len(done.stderr.splitlines()) == 1, done.stderr
    assert "Launching" not in done.stdout + done.stderr and not sweep_dir.exists()


def test_a_combination_only_some_jobs_reject_still_runs_the_others(tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, "run.replications=0,1")
    assert done.returncode == 1 and no_traceback(done)
    assert [r["status"] for r in rows(sweep_dir / "sweep_summary.csv")] == ["failed", "ok"]


# --- 2. a dead joblib worker ------------------------------------------------------------------

SLOW_JOBS = ("experiment=mmc", "run.horizon_min=3000", "run.replications=3", "run.warmup_min=0",
             "output.customers=false", "staffing.cashiers=1,2,3,4,5,6")


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of each child process of ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append((int(stat.parent.name), command))
    return found


def loky_workers(pid: int) -> list[int]:
    return [child for child, command in children(pid) if "popen_loky" in command]


def start_joblib_sweep(tmp_path: Path, sweep_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([*STORESIM, "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                             f"hydra.sweep.dir={sweep_dir}", *SLOW_JOBS], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_dead_joblib_worker_fails_its_job_and_the_sweep_goes_on(tmp_path):
    sweep_dir = tmp_path / "sweep"
    process = start_joblib_sweep(tmp_path, sweep_dir)
    try:
        wait_for(lambda: len(loky_workers(process.pid)) == 2 and (sweep_dir / "0" / ".hydra").exists())
        os.kill(loky_workers(process.pid)[0], signal.SIGKILL)  # as the out-of-memory killer would
        out, err = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1, err
    assert "Traceback" not in err + out and "a joblib worker died" in err, err
    table = rows(sweep_dir / "sweep_summary.csv")
    assert len(table) == 6 and {r["status"] for r in table} <= {"ok", "failed"}
    failed = [r for r in table if r["status"] == "failed"]
    assert failed and all("JobLost" in r["error"] and "run the sweep again" in r["error"] for r in failed)
    assert not list(sweep_dir.rglob("*.tmp"))

    again = storesim(tmp_path, "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                     f"hydra.sweep.dir={sweep_dir}", *SLOW_JOBS, timeout=180)
    assert again.returncode == 0, again.stderr
    statuses = [r["status"] for r in rows(sweep_dir / "sweep_summary.csv")]
    assert statuses == ["ok" if r["status"] == "failed" else "skipped" for r in table]


# --- 3. joblib workers end with the sweep's process -------------------------------------------

def test_joblib_workers_exit_when_the_sweep_process_is_killed(tmp_path):
    sweep_dir = tmp_path / "sweep"
    process = start_joblib_sweep(tmp_path, sweep_dir)
    try:
        wait_for(lambda: len(loky_workers(process.pid)) == 2 and (sweep_dir / "1" / ".hydra").exists())
        workers = loky_workers(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() and b"zombie" not in status(pid) for pid in workers),
                 timeout=20)
    finally:
        os.killpg(process.pid, signal.SIGKILL)


def status(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes().lower()
    except OSError:
        return b"zombie"


# --- 4. a failure record that cannot be written ------------------------------------------------

def full_disk(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def run_in_process(monkeypatch, *args: str) -> int:
    """``storesim ARGS`` in this process (so monkeypatching reaches the jobs); its exit code."""
    from storesim.scenarios.cli import main

    monkeypatch.setattr(sys, "argv", ["storesim", *args])
    try:
        main()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_a_failure_record_on_a_full_disk_does_not_abort_the_sweep(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("storesim.scenarios.sweep_job._write_json", full_disk)
    sweep_dir = tmp_path / "sweep"
    code = run_in_process(monkeypatch, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, "run.replications=0,1")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "failure.json could not be written: No space left on device" in err
    job0, job1 = rows(sweep_dir / "sweep_summary.csv")
    assert job0["status"] == "failed" and "ConfigError" in job0["error"] and "No space left" in job0["error"]
    assert job1["status"] == "ok" and (sweep_dir / "1" / "summary.json").exists()


# Loaded at start-up by every Python process of the sweep, the joblib workers included: no
# failure.json can be written anywhere.
FULL_DISK_EVERYWHERE = """
import errno
import storesim.scenarios.sweep_job as sweep_job

def _full_disk(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")

sweep_job._write_json = _full_disk
"""


def test_a_failure_record_on_a_full_disk_in_a_joblib_worker_is_failed_with_its_reason(tmp_path):
    """The job fails in a worker process, whose note of the unwritable failure.json must reach
    the launching process's table: ``failed`` with the reason, not ``missing``."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(FULL_DISK_EVERYWHERE)
    sweep_dir = tmp_path / "sweep"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path / "site"),
                                                                     os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([*STORESIM, "-m", f"hydra.sweep.dir={sweep_dir}", "hydra/launcher=joblib",
                           "hydra.launcher.n_jobs=2", *TINY, "run.replications=0,1"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=180, env=env)
    assert done.returncode == 1 and no_traceback(done), done.stderr
    assert "failure.json could not be written: No space left on device" in done.stderr
    job0, job1 = rows(sweep_dir / "sweep_summary.csv")
    assert job0["status"] == "failed" and "ConfigError" in job0["error"] and "No space left" in job0["error"]
    assert job1["status"] == "ok" and (sweep_dir / "1" / "summary.json").exists()


def test_sweep_tables_on_a_full_disk_are_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("storesim.analysis.run_folder.write_atomic", full_disk)
    sweep_dir = tmp_path / "sweep"
    code = run_in_process(monkeypatch, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, "run.replications=0,1")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "storesim: error: cannot write the sweep tables" in err and "run the same command again" in err


# --- 5. run folders: one run at a time, no mixture of two runs --------------------------------

def test_a_second_run_into_a_folder_in_use_stops_in_one_line(tmp_path):
    import fcntl

    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text('{"the": "first run"}')
    with open(run / ".storesim.lock", "w") as lock:  # a first run, still writing
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("4242\n")
        lock.flush()
        done = storesim(tmp_path, f"hydra.run.dir={run}", *TINY)
    assert done.returncode == 2 and no_traceback(done)
    assert done.stderr.strip() == (f"storesim: error: {run}: another storesim run (pid 4242) is writing into this "
                                   "folder; wait for it to finish, or choose another hydra.run.dir")
    assert sorted(p.name for p in run.iterdir()) == [".storesim.lock", "summary.json"]  # the first run's, untouched
    assert json.loads((run / "summary.json").read_text()) == {"the": "first run"}

    again = storesim(tmp_path, f"hydra.run.dir={run}", *TINY)  # once the first run is done
    assert again.returncode == 0, again.stderr


def test_a_run_clears_the_folders_old_results_first(tmp_path):
    run = tmp_path / "run"
    (run / "report").mkdir(parents=True)
    for name in ("summary.json", "customers.csv", "staff_timeline.csv", "report/index.html", ".summary.json.x.tmp"):
        (run / name).write_text("from an earlier run")
    done = storesim(tmp_path, f"hydra.run.dir={run}", *TINY)  # output.customers=false: no customers.csv
    assert done.returncode == 0, done.stderr
    assert not (run / "customers.csv").exists() and not (run / "report").exists()
    assert not list(run.glob("*.tmp")) and not list(run.glob(".*.tmp"))
    assert json.loads((run / "summary.json").read_text())["replications"] == 1


# --- 6. SIGTERM is an interruption too; stale temporary files are cleared ----------------------

def test_sigterm_during_a_run_exits_143_and_leaves_nothing_half_written(tmp_path):
    run = tmp_path / "run"
    process = subprocess.Popen([*STORESIM, f"hydra.run.dir={run}", "run.replications=400", "run.jobs=2"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        wait_for(lambda: (run / ".hydra").exists() and len(children(process.pid)) >= 2)
        time.sleep(0.5)
        workers = [pid for pid, _ in children(process.pid)]
        os.kill(process.pid, signal.SIGTERM)  # as `timeout` does: the main process only
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 143, err
    assert "Traceback" not in err + out and "terminated (SIGTERM)" in err and "to run it again" in err
    assert not list(tmp_path.rglob("*.tmp")) and not run.exists()
    wait_for(lambda: not any(b"zombie" not in status(pid) for pid in workers), timeout=20)


def test_sigterm_while_writing_the_outputs_lets_them_finish_first(tmp_path, monkeypatch):
    from storesim.scenarios import outputs
    from storesim.scenarios.cli import Terminated, _terminate
    from storesim.scenarios.compose import compose
    from storesim.scenarios.runner import run_scenario

    result = run_scenario(compose(*TINY))
    render = outputs.RENDERERS["csv"]

    def render_and_get_terminated(res):
        text = render(res)
        signal.raise_signal(signal.SIGTERM)  # SIGTERM arrives after the first table is ready
        return text

    monkeypatch.setitem(outputs.RENDERERS, "csv", render_and_get_terminated)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with pytest.raises(Terminated):
            outputs.write_outputs(tmp_path, result)
        assert signal.getsignal(signal.SIGTERM) is _terminate
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert json.loads((tmp_path / "summary.json").read_text())["replications"] == 1  # every file, whole
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_sweep_job_clears_the_temporary_files_a_killed_attempt_left(tmp_path):
    sweep_dir = tmp_path / "sweep"
    (sweep_dir / "0").mkdir(parents=True)
    (sweep_dir / "0" / ".summary.json.abc123.tmp").write_text('{"half": ')
    done = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY)
    assert done.returncode == 0, done.stderr
    assert not list(sweep_dir.rglob(".*.tmp")) and (sweep_dir / "0" / "summary.json").exists()


# --- 7. only a run that wrote all its files, and sane ones, counts as finished ----------------

def sweep_twice_with(tmp_path: Path, damage) -> tuple[dict, subprocess.CompletedProcess]:
    """Run a one-job sweep, ``damage`` its folder, and run it again; the second run's table row."""
    sweep_dir = tmp_path / "sweep"
    first = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY)
    assert first.returncode == 0, first.stderr
    manifest = json.loads((sweep_dir / "0" / "manifest.json").read_text())["files"]
    assert set(manifest) == {"timeseries.csv", "summary.json"}  # mmc keeps no staff timeline
    damage(sweep_dir / "0")
    again = storesim(tmp_path, "-m", f"hydra.sweep.dir={sweep_dir}", *TINY)
    return rows(sweep_dir / "sweep_summary.csv")[0], again


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def test_a_job_with_a_truncated_file_is_run_again_not_skipped(tmp_path):
    row, again = sweep_twice_with(tmp_path, lambda job: truncate(job / "timeseries.csv"))
    assert again.returncode == 0 and row["status"] == "ok" and "job 0 ok" in again.stdout


def test_a_job_without_its_manifest_is_run_again(tmp_path):
    row, again = sweep_twice_with(tmp_path, lambda job: (job / "manifest.json").unlink())
    assert again.returncode == 0 and row["status"] == "ok"


def test_a_summary_whose_means_lie_outside_their_intervals_is_not_finished(tmp_path):
    from storesim.analysis.run_folder import MANIFEST, SUMMARY, manifest, unfinished

    def corrupt(job: Path) -> None:
        summary = json.loads((job / SUMMARY).read_text())
        summary["kpis"]["service_level"].update(mean=1.5)
        (job / SUMMARY).write_text(json.dumps(summary))
        (job / MANIFEST).write_text(json.dumps(manifest([job / "timeseries.csv", job / SUMMARY])))
        assert "service_level" in unfinished(job)

    row, again = sweep_twice_with(tmp_path, corrupt)
    assert again.returncode == 0 and row["status"] == "ok"


def test_an_intact_job_is_still_skipped(tmp_path):
    row, again = sweep_twice_with(tmp_path, lambda job: None)
    assert again.returncode == 0 and row["status"] == "skipped"


def test_storesim_report_names_a_truncated_csv_in_one_line(tmp_path):
    run = tmp_path / "run"
    done = storesim(tmp_path, f"hydra.run.dir={run}", "experiment=mmc", "run.horizon_min=100",
                    "run.replications=1", "run.warmup_min=0")
    assert done.returncode == 0, done.stderr
    truncate(run / "customers.csv")
    report = subprocess.run([sys.executable, "-c", "from storesim.scenarios.report_cli import main; main()",
                             str(run), "--out", str(tmp_path / "report")], capture_output=True, text=True,
                            timeout=120)
    assert report.returncode == 2 and no_traceback(report), report.stderr
    [line] = report.stderr.splitlines()
    assert line.startswith(f"storesim-report: error: {run / 'customers.csv'}: truncated or damaged"), line


# --- 8. file-system faults: one line each, nothing half-written --------------------------------

def test_a_run_dir_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("mine")
    done = storesim(tmp_path, f"hydra.run.dir={tmp_path / 'afile'}", *TINY)
    assert done.returncode == 2 and no_traceback(done)
    assert done.stderr.strip() == (f"storesim: error: hydra.run.dir: {tmp_path / 'afile'}: a file is in the way of "
                                   "this folder; choose another hydra.run.dir")
    assert (tmp_path / "afile").read_text() == "mine"


def test_a_sweep_dir_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("mine")
    done = storesim(tmp_path, "-m", f"hydra.sweep.dir={tmp_path / 'afile'}", *TINY)
    assert done.returncode == 2 and no_traceback(done) and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("storesim: error: hydra.sweep.dir: ")


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys, which nobody can write into")
@pytest.mark.parametrize("mode", ["run", "sweep"])
def test_a_folder_that_cannot_be_written_is_one_line(tmp_path, mode):
    where = ["hydra.run.dir=/sys/storesim-test"] if mode == "run" else ["-m", "hydra.sweep.dir=/sys/storesim-test"]
    done = storesim(tmp_path, *where, *TINY)
    assert done.returncode == 2 and no_traceback(done) and len(done.stderr.splitlines()) == 1, done.stderr
    assert f"hydra.{mode}.dir: /sys/storesim-test: cannot write there" in done.stderr


def test_a_full_disk_while_writing_a_run_is_one_line_and_leaves_no_partial_run(tmp_path, monkeypatch, capsys):
    from storesim.scenarios import outputs

    write = outputs.write_atomic

    def disk_full_at_the_summary(path, text):
        if path.name == "summary.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        write(path, text)

    monkeypatch.setattr(outputs, "write_atomic", disk_full_at_the_summary)
    run = tmp_path / "run"
    code = run_in_process(monkeypatch, f"hydra.run.dir={run}", *TINY)
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if not line.startswith("replications:")]  # progress lines aside
    assert errors == [f"storesim: error: {run / 'summary.json'}: No space left on device; nothing half-written "
                      "is left: free space, or choose another folder, and run it again"]
    assert not {"timeseries.csv", "summary.json", "manifest.json"} & {p.name for p in run.iterdir()}
    assert not list(run.glob(".*.tmp"))


def test_sigterm_to_the_whole_process_group_stops_a_multi_process_run_at_once(tmp_path):
    """``timeout`` signals the process group, so the pool's workers die too: the run must not
    hang on its pool (it did, for ever) but stop with exit 143 and no worker left."""
    run = tmp_path / "run"
    process = subprocess.Popen([*STORESIM, f"hydra.run.dir={run}", "run.replications=2000", "run.jobs=2", "--quiet"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while not (run / ".hydra").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2.0)  # the workers are simulating
    os.killpg(process.pid, signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the run hung after SIGTERM")
    assert process.returncode == 143 and "Traceback" not in err, err
    assert "terminated (SIGTERM)" in err and "to run it again" in err and not run.exists()
