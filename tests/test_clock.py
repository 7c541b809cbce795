"""Clock text: one format ("HH:MM") for outputs, figures and messages."""

import pytest

from storesim.sim.clock import clock_from_hours, clock_from_minutes


@pytest.mark.parametrize("minute, text", [
    (0, "00:00"), (8 * 60, "08:00"), (8 * 60 + 15, "08:15"), (23 * 60 + 59, "23:59"),
    (24 * 60, "00:00"), (25 * 60 + 30, "01:30"),  # past midnight: the next morning
    (-30, "23:30"), (8 * 60 + 14.6, "08:15"), (8 * 60 + 0.4, "08:00"),
])
def test_minutes(minute, text):
    assert clock_from_minutes(minute) == text


@pytest.mark.parametrize("hour, text", [(8, "08:00"), (8.5, "08:30"), (21.25, "21:15"), (24, "00:00"), (26, "02:00")])
def test_hours(hour, text):
    assert clock_from_hours(hour) == text


def test_closing_time_at_midnight_is_24():
    assert clock_from_hours(24, closing=True) == "24:00"
    assert clock_from_hours(18, closing=True) == "18:00"
    assert clock_from_hours(0, closing=True) == "00:00"
    assert clock_from_minutes(25 * 60, closing=True) == "01:00"


def test_plot_labels_use_it():
    from storesim.analysis.plots_style import clock_label

    assert clock_label(90, 22.5) == "00:00" and clock_label(15, 8) == "08:15"
