"""Certificates: which certificate signs for an official or an agency (:func:`certificate_for`, :func:`can_sign`),
the checks made before a signature (kept for a short while), and the administration of trusted roots,
signing certificates, revocations and signature images."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError
from pyhanko_certvalidator import ValidationContext

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.audit.services import record
from egov.core.errors import DomainError
from egov.signing.certificates import (
    check_before_signing,
    fingerprint_of,
    forget_local_crls,
    format_day,
    load_certificate,
    read_certificates,
    to_pem,
)
from egov.signing.contrib.pkcs12.backend import forget_server_keys
from egov.signing.models import (
    CertificateAuthority,
    Purpose,
    Revocation,
    SignatureImage,
    SigningCertificate,
    TrustedRoot,
)
from egov.signing.registry import get_backend
from egov.signing.selectors import certificates_of, revoked_by_platform, usable_certificate


def certificate_for(
    signer: User | Agency, purpose: str, *, at: dt.datetime | None = None
) -> SigningCertificate:
    """The signer's certificate that signs for ``purpose`` at ``at`` (see :func:`usable_certificate`);
    ``DomainError`` saying why there is none (never registered, expired, not yet valid, revoked)."""
    found = usable_certificate(signer, purpose, at=at)
    if found is not None:
        return found
    moment = at or timezone.now()
    who = signer.full_name if isinstance(signer, User) else signer.name
    registered = list(certificates_of(signer, purpose).order_by("-not_after", "-pk"))
    revoked = revoked_by_platform(registered)
    active = [c for c in registered if c.is_active and c.pk not in revoked]
    later = [c for c in active if c.not_before > moment]
    if later:
        raise DomainError(
            f"Chứng thư số của {who} chỉ có hiệu lực từ ngày {format_day(min(c.not_before for c in later))}: "
            "chưa ký được."
        )
    if active:
        raise DomainError(
            f"Chứng thư số của {who} đã hết hạn ngày {format_day(active[0].not_after)}: cần gia hạn hoặc đăng ký "
            "chứng thư số mới để ký."
        )
    if registered:
        raise DomainError(
            f"Chứng thư số của {who} đã bị thu hồi hoặc ngừng sử dụng: cần đăng ký chứng thư số mới để ký."
        )
    raise DomainError(f"{who} chưa có chứng thư số đăng ký trên hệ thống để ký.")


def checked_context(
    certificate: SigningCertificate, purpose: str, *, need_context: bool
) -> ValidationContext | None:
    """``check_before_signing``, reused for ``EGOV_SIGNING_CHECK_SECONDS`` when no validation data is needed
    (B-B, B-T). B-LT and B-LTA always check afresh: the data gathered goes into the document."""
    key = f"signing:checked:{certificate.pk}:{certificate.fingerprint[:16]}"
    if not need_context and cache.get(key):
        return None
    context = check_before_signing(certificate, purpose=purpose)
    cache.set(key, True, settings.EGOV_SIGNING_CHECK_SECONDS)
    return context


def forget_certificate_checks(certificate: SigningCertificate) -> None:
    """Check ``certificate`` afresh before its next signature, and close its key if the server keeps it open."""
    cache.delete(f"signing:checked:{certificate.pk}:{certificate.fingerprint[:16]}")
    forget_server_keys(certificate.fingerprint)
    forget_local_crls()


def add_trusted_root(*, data: bytes, name: str = "", actor: User | None = None) -> list[TrustedRoot]:
    """Trust the root certificate(s) in ``data`` (PEM bundle or DER). Adding one already known reactivates it."""
    roots = []
    with transaction.atomic():
        for der in read_certificates(data):
            cert = load_certificate(to_pem(der))
            if not cert.ca or cert.subject != cert.issuer:
                raise DomainError("Chỉ nạp được chứng thư gốc (tự ký, là CA).")
            root, created = TrustedRoot.objects.update_or_create(
                fingerprint=fingerprint_of(cert),
                defaults={
                    "name": name or cert.subject.human_friendly[:200],
                    "certificate_pem": to_pem(der),
                    "subject": cert.subject.human_friendly[:500],
                    "not_after": cert.not_valid_after,
                    "is_active": True,
                    "added_by": actor,
                },
            )
            record(action="created" if created else "updated", actor=actor, target=root)
            roots.append(root)
    return roots


def register_certificate(
    *,
    certificate_der: bytes,
    chain_der: Iterable[bytes] = (),
    purpose: str,
    agency: Agency,
    user: User | None = None,
    backend: str,
    backend_config: dict[str, Any] | None = None,
    key_blob: bytes = b"",
    pin_required: bool = True,
    actor: User | None = None,
) -> SigningCertificate:
    """Register a signing certificate for an official (``purpose="personal"``, ``user``) or an agency, with
    where its key lives. The certificate's own dates are its validity; checks happen at every signature."""
    get_backend(backend)
    cert = load_certificate(to_pem(certificate_der))
    if purpose == Purpose.PERSONAL and user is None:
        raise DomainError("Chứng thư số cá nhân phải gắn với một cán bộ.")
    if purpose == Purpose.AGENCY:
        user = None
    with transaction.atomic():
        certificate, _ = SigningCertificate.objects.update_or_create(
            fingerprint=fingerprint_of(cert),
            defaults={
                "purpose": purpose,
                "user": user,
                "agency": agency,
                "certificate_pem": to_pem(certificate_der),
                "chain_pem": "".join(to_pem(d) for d in chain_der),
                "subject": cert.subject.human_friendly[:500],
                "issuer": cert.issuer.human_friendly[:500],
                "serial_number": format(cert.serial_number, "x"),
                "not_before": cert.not_valid_before,
                "not_after": cert.not_valid_after,
                "backend": backend,
                "backend_config": backend_config or {},
                "key_blob": key_blob,
                "pin_required": pin_required,
                "is_active": True,
            },
        )
        record(
            action="created", actor=actor, target=certificate, data={"fingerprint": certificate.fingerprint}
        )
    return certificate


