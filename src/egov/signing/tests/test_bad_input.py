"""What goes wrong before signing is refused with a clear Vietnamese message; the document stays unchanged and
nothing is recorded as signed."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from egov.core.errors import DomainError
from egov.signing import services
from egov.signing.models import SignatureRecord, SigningCertificate
from egov.signing.tests.factories import PIN, official_certificate

pytestmark = pytest.mark.django_db


def refused(pdf: bytes, **kwargs: Any) -> str:
    before = bytes(pdf)
    count = SignatureRecord.objects.count()
    with pytest.raises(DomainError) as caught:
        services.sign_pdf(pdf=pdf, **kwargs)
    assert pdf == before
    assert SignatureRecord.objects.count() == count
    return " ".join(caught.value.messages)


def only(certificate: SigningCertificate) -> None:
    SigningCertificate.objects.filter(user=certificate.user, purpose=certificate.purpose).exclude(
        pk=certificate.pk
    ).update(is_active=False)


def test_expired_certificate(pki: Any, pdf: bytes) -> None:
    now = dt.datetime.now(dt.UTC)
    cert = official_certificate(
        pki.leader,
        pki.agency,
        label="expired",
        not_before=now - dt.timedelta(days=400),
        not_after=now - dt.timedelta(days=1),
    )
    message = refused(pdf, purpose="personal", signer=cert, actor=pki.leader, pin=PIN, level="B-B")
    assert "hết hạn" in message


def test_revoked_certificate(pki: Any, pdf: bytes) -> None:
    cert = official_certificate(pki.leader, pki.agency, label="revoked")
    services.revoke_certificate(certificate=cert, reason="Mất thiết bị")
    cert.is_active = True  # still active here, so that the CRL itself must catch it
    cert.save()
    message = refused(pdf, purpose="personal", signer=cert, actor=pki.leader, pin=PIN, level="B-B")
    assert "thu hồi" in message


def test_untrusted_certificate(pki: Any, pdf: bytes) -> None:
    cert = official_certificate(pki.leader, pki.agency, label="stranger", stranger=True)
    message = refused(pdf, purpose="personal", signer=cert, actor=pki.leader, pin=PIN, level="B-B")
    assert "không dẫn về chứng thư gốc" in message


def test_wrong_purpose_certificate(pki: Any, pdf: bytes) -> None:
    cert = official_certificate(pki.leader, pki.agency, label="tls", kind="tls")
    message = refused(pdf, purpose="personal", signer=cert, actor=pki.leader, pin=PIN, level="B-B")
    assert "mục đích" in message
    personal = services.certificate_for(pki.leader, "personal")
    message = refused(pdf, purpose="agency", signer=personal, actor=pki.clerk, level="B-B")
    assert "không dùng để ký thay cơ quan" in message


def test_wrong_pin(pki: Any, pdf: bytes) -> None:
    message = refused(pdf, purpose="personal", signer=pki.leader, pin="000000", level="B-B")
    assert "Mã PIN không đúng" in message
    assert "Cần nhập mã PIN" in refused(pdf, purpose="personal", signer=pki.leader, pin=None, level="B-B")


def test_someone_else_cannot_use_the_leaders_certificate(pki: Any, pdf: bytes) -> None:
    message = refused(pdf, purpose="personal", signer=pki.leader, actor=pki.clerk, pin=pki.pin, level="B-B")
    assert "chủ sở hữu" in message


def test_tsa_unreachable_then_retry_signs_once(pki: Any, pdf: bytes, settings: Any) -> None:
    settings.EGOV_SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"
    settings.EGOV_SIGNING_TSA_RETRIES = 1
    settings.EGOV_SIGNING_NETWORK_TIMEOUT = 2
    message = refused(pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-T")
    assert "dấu thời gian" in message and "chưa được ký" in message
    settings.EGOV_SIGNING_TSA_URL = "internal"
    signed = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-T")
    assert SignatureRecord.objects.count() == 1
    from pyhanko.pdf_utils.reader import PdfFileReader

    assert len(PdfFileReader(io.BytesIO(signed.content)).embedded_signatures) == 1


def test_encrypted_pdf(pki: Any, pdf: bytes) -> None:
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    writer.security_handler = StandardSecurityHandler.build_from_pw("mat-khau")
    writer._assign_security_handler(writer.security_handler)
    out = io.BytesIO()
    writer.write(out)
    message = refused(out.getvalue(), purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    assert "mã hóa" in message


def test_malformed_pdf(pki: Any, pdf: bytes) -> None:
    assert "bị hỏng" in refused(
        pdf[: len(pdf) // 3], purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B"
    )
    assert "không phải PDF" in refused(
        b"hello", purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B"
    )


def test_pdf_signed_by_someone_outside_the_agency(pki: Any, pdf: bytes) -> None:
    from egov.accounts.models import User

    other = User.objects.get(email="giamdoc.tuphap@binhphuoc.demo")
    signed_elsewhere = services.sign_pdf(pdf=pdf, purpose="personal", signer=other, pin=pki.pin, level="B-B")
    message = refused(
        signed_elsewhere.content, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B"
    )
    assert "người hoặc tổ chức khác" in message


def test_the_same_certificate_does_not_sign_twice(pki: Any, pdf: bytes) -> None:
    once = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    message = refused(once.content, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    assert "không ký lần thứ hai" in message


def test_an_official_does_not_sign_twice_with_another_certificate(pki: Any, pdf: bytes) -> None:
    once = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    renewed = official_certificate(pki.leader, pki.agency, label="renewed")
    message = refused(
        once.content, purpose="personal", signer=renewed, actor=pki.leader, pin=PIN, level="B-B"
    )
    assert f"đã có chữ ký số của {pki.leader.full_name}" in message and "không ký lần thứ hai" in message
