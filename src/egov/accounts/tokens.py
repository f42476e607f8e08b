"""API tokens: issue (shown once), check (constant time by hash), revoke."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from egov.accounts.models import ApiToken, User
from egov.audit.models import AuditEntry
from egov.audit.services import record


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User, name: str, actor: Any = None) -> str:
    token = "egov_" + secrets.token_urlsafe(32)
    while token[5] in "-_":  # a prefix starting with "-" would read as an option on the command line
        token = "egov_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=user, name=name[:100], prefix=token[5:13], digest=_digest(token))
        record(
            action=AuditEntry.Action.CREATED, actor=actor or user, target=user, data={"api_token": name[:100]}
        )
    return token


def user_for_token(token: str) -> User | None:
    found = (
        ApiToken.objects.select_related(
            "user", "user__citizen_profile__address_unit", "user__organisation_profile__address_unit"
        )
        .filter(digest=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def revoke_token(*, token: ApiToken, actor: Any = None) -> bool:
    """Refuse ``token`` from now on, on every process (each request reads the token's row). False when it
    was already revoked."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record(
                action=AuditEntry.Action.UPDATED,
                actor=actor,
                actor_label="" if actor else "hệ thống",
                target=token.user,
                data={"api_token": token.name, "revoked": True},
            )
    return bool(revoked)


class BearerToken(HttpBearer):
    """``Authorization: Bearer egov_…`` for API clients. (No cookie sessions on the API: no CSRF exposure.)"""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token.strip())
        if user is not None:
            request.user = user
        return user
