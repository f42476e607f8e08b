"""Opening hours of a one-stop desk as people read them: "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from egov.agencies.models import Weekday

Period = tuple[int, dt.time, dt.time]  # weekday (Monday = 0), opens, closes


def periods_of(rows: Iterable[Any]) -> list[Period]:
    """``OpeningHours`` rows as plain tuples (what a cache can keep)."""
    return [(row.weekday, row.opens, row.closes) for row in rows]


def _clock(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def describe(periods: Iterable[Period]) -> list[str]:
    """One line per run of consecutive days with the same periods, Monday first; closed days are left out."""
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in periods:
        by_day.setdefault(weekday, []).append((opens, closes))
    runs: list[tuple[int, int, tuple[tuple[dt.time, dt.time], ...]]] = []
    for day in sorted(by_day):
        hours = tuple(sorted(by_day[day]))
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], day, hours)
        else:
            runs.append((day, day, hours))
    lines = []
    for first, last, hours in runs:
        days = str(Weekday(first).label)
        if last != first:
            days = f"{days} – {Weekday(last).label!s}"
        lines.append(f"{days}: " + ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in hours))
    return lines
