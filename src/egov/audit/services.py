from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from egov.audit.models import AuditEntry
from egov.core.throttle import client_address


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the rate limits see it (behind a trusted proxy: the header it writes)."""
    return client_address(request) if request is not None else None


def record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    actor_label: str = "",
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry. Call it inside the transaction of the change it records."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor is not None else ""),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_label=str(target)[:300] if target is not None else "",
        ip_address=client_ip(request),
        data=data or {},
    )
