"""The periodic deadline sweep: mark open dossiers due soon or overdue, and tell each agency once a day.

It is a few set-based UPDATEs over the open dossiers (partial index on ``due_at``), so it takes seconds on a
province's million open dossiers; run it every 15 minutes (``manage.py sweep_deadlines``, from cron or a
systemd timer; ``make demo`` runs it in a loop). Running it twice changes nothing the second time, and the
digest e-mail is sent at most once per agency per day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from egov.dossiers.models import DeadlineDigest, DeadlineState, Dossier
from egov.worktime.calendar import current_calendar

OPEN = ("received", "processing")
DUE_SOON_WORKING_DAYS = 1


@dataclass(frozen=True)
class SweepResult:
    overdue: int
    due_soon: int
    on_track: int
    digests: int


def sweep_deadlines(*, now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    calendar = current_calendar()
    soon = calendar.add_working_days(now, DUE_SOON_WORKING_DAYS)
    open_dossiers = Dossier.objects.filter(status__in=OPEN, due_at__isnull=False)
    with transaction.atomic():
        overdue = (
            open_dossiers.filter(due_at__lt=now)
            .exclude(deadline_state=DeadlineState.OVERDUE)
            .update(deadline_state=DeadlineState.OVERDUE)
        )
        due_soon = (
            open_dossiers.filter(due_at__gte=now, due_at__lt=soon)
            .exclude(deadline_state=DeadlineState.DUE_SOON)
            .update(deadline_state=DeadlineState.DUE_SOON)
        )
        # After an apology the date moves on: such dossiers are back on track.
        on_track = (
            open_dossiers.filter(due_at__gte=soon)
            .filter(Q(deadline_state=DeadlineState.OVERDUE) | Q(deadline_state=DeadlineState.DUE_SOON))
            .update(deadline_state=DeadlineState.ON_TRACK)
        )
    digests = _enqueue_digests(day=timezone.localdate(now))
    return SweepResult(overdue=overdue, due_soon=due_soon, on_track=on_track, digests=digests)


def _enqueue_digests(*, day: dt.date) -> int:
    """One digest per agency holding flagged dossiers, once a day (the row is the idempotency key)."""
    from egov.dossiers.tasks import send_deadline_digest

    counts = (
        Dossier.objects.filter(
            status__in=OPEN,
            deadline_state__in=(DeadlineState.DUE_SOON, DeadlineState.OVERDUE),
            current_agency__isnull=False,
        )
        .values("current_agency")
        .annotate(
            soon=Count("pk", filter=Q(deadline_state=DeadlineState.DUE_SOON)),
            late=Count("pk", filter=Q(deadline_state=DeadlineState.OVERDUE)),
        )
    )
    already = set(DeadlineDigest.objects.filter(day=day).values_list("agency_id", flat=True))
    fresh = [
        DeadlineDigest(agency_id=row["current_agency"], day=day, due_soon=row["soon"], overdue=row["late"])
        for row in counts
        if row["current_agency"] not in already
    ]
    with transaction.atomic():
        created = DeadlineDigest.objects.bulk_create(fresh, ignore_conflicts=True)
        ids = list(
            DeadlineDigest.objects.filter(
                day=day, sent_at__isnull=True, agency_id__in=[d.agency_id for d in created]
            ).values_list("pk", flat=True)
        )
        for pk in ids:
            transaction.on_commit(partial(send_deadline_digest.enqueue, pk))
    return len(ids)
