"""Working time as whole minutes, for laying out many timelines at once (the synthetic year).

:class:`WorkingMinutes` numbers the working minutes of a range of days of a :class:`WorkingCalendar`: ``w`` (an
int) is a moment in working time, :meth:`~WorkingMinutes.epoch` the same moment as UTC epoch minutes. Adding
working time is adding minutes to ``w``, which is what :meth:`WorkingCalendar.add_working_time` computes one
moment at a time: for any moment ``t`` on a minute and any whole number of minutes ``m``,
``deadline(at_or_after(t) + m) == calendar.add_working_time(t, m minutes)`` (tested in
``worktime/tests/test_minutes.py``). Same days, same hours, same holidays: the calendar's own, read once.
"""

from __future__ import annotations

import bisect
import datetime as dt

from egov.worktime.calendar import WorkingCalendar

EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class WorkingMinutes:
    """The working minutes of ``calendar`` from ``first`` to ``last`` (dates, both included)."""

    def __init__(self, calendar: WorkingCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        minutes: list[int] = []
        for start, end in calendar.hours:
            minutes.extend(range(start.hour * 60 + start.minute, end.hour * 60 + end.minute))
        self.wall = minutes  # working minute of a day -> minute of the day
        self.length = len(minutes)  # working minutes in a working day
        self.days: list[dt.date] = []
        self.midnight: list[int] = []  # UTC epoch minute of local midnight of each working day
        self.index_on_or_after: dict[dt.date, int] = {}
        day = first
        while day <= last:
            self.index_on_or_after[day] = len(self.days)
            if calendar.is_working_day(day):
                self.days.append(day)
                midnight = dt.datetime.combine(day, dt.time(), calendar.zone)
                self.midnight.append(int(midnight.timestamp()) // 60)
            day += dt.timedelta(days=1)
        offset = dt.datetime.combine(first, dt.time(12), calendar.zone).utcoffset() or dt.timedelta()
        self.offset = int(offset.total_seconds()) // 60  # minutes from UTC to local time (no summer time)

    @staticmethod
    def minutes(amount: dt.timedelta) -> int:
        """A working-time amount in whole minutes (time limits are whole minutes: hours, days of hours)."""
        return round(amount.total_seconds() / 60)

    def epoch(self, w: int) -> int:
        """The UTC epoch minute at which working minute ``w`` begins."""
        day, minute = divmod(w, self.length)
        return self.midnight[day] + self.wall[minute]

    def epoch_end(self, w: int) -> int:
        """A deadline ``w``: the end of the working minute before it (17:00, not the next day's 07:30)."""
        return self.epoch(w - 1) + 1

    def moment(self, w: int) -> dt.datetime:
        """Working minute ``w`` as an aware datetime in the calendar's zone."""
        return dt.datetime.fromtimestamp(self.epoch(w) * 60, self.calendar.zone)

    def deadline(self, w: int) -> dt.datetime:
        """A deadline ``w`` (see :meth:`epoch_end`) as an aware datetime in the calendar's zone."""
        return dt.datetime.fromtimestamp(self.epoch_end(w) * 60, self.calendar.zone)

    def day_of(self, w: int) -> dt.date:
        return self.days[w // self.length]

    def local_day(self, epoch: int) -> dt.date:
        """The local date of a real moment (epoch minutes)."""
        return dt.date.fromordinal(EPOCH_ORDINAL + (epoch + self.offset) // 1440)

    def w_of_epoch(self, epoch: int) -> int:
        """The working minute at or after a real moment (epoch minutes)."""
        local = self.local_day(epoch)
        index = self.index_on_or_after.get(local)
        if index is None:
            return 0 if local < self.days[0] else len(self.days) * self.length - 1
        if index < len(self.days) and self.days[index] == local:
            minute_of_day = (epoch + self.offset) % 1440
            position = bisect.bisect_left(self.wall, minute_of_day)
            if position < self.length:
                return index * self.length + position
            index += 1
        return index * self.length

    def at_or_after(self, moment: dt.datetime) -> int:
        """The working minute at or after ``moment`` (which must fall on a whole minute)."""
        return self.w_of_epoch(int(moment.timestamp()) // 60)
