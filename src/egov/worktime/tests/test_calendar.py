"""Deadlines in working time, across weekends, lunch breaks, Tết and the province's own days off."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from egov.worktime.calendar import WorkingCalendar, current_calendar, parse_hours
from egov.worktime.models import CalendarException

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VN)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar(zone=VN)


def test_one_working_day_from_friday_afternoon_is_monday_afternoon(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(at("2018-12-07", "15:00"), 1) == at("2018-12-10", "15:00")


def test_counting_starts_at_the_next_opening(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(at("2018-12-09", "10:00"), 1) == at("2018-12-10", "17:00")  # a Sunday
    assert calendar.add_working_hours(at("2018-12-10", "18:30"), 1) == at("2018-12-11", "08:30")


def test_working_hours_skip_the_lunch_break(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_hours(at("2018-12-10", "10:00"), 4) == at("2018-12-10", "15:30")
    assert calendar.working_time_between(
        at("2018-12-10", "10:00"), at("2018-12-10", "15:30")
    ) == dt.timedelta(hours=4)


def test_tet_holidays_do_not_count(calendar: WorkingCalendar) -> None:
    # Tết Kỷ Hợi 2019: 4–8 February off, with the weekends around it.
    assert not calendar.is_working_day(dt.date(2019, 2, 5))
    assert calendar.holiday_name(dt.date(2019, 2, 5)) == "Tết Nguyên Đán"
    assert calendar.add_working_days(at("2019-02-01", "09:00"), 1) == at("2019-02-11", "09:00")
    assert calendar.add_working_days(at("2019-02-01", "09:00"), 3) == at("2019-02-13", "09:00")
    # Tết Ất Tỵ 2025 starts on 27 January (29 Tết).
    assert calendar.add_working_days(at("2025-01-24", "16:00"), 2) == at("2025-02-04", "16:00")


def test_government_make_up_saturdays_are_worked(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(dt.date(2025, 4, 26))  # worked in exchange for Friday 2 May 2025
    assert not calendar.is_working_day(dt.date(2025, 5, 2))


@pytest.mark.django_db
def test_the_province_declares_extra_days_off_and_make_up_days() -> None:
    CalendarException.objects.create(
        day=dt.date(2018, 12, 10), kind="day_off", name="Nghỉ theo quyết định của tỉnh"
    )
    CalendarException.objects.create(day=dt.date(2018, 12, 15), kind="working_day", name="Làm bù")
    calendar = current_calendar()
    assert not calendar.is_working_day(dt.date(2018, 12, 10)) and calendar.is_working_day(
        dt.date(2018, 12, 15)
    )
    # Friday 07/12 15:00 + 1 day: Monday is off, so Tuesday 15:00; + 4 days: Saturday 15/12 is worked.
    assert calendar.add_working_days(at("2018-12-07", "15:00"), 1) == at("2018-12-11", "15:00")
    assert calendar.add_working_days(at("2018-12-07", "15:00"), 4) == at("2018-12-14", "15:00")
    assert calendar.add_working_days(at("2018-12-07", "15:00"), 5) == at("2018-12-15", "15:00")


def test_working_hours_are_configurable_and_checked() -> None:
    assert parse_hours("08:00-12:00, 13:30-17:30")[1] == (dt.time(13, 30), dt.time(17, 30))
    for bad in ("12:00-08:00", "08:00-12:00,11:00-13:00", "tám giờ"):
        with pytest.raises(ValueError):
            parse_hours(bad)
    half_days = WorkingCalendar(hours=parse_hours("07:00-11:00"), zone=VN)
    assert half_days.add_working_days(at("2018-12-10", "09:00"), 1) == at("2018-12-11", "09:00")
