"""Building certificates, CRLs and PKCS#12 files with ``cryptography`` (the platform's own CA and the demo PKI).

Names are Vietnamese, stored as UTF8String. Certificates carry a CRL distribution point on the portal
(``/chu-ky-so/crl/<slug>.crl``) so any verifier can check revocation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KeyType = rsa.RSAPrivateKey


def _cut(text: str, limit: int = 64) -> str:
    """``text`` shortened to at most ``limit`` bytes of UTF-8 (the bound ``cryptography`` enforces)."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text.rstrip()


@dataclass(frozen=True)
class Subject:
    common_name: str
    organisation: str = ""
    unit: str = ""
    title: str = ""
    locality: str = ""
    country: str = "VN"

    def name(self) -> x509.Name:
        """The X.509 name; each attribute cut to 64 bytes (RFC 5280 upper bounds)."""
        parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, self.country)]
        if self.locality:
            parts.append(x509.NameAttribute(NameOID.LOCALITY_NAME, _cut(self.locality)))
        if self.organisation:
            parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut(self.organisation)))
        if self.unit:
            parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _cut(self.unit)))
        if self.title:
            parts.append(x509.NameAttribute(NameOID.TITLE, _cut(self.title)))
        parts.append(x509.NameAttribute(NameOID.COMMON_NAME, _cut(self.common_name)))
        return x509.Name(parts)


def new_key(bits: int = 2048) -> KeyType:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def serial_for(label: str) -> int:
    """A stable, positive, 128-bit serial number derived from ``label`` (unique within the demo PKI)."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest()[:16], "big") >> 1


def issue_certificate(
    *,
    subject: Subject,
    key: KeyType | None,
    issuer_cert: x509.Certificate | None,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    kind: str,
    crl_url: str = "",
    ca_issuers_url: str = "",
    public_key: rsa.RSAPublicKey | None = None,
) -> x509.Certificate:
    """``kind``: ``root``, ``intermediate``, ``signer`` (people and agencies), ``tsa``, ``tls`` (for tests of
    wrong-purpose certificates). ``public_key`` instead of ``key`` certifies a key held elsewhere (a token)."""
    subject_key = public_key or (key.public_key() if key is not None else None)
    assert subject_key is not None
    issuer_name = issuer_cert.subject if issuer_cert is not None else subject.name()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject.name())
        .issuer_name(issuer_name)
        .public_key(subject_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
    is_ca = kind in ("root", "intermediate")
    builder = builder.add_extension(
        x509.BasicConstraints(ca=is_ca, path_length=None if kind == "root" else (0 if is_ca else None)),
        critical=True,
    )
    usage = {
        "digital_signature": not is_ca,
        "content_commitment": kind == "signer",
        "key_cert_sign": is_ca,
        "crl_sign": is_ca,
        "key_encipherment": kind == "tls",
    }
    builder = builder.add_extension(
        x509.KeyUsage(
            digital_signature=usage["digital_signature"],
            content_commitment=usage["content_commitment"],
            key_encipherment=usage["key_encipherment"],
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=usage["key_cert_sign"],
            crl_sign=usage["crl_sign"],
            encipher_only=False,
            decipher_only=False,
        ),
        critical=True,
    )
    if kind == "signer":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
    elif kind == "tsa":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    elif kind == "tls":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    if ca_issuers_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(ca_issuers_url),
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def build_crl(
    *,
    issuer_cert: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    revoked: list[tuple[int, dt.datetime]],
    number: int,
    this_update: dt.datetime,
    next_update: dt.datetime,
) -> bytes:
    """A DER CRL listing ``revoked`` (serial, revocation time)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def to_pkcs12(
    *, key: KeyType, cert: x509.Certificate, chain: list[x509.Certificate], password: str, name: str
) -> bytes:
    """An encrypted PKCS#12 file (AES-256, PBKDF2) holding the key, its certificate and the chain."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(20_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    return pkcs12.serialize_key_and_certificates(name.encode(), key, cert, chain or None, encryption)


def key_to_pem(key: KeyType, password: str) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )


def key_from_pem(data: bytes, password: str) -> KeyType:
    key = serialization.load_pem_private_key(data, password.encode())
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def fingerprint(cert_der: bytes) -> str:
    return hashlib.sha256(cert_der).hexdigest()
