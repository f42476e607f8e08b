"""Signing with a key that lives on a PKCS#11 token: a real SoftHSM2 token initialised in a temporary folder.
The key pair is generated on the token (it never leaves it), certified by the demo CA, and the signature verifies
in pdfsig; a wrong PIN and an absent token are refused in Vietnamese."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from egov.core.errors import DomainError
from egov.signing import services
from egov.signing.models import SignatureRecord, SigningCertificate
from egov.signing.tests.conftest import REQUIRE_TOOLS, openssl_verify, pdfsig

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "egov-kiem-thu"
USER_PIN = "2468"


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: Any) -> Iterator[str]:
    if (
        not os.path.exists(MODULE)
        or subprocess.run(["which", "softhsm2-util"], capture_output=True).returncode
    ):
        if REQUIRE_TOOLS:
            pytest.fail("CI needs SoftHSM2 (apt-get install softhsm2)")
        pytest.skip("SoftHSM2 is not installed")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", USER_PIN, "--so-pin", "13579"],
        check=True,
        capture_output=True,
    )
    yield MODULE
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture
def token_certificate(softhsm: str, pki: Any, settings: Any) -> Any:
    """A key pair generated on the token; its public key certified by the demo intermediate CA."""
    import datetime as dt

    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11.util.rsa import encode_rsa_public_key

    from egov.signing import pki as tools
    from egov.signing.contrib.pkcs11.backend import _library
    from egov.signing.demo import crl_url, demo_authority

    settings.EGOV_SIGNING_PKCS11_MODULE = softhsm
    token = _library(softhsm).get_token(token_label=TOKEN)
    label = f"lanhdao-{dt.datetime.now().timestamp()}"
    with token.open(rw=True, user_pin=USER_PIN) as session:
        public, _private = session.generate_keypair(pkcs11.KeyType.RSA, 2048, store=True, label=label)
        public_key = serialization.load_der_public_key(encode_rsa_public_key(public))
    _root, inter = demo_authority()
    now = dt.datetime.now(dt.UTC)
    cert = tools.issue_certificate(
        subject=tools.Subject(common_name=pki.leader.full_name, organisation=pki.agency.name),
        key=None,
        public_key=public_key,  # type: ignore[arg-type]
        issuer_cert=inter.cert,
        issuer_key=inter.key,
        serial=tools.serial_for(label),
        not_before=now - dt.timedelta(hours=1),
        not_after=now + dt.timedelta(days=365),
        kind="signer",
        crl_url=crl_url("ca-chuyen-dung"),
    )
    SigningCertificate.objects.filter(user=pki.leader).update(is_active=False)
    return services.register_certificate(
        certificate_der=tools.der(cert),
        chain_der=[tools.der(inter.cert)],
        purpose="personal",
        agency=pki.agency,
        user=pki.leader,
        backend="pkcs11",
        backend_config={"token_label": TOKEN, "key_label": label},
    )


@pytest.mark.django_db
def test_sign_with_key_on_softhsm_token(
    token_certificate: Any, pki: Any, pdf: bytes, nss_db: Path, tmp_path: Path
) -> None:
    signed = services.sign_pdf(
        pdf=pdf, purpose="personal", signer=token_certificate, actor=pki.leader, pin=USER_PIN
    )
    assert signed.level == "B-LT"
    assert signed.record.certificate == token_certificate
    output = pdfsig(signed.content, nss_db, tmp_path)
    assert "Signature is Valid." in output and "Certificate is Trusted." in output, output
    assert openssl_verify(signed.content, pki.root_pem, tmp_path) == [0]
    assert services.verify_pdf(signed.content).valid


@pytest.mark.django_db
def test_wrong_pin_and_absent_token(token_certificate: Any, pki: Any, pdf: bytes) -> None:
    with pytest.raises(DomainError, match="Mã PIN không đúng"):
        services.sign_pdf(pdf=pdf, purpose="personal", signer=token_certificate, actor=pki.leader, pin="0000")
    token_certificate.backend_config = {"token_label": "khong-co-token", "key_label": "x"}
    token_certificate.save()
    with pytest.raises(DomainError, match="Không tìm thấy thiết bị ký số"):
        services.sign_pdf(
            pdf=pdf, purpose="personal", signer=token_certificate, actor=pki.leader, pin=USER_PIN
        )
    assert not SignatureRecord.objects.exists()