def revoke_certificate(
    *, certificate: SigningCertificate, reason: str = "", actor: User | None = None
) -> None:
    """Stop using a certificate; when the platform's own CA issued it, publish it on that CA's CRL too."""
    issuer = load_certificate(certificate.certificate_pem).issuer
    with transaction.atomic():
        certificate.is_active = False
        certificate.save(update_fields=["is_active"])
        for authority in CertificateAuthority.objects.select_for_update():
            if load_certificate(authority.certificate_pem).subject == issuer:
                Revocation.objects.get_or_create(
                    authority=authority,
                    serial_number=certificate.serial_number,
                    defaults={"revoked_at": timezone.now(), "reason": reason},
                )
                authority.crl_number += 1
                authority.save(update_fields=["crl_number"])
        record(action="updated", actor=actor, target=certificate, data={"revoked": True, "reason": reason})
    forget_certificate_checks(certificate)


def set_signature_image(
    *,
    png: bytes,
    user: User | None = None,
    agency: Agency | None = None,
    position: str = "",
    actor: User | None = None,
) -> SignatureImage:
    """Upload an official's signature image (blue, transparent PNG) or an agency's seal image (red PNG)."""
    try:
        image = Image.open(io.BytesIO(png))
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DomainError("Ảnh chữ ký, con dấu phải là tệp PNG hợp lệ.") from exc
    if image.format != "PNG":
        raise DomainError("Ảnh chữ ký, con dấu phải là tệp PNG (nền trong suốt).")
    if (user is None) == (agency is None):
        raise DomainError("Ảnh phải thuộc về một cán bộ hoặc một cơ quan.")
    with transaction.atomic():
        if user is not None:
            image_row, _ = SignatureImage.objects.update_or_create(
                user=user, defaults={"png": png, "position": position}
            )
        else:
            image_row, _ = SignatureImage.objects.update_or_create(agency=agency, defaults={"png": png})
        record(action="updated", actor=actor, target=image_row)
    return image_row
