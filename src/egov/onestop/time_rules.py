"""The time rules applied to one dossier, as pure functions of moments and the working calendar: its time
limit and appointment date, when a step starts after a hand-over, the early / on-time / late verdict, whether
an apology is still in time, and the deadline state the sweep shows. The figures come from
:mod:`egov.onestop.decree61`.

They read and write nothing: the services (receipt, processing), the action rules, the deadline sweep and the
synthetic year (:mod:`egov.demo.synthetic`) all call these, so a generated dossier is classified exactly as a
real one would be.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from egov.catalog.models import TimeUnit
from egov.dossiers.models import DeadlineState, Verdict
from egov.dossiers.statuses import Channel
from egov.onestop import decree61
from egov.worktime.calendar import WorkingCalendar


def time_limit(version: Any, calendar: WorkingCalendar) -> dt.timedelta:
    """A procedure version's time limit as working time: N working hours, or N working days of
    ``calendar.day_length`` each."""
    if version.processing_time_unit == TimeUnit.WORKING_HOURS:
        return dt.timedelta(hours=float(version.processing_time))
    return calendar.day_length * float(version.processing_time)


def due_date(version: Any, received_at: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    """The appointment date (hẹn trả): the time limit counted in working time from the moment of receipt."""
    return calendar.add_working_time(received_at, time_limit(version, calendar))


def step_start(
    handed_at: dt.datetime,
    *,
    channel: int,
    from_agency_id: int | None,
    to_agency_id: int,
    calendar: WorkingCalendar,
) -> dt.datetime:
    """When a step's clock starts. Paper dossiers travel: one handed to another agency after the cut-off
    (15:00) or on a day off starts there at the next working day's opening; an online dossier, the first step
    and a hand-over within one agency start at once."""
    if channel == Channel.ONLINE or from_agency_id is None or from_agency_id == to_agency_id:
        return handed_at
    local = timezone.localtime(handed_at, calendar.zone)
    if calendar.is_working_day(local.date()) and local.time() < decree61.FORWARD_CUT_OFF:
        return handed_at
    day = calendar.next_working_day(local.date())
    return dt.datetime.combine(day, calendar.hours[0][0], calendar.zone)


def classify(finished: dt.datetime, due: dt.datetime | None, zone: dt.tzinfo | None = None) -> str:
    """Early: before the due day; on time: on the due day, by the due time; late: after it. Days are local
    to ``zone`` (default: the current time zone)."""
    if due is None:
        return ""
    if finished > due:
        return Verdict.LATE
    zone = zone or timezone.get_current_timezone()
    if finished.astimezone(zone).date() < due.astimezone(zone).date():
        return Verdict.EARLY
    return Verdict.ON_TIME


def apology_in_time(now: dt.datetime, due: dt.datetime | None, calendar: WorkingCalendar) -> bool:
    """An apology with a new date (form 04) goes out before the deadline, at least
    ``APOLOGY_NOTICE_DAYS`` working days ahead of it."""
    if due is None or now >= due:
        return False
    left = calendar.working_time_between(now, due)
    return left >= calendar.day_length * decree61.APOLOGY_NOTICE_DAYS


def due_soon_limit(now: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    """Dossiers due before this moment (and not yet overdue) are due soon."""
    return calendar.add_working_days(now, decree61.DUE_SOON_WORKING_DAYS)


def deadline_state(due: dt.datetime, *, now: dt.datetime, soon: dt.datetime) -> DeadlineState:
    """The deadline state of an open dossier at ``now`` (``soon`` from :func:`due_soon_limit`): overdue once
    its due moment has passed, due soon before ``soon``, on track after. The sweep marks these same ranges."""
    if due < now:
        return DeadlineState.OVERDUE
    if due < soon:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK
