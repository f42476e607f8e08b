"""The periodic deadline sweep: mark open dossiers due soon or overdue, and tell each agency once a day.

It reads which open dossiers change state (partial index on ``due_at``), then updates them ``BATCH`` at a time,
each batch its own short transaction, so an officer acting on a dossier waits at most for one batch, never for the
whole sweep. It runs inside the periodic sweep (``manage.py sweep``, one copy at a time, see
``egov.onestop.sweeps``). Running it twice changes nothing the second time. Each agency's daily digest is an
outbox row, written here and e-mailed by a task after the commit, retried until it is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from egov.dossiers import outbox
from egov.dossiers.models import DeadlineState, Dossier
from egov.onestop import time_rules
from egov.onestop.models import DeadlineDigest
from egov.onestop.tasks import send_deadline_digest
from egov.worktime.calendar import current_calendar

OPEN = ("received", "processing")
BATCH = 1000


@dataclass(frozen=True)
class SweepResult:
    overdue: int
    due_soon: int
    on_track: int
    digests: int


def sweep_deadlines(*, now: dt.datetime | None = None, batch_size: int = BATCH) -> SweepResult:
    now = now or timezone.now()
    calendar = current_calendar()
    soon = time_rules.due_soon_limit(now, calendar)  # the ranges below are time_rules.deadline_state's
    open_dossiers = Dossier.objects.filter(status__in=OPEN, due_at__isnull=False)
    overdue = _mark(
        open_dossiers.filter(due_at__lt=now).exclude(deadline_state=DeadlineState.OVERDUE),
        DeadlineState.OVERDUE,
        batch_size,
    )
    due_soon = _mark(
        open_dossiers.filter(due_at__gte=now, due_at__lt=soon).exclude(deadline_state=DeadlineState.DUE_SOON),
        DeadlineState.DUE_SOON,
        batch_size,
    )
    # After an apology the date moves on: such dossiers are back on track.
    on_track = _mark(
        open_dossiers.filter(due_at__gte=soon).filter(
            Q(deadline_state=DeadlineState.OVERDUE) | Q(deadline_state=DeadlineState.DUE_SOON)
        ),
        DeadlineState.ON_TRACK,
        batch_size,
    )
    digests = _enqueue_digests(day=timezone.localdate(now))
    return SweepResult(overdue=overdue, due_soon=due_soon, on_track=on_track, digests=digests)


def _mark(changing: QuerySet[Dossier], state: DeadlineState, batch_size: int) -> int:
    """Set ``state`` on the dossiers of ``changing``: their ids are read once (no lock), then each batch is
    updated in its own transaction with the condition checked again, so a dossier an officer moved meanwhile
    (received → done, a new date) is left as the officer left it."""
    ids = list(changing.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            changed += changing.filter(pk__in=ids[start : start + batch_size]).update(deadline_state=state)
    return changed


def _enqueue_digests(*, day: dt.date) -> int:
    """One digest per agency holding flagged dossiers, once a day (the row is the idempotency key). The rows
    are written in one short transaction and each is enqueued on its commit; one left unsent is enqueued again
    by the outbox sweep."""
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
    if not fresh:
        return 0
    with transaction.atomic():
        DeadlineDigest.objects.bulk_create(fresh, ignore_conflicts=True)
        ids = list(
            DeadlineDigest.objects.filter(
                day=day, sent_at__isnull=True, agency_id__in=[d.agency_id for d in fresh]
            ).values_list("pk", flat=True)
        )
        for pk in ids:
            outbox.enqueue_on_commit(send_deadline_digest, pk)
    return len(ids)
