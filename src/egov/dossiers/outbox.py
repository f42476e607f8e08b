"""The outbox: e-mails owed after a commit are rows (notifications, deadline digests) until they are sent.

A service writes the row in the transaction that makes the e-mail owed and enqueues its task on commit. Whatever
then goes wrong — the process dies between the commit and the enqueue, the worker dies inside the task, the mail
server is down — the row stays ``pending``, and the periodic sweep (:func:`requeue_unsent`) enqueues it again once
it has been due for ``EGOV_OUTBOX_RETRY_MINUTES``. After ``EGOV_OUTBOX_MAX_ATTEMPTS`` attempts it is ``failed``:
listed in the admin, which can send it again.

A task sends nothing while holding a lock or a transaction: it claims the row with one UPDATE (an attempt of its
own, or of the same task taken back from a dead worker), talks to the mail server, and records the outcome with
another UPDATE. The server connection is closed only after ``sent_at`` is committed, so a worker killed while
saying goodbye to the server leaves an e-mail that is recorded as sent and is not sent again. The one window
left — the server has accepted the message and the worker dies before the next UPDATE — would send it twice;
the message carries the same ``Message-ID`` each time, so mail programs show it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from egov.core.sms import SmsMessage
from egov.core.sms import get_backend as get_sms_backend
from egov.dossiers.models import OutboxRow, OutboxStatus

logger = logging.getLogger(__name__)

# Longer than any exchange with the mail server (EMAIL_TIMEOUT bounds each step): another task does not send a
# row that an attempt still in flight has claimed; the same task, taken back from a dead worker, may at once.
SENDING_LEASE = dt.timedelta(minutes=5)
REQUEUE_BATCH = 500


def max_attempts() -> int:
    return int(settings.EGOV_OUTBOX_MAX_ATTEMPTS)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: 1, 2, 4, 8, 16… minutes."""
    return dt.timedelta(minutes=2 ** max(attempts - 1, 0))


def enqueue(task: Any, pk: int, *, at: dt.datetime | None = None) -> None:
    """Enqueue ``task(pk)``, at ``at`` if the backend can defer (otherwise the sweep enqueues it when due)."""
    if at is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=at)
    task.enqueue(pk)


def enqueue_on_commit(task: Any, pk: int) -> None:
    """After the caller's transaction commits. ``robust``: a failing enqueue (database gone for a moment) is
    logged and does not turn a committed request into an error; the row stays pending and the sweep sends it."""
    transaction.on_commit(partial(enqueue, task, pk), robust=True)


def deliver(
    model: type[OutboxRow],
    pk: int,
    *,
    attempt: str,
    compose: Callable[[Any], EmailMessage | SmsMessage | None],
    retry: Any,
) -> str:
    """Send the e-mail of one outbox row once. ``attempt`` names this run (the task result's id, which stays the
    same when a dead worker's task is taken back); ``compose`` builds the message from the row (None: nobody to
    tell; an :class:`SmsMessage` goes to the SMS gateway); ``retry`` is the task to enqueue again after a failure. Returns what happened, for the task result."""
    now = timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - SENDING_LEASE) | Q(claimed_by=attempt)
    claimed = model._default_manager.filter(
        free, pk=pk, status=OutboxStatus.PENDING, attempts__lt=max_attempts()
    ).update(claimed_at=now, claimed_by=attempt, attempts=F("attempts") + 1)
    if not claimed:
        return _not_claimed(model, pk, retry)
    row = model._default_manager.get(pk=pk)
    connection = None
    try:
        message = compose(row)
        if message is None:
            _record_sent(model, pk)
            return "no recipient"
        if isinstance(message, SmsMessage):
            get_sms_backend().send(message)  # SmsDeliveryError is an OSError: retried like a mail failure
        else:
            message.extra_headers.setdefault("Message-ID", _message_id(model, pk))
            connection = get_connection()
            connection.open()
            connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        _close_quietly(connection)
        return _record_failure(model, row, exc, retry)
    except Exception as exc:  # a defect (template, query): recorded, then the task fails with its traceback
        _close_quietly(connection)
        _record_failure(model, row, exc, retry)
        raise
    _record_sent(model, pk)
    _close_quietly(connection)
    return "sent"


