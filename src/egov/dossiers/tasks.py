"""Background work for dossiers. Each task is idempotent and safe to run again: the e-mails are outbox rows
(``egov.dossiers.outbox``), sent at most once, retried with back-off, and enqueued again by the periodic sweep
if a task is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import TaskContext, task

from egov.core.site import site_url
from egov.core.sms import SmsMessage
from egov.dossiers import outbox
from egov.dossiers.models import Dossier, Notification, NotificationChannel, NotificationKind


@task(takes_context=True)
def send_notification(context: TaskContext, notification_id: int) -> str:
    """Send one e-mail or SMS about a dossier. Sends nothing if it was sent already; on a delivery failure it is
    sent again after 1, 2, 4, 8, 16 minutes, up to ``EGOV_OUTBOX_MAX_ATTEMPTS`` attempts."""
    return outbox.deliver(
        Notification,
        notification_id,
        attempt=str(context.task_result.id),
        compose=_notification_email,
        retry=send_notification,
    )


# The applicant's notices: each kind's template under ``dossiers/email/`` (``‹name›.txt`` and
# ``‹name›_subject.txt``). Kinds addressed to officers are composed by the app that sends them
# (:func:`register_composer`).
APPLICANT_TEMPLATES: dict[str, str] = {
    NotificationKind.SUBMITTED: "submitted",
    NotificationKind.RECEIVED: "received",
    NotificationKind.SUPPLEMENT_REQUESTED: "supplement",
    NotificationKind.REFUSED: "refused",
    NotificationKind.PAYMENT_REQUESTED: "payment_requested",
    NotificationKind.APOLOGY: "apology",
    NotificationKind.STOPPED: "stopped",
    NotificationKind.WITHDRAWN: "withdrawn",
    NotificationKind.DONE: "done",
    NotificationKind.RETURNED: "returned",
}
Composer = Callable[[Notification], EmailMessage | None]
COMPOSERS: dict[str, Composer] = {}


def register_composer(kind: NotificationKind, composer: Composer) -> None:
    """A higher app (the back office) composes the notices it sends officers: ``composer(notification)``
    returns the message, or None when there is nothing to tell any more (the question was answered)."""
    COMPOSERS[kind] = composer


def _context(dossier: Dossier) -> dict[str, Any]:
    return {
        "dossier": dossier,
        "lookup_url": site_url(f"/tra-cuu-ho-so/?ma={dossier.code}"),
        "public_url": site_url("/"),
        # The applicant's page of this dossier (``submission:detail``; spelled here, as dossiers sits below
        # submission in the layers).
        "dossier_url": site_url(f"/ho-so-cua-toi/{dossier.code}/"),
    }


def applicant_subject(dossier: Dossier, kind: str) -> str:
    """What the applicant is told, in one line: the e-mail's subject, the portal notice, the SMS."""
    template = APPLICANT_TEMPLATES[kind]
    return " ".join(render_to_string(f"dossiers/email/{template}_subject.txt", _context(dossier)).split())


def _notification_email(notification: Notification) -> EmailMessage | SmsMessage | None:
    composer = COMPOSERS.get(notification.kind)
    if composer is not None:
        return composer(notification)
    template = APPLICANT_TEMPLATES.get(notification.kind)
    if template is None:
        raise LookupError(f"no e-mail for notification kind {notification.kind!r}")
    dossier = notification.dossier
    context = _context(dossier)
    subject = applicant_subject(dossier, notification.kind)
    if notification.channel == NotificationChannel.SMS:
        return SmsMessage(
            to=notification.recipient,
            body=f"{subject}. Tra cứu: {context['lookup_url']}",
            reference=f"notification-{notification.pk}",
        )
    body = render_to_string(f"dossiers/email/{template}.txt", context)
    return EmailMessage(subject, body, to=[notification.recipient])


# Every outbox and the task that sends its rows, for the periodic sweep and the admin's “send again”.
OUTBOXES: list[tuple[type[outbox.OutboxRow], Any]] = [(Notification, send_notification)]


def register_outbox(model: type[outbox.OutboxRow], task: Any) -> None:
    """A higher app's outbox (the back office's deadline digests) joins the sweep and the admin's “send again”."""
    if (model, task) not in OUTBOXES:
        OUTBOXES.append((model, task))
