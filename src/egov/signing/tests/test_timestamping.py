"""The platform's own time-stamping authority speaks RFC 3161 over HTTP: OpenSSL's client and verifier accept
it, and signing at B-LT through the HTTP endpoint yields a time stamp and embedded validation data."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from egov.signing import services
from egov.signing.models import CertificateAuthority
from egov.signing.tests.conftest import need

pytestmark = pytest.mark.django_db(transaction=True)


def test_openssl_time_stamp_request_is_granted_and_verifies(
    pki: Any, live_server: Any, tmp_path: Path
) -> None:
    need("openssl")
    data = tmp_path / "van-ban.txt"
    data.write_text("Quyết định số 15/QĐ-UBND", encoding="utf-8")
    query = tmp_path / "query.tsq"
    subprocess.run(
        ["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query)], check=True
    )
    response = requests.post(
        f"{live_server.url}/chu-ky-so/tsa",
        data=query.read_bytes(),
        headers={"Content-Type": "application/timestamp-query"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/timestamp-reply"
    reply = tmp_path / "reply.tsr"
    reply.write_bytes(response.content)
    (tmp_path / "root.pem").write_text(pki.root_pem)
    chain = tmp_path / "chain.pem"
    chain.write_text(CertificateAuthority.objects.get(slug="ca-chuyen-dung").certificate_pem)
    text = subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(reply), "-text"], capture_output=True, text=True
    ).stdout
    assert "Status: Granted." in text
    verified = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(data),
            "-in",
            str(reply),
            "-CAfile",
            str(tmp_path / "root.pem"),
            "-untrusted",
            str(chain),
        ],
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Verification: OK" in verified.stdout


def test_malformed_request_is_rejected(pki: Any, live_server: Any) -> None:
    from asn1crypto import core, tsp

    response = requests.post(
        f"{live_server.url}/chu-ky-so/tsa",
        data=b"not asn.1",
        headers={"Content-Type": "application/timestamp-query"},
        timeout=10,
    )
    assert response.status_code == 200
    status = tsp.PKIStatusInfo.load(core.Sequence.load(response.content)[0].dump())
    assert status["status"].native == "rejection"
    assert "bad_data_format" in status["fail_info"].native


def test_b_lt_and_b_lta_through_the_http_tsa(pki: Any, live_server: Any, settings: Any, pdf: bytes) -> None:
    settings.EGOV_SIGNING_TSA_URL = f"{live_server.url}/chu-ky-so/tsa"
    lt = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin)
    assert lt.level == "B-LT"
    report = services.verify_pdf(lt.content)
    assert report.valid, report.as_dict()
    assert report.signatures[0].level == "PAdES B-LT"
    assert report.signatures[0].timestamp_valid

    lta = services.sign_pdf(pdf=pdf, purpose="agency", signer=pki.agency, actor=pki.desk, level="B-LTA")
    report = services.verify_pdf(lta.content)
    assert report.valid, report.as_dict()
    assert report.signatures[0].level == "PAdES B-LTA"
    assert report.signatures[-1].is_document_timestamp


def test_crl_is_published_and_lists_revoked_certificates(pki: Any, live_server: Any) -> None:
    from asn1crypto import crl

    from egov.signing.tests.factories import official_certificate

    cert = official_certificate(pki.leader, pki.agency, label="to-revoke")
    services.revoke_certificate(certificate=cert, reason="Nghỉ hưu")
    response = requests.get(f"{live_server.url}/chu-ky-so/crl/ca-chuyen-dung.crl", timeout=10)
    assert response.status_code == 200
    listed = crl.CertificateList.load(response.content)
    serials = {
        format(item["user_certificate"].native, "x")
        for item in listed["tbs_cert_list"]["revoked_certificates"]
    }
    assert cert.serial_number in serials