def _not_claimed(model: type[OutboxRow], pk: int, retry: Any) -> str:
    row = model._default_manager.filter(pk=pk).values("status", "attempts", "claimed_at").first()
    if row is None:
        return "missing"
    if row["status"] == OutboxStatus.SENT:
        return "already sent"
    if row["status"] == OutboxStatus.FAILED or row["attempts"] >= max_attempts():
        return "given up"
    # Another attempt is in flight: look again when its lease ends, in case its worker died meanwhile.
    enqueue(retry, pk, at=(row["claimed_at"] or timezone.now()) + SENDING_LEASE)
    return "busy"


def _record_sent(model: type[OutboxRow], pk: int) -> None:
    model._default_manager.filter(pk=pk, sent_at__isnull=True).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_at=None, claimed_by="", last_error=""
    )


def _record_failure(model: type[OutboxRow], row: OutboxRow, exc: BaseException, retry: Any) -> str:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:500]
    give_up = row.attempts >= max_attempts()
    next_at = now + backoff(row.attempts)
    model._default_manager.filter(pk=row.pk, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
        last_error=error,
        next_attempt_at=next_at,
        claimed_at=None,
        claimed_by="",
    )
    if give_up:
        logger.error(
            "e-mail given up",
            extra={"outbox": model._meta.label, "row": row.pk, "attempts": row.attempts, "error": error},
        )
        return "given up"
    logger.warning(
        "e-mail failed, will retry",
        extra={"outbox": model._meta.label, "row": row.pk, "attempts": row.attempts, "error": error},
    )
    enqueue(retry, row.pk, at=next_at)
    return "retry"


def _close_quietly(connection: Any) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        logger.info("mail connection not closed cleanly", exc_info=True)


def _message_id(model: type[OutboxRow], pk: int) -> str:
    host = urlparse(settings.EGOV_SITE_URL).hostname or "localhost"
    return f"<{model._meta.model_name}-{pk}@{host}>"


# --- The sweep ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequeueResult:
    requeued: int
    given_up: int


def requeue_unsent(
    *, outboxes: Iterable[tuple[type[OutboxRow], Any]], now: dt.datetime | None = None
) -> RequeueResult:
    """For each ``(model, task)`` of ``outboxes``, enqueue again every pending row due for
    ``EGOV_OUTBOX_RETRY_MINUTES`` and not being sent; mark failed the ones out of attempts. Short transactions of
    ``REQUEUE_BATCH`` rows, enqueued on each one's commit; a row enqueued here is due again only after another
    ``EGOV_OUTBOX_RETRY_MINUTES``."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=int(settings.EGOV_OUTBOX_RETRY_MINUTES))
    requeued = given_up = 0
    for model, task in outboxes:
        due = model._default_manager.filter(status=OutboxStatus.PENDING, next_attempt_at__lt=cutoff).filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - SENDING_LEASE)
        )
        out = due.filter(attempts__gte=max_attempts()).update(
            status=OutboxStatus.FAILED, claimed_at=None, claimed_by=""
        )
        if out:
            logger.error("e-mails given up", extra={"outbox": model._meta.label, "count": out})
        given_up += out
        while True:
            with transaction.atomic():
                ids = list(
                    due.filter(attempts__lt=max_attempts())
                    .order_by("next_attempt_at", "pk")
                    .select_for_update(skip_locked=True)
                    .values_list("pk", flat=True)[:REQUEUE_BATCH]
                )
                if not ids:
                    break
                model._default_manager.filter(pk__in=ids).update(next_attempt_at=now)
                for pk in ids:
                    enqueue_on_commit(task, pk)
            requeued += len(ids)
    return RequeueResult(requeued=requeued, given_up=given_up)


def send_again(model: type[OutboxRow], ids: Iterable[int], *, task: Any) -> int:
    """An operator's “send again” on failed or stuck rows: a fresh set of attempts, enqueued on commit."""
    with transaction.atomic():
        chosen = list(
            model._default_manager.filter(pk__in=list(ids))
            .exclude(status=OutboxStatus.SENT)
            .values_list("pk", flat=True)
        )
        model._default_manager.filter(pk__in=chosen).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            claimed_by="",
        )
        for pk in chosen:
            enqueue_on_commit(task, pk)
    return len(chosen)
