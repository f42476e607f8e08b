"""Background work for dossiers. Each task is idempotent and safe to run again."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from egov.dossiers.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


@task()
def send_notification(notification_id: int) -> str:
    """Send one e-mail about a dossier. Sends nothing if it was sent already; on a delivery failure it
    re-enqueues itself with exponential back-off (1, 2, 4, 8, 16 minutes) up to six attempts."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("dossier__procedure_version", "dossier__receiving_agency")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.sent_at is not None:
            return "already sent"
        dossier = notification.dossier
        context = {
            "dossier": dossier,
            "lookup_url": f"{settings.EGOV_SITE_URL}/tra-cuu-ho-so/?ma={dossier.code}",
            "public_url": settings.EGOV_SITE_URL,
        }
        # One notification per supplement request ("supplement_requested_<id>"), one template for them all.
        # “kind:anything” (e.g. "received:7" after a second receipt) uses the template of “kind”.
        template = notification.kind.split(":")[0]
        if template.startswith("supplement_requested"):
            template = "supplement"
        subject = " ".join(render_to_string(f"dossiers/email/{template}_subject.txt", context).split())
        body = render_to_string(f"dossiers/email/{template}.txt", context)
        try:
            EmailMessage(subject, body, to=[notification.recipient]).send()
        except (smtplib.SMTPException, OSError) as exc:
            notification.attempts += 1
            notification.last_error = str(exc)[:500]
            notification.save(update_fields=["attempts", "last_error"])
            if notification.attempts < MAX_ATTEMPTS:
                delay = dt.timedelta(minutes=2 ** (notification.attempts - 1))
                retry = send_notification
                if retry.get_backend().supports_defer:
                    retry = retry.using(run_after=timezone.now() + delay)
                transaction.on_commit(lambda: retry.enqueue(notification_id))
            else:
                logger.error(
                    "notification failed", extra={"notification": notification_id, "error": str(exc)}
                )
            return "retry"
        notification.sent_at = timezone.now()
        notification.attempts += 1
        notification.save(update_fields=["sent_at", "attempts"])
    return "sent"


DIGEST_LIST_LIMIT = 50


@task()
def send_deadline_digest(digest_id: int) -> str:
    """E-mail the heads of an agency, and the officers assigned, about its due-soon and overdue dossiers.
    Sends once: the digest row is marked sent in the same transaction."""
    from egov.accounts.models import StaffAssignment
    from egov.dossiers.models import DeadlineDigest, Dossier

    with transaction.atomic():
        digest = (
            DeadlineDigest.objects.select_for_update().select_related("agency").filter(pk=digest_id).first()
        )
        if digest is None or digest.sent_at is not None:
            return "already sent"
        flagged = list(
            Dossier.objects.filter(
                current_agency=digest.agency,
                status__in=("received", "processing"),
                deadline_state__in=("due_soon", "overdue"),
            )
            .select_related("procedure_version", "current_assignee")
            .order_by("due_at")[:DIGEST_LIST_LIMIT]
        )
        recipients = set(
            StaffAssignment.objects.filter(agency=digest.agency, role__in=("leader", "department_head"))
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        recipients |= {
            d.current_assignee.email for d in flagged if d.current_assignee and d.current_assignee.email
        }
        if not recipients:
            digest.sent_at = timezone.now()
            digest.save(update_fields=["sent_at"])
            return "no recipient"
        context = {
            "digest": digest,
            "dossiers": flagged,
            "public_url": settings.EGOV_SITE_URL,
        }
        subject = " ".join(render_to_string("dossiers/email/deadline_digest_subject.txt", context).split())
        body = render_to_string("dossiers/email/deadline_digest.txt", context)
        EmailMessage(subject, body, to=sorted(r for r in recipients if r)).send()
        digest.sent_at = timezone.now()
        digest.save(update_fields=["sent_at"])
    return "sent"


@task()
def issue_form(dossier_id: int, form: str) -> str:
    """Issue (render, sign, store) a one-stop form after the act that produced it; idempotent."""
    from egov.dossiers.issued_forms import issue
    from egov.dossiers.models import Dossier

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
