"""Working time counted in whole minutes gives the calendar's own deadlines, across lunch, nights and Tết."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from egov.worktime.calendar import WorkingCalendar
from egov.worktime.minutes import WorkingMinutes

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_adding_minutes_gives_the_calendars_deadline_from_any_moment() -> None:
    calendar = WorkingCalendar(zone=VN, days_off={dt.date(2019, 3, 8): "Ngày của tỉnh"})
    minutes = WorkingMinutes(calendar, dt.date(2018, 12, 1), dt.date(2020, 3, 31))
    rng = random.Random(11)
    start = dt.datetime(2019, 1, 1, tzinfo=VN)
    for _ in range(400):
        # Any minute of 2019 (nights, lunch breaks, weekends, Tết, the province's day off) and up to 20
        # working days of 8 hours.
        moment = start + dt.timedelta(minutes=rng.randrange(365 * 1440))
        amount = dt.timedelta(minutes=rng.choice([1, 30, 240, 480, 481, rng.randrange(1, 20 * 480)]))
        w = minutes.at_or_after(moment)
        assert minutes.deadline(w + WorkingMinutes.minutes(amount)) == calendar.add_working_time(
            moment, amount
        )
        assert minutes.moment(w) == calendar.add_working_time(moment, dt.timedelta(minutes=1)) - dt.timedelta(
            minutes=1
        )


def test_a_working_day_is_the_calendars_day_and_days_off_have_no_minutes() -> None:
    calendar = WorkingCalendar(zone=VN)
    minutes = WorkingMinutes(calendar, dt.date(2019, 2, 1), dt.date(2019, 2, 28))
    assert minutes.length == WorkingMinutes.minutes(calendar.day_length) == 480
    assert dt.date(2019, 2, 5) not in minutes.days  # Tết Kỷ Hợi
    friday = minutes.at_or_after(dt.datetime(2019, 2, 1, 16, 59, tzinfo=VN))
    assert minutes.deadline(friday + 1) == dt.datetime(
        2019, 2, 1, 17, tzinfo=VN
    )  # 17:00, not the next opening
    assert minutes.moment(friday + 1) == dt.datetime(2019, 2, 11, 7, 30, tzinfo=VN)  # after Tết
