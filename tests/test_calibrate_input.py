"""``storesim-calibrate`` distrusts its input (issue 20, section 4): implausible rows,
duplicates, door counts of other days, unreadable bytes, ids that look like missing values,
names with newlines, bad destinations and out-of-range options each give a clear message
naming the file and lines, no traceback and nothing half-written."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from storesim.analysis.calibration.calibrate import calibrate
from storesim.analysis.calibration.data import DataError, check_overlap, read_footfall, read_transactions
from storesim.analysis.calibration.example import ExampleStore, generate
from storesim.scenarios import calibrate_cli

WEEK = ExampleStore(weeks=1)


@pytest.fixture(scope="module")
def week():
    """One week of the example store: (transactions, footfall) as text frames."""
    log, footfall = generate(WEEK)
    return log.astype(str), footfall.astype(str)


def _write(frame: pd.DataFrame, path) -> object:
    frame.to_csv(path, index=False)
    return path


def _spoil(log: pd.DataFrame, **cells) -> pd.DataFrame:
    """``log`` with ``{column: {row: value}}`` changed."""
    out = log.copy()
    for column, rows in cells.items():
        for row, value in rows.items():
            out.loc[row, column] = value
    return out


IMPLAUSIBLE = {"end": {7: "2025-03-04T08:00:00"}, "items": {8: "1000000000000"}}
"""A transaction ending a year after it started (line 9) and a basket of 10^12 items (line 10)."""


def test_implausible_rows_are_left_out_by_line_and_counted(week, tmp_path):
    checked = read_transactions(_write(_spoil(week[0], **IMPLAUSIBLE), tmp_path / "tx.csv"))
    assert checked.rows_left_out == 2 and len(checked.frame) == len(week[0]) - 2
    assert checked.warnings == [
        f"{tmp_path / 'tx.csv'}: column 'end': implausible (a transaction longer than 60 min) in 1 row (line 9); "
        "left out",
        f"{tmp_path / 'tx.csv'}: column 'items': implausible (more than 1000 items) in 1 row (line 10); left out"]
    assert not checked.frame["line"].isin([9, 10]).any()


def test_robust_fit_recovers_the_truth_despite_implausible_and_slow_rows(week, tmp_path):
    log = _spoil(_spoil(week[0], **IMPLAUSIBLE), start={11: "1677-09-22T00:00:00"}, end={11: "2262-04-10T00:00:00"})
    plain = log.index[(log["exception"] == "none") & (log.index > 20)][:15]
    late = pd.to_datetime(log.loc[plain, "end"]) + pd.Timedelta(minutes=40)  # tills left open, plausible
    log.loc[plain, "end"] = late.dt.strftime("%Y-%m-%dT%H:%M:%S")
    cal = calibrate(read_transactions(_write(log, tmp_path / "tx.csv")))
    assert cal.transactions.rows_left_out == 3
    factor = 0.9995  # the transaction-weighted mean time factor of the example's cashiers (about 1)
    service, baskets = cal.service, cal.baskets
    widen = 1.5  # some slack on the 95% intervals: five checks share one error budget
    for estimate, truth in [(service.fixed_min, WEEK.fixed_min * factor),
                            (service.per_item_min, WEEK.per_item_min * factor), (service.cv, WEEK.cv),
                            (baskets.mean_items, WEEK.basket_mean_items), (baskets.value_per_item, WEEK.price_mean)]:
        half = widen * (estimate.ci_high - estimate.ci_low) / 2
        assert abs(estimate.estimate - truth) <= half, (estimate, truth)
    assert service.checks.far_outliers >= 10 and not service.checks.failed()
    assert cal.baskets.mean_items.estimate < 20  # a basket of 10^12 items once made it 72 million


def test_a_span_of_centuries_is_left_out_not_walked_hour_by_hour(week, tmp_path):
    log = _spoil(week[0], start={3: "1677-09-22T00:00:00"}, end={3: "2262-04-10T00:00:00"})
    checked = read_transactions(_write(log, tmp_path / "tx.csv"))
    assert checked.rows_left_out == 1
    assert any("a date outside 1990-2099" in w and "(line 5)" in w for w in checked.warnings), checked.warnings
    calibrate(checked)  # returns at once: the hourly tables never see the row


def test_every_row_twice_is_left_out_naming_the_lines(week, tmp_path):
    log = week[0]
    checked = read_transactions(_write(pd.concat([log, log]), tmp_path / "tx.csv"))
    n = len(log)
    assert len(checked.frame) == n and checked.rows_left_out == n
    assert checked.warnings == [f"{tmp_path / 'tx.csv'}: a repeat of an earlier row (line {n + 2} = line 2) in "
                                f"{n} rows (line {n + 2}, {n + 3}, {n + 4}, {n + 5}, {n + 6} and {n - 5} more); "
                                "left out"]


def test_duplicated_door_counts_are_left_out_and_conversion_stays_right(week, tmp_path):
    tx = read_transactions(_write(week[0], tmp_path / "tx.csv"))
    once = read_footfall(_write(week[1], tmp_path / "doors.csv"))
    twice = read_footfall(_write(pd.concat([week[1], week[1]]), tmp_path / "doors2.csv"))
    assert twice.rows_left_out == len(week[1]) and "a repeat of an earlier row" in twice.warnings[0]
    a, b = calibrate(tx, once), calibrate(tx, twice)
    conversions = [[h.conversion.estimate for h in c.profiles["weekday"].hours] for c in (a, b)]
    assert conversions[0] == conversions[1]
    assert 0.6 < sum(conversions[1]) / len(conversions[1]) < 0.85  # truth 0.72; doubled counts gave 0.34


def test_door_counts_counted_twice_differently_are_an_error(week, tmp_path):
    doors = pd.concat([week[1], pd.DataFrame([{"date": week[1]["date"][0], "hour": week[1]["hour"][0],
                                               "entries": "999"}])])
    with pytest.raises(DataError) as error:
        read_footfall(_write(doors, tmp_path / "doors.csv"))
    n = len(week[1])
    assert str(error.value).splitlines()[0] == (f"{tmp_path / 'doors.csv'}: column 'hour': counted twice for the "
                                                f"same date with different entries in 2 rows (line 2, {n + 2})")
    dropped = read_footfall(tmp_path / "doors.csv", drop_bad_rows=True)
    assert dropped.rows_dropped == 2 and len(dropped.frame) == n - 1


def test_door_counts_of_other_days_are_an_error(week, tmp_path):
    tx = read_transactions(_write(week[0], tmp_path / "tx.csv"))
    doors = read_footfall(_write(week[1].assign(date=week[1]["date"].str.replace("2024", "2023")),
                                 tmp_path / "doors.csv"))
    with pytest.raises(DataError, match="no date in common with .*tx.csv .door counts 2023-03-04 to 2023-03-10, "
                                        "transactions 2024-03-04 to 2024-03-10.; conversion needs"):
        check_overlap(tx, doors)
    half = read_footfall(_write(week[1][week[1]["date"] < "2024-03-07"], tmp_path / "half.csv"))
    assert check_overlap(tx, half) == [f"{tmp_path / 'half.csv'}: door counts for 3 of the 7 days of "
                                       f"{tmp_path / 'tx.csv'}; conversion uses those 3"]


def test_bytes_that_are_not_utf8_are_reported_by_line_and_can_be_dropped(week, tmp_path):
    path = _write(week[0], tmp_path / "tx.csv")
    lines = path.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b"R", b"R\xff", 1)  # line 6
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(DataError) as error:
        read_transactions(path)
    assert str(error.value).splitlines()[0] == f"{path}: column 'register': not UTF-8 text (save the file as UTF-8) " \
                                               "in 1 row (line 6)"
    dropped = read_transactions(path, drop_bad_rows=True)
    assert dropped.rows_dropped == 1 and len(dropped.frame) == len(week[0]) - 1


def test_ids_that_look_like_missing_values_are_ids(week, tmp_path):
    log = _spoil(week[0], register={0: "NA", 1: "None"}, cashier={2: "NA", 3: "null"}, exception={4: ""})
    checked = read_transactions(_write(log, tmp_path / "tx.csv"))
    assert checked.rows_dropped == 0
    assert list(checked.frame["register"][:2]) == ["NA", "None"]
    assert list(checked.frame["cashier"][2:4]) == ["NA", "null"] and checked.frame["exception"][4] == "none"
    missing = _spoil(week[0], items={0: "NA"})
    with pytest.raises(DataError, match=r"column 'items': not a whole number >= 0 in 1 row \(line 2\)"):
        read_transactions(_write(missing, tmp_path / "tx2.csv"))


def test_a_file_name_with_a_newline_cannot_add_keys_to_the_preset(week, tmp_path):
    import yaml

    from storesim.analysis.calibration.preset import preset_config, preset_yaml

    evil = tmp_path / "tx\nabandonment: {reneging: false, balk_line_len: 999}\n#.csv"
    cal = calibrate(read_transactions(_write(week[0], evil)))
    command = f"storesim --config-dir {tmp_path}/x\ny: 1 experiment=ok"
    text = preset_yaml(cal, "weekday", "ok", command)
    assert yaml.safe_load(text) == preset_config(cal, "weekday", "ok")
    assert "abandonment" not in yaml.safe_load(text)
    assert all(line.startswith("#") or not line.startswith(("y:", "abandonment")) for line in text.splitlines())
    assert '\\nabandonment: {reneging: false' in text  # shown, escaped, inside a comment


# The command: options, destination and the whole run.

CALIBRATE = [sys.executable, "-c", "from storesim.scenarios.calibrate_cli import main; main()"]


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``storesim-calibrate ARGV`` run in this process."""
    try:
        calibrate_cli.main([str(a) for a in argv])
        code = 0
    except SystemExit as stop:
        code = stop.code
    printed = capsys.readouterr()
    return code, printed.out, printed.err


