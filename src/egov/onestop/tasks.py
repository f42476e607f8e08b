"""Background work of the back office: deadline digests. Forms are issued by
:func:`egov.onestop.forms.issued.issue_form`, next to what it does (re-exported here for tasks queued under
this name). Each task is idempotent."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import TaskContext, task

from egov.accounts.models import StaffAssignment
from egov.core.site import site_url
from egov.dossiers import outbox
from egov.dossiers.models import Consultation, DeadlineState, Dossier
from egov.onestop.forms.issued import issue_form  # noqa: F401  (queued under egov.onestop.tasks.issue_form)
from egov.onestop.models import DeadlineDigest
from egov.onestop.rules import ANSWERABLE_STATUSES, HEADS

DIGEST_LIST_LIMIT = 50


@task(takes_context=True)
def send_deadline_digest(context: TaskContext, digest_id: int) -> str:
    """E-mail the heads of an agency, and the officers assigned, about its due-soon and overdue dossiers.
    Sent once, outside any transaction; retried like a notification."""
    return outbox.deliver(
        DeadlineDigest,
        digest_id,
        attempt=str(context.task_result.id),
        compose=_digest_email,
        retry=send_deadline_digest,
    )


def _digest_email(digest: DeadlineDigest) -> EmailMessage | None:
    flagged = list(
        Dossier.objects.filter(
            current_agency=digest.agency_id,
            status__in=("received", "processing"),
            deadline_state__in=(DeadlineState.DUE_SOON, DeadlineState.OVERDUE),
        )
        .select_related("procedure_version", "current_assignee")
        .order_by("due_at")[:DIGEST_LIST_LIMIT]
    )
    owed = (
        list(
            Consultation.objects.filter(
                agency=digest.agency_id,
                answered_at__isnull=True,
                cancelled_at__isnull=True,
                deadline_state=DeadlineState.OVERDUE,
                dossier__status__in=ANSWERABLE_STATUSES,
            )
            .select_related("dossier__procedure_version", "step__agency")
            .order_by("due_at")[:DIGEST_LIST_LIMIT]
        )
        if digest.consultations_overdue
        else []
    )
    recipients = set(
        StaffAssignment.objects.filter(agency=digest.agency_id, role__in=HEADS)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    recipients |= {
        d.current_assignee.email for d in flagged if d.current_assignee and d.current_assignee.email
    }
    if not recipients:
        return None
    worklist = site_url(reverse("onestop:desk_worklist"))
    context = {
        "digest": digest,
        "dossiers": flagged,
        "consultations": owed,
        "overdue_url": f"{worklist}?tab=qua-han",
        "consultations_url": f"{worklist}?tab=xin-y-kien",
    }
    subject = " ".join(render_to_string("dossiers/email/deadline_digest_subject.txt", context).split())
    body = render_to_string("dossiers/email/deadline_digest.txt", context)
    return EmailMessage(subject, body, to=sorted(r for r in recipients if r))
