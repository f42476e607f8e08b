"""Working time: which days are worked, and deadlines counted in working days or working hours.

A working day is a weekday that is not a public holiday (the ``holidays`` package, Vietnam, with lunar Tết
and the Government's substitute days), unless the province declares it off; a weekend day is worked when the
Government or the province declares it a make-up day. Working hours default to 07:30–11:30 and 13:00–17:00
(``EGOV_WORKING_HOURS``). A time limit of N working days is N × (hours in a working day) of working time
counted from the moment of receipt, so a dossier received at 15:00 with a one-day limit is due at 15:00 on
the next working day; one received outside working hours starts counting at the next opening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from egov.worktime.models import CalendarException

MAX_DAYS_SCANNED = 3660


def parse_hours(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """``"07:30-11:30,13:00-17:00"`` → ((07:30, 11:30), (13:00, 17:00)); periods must be ordered, not overlapping."""
    periods: list[tuple[dt.time, dt.time]] = []
    for part in spec.split(","):
        start, end = (dt.time.fromisoformat(p.strip()) for p in part.split("-"))
        if end <= start or (periods and start < periods[-1][1]):
            raise ValueError(f"Giờ làm việc không hợp lệ: {spec!r}")
        periods.append((start, end))
    if not periods:
        raise ValueError("Cần ít nhất một khoảng giờ làm việc.")
    return tuple(periods)


@cache
def _national(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


@dataclass
class WorkingCalendar:
    days_off: dict[dt.date, str] = field(default_factory=dict)
    working_days: dict[dt.date, str] = field(default_factory=dict)
    hours: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(7, 30), dt.time(11, 30)),
        (dt.time(13), dt.time(17)),
    )
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    @property
    def day_length(self) -> dt.timedelta:
        return sum((_span(start, end) for start, end in self.hours), dt.timedelta())

    def holiday_name(self, day: dt.date) -> str | None:
        if day in self.days_off:
            return self.days_off[day]
        return _national(day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        national = _national(day.year)
        if day in getattr(national, "weekend_workdays", set()):
            return True
        return day.weekday() < 5 and day not in national

    def periods_from(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Working periods (aware datetimes) that end after ``moment``, the first one clipped to it."""
        local = moment.astimezone(self.zone)
        day = local.date()
        for _ in range(MAX_DAYS_SCANNED):
            if self.is_working_day(day):
                for start, end in self.hours:
                    begin = dt.datetime.combine(day, start, self.zone)
                    finish = dt.datetime.combine(day, end, self.zone)
                    if finish <= local:
                        continue
                    yield max(begin, local), finish
            day += dt.timedelta(days=1)
        raise RuntimeError("No working time within ten years: check the calendar.")

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        remaining = amount
        for begin, finish in self.periods_from(start):
            available = finish - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")

    def add_working_days(self, start: dt.datetime, days: Decimal | int | float) -> dt.datetime:
        return self.add_working_time(start, self.day_length * float(days))

    def add_working_hours(self, start: dt.datetime, hours: Decimal | int | float) -> dt.datetime:
        return self.add_working_time(start, dt.timedelta(hours=float(hours)))

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time elapsed from ``start`` to ``end`` (zero if ``end`` is before ``start``)."""
        total = dt.timedelta()
        if end <= start:
            return total
        for begin, finish in self.periods_from(start):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def next_working_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day


def _span(start: dt.time, end: dt.time) -> dt.timedelta:
    return dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)


def current_calendar() -> WorkingCalendar:
    """The calendar with the province's declared exceptions (one small query)."""

    calendar = WorkingCalendar(hours=parse_hours(settings.EGOV_WORKING_HOURS))
    for day, kind, name in CalendarException.objects.values_list("day", "kind", "name"):
        target = calendar.working_days if kind == CalendarException.Kind.WORKING_DAY else calendar.days_off
        target[day] = name
    return calendar
