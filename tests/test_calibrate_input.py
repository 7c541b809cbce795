"""``storesim-calibrate`` distrusts its input (issue 20, section 4): implausible rows,
duplicates, door counts of other days, unreadable bytes, ids that look like missing values,
names with newlines, bad destinations and out-of-range options each give a clear message
naming the file and lines, no traceback and nothing half-written."""

from __future__ import annotations

import pandas as pd
import pytest

from storesim.analysis.calibration.calibrate import calibrate
from storesim.analysis.calibration.data import DataError, check_overlap, read_footfall, read_transactions
from storesim.analysis.calibration.example import ExampleStore, generate

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
