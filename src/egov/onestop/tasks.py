"""Background work of the back office: deadline digests and issuing forms. Each task is idempotent."""

from __future__ import annotations

from typing import Any
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import TaskContext, task
from egov.accounts.models import StaffAssignment
from egov.core.site import site_url
from egov.dossiers import outbox
from egov.dossiers.models import DeadlineDigest, DeadlineState, Dossier, Notification
from egov.dossiers.tasks import _digest_email



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


@task()
def issue_form(dossier_id: int, form: str) -> str:
    """Issue (render, sign, store) a one-stop form after the act that produced it; idempotent."""
    from egov.onestop.forms.issued import issue

    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "receiving_agency", "current_agency")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        return "gone"
    try:
        _, signed = issue(dossier, form)
    except ValueError:
        return "not reached"
    return "signed" if signed else "unsigned"
