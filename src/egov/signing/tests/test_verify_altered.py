"""A signed PDF altered after signing: the verifier says the content was altered, and nothing it did not
establish (not “certificate not trusted”, not “content unchanged”)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.signing import services
from egov.signing.tests.conftest import tamper

pytestmark = pytest.mark.django_db


def test_an_altered_signed_pdf_is_reported_only_as_altered(pki: Any, pdf: bytes) -> None:
    signed = services.sign_pdf(pdf=pdf, purpose="agency", signer=pki.agency, actor=pki.desk, level="B-B")
    assert services.verify_pdf(signed.content).valid  # the same file before it is altered: trusted, intact
    altered = tamper(signed.content)

    report = services.verify_pdf(altered)
    [signature] = report.signatures
    assert signature.verdict == "Không hợp lệ: nội dung đã bị thay đổi"
    assert signature.problems == ["Nội dung được ký đã bị thay đổi: chữ ký không còn toàn vẹn."]

    page = Client().post("/chu-ky-so/kiem-tra/", {"tep": SimpleUploadedFile("kq.pdf", altered)})
    text = page.content.decode()
    assert "Nội dung đã bị thay đổi" in text
    for untrue in (
        "Không tin cậy",
        "không được tin cậy",
        "Không có thay đổi nào sau khi ký",
        "còn nguyên vẹn",
    ):
        assert untrue not in text, untrue
    for english in ("Common Name", "Organization", "Country"):
        assert english not in text, english


def test_the_verifier_is_in_the_public_menu_and_offers_the_trusted_root(pki: Any) -> None:
    from egov.signing.certificates import load_certificate
    from egov.signing.models import TrustedRoot

    home = Client().get("/").content.decode()
    assert 'href="/chu-ky-so/kiem-tra/">Kiểm tra chữ ký số</a>' in home
    page = Client().get("/chu-ky-so/kiem-tra/").content.decode()
    root = TrustedRoot.objects.get()
    assert f'href="/chu-ky-so/chung-thu-goc/{root.pk}.pem"' in page
    pem = Client().get(f"/chu-ky-so/chung-thu-goc/{root.pk}.pem")
    assert pem.status_code == 200 and pem["Content-Type"] == "application/x-pem-file"
    assert pem.content.decode().strip() == root.certificate_pem.strip()
    der = Client().get(f"/chu-ky-so/chung-thu-goc/{root.pk}.cer")
    assert der.content == load_certificate(root.certificate_pem).dump()
    # The stable address the README gives for the demo's root CA.
    demo_root = Client().get("/chu-ky-so/ca/ca-goc.pem")
    assert demo_root.status_code == 200 and demo_root.content.decode().strip() == root.certificate_pem.strip()
    assert Client().get("/chu-ky-so/chung-thu-goc/999999.pem").status_code == 404
