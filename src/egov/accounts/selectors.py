"""Reads of accounts used by pages."""

from __future__ import annotations

from django.utils import timezone

from egov.accounts.models import SignUpRequest
from egov.accounts.services import sign_up_token_digest


def pending_sign_up(token: str) -> SignUpRequest | None:
    """The sign-up a confirmation link stands for, while it may still be confirmed."""
    return SignUpRequest.objects.filter(
        digest=sign_up_token_digest(token), expires_at__gt=timezone.now()
    ).first()
