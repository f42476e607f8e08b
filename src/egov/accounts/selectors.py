"""Reads of accounts used by pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.digests import enrolment_token_digest, sign_up_token_digest
from egov.accounts.models import EnrolmentLink, SignUpRequest, StaffAssignment, User
from egov.accounts.roles import ADMINISTERING_ROLES
from egov.accounts.scopes import agencies_visible_to, assignments_of
from egov.agencies.models import Agency, Department


def pending_sign_up(token: str) -> SignUpRequest | None:
    """The sign-up a confirmation link stands for, while it may still be confirmed."""
    return SignUpRequest.objects.filter(
        digest=sign_up_token_digest(token), expires_at__gt=timezone.now()
    ).first()


def _open_links() -> QuerySet[EnrolmentLink]:
    return EnrolmentLink.objects.filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def enrolment_link_for(token: str) -> EnrolmentLink | None:
    """The open (unused, unrevoked, unexpired) link a token stands for."""
    return _open_links().select_related("user").filter(digest=enrolment_token_digest(token)).first()


def open_enrolment_link(*, pk: int, digest: str, user: User) -> EnrolmentLink | None:
    """The link kept in the session after it was opened, if it is still open and belongs to ``user``."""
    return _open_links().filter(pk=pk, digest=digest, user=user).first()


def officers_for_enrolment(viewer: Any, *, query: str = "", limit: int = 200) -> list[User]:
    """Officers whose authenticator ``viewer`` may manage (scopes.can_issue_enrolment_link): of the agencies
    they administer, or every officer for a system administrator; with ``has_device`` and ``open_links``.
    Three queries whatever the number of officers."""
    officers = User.objects.filter(Q(kind=User.Kind.STAFF) | Q(is_staff=True) | Q(is_superuser=True))
    if not getattr(viewer, "is_superuser", False):
        agencies = [a.agency_id for a in assignments_of(viewer) if a.role in ADMINISTERING_ROLES]
        officers = officers.filter(assignments__agency_id__in=agencies)
    if query.strip():
        words = query.strip()
        officers = officers.filter(Q(full_name__icontains=words) | Q(email__icontains=words))
    officers = (
        officers.exclude(pk=viewer.pk)
        .annotate(has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related(
            Prefetch("enrolment_links", queryset=_open_links(), to_attr="open_links"),
            Prefetch("assignments", queryset=StaffAssignment.objects.select_related("agency")),
        )
        .distinct()
        .order_by("full_name", "pk")
    )
    return list(officers[:limit])


def agency_list(*, viewer: Any, on: dt.date | None = None) -> QuerySet[Agency]:
    """Agencies the viewer may see, with kind, unit and parent joined and departments prefetched: the number
    of queries does not depend on the number of agencies."""
    queryset = agencies_visible_to(viewer)
    queryset = queryset.valid_on(on) if on else queryset.current()  # type: ignore[attr-defined]
    return (
        queryset.select_related("kind", "unit", "parent")
        .prefetch_related(Prefetch("departments", queryset=Department.objects.filter(is_active=True)))
        .annotate(staff_count=Count("assignments__user", distinct=True))
        .order_by("path")
    )
