"""Reads of the signing app for pages, the API, the action rules and its own services: which certificate can
sign, whether a request waits for someone's signature, what waits for a signer (a constant number of queries
per page). Nothing here writes; the services (``egov.signing.services``) check these same predicates before
they sign."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.accounts.models import User
from egov.accounts.roles import Role
from egov.accounts.scopes import assignments_of, ensure_role, holds_role
from egov.agencies.models import Agency
from egov.core.errors import DomainError
from egov.signing.certificates import load_certificate
from egov.signing.models import Purpose, Revocation, SignatureRequest, SigningCertificate, TrustedRoot

AGENCY_SIGNING_ROLES = (Role.CLERK, Role.LEADER, Role.RECEIVING_OFFICER)
"""Who may apply the agency's signature: the clerk (văn thư), the leader, and the one-stop desk for forms."""


class NotAwaitingSignature(DomainError):
    """The request does not wait for this signature (cancelled, released, or already signed by this person)."""


def certificates_of(signer: User | Agency, purpose: str) -> QuerySet[SigningCertificate]:
    found = SigningCertificate.objects.filter(purpose=purpose).select_related("user", "agency")
    if isinstance(signer, User):
        return found.filter(user=signer)
    return found.filter(agency=signer, user__isnull=True)


def revoked_by_platform(certificates: list[SigningCertificate]) -> set[int]:
    """Those of ``certificates`` that an authority the platform runs has put on its revocation list."""
    revocations = Revocation.objects.filter(
        serial_number__in={c.serial_number for c in certificates}
    ).select_related("authority")
    by_serial: dict[str, set[str]] = {}
    for revocation in revocations:
        issuer = load_certificate(revocation.authority.certificate_pem).subject.human_friendly[:500]
        by_serial.setdefault(revocation.serial_number, set()).add(issuer)
    return {c.pk for c in certificates if c.issuer in by_serial.get(c.serial_number, ())}


def usable_certificate(
    signer: User | Agency, purpose: str, *, at: dt.datetime | None = None
) -> SigningCertificate | None:
    """The signer's certificate for ``purpose`` that can sign at ``at`` (now by default): in use on the
    platform, valid on that day, not revoked by the platform's own authority; the one valid longest. Whether
    an outside authority revoked it is learnt from its CRL or OCSP at the signature itself."""
    moment = at or timezone.now()
    candidates = list(
        certificates_of(signer, purpose)
        .filter(is_active=True, not_before__lte=moment, not_after__gte=moment)
        .order_by("-not_after", "-pk")
    )
    revoked = revoked_by_platform(candidates) if candidates else set()
    return next((c for c in candidates if c.pk not in revoked), None)


def can_sign(signer: User | Agency, purpose: str, *, at: dt.datetime | None = None) -> bool:
    """Whether ``signer`` (an official for ``"personal"``, an agency for ``"agency"``) holds a certificate
    that can sign at ``at``: an expired, not yet valid, revoked or retired certificate counts as none."""
    return usable_certificate(signer, purpose, at=at) is not None


def refuse_unless_awaiting(request: SignatureRequest, actor: User, purpose: str | None) -> str:
    """The signature ``request`` waits for from ``actor`` (``purpose``, or the one its status calls for), or
    ``NotAwaitingSignature``/``DomainError`` (Vietnamese) saying why there is none."""
    if request.status == SignatureRequest.Status.CANCELLED:
        raise NotAwaitingSignature(
            f"Yêu cầu ký số văn bản “{request.title}” đã bị hủy (hồ sơ hoặc văn bản không còn chờ ký): "
            "không ký được nữa."
        )
    if request.status == SignatureRequest.Status.RELEASED:
        raise NotAwaitingSignature(f"Văn bản “{request.title}” đã được ký số đủ và phát hành: không ký thêm.")
    mine = request.signatures.filter(actor=actor).order_by("signed_at").first()
    if mine is not None:
        raise NotAwaitingSignature(
            f"Bạn đã ký số văn bản “{request.title}” lúc "
            f"{timezone.localtime(mine.signed_at):%H:%M ngày %d/%m/%Y}: không ký lần thứ hai."
        )
    waits_for = (
        Purpose.PERSONAL if request.status == SignatureRequest.Status.AWAITING_LEADER else Purpose.AGENCY
    )
    if purpose is not None and purpose != waits_for:
        raise NotAwaitingSignature(
            f"Văn bản “{request.title}” không ở bước chờ ký này ({request.get_status_display()})."
        )
    if waits_for == Purpose.PERSONAL:
        ensure_role(actor, request.agency, Role.LEADER)
        if request.leader_id and request.leader_id != actor.pk:
            raise DomainError("Văn bản này được giao cho lãnh đạo khác ký.")
    return waits_for


