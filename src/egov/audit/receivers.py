"""Sign-in events are emitted by django.contrib.auth; they are recorded here and nowhere else."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from egov.audit.models import AuditEntry
from egov.audit.services import record


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(action=AuditEntry.Action.SIGN_IN, actor=user, target=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(action=AuditEntry.Action.SIGN_OUT, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    identifier = str(credentials.get("username", ""))[:150]
    record(
        action=AuditEntry.Action.SIGN_IN_FAILED,
        actor_label=identifier,
        request=request,
        data={"identifier": identifier},
    )
