"""Reads of the signing app for pages and the API (constant number of queries per page)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from egov.accounts.roles import Role
from egov.accounts.scopes import assignments_of
from egov.signing.models import Purpose, SignatureRequest


def awaiting(user: Any, purpose: str) -> QuerySet[SignatureRequest]:
    """Requests waiting for ``user``: as a leader (their own signature) or as a clerk (the agency's)."""
    assignments = assignments_of(user)
    if purpose == Purpose.PERSONAL:
        agencies = {a.agency_id for a in assignments if a.role == Role.LEADER}
        condition = Q(agency_id__in=agencies, status=SignatureRequest.Status.AWAITING_LEADER) & (
            Q(leader__isnull=True) | Q(leader=user)
        )
    else:
        agencies = {a.agency_id for a in assignments if a.role == Role.CLERK}
        condition = Q(agency_id__in=agencies, status=SignatureRequest.Status.AWAITING_SEAL)
    return (
        SignatureRequest.objects.filter(condition)
        .select_related("agency", "leader")
        .order_by("created_at", "id")
    )


def visible_request(user: Any, pk: int) -> SignatureRequest | None:
    agencies = {a.agency_id for a in assignments_of(user)}
    return SignatureRequest.objects.filter(pk=pk, agency_id__in=agencies).select_related("agency").first()


def requests_for_source(source_type: str, source_id: str) -> QuerySet[SignatureRequest]:
    return SignatureRequest.objects.filter(source_type=source_type, source_id=source_id).order_by(
        "-created_at"
    )
