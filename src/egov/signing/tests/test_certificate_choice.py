"""Which certificate signs: an expired, not yet valid, revoked or retired certificate counts as none, for the
choice whether a document can go to signing (``can_sign``) as for the signature itself (``certificate_for``),
each refused with a Vietnamese message that says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from egov.core.errors import DomainError
from egov.signing import services
from egov.signing.models import SignatureRecord, SigningCertificate
from egov.signing.tests.factories import official_certificate

pytestmark = pytest.mark.django_db
NOW = dt.datetime.now(dt.UTC)


def only(certificate: SigningCertificate) -> SigningCertificate:
    """Retire the signer's other certificates of the same purpose (the demo's), keep ``certificate``."""
    SigningCertificate.objects.filter(
        user=certificate.user, agency=certificate.agency, purpose=certificate.purpose
    ).exclude(pk=certificate.pk).update(is_active=False)
    return certificate


def expired(pki: Any) -> SigningCertificate:
    return only(
        official_certificate(
            pki.leader,
            pki.agency,
            label="expired",
            not_before=NOW - dt.timedelta(days=400),
            not_after=NOW - dt.timedelta(days=2),
        )
    )


def not_yet_valid(pki: Any) -> SigningCertificate:
    return only(
        official_certificate(
            pki.leader,
            pki.agency,
            label="later",
            not_before=NOW + dt.timedelta(days=3),
            not_after=NOW + dt.timedelta(days=400),
        )
    )


def revoked(pki: Any) -> SigningCertificate:
    certificate = only(official_certificate(pki.leader, pki.agency, label="revoked"))
    services.revoke_certificate(certificate=certificate, reason="Mất thiết bị ký")
    return certificate


def on_the_crl_only(pki: Any) -> SigningCertificate:
    """Revoked by the platform's authority (on its CRL), the row still marked in use."""
    certificate = revoked(pki)
    SigningCertificate.objects.filter(pk=certificate.pk).update(is_active=True)
    return certificate


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (expired, "đã hết hạn ngày"),
        (not_yet_valid, "chỉ có hiệu lực từ ngày"),
        (revoked, "đã bị thu hồi hoặc ngừng sử dụng"),
        (on_the_crl_only, "đã bị thu hồi hoặc ngừng sử dụng"),
    ],
)
def test_a_certificate_that_cannot_sign_now_counts_as_none(pki: Any, pdf: bytes, make: Any, why: str) -> None:
    assert services.can_sign(pki.leader, "personal")
    make(pki)
    assert not services.can_sign(pki.leader, "personal")
    with pytest.raises(DomainError) as caught:
        services.certificate_for(pki.leader, "personal")
    message = " ".join(caught.value.messages)
    assert why in message and pki.leader.full_name in message
    with pytest.raises(DomainError, match=why):
        services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    assert not SignatureRecord.objects.exists()


def test_the_expiry_day_is_told_in_vietnamese_dates(pki: Any) -> None:
    certificate = expired(pki)
    with pytest.raises(DomainError) as caught:
        services.certificate_for(pki.leader, "personal")
    day = certificate.not_after.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y")
    assert f"đã hết hạn ngày {day}" in " ".join(caught.value.messages)


def test_a_valid_certificate_is_chosen_over_an_expired_one(pki: Any, pdf: bytes) -> None:
    old = expired(pki)
    fresh = official_certificate(pki.leader, pki.agency, label="fresh")
    assert services.certificate_for(pki.leader, "personal") == fresh != old
    signed = services.sign_pdf(pdf=pdf, purpose="personal", signer=fresh, actor=pki.leader, pin="246810")
    assert signed.record.certificate == fresh


def test_an_agency_whose_certificate_expired_cannot_sign(pki: Any) -> None:
    assert services.can_sign(pki.agency, "agency")
    SigningCertificate.objects.filter(agency=pki.agency, purpose="agency").update(
        not_before=NOW - dt.timedelta(days=800), not_after=NOW - dt.timedelta(days=1)
    )
    assert not services.can_sign(pki.agency, "agency")
    with pytest.raises(DomainError, match="đã hết hạn ngày"):
        services.certificate_for(pki.agency, "agency")


def test_can_sign_at_a_given_moment(pki: Any) -> None:
    # The demo certificates are valid from 1 January 2018.
    assert not services.can_sign(pki.leader, "personal", at=dt.datetime(2017, 12, 31, tzinfo=dt.UTC))
    assert services.can_sign(pki.leader, "personal", at=dt.datetime(2019, 2, 19, tzinfo=dt.UTC))
    assert not services.can_sign(pki.clerk, "personal")  # the clerk holds no personal certificate
    assert not services.can_sign(pki.leader, "agency")  # a person is no agency
