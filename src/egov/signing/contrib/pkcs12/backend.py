"""Encrypted PKCS#12 files, for small deployments and the demo.

The file (AES-256, PBKDF2) is stored with the certificate row. An official's file is encrypted with their PIN,
asked at signing time and never stored; an agency's file may instead be encrypted with a password derived from
``EGOV_SIGNING_KEY_SECRET`` so the server can apply the agency's signature to forms when they are issued."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from pyhanko.sign.signers.pdf_cms import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from egov.core.errors import DomainError
from egov.signing.base import SignerBackend

if TYPE_CHECKING:
    from egov.signing.models import SigningCertificate


def server_password(fingerprint: str) -> str:
    """The password of a file the server may open by itself (agency seals applied automatically)."""
    secret = settings.EGOV_SIGNING_KEY_SECRET.encode()
    return hmac.new(secret, f"pkcs12:{fingerprint}".encode(), hashlib.sha256).hexdigest()


class _LoadedKeySigner(SimpleSigner):
    """pyHanko's in-memory signer, keeping the decrypted key object instead of parsing it again for every
    signature (parsing an RSA key checks it, which costs more than signing)."""

    def __init__(self, key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if not isinstance(self._key, rsa.RSAPrivateKey):
            return super().sign_raw(data, digest_algorithm)
        return self._key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


class Pkcs12Backend(SignerBackend):
    name = "pkcs12"
    label = "Tệp khóa PKCS#12 mã hóa trên máy chủ"

    @contextmanager
    def open(self, certificate: SigningCertificate, *, pin: str | None) -> Iterator[Signer]:
        from egov.signing.certificates import certificate_chain, load_certificate

        if certificate.pin_required:
            if not pin:
                raise DomainError("Cần nhập mã PIN của chứng thư số để ký.")
            password = pin
        else:
            password = server_password(certificate.fingerprint)
        try:
            key, _cert, _extra = pkcs12.load_key_and_certificates(
                bytes(certificate.key_blob), password.encode()
            )
        except ValueError:
            raise DomainError("Mã PIN không đúng. Tài liệu chưa được ký.") from None
        if key is None:
            raise DomainError("Tệp khóa không chứa khóa bí mật.")
        key_info = asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        yield _LoadedKeySigner(
            key,
            signing_cert=load_certificate(certificate.certificate_pem),
            signing_key=key_info,
            cert_registry=SimpleCertificateStore.from_certs(certificate_chain(certificate)),
        )
