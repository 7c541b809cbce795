"""Clock text ("HH:MM") for times of day, the one format used in outputs, figures and messages.

Times are rounded to the nearest minute and wrap past midnight (24:30 is "00:30", -0:30 is
"23:30"), so a day that runs into overtime after midnight reads as the next morning. A
closing time (the end of a span) at midnight reads "24:00", as opening hours are written.
"""

from __future__ import annotations

MINUTES_PER_DAY = 24 * 60


def clock_from_minutes(minute_of_day: float, closing: bool = False) -> str:
    """``"HH:MM"`` for ``minute_of_day`` minutes after midnight (any finite number).

    With ``closing``, a positive time that falls exactly on midnight reads ``"24:00"`` (the end
    of the day) instead of ``"00:00"``.
    """
    rounded = int(round(minute_of_day))
    minute = rounded % MINUTES_PER_DAY
    if closing and minute == 0 and rounded > 0:
        return "24:00"
    return f"{minute // 60:02d}:{minute % 60:02d}"


def clock_from_hours(hour_of_day: float, closing: bool = False) -> str:
    """``"HH:MM"`` for ``hour_of_day`` hours after midnight: 8 gives "08:00", 8.5 "08:30", 25 "01:00";
    ``closing`` as in :func:`clock_from_minutes` (24 gives "24:00")."""
    return clock_from_minutes(hour_of_day * 60, closing)
