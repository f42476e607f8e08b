"""Signed results verify in tools the platform does not control: poppler's pdfsig (NSS trusting the demo root)
and OpenSSL over the signed byte ranges; a tampered copy fails in both and in the platform's own verifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from egov.signing import services
from egov.signing.tests.conftest import openssl_verify, pdfsig, tamper

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("level", ["B-B", "B-LT"])
def test_leader_and_agency_signatures_are_valid_and_trusted_everywhere(
    pki: Any, pdf: bytes, nss_db: Path, tmp_path: Path, level: str
) -> None:
    personal = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level=level)
    sealed = services.sign_pdf(
        pdf=personal.content, purpose="agency", signer=pki.agency, actor=pki.clerk, level=level
    )

    output = pdfsig(sealed.content, nss_db, tmp_path)
    assert output.count("Signature is Valid.") == 2, output
    assert output.count("Certificate is Trusted.") == 2, output
    assert "Ngô Văn Thành" in output and "Ủy ban nhân dân huyện Lộc Ninh" in output
    assert openssl_verify(sealed.content, pki.root_pem, tmp_path) == [0, 0]

    report = services.verify_pdf(sealed.content)
    assert report.valid, report.as_dict()
    assert [s.signer_name for s in report.signatures] == ["Ngô Văn Thành", "Ủy ban nhân dân huyện Lộc Ninh"]
    assert all(s.revocation == "good" for s in report.signatures)
    expected = "PAdES B-B" if level == "B-B" else "PAdES B-LT"
    assert report.signatures[-1].level == expected
    if level == "B-LT":
        assert all(s.timestamp_time is not None and s.timestamp_valid for s in report.signatures)


def test_tampered_copy_fails_in_pdfsig_openssl_and_the_platform(
    pki: Any, pdf: bytes, nss_db: Path, tmp_path: Path
) -> None:
    signed = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    broken = tamper(signed.content)
    assert broken != signed.content

    output = pdfsig(broken, nss_db, tmp_path)
    assert "Signature is Valid." not in output
    assert "Signature is Invalid." in output or "Digest Mismatch" in output, output
    assert openssl_verify(broken, pki.root_pem, tmp_path) != [0]

    report = services.verify_pdf(broken)
    assert not report.valid
    assert not report.signatures[0].intact
    assert "Nội dung được ký đã bị thay đổi" in " ".join(report.signatures[0].problems)


def test_untrusted_root_is_reported_by_pdfsig_and_the_platform(pki: Any, pdf: bytes, tmp_path: Path) -> None:
    import subprocess

    from egov.signing.models import TrustedRoot
    from egov.signing.tests.conftest import need

    need("certutil", "pdfsig")
    signed = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    empty = tmp_path / "empty-nss"
    empty.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{empty}", "--empty-password"], check=True)
    output = pdfsig(signed.content, empty, tmp_path)
    assert "Signature is Valid." in output
    assert "Certificate is Trusted." not in output

    TrustedRoot.objects.update(is_active=False)
    TrustedRoot.objects.create(
        name="Gốc khác",
        certificate_pem=_other_root_pem(),
        fingerprint="0" * 64,
        subject="x",
        not_after="2040-01-01T00:00Z",
    )
    report = services.verify_pdf(signed.content)
    assert not report.valid
    assert report.signatures[0].intact and not report.signatures[0].trusted


def _other_root_pem() -> str:
    import datetime as dt

    from egov.signing import pki as tools

    key = tools.new_key()
    cert = tools.issue_certificate(
        subject=tools.Subject(common_name="CA gốc lạ"),
        key=key,
        issuer_cert=None,
        issuer_key=key,
        serial=7,
        not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2040, 1, 1, tzinfo=dt.UTC),
        kind="root",
    )
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM).decode()