def awaits_signature_from(request: SignatureRequest, actor: User) -> bool:
    """Whether ``request`` waits for a signature ``actor`` can make now — the rule :func:`sign_request`
    applies, for pages that show a "sign" button only when the signature would be made."""
    try:
        purpose = refuse_unless_awaiting(request, actor, None)
    except (DomainError, PermissionDenied):
        return False
    if purpose == Purpose.PERSONAL:
        return can_sign(actor, Purpose.PERSONAL)
    return holds_role(actor, request.agency, *AGENCY_SIGNING_ROLES) and can_sign(
        request.agency, Purpose.AGENCY
    )


def _awaiting_condition(user: Any, purpose: str) -> Q:
    assignments = assignments_of(user)
    if purpose == Purpose.PERSONAL:
        agencies = sorted({a.agency_id for a in assignments if a.role == Role.LEADER})
        if not agencies:
            return Q(pk__in=[])
        return Q(agency_id__in=agencies, status=SignatureRequest.Status.AWAITING_LEADER) & (
            Q(leader__isnull=True) | Q(leader=user)
        )
    agencies = sorted({a.agency_id for a in assignments if a.role == Role.CLERK})
    if not agencies:
        return Q(pk__in=[])
    return Q(agency_id__in=agencies, status=SignatureRequest.Status.AWAITING_SEAL)


def awaiting(user: Any, purpose: str) -> QuerySet[SignatureRequest]:
    """Requests waiting for ``user``: as a leader (their own signature) or as a clerk (the agency's)."""
    return (
        SignatureRequest.objects.filter(_awaiting_condition(user, purpose))
        .select_related("agency", "leader")
        .order_by("created_at", "id")
    )


def awaiting_from(user: Any) -> QuerySet[SignatureRequest]:
    """Every request waiting for ``user``'s signature, as a leader or as a clerk (the worklist's “Chờ tôi xử
    lý” and the workbench): no query at all to know there is none when the user is neither."""
    condition = _awaiting_condition(user, Purpose.PERSONAL) | _awaiting_condition(user, Purpose.AGENCY)
    return SignatureRequest.objects.filter(condition).select_related("agency").order_by("created_at", "id")


def signs_anything(user: Any) -> bool:
    """Whether ``user`` holds a role that signs requests (a leader, a clerk): without it, nothing waits."""
    return any(a.role in (Role.LEADER, Role.CLERK) for a in assignments_of(user))


def visible_request(user: Any, pk: int) -> SignatureRequest | None:
    agencies = {a.agency_id for a in assignments_of(user)}
    return SignatureRequest.objects.filter(pk=pk, agency_id__in=agencies).select_related("agency").first()


def requests_for_source(source_type: str, source_id: str) -> QuerySet[SignatureRequest]:
    return SignatureRequest.objects.filter(source_type=source_type, source_id=source_id).order_by(
        "-created_at"
    )


def trusted_roots() -> QuerySet[TrustedRoot]:
    """The roots the verifier trusts, for the public page that offers them for download."""
    return TrustedRoot.objects.filter(is_active=True).only("pk", "name", "fingerprint", "not_after")
