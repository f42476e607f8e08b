"""Encrypted PKCS#12 files, for small deployments and the demo.

The file (AES-256, PBKDF2) is stored with the certificate row. An official's file is encrypted with their PIN,
asked at signing time and never stored; an agency's file may instead be encrypted with a password derived from
``EGOV_SIGNING_KEY_SECRET`` so the server can apply the agency's signature to forms when they are issued.

Cost of opening a file (measured in ``bench/bench_signing.py``): what made it slow was not the key derivation
(PBKDF2-SHA256, 20 000 rounds, about 13 ms, unchanged) but the consistency check of the RSA private key that
OpenSSL runs on every load (about 130 ms for a 2048-bit key). So:

- the key bag alone is decrypted (one PBKDF2 with the PIN, every time: a personal key still needs its PIN for
  every signature and is never kept), instead of the MAC, the key bag and the certificate bag (three);
- the full RSA check runs the first time a given file is opened in a process; afterwards the same file is
  loaded without repeating it, and the decrypted key must still match the registered certificate's public key;
- a key the server opens by itself (an agency's file without PIN) stays open in memory for
  ``SERVER_KEY_SECONDS``, and is forgotten when its certificate is revoked.

Anything unexpected in the file (other layouts, legacy algorithms, a wrong PIN) goes through the standard full
loader, which gives the final answer."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from pyhanko.sign.signers.pdf_cms import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from egov.core.errors import DomainError
from egov.signing.base import SignerBackend, with_pre_encoded_attributes
from egov.signing.certificates import certificate_chain, load_certificate

if TYPE_CHECKING:
    from egov.signing.models import SigningCertificate

SERVER_KEY_SECONDS = 300
"""How long a key the server opens by itself (no PIN) stays open in this process."""

_checked_files: set[str] = set()
"""SHA-256 of the files whose RSA key passed OpenSSL's full consistency check in this process."""
_server_keys: dict[tuple[int, str, str], tuple[float, Signer]] = {}
_lock = threading.Lock()


def server_password(fingerprint: str) -> str:
    """The password of a file the server may open by itself (agency seals applied automatically)."""
    secret = settings.EGOV_SIGNING_KEY_SECRET.encode()
    return hmac.new(secret, f"pkcs12:{fingerprint}".encode(), hashlib.sha256).hexdigest()


def forget_server_keys(fingerprint: str | None = None) -> None:
    """Close the keys the server keeps open (all, or those of the certificate with ``fingerprint``)."""
    with _lock:
        for key in [k for k in _server_keys if fingerprint is None or k[1] == fingerprint]:
            del _server_keys[key]


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


def _shrouded_key(blob: bytes) -> bytes | None:
    """The encrypted PKCS#8 key bag of a PKCS#12 file, when the file has exactly one, unencrypted around it."""
    pfx = asn1_pkcs12.Pfx.load(blob)
    found = []
    for content_info in pfx.authenticated_safe:
        if content_info["content_type"].native != "data":
            continue  # e.g. the encrypted certificate bag
        for bag in asn1_pkcs12.SafeContents.load(content_info["content"].native):
            if bag["bag_id"].native == "pkcs8_shrouded_key_bag":
                found.append(bag["bag_value"].untag().dump())
    return found[0] if len(found) == 1 else None


def _public_numbers_match(key: Any, certificate_public_key: Any) -> bool:
    try:
        return bool(key.public_key().public_numbers() == certificate_public_key.public_numbers())
    except AttributeError:
        return False


def _decrypt(blob: bytes, password: str, certificate_der: bytes) -> Any:
    """The private key of ``blob`` (``ValueError`` when the password is wrong)."""
    from cryptography import x509

    digest = hashlib.sha256(blob).hexdigest()
    try:
        shrouded = _shrouded_key(blob)
        key = (
            serialization.load_der_private_key(
                shrouded, password.encode(), unsafe_skip_rsa_key_validation=digest in _checked_files
            )
            if shrouded is not None
            else None
        )
    except Exception:  # a wrong PIN, another layout or algorithm: the standard loader below decides
        key = None
    if key is not None and _public_numbers_match(
        key, x509.load_der_x509_certificate(certificate_der).public_key()
    ):
        with _lock:
            _checked_files.add(digest)
        return key
    key, _cert, _extra = pkcs12.load_key_and_certificates(blob, password.encode())
    if key is not None:
        with _lock:
            _checked_files.add(digest)
    return key


class Pkcs12Backend(SignerBackend):
    name = "pkcs12"
    label = "Tệp khóa PKCS#12 mã hóa trên máy chủ"

    @contextmanager
    def open(self, certificate: SigningCertificate, *, pin: str | None) -> Iterator[Signer]:

        blob = bytes(certificate.key_blob)
        if certificate.pin_required:
            if not pin:
                raise DomainError("Cần nhập mã PIN của chứng thư số để ký.")
            password = pin
            kept = None
        else:
            password = server_password(certificate.fingerprint)
            kept = (certificate.pk, certificate.fingerprint, hashlib.sha256(blob).hexdigest())
            with _lock:
                opened_at, signer = _server_keys.get(kept, (0.0, None))
            if signer is not None and time.monotonic() - opened_at < SERVER_KEY_SECONDS:
                yield signer
                return
        signing_cert = load_certificate(certificate.certificate_pem)
        try:
            key = _decrypt(blob, password, signing_cert.dump())
        except ValueError:
            raise DomainError("Mã PIN không đúng. Tài liệu chưa được ký.") from None
        if key is None:
            raise DomainError("Tệp khóa không chứa khóa bí mật.")
        key_info = asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        signer = with_pre_encoded_attributes(
            _LoadedKeySigner(
                key,
                signing_cert=signing_cert,
                signing_key=key_info,
                cert_registry=SimpleCertificateStore.from_certs(certificate_chain(certificate)),
            )
        )
        if kept is not None:
            now = time.monotonic()
            with _lock:
                for stale in [k for k, (at, _) in _server_keys.items() if now - at >= SERVER_KEY_SECONDS]:
                    del _server_keys[stale]
                _server_keys[kept] = (now, signer)
        yield signer
