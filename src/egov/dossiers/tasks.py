"""Background work for dossiers. Each task is idempotent and safe to run again: the e-mails are outbox rows
(``egov.dossiers.outbox``), sent at most once, retried with back-off, and enqueued again by the periodic sweep
if a task is lost."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import TaskContext, task

from egov.core.site import site_url
from egov.dossiers import outbox
from egov.dossiers.models import Notification


@task(takes_context=True)
def send_notification(context: TaskContext, notification_id: int) -> str:
    """Send one e-mail about a dossier. Sends nothing if it was sent already; on a delivery failure it is sent
    again after 1, 2, 4, 8, 16 minutes, up to ``EGOV_OUTBOX_MAX_ATTEMPTS`` attempts."""
    return outbox.deliver(
        Notification,
        notification_id,
        attempt=str(context.task_result.id),
        compose=_notification_email,
        retry=send_notification,
    )


def _notification_email(notification: Notification) -> EmailMessage:
    dossier = notification.dossier
    context = {
        "dossier": dossier,
        "lookup_url": site_url(f"/tra-cuu-ho-so/?ma={dossier.code}"),
        "public_url": site_url("/"),
    }
    # One notification per supplement request ("supplement_requested_<id>"), one template for them all.
    # “kind:anything” (e.g. "received:7" after a second receipt) uses the template of “kind”.
    template = notification.kind.split(":")[0]
    if template.startswith("supplement_requested"):
        template = "supplement"
    subject = " ".join(render_to_string(f"dossiers/email/{template}_subject.txt", context).split())
    body = render_to_string(f"dossiers/email/{template}.txt", context)
    return EmailMessage(subject, body, to=[notification.recipient])


# Every outbox and the task that sends its rows, for the periodic sweep and the admin's “send again”.
OUTBOXES: list[tuple[type[outbox.OutboxRow], Any]] = [(Notification, send_notification)]


def register_outbox(model: type[outbox.OutboxRow], task: Any) -> None:
    """A higher app's outbox (the back office's deadline digests) joins the sweep and the admin's “send again”."""
    if (model, task) not in OUTBOXES:
        OUTBOXES.append((model, task))
