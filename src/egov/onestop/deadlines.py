"""The periodic deadline sweep: mark open dossiers and the consultations they wait for due soon or overdue,
remind the consulted agencies, and tell each agency once a day.

It reads which open dossiers change state (partial index on ``due_at``), then updates them ``BATCH`` at a time,
each batch its own short transaction, so an officer acting on a dossier waits at most for one batch, never for the
whole sweep. It runs inside the periodic sweep (``manage.py sweep``, one copy at a time, see
``egov.onestop.sweeps``). Running it twice changes nothing the second time. Each agency's daily digest is an
outbox row, written here and e-mailed by a task after the commit, retried until it is sent.

Consultations still waiting for their answer (partial index ``consultation_open``) are marked the same way, in
batches, each consultation's row locked only for its batch. When one falls due soon its agency's officers are
reminded, once; when it is overdue they are reminded if they were not yet, and whoever waits for the answer is
told. The reminders are outbox rows written in the batch's transaction; nothing is sent while a row is locked
(the e-mails go after the commit). A question asked with less than the due-soon time to answer is not reminded
before it is overdue: the question itself said when the answer was due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from egov.dossiers import outbox
from egov.dossiers.models import Consultation, DeadlineState, Dossier
from egov.onestop import decree61, notices, rules, time_rules
from egov.onestop.models import DeadlineDigest
from egov.onestop.tasks import send_deadline_digest
from egov.worktime.calendar import WorkingCalendar, current_calendar

OPEN = ("received", "processing")
BATCH = 1000


@dataclass(frozen=True)
class SweepResult:
    overdue: int
    due_soon: int
    on_track: int
    digests: int
    consultations_overdue: int = 0
    consultations_due_soon: int = 0
    reminders: int = 0  # e-mails written: reminders to consulted agencies, delays told to whoever waits


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
    consultations = _sweep_consultations(now=now, soon=soon, calendar=calendar, batch_size=batch_size)
    digests = _enqueue_digests(day=timezone.localdate(now))
    return SweepResult(
        overdue=overdue,
        due_soon=due_soon,
        on_track=on_track,
        digests=digests,
        consultations_overdue=consultations[0],
        consultations_due_soon=consultations[1],
        reminders=consultations[2],
    )


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


def waiting_consultations() -> QuerySet[Consultation]:
    """Questions still waiting for their answer on a dossier being processed (the answer rule's statuses)."""
    return Consultation.objects.filter(
        answered_at__isnull=True, cancelled_at__isnull=True, dossier__status__in=rules.ANSWERABLE_STATUSES
    )


def _sweep_consultations(
    *, now: dt.datetime, soon: dt.datetime, calendar: WorkingCalendar, batch_size: int
) -> tuple[int, int, int]:
    """Mark the waiting consultations overdue or due soon and write the reminders; returns (overdue, due soon,
    e-mails written)."""
    waiting = waiting_consultations()
    warning = calendar.day_length * decree61.DUE_SOON_WORKING_DAYS

    def overdue(batch: list[Consultation]) -> int:
        return notices.remind_consulted(batch) + notices.tell_asker_overdue(batch)

    def due_soon(batch: list[Consultation]) -> int:
        # Asked with more time than the warning: remind; asked inside it, the question said the date.
        return notices.remind_consulted(
            [c for c in batch if calendar.working_time_between(c.requested_at, c.due_at) > warning]
        )

    late, told_late = _mark_consultations(
        waiting.filter(due_at__lt=now).exclude(deadline_state=DeadlineState.OVERDUE),
        DeadlineState.OVERDUE,
        batch_size,
        then=overdue,
    )
    close, told_close = _mark_consultations(
        waiting.filter(due_at__gte=now, due_at__lt=soon).exclude(deadline_state=DeadlineState.DUE_SOON),
        DeadlineState.DUE_SOON,
        batch_size,
        then=due_soon,
    )
    return late, close, told_late + told_close


def _mark_consultations(
    changing: QuerySet[Consultation],
    state: DeadlineState,
    batch_size: int,
    *,
    then: Callable[[list[Consultation]], int],
) -> tuple[int, int]:
    """Like :func:`_mark`, for consultations, and ``then`` writes the e-mails owed for each batch in its
    transaction: the batch's rows are locked (only theirs, not their dossiers'), checked again, marked, and
    their e-mails enqueued on the commit. Returns (marked, e-mails written)."""
    ids = list(changing.order_by("pk").values_list("pk", flat=True))
    changed = told = 0
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            batch = list(
                changing.filter(pk__in=ids[start : start + batch_size])
                .select_for_update(of=("self",))
                .select_related("dossier", "step__assignee", "requested_by")
                .order_by("pk")
            )
            if not batch:
                continue
            changed += Consultation.objects.filter(pk__in=[c.pk for c in batch]).update(deadline_state=state)
            told += then(batch)
    return changed, told


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
    # The questions an agency owes an answer to, overdue: in the same digest, to the same people.
    owed = dict(
        waiting_consultations()
        .filter(deadline_state=DeadlineState.OVERDUE)
        .values("agency")
        .annotate(late=Count("pk"))
        .values_list("agency", "late")
    )
    dossiers = {row["current_agency"]: (row["soon"], row["late"]) for row in counts}
    already = set(DeadlineDigest.objects.filter(day=day).values_list("agency_id", flat=True))
    fresh = [
        DeadlineDigest(
            agency_id=agency_id,
            day=day,
            due_soon=dossiers.get(agency_id, (0, 0))[0],
            overdue=dossiers.get(agency_id, (0, 0))[1],
            consultations_overdue=owed.get(agency_id, 0),
        )
        for agency_id in sorted(set(dossiers) | set(owed))
        if agency_id not in already
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