@pytest.fixture
def files(week, tmp_path):
    """The week's transactions.csv and footfall.csv in ``tmp_path``."""
    return _write(week[0], tmp_path / "tx.csv"), _write(week[1], tmp_path / "doors.csv")


def _no_work(monkeypatch):
    """Make any calibration fail the test: the checks under test must come first."""
    def refuse(args):
        raise AssertionError("calibrated before checking the options")
    monkeypatch.setattr(calibrate_cli, "calibrate_store", refuse)


@pytest.mark.parametrize("option, value, allowed", [
    ("--replications", "100000000000000000000", "from 2 to 10,000"),
    ("--replications", "1", "from 2 to 10,000"),
    ("--replications", "1e3", "from 2 to 10,000"),
    ("--jobs", "0", "from 1 to 256"),
    ("--jobs", "many", "from 1 to 256"),
])
def test_numeric_options_out_of_range_are_one_line(files, tmp_path, capsys, monkeypatch, option, value, allowed):
    _no_work(monkeypatch)
    code, out, err = _run(["--transactions", files[0], "--name", "x", "--out", tmp_path / "out", option, value],
                          capsys)
    assert code == 2 and err == (f"storesim-calibrate: error: argument {option}: must be a whole number {allowed}, "
                                 f"got {value!r}\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--name", "x"], "the following arguments are required: --transactions, --out (or --example [DIR])"),
    (["--transactions", "t.csv", "--out", "o", "--name", "ok\n"], "--name: must be a letter, then letters"),
    (["--transactions", "t.csv", "--out", "o", "--name", "../x"], "--name: must be a letter, then letters"),
    (["--day-type", "monday"], "argument --day-type: invalid choice: 'monday'"),
])
def test_usage_errors_are_one_line(capsys, argv, message):
    code, out, err = _run(argv, capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith(f"storesim-calibrate: error: {message}"), err


def test_example_without_a_folder_writes_demo(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["--example"], capsys)
    assert code == 0, err
    assert {p.name for p in (tmp_path / "demo").iterdir()} == {"transactions.csv", "footfall.csv", "truth.json"}
    assert "wrote the example store into demo/" in out and "--out demo/calibrated" in out


def test_out_an_existing_file_is_refused_before_any_work(files, tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    target = tmp_path / "notes.txt"
    target.write_text("keep me\n")
    code, _, err = _run(["--transactions", files[0], "--name", "x", "--out", target], capsys)
    assert code == 2 and err == (f"storesim-calibrate: error: --out {target}: an existing file, not a folder; "
                                 "choose a folder name\n")
    assert target.read_text() == "keep me\n"


def test_out_a_folder_of_other_files_or_holding_the_input_is_refused(files, tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    code, _, err = _run(["--transactions", files[0], "--name", "x", "--out", tmp_path], capsys)
    assert code == 2 and f"--out {tmp_path}: holds the input {files[0]}" in err and err.count("\n") == 1
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "mine.txt").write_text("x")
    code, _, err = _run(["--transactions", files[0], "--name", "x", "--out", tmp_path / "other"], capsys)
    assert code == 2 and "a folder with other files in it" in err
    assert os.listdir(tmp_path / "other") == ["mine.txt"]


def test_out_where_nothing_can_be_written_is_refused_before_any_work(files, tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    code, _, err = _run(["--transactions", files[0], "--name", "x", "--out", files[0] / "cal"], capsys)
    assert code == 2 and err == (f"storesim-calibrate: error: --out {files[0] / 'cal'}: cannot write in "
                                 f"{files[0].resolve()} (Not a directory)\n")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr("storesim.analysis.calibration.destination.tempfile.mkdtemp", read_only)
    code, _, err = _run(["--transactions", files[0], "--name", "x", "--out", tmp_path / "new" / "cal"], capsys)
    assert code == 2 and err.endswith("cannot write in " f"{(tmp_path / 'new').resolve()} (Read-only file system)\n")
    assert not (tmp_path / "new").exists()  # the parent it made is gone again


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_in_a_read_only_folder_is_refused(files, tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, _, err = _run(["--transactions", files[0], "--name", "x", "--out", locked / "cal"], capsys)
    finally:
        locked.chmod(0o755)
    assert code == 2 and "cannot write in" in err and "Permission denied" in err


@pytest.fixture(scope="module")
def results(week, tmp_path_factory):
    """A finished calibration of the week (2 simulated days), to write again and again."""
    folder = tmp_path_factory.mktemp("results")
    tx = _write(week[0], folder / "tx.csv")
    args = calibrate_cli.parser().parse_args(["--transactions", str(tx), "--name", "wk", "--out",
                                              str(folder / "unused"), "--replications", "2"])
    return calibrate_cli.calibrate_store(args)


def _earlier_calibration(folder):
    (folder / "experiment").mkdir(parents=True)
    (folder / "calibration.json").write_text('{"old": true}\n')
    (folder / "experiment" / "old.yaml").write_text("scenario: old\n")


def test_a_full_disk_leaves_the_earlier_outputs_whole(files, results, tmp_path, capsys, monkeypatch):
    out = tmp_path / "cal"
    _earlier_calibration(out)
    monkeypatch.setattr(calibrate_cli, "calibrate_store", lambda args: results)

    def disk_full(profiles, service, baskets, check, folder):
        (folder / "arrivals_by_hour.png").write_bytes(b"half a figure")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr("storesim.analysis.calibration.figures.draw_all", disk_full)
    code, _, err = _run(["--transactions", files[0], "--name", "wk", "--out", out], capsys)
    assert code == 2 and err == (f"storesim-calibrate: error: --out {out}: cannot write (No space left on device); "
                                 "nothing was written\n")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "calibration.json", "experiment", "experiment/old.yaml"]
    assert (out / "calibration.json").read_text() == '{"old": true}\n'
    assert sorted(os.listdir(tmp_path)) == ["cal", "doors.csv", "tx.csv"]  # no staging folder left


def test_an_earlier_calibration_is_replaced_as_a_whole(files, results, tmp_path, capsys, monkeypatch):
    out = tmp_path / "cal"
    _earlier_calibration(out)
    monkeypatch.setattr(calibrate_cli, "calibrate_store", lambda args: results)
    code, stdout, err = _run(["--transactions", files[0], "--name", "wk", "--out", out], capsys)
    assert code == 0, err
    assert {p.name for p in (out / "experiment").iterdir()} == {"wk.yaml", "wk_saturday.yaml", "wk_sunday.yaml"}
    assert "old" not in json.loads((out / "calibration.json").read_text())
    assert sorted(os.listdir(tmp_path)) == ["cal", "doors.csv", "tx.csv"]
    assert oct((out).stat().st_mode & 0o777) == oct(0o755)


def test_door_counts_of_other_days_stop_the_command(files, week, tmp_path, capsys):
    doors = _write(week[1].assign(date=week[1]["date"].str.replace("2024", "2023")), tmp_path / "old_doors.csv")
    code, _, err = _run(["--transactions", files[0], "--footfall", doors, "--name", "x", "--out", tmp_path / "o"],
                        capsys)
    assert code == 2 and err.startswith(f"storesim-calibrate: error: {doors}: no date in common with {files[0]}")
    assert not (tmp_path / "o").exists() and not any(p.name.startswith(".o.") for p in tmp_path.iterdir())


def test_a_spoiled_log_calibrates_with_warnings_by_line_and_counts(week, tmp_path):
    log = _spoil(week[0], **IMPLAUSIBLE, register={20: "NA"})
    tx = _write(pd.concat([log, log.iloc[[30, 31]]]), tmp_path / "tx.csv")
    doors = _write(pd.concat([week[1], week[1]]), tmp_path / "doors.csv")
    out = tmp_path / "cal"
    done = subprocess.run([*CALIBRATE, "--transactions", str(tx), "--footfall", str(doors), "--name", "wk", "--out",
                           str(out), "--replications", "2", "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    n = len(log)
    assert done.stderr.splitlines() == [
        f"storesim-calibrate: warning: {tx}: a repeat of an earlier row (line {n + 2} = line 32) in 2 rows "
        f"(line {n + 2}, {n + 3}); left out",
        f"storesim-calibrate: warning: {tx}: column 'end': implausible (a transaction longer than 60 min) in 1 row "
        "(line 9); left out",
        f"storesim-calibrate: warning: {tx}: column 'items': implausible (more than 1000 items) in 1 row (line 10); "
        "left out",
        f"storesim-calibrate: warning: {doors}: a repeat of an earlier row (line {len(week[1]) + 2} = line 2) in "
        f"{len(week[1])} rows (line {len(week[1]) + 2}, {len(week[1]) + 3}, {len(week[1]) + 4}, {len(week[1]) + 5}, "
        f"{len(week[1]) + 6} and {len(week[1]) - 5} more); left out"]
    assert f"{n - 2:,} transactions used of {n + 2:,} rows, 4 left out (duplicate or implausible)" in done.stdout
    assert "residual checks:" in done.stdout and "all within limits" in done.stdout
    report = json.loads((out / "calibration.json").read_text())
    assert report["inputs"]["transactions"]["rows_left_out"] == 4
    assert report["inputs"]["footfall"]["rows_left_out"] == len(week[1])
    assert report["service"]["residual_checks"]["passed"] is True
    assert "NA" in report["store"]["registers"]


def test_a_full_disk_is_found_before_any_work(files, tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    import shutil

    monkeypatch.setattr("storesim.analysis.calibration.destination.shutil.disk_usage",
                        lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 2**19, 2**19))
    code, _, err = _run(["--transactions", files[0], "--name", "x", "--out", tmp_path / "cal"], capsys)
    assert code == 2 and err == (f"storesim-calibrate: error: --out {tmp_path / 'cal'}: cannot write in "
                                 f"{tmp_path.resolve()} (No space left on device: 0.5 MB free, the outputs need about "
                                 "5 MB)\n")
    assert sorted(os.listdir(tmp_path)) == ["doors.csv", "tx.csv"]
