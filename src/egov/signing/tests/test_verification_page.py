"""Anyone can check a signed file on the portal page or through the API; the report is in Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.signing import services
from egov.signing.tests.conftest import tamper

pytestmark = pytest.mark.django_db


def test_public_page_reports_each_signature(pki: Any, pdf: bytes) -> None:
    personal = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin)
    sealed = services.sign_pdf(pdf=personal.content, purpose="agency", signer=pki.agency, actor=pki.clerk)
    page = Client().post("/chu-ky-so/kiem-tra/", {"tep": SimpleUploadedFile("kq.pdf", sealed.content)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tất cả 2 chữ ký/dấu thời gian đều hợp lệ và tin cậy." in text
    assert "Ngô Văn Thành" in text and "Ủy ban nhân dân huyện Lộc Ninh" in text
    assert "PAdES B-LT" in text and "Chưa bị thu hồi" in text
    assert "Sau khi ký có thêm chữ ký số khác (được phép)" in text

    page = Client().post(
        "/chu-ky-so/kiem-tra/", {"tep": SimpleUploadedFile("kq.pdf", tamper(sealed.content))}
    )
    assert "Nội dung đã bị thay đổi" in page.content.decode()


def test_api_reports_json(pki: Any, pdf: bytes) -> None:
    signed = services.sign_pdf(pdf=pdf, purpose="agency", signer=pki.agency, actor=pki.desk, level="B-B")
    response = Client().post(
        "/api/v1/signatures/verify", {"file": SimpleUploadedFile("f.pdf", signed.content)}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["valid"] is True
    [signature] = data["signatures"]
    assert signature["organisation"] == "Ủy ban nhân dân huyện Lộc Ninh"
    assert signature["level"] == "PAdES B-B" and signature["verdict"] == "Hợp lệ"

    response = Client().post(
        "/api/v1/signatures/verify", {"file": SimpleUploadedFile("f.pdf", b"%PDF-1.4 hong")}
    )
    assert response.json()["error"] == "Tệp PDF bị hỏng hoặc không đọc được."
    response = Client().post("/api/v1/signatures/verify", {"file": SimpleUploadedFile("f.pdf", pdf)})
    assert response.json()["error"] == "Tệp không có chữ ký số."


def test_revoked_after_signing_shows_in_the_report(pki: Any, pdf: bytes) -> None:
    from egov.signing.tests.factories import PIN, official_certificate

    cert = official_certificate(pki.leader, pki.agency, label="revoked-later")
    signed = services.sign_pdf(
        pdf=pdf, purpose="personal", signer=cert, actor=pki.leader, pin=PIN, level="B-B"
    )
    services.revoke_certificate(certificate=cert, reason="Lộ khóa")
    report = services.verify_pdf(signed.content)
    assert report.signatures[0].revocation == "revoked"
    assert not report.valid
