"""Certificates: parsing, trust (roots loaded by an administrator), revocation data, and the checks made before
every signature: valid now, chains to a trusted root, not revoked, fit for signing documents.

Revocation: a certificate naming a CRL distribution point or an OCSP responder is checked against them
("hard-fail": if the data cannot be had, signing is refused). CRLs of the authorities the platform runs itself
(:class:`~egov.signing.models.CertificateAuthority`, e.g. the demo PKI) are answered from the database without
a network round trip; all other URLs are fetched over HTTP.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from pyhanko_certvalidator import CertificateValidator, ValidationContext, errors
from pyhanko_certvalidator.fetchers import CRLFetcher, Fetchers
from pyhanko_certvalidator.fetchers.common_utils import enumerate_delivery_point_urls
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.util import get_relevant_crl_dps, issuer_serial

from egov.core.errors import DomainError
from egov.signing import pki
from egov.signing.models import CertificateAuthority, Purpose, SigningCertificate, TrustedRoot

SIGNING_EKUS = {
    "email_protection",
    "any_extended_key_usage",
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
    "1.2.840.113583.1.1.5",  # Adobe Authentic Documents Trust
    "1.3.6.1.4.1.311.10.3.12",  # Microsoft document signing
    "client_auth",
}
"""Extended key usages that allow signing documents (when the certificate restricts its usage at all)."""


@lru_cache(maxsize=512)
def _load_pem_cached(text: str) -> asn1_x509.Certificate:
    data = text.encode()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def load_certificate(text: str) -> asn1_x509.Certificate:
    """An asn1crypto certificate from PEM text."""
    return _load_pem_cached(text)


def split_pem(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.splitlines():
        current.append(line)
        if line.startswith("-----END"):
            blocks.append("\n".join(current) + "\n")
            current = []
    return blocks


def to_pem(der: bytes) -> str:
    return pem.armor("CERTIFICATE", der).decode()


def read_certificates(data: bytes) -> list[bytes]:
    """DER certificates from a PEM bundle or one DER certificate; ``DomainError`` if unreadable."""
    try:
        if pem.detect(data):
            return [der for _, _, der in pem.unarmor(data, multiple=True)]
        asn1_x509.Certificate.load(data).native  # noqa: B018  (parses fully)
        return [data]
    except ValueError as exc:
        raise DomainError("Tệp không phải chứng thư số X.509 (PEM hoặc DER).") from exc


def certificate_chain(certificate: SigningCertificate) -> list[asn1_x509.Certificate]:
    return [load_certificate(block) for block in split_pem(certificate.chain_pem)]


def describe_name(name: asn1_x509.Name) -> str:
    return name.human_friendly


def cryptography_cert(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


# --- Trust and revocation ------------------------------------------------------------------------------


def trusted_roots() -> list[asn1_x509.Certificate]:
    return [
        load_certificate(text)
        for text in TrustedRoot.objects.filter(is_active=True).values_list("certificate_pem", flat=True)
    ]


def _crl_cache_key(authority: CertificateAuthority) -> str:
    return f"signing:crl:{authority.pk}:{authority.crl_number}"


def current_crl(authority: CertificateAuthority) -> bytes:
    """The authority's CRL as DER, re-issued at most every hour (valid for 7 days) or when it changes."""
    key = _crl_cache_key(authority)
    cached = cache.get(key)
    if cached is not None:
        return bytes(cached)
    issuer_cert = cryptography_cert(load_certificate(authority.certificate_pem).dump())
    issuer_key = pki.key_from_pem(authority.private_key_pem.encode(), settings.EGOV_SIGNING_KEY_SECRET)
    now = timezone.now().replace(microsecond=0)
    revoked = [(int(r.serial_number, 16), r.revoked_at) for r in authority.revocations.all()]
    crl = pki.build_crl(
        issuer_cert=issuer_cert,
        issuer_key=issuer_key,
        revoked=revoked,
        number=authority.crl_number,
        this_update=now - dt.timedelta(minutes=5),
        next_update=now + dt.timedelta(days=7),
    )
    cache.set(key, crl, 3600)
    return crl


LOCAL_CRLS_KEY = "signing:local-crls"
LOCAL_CRLS_SECONDS = 60


def local_crls() -> dict[str, bytes]:
    """CRLs of the authorities the platform runs, by their published URL.

    Kept for a minute (two queries saved on every verification and B-LT signature); dropped at once by
    :func:`forget_local_crls` when the platform revokes a certificate or creates an authority."""
    found = cache.get(LOCAL_CRLS_KEY)
    if found is None:
        authorities = CertificateAuthority.objects.prefetch_related("revocations")
        found = {a.crl_url: current_crl(a) for a in authorities}
        cache.set(LOCAL_CRLS_KEY, found, LOCAL_CRLS_SECONDS)
    return dict(found)


def forget_local_crls() -> None:
    cache.delete(LOCAL_CRLS_KEY)


class _LocalFirstCRLFetcher(CRLFetcher):
    """pyHanko's CRL fetcher (``inner``), except that a certificate whose distribution points are all CRLs of the
    platform's own authorities gets them from ``local`` (no HTTP). What it hands out is remembered like a
    download (``fetched_crls``), so B-LT embeds it. Built on pyHanko's public ``CRLFetcher`` interface."""

    def __init__(self, local: dict[str, bytes], inner: CRLFetcher) -> None:
        self._local = local
        self._inner = inner
        self._parsed: dict[str, asn1_crl.CertificateList] = {}
        self._by_cert: dict[Any, list[asn1_crl.CertificateList]] = {}

    def _local_urls(self, cert: Any, use_deltas: Any) -> list[str] | None:
        urls = [
            url
            for point in get_relevant_crl_dps(cert, use_deltas=use_deltas)
            for url in enumerate_delivery_point_urls(point)
        ]
        return urls if urls and all(url in self._local for url in urls) else None

    def _crl(self, url: str) -> asn1_crl.CertificateList:
        if url not in self._parsed:
            self._parsed[url] = asn1_crl.CertificateList.load(self._local[url])
        return self._parsed[url]

    async def fetch(self, cert: Any, *, use_deltas: Any = None) -> Iterable[asn1_crl.CertificateList]:
        use_deltas = True if use_deltas is None else use_deltas  # pyHanko's default
        urls = self._local_urls(cert, use_deltas)
        if urls is None:
            return await self._inner.fetch(cert, use_deltas=use_deltas)
        found = self._by_cert[issuer_serial(cert)] = [self._crl(url) for url in urls]
        return found

    def fetched_crls(self) -> Iterable[asn1_crl.CertificateList]:
        return [*self._parsed.values(), *self._inner.fetched_crls()]

    def fetched_crls_for_cert(self, cert: Any) -> Iterable[asn1_crl.CertificateList]:
        found = self._by_cert.get(issuer_serial(cert))
        return found if found is not None else self._inner.fetched_crls_for_cert(cert)


class LocalFirstFetcherBackend(RequestsFetcherBackend):
    """HTTP fetching of CRLs, OCSP and issuer certificates, except the platform's own CRLs (from the database)."""

    def __init__(self, local: dict[str, bytes], per_request_timeout: int = 10) -> None:
        super().__init__(per_request_timeout=per_request_timeout)
        self._local = local

    def get_fetchers(self) -> Fetchers:
        fetchers = super().get_fetchers()
        return Fetchers(
            ocsp_fetcher=fetchers.ocsp_fetcher,
            crl_fetcher=_LocalFirstCRLFetcher(self._local, fetchers.crl_fetcher),
            cert_fetcher=fetchers.cert_fetcher,
        )


def validation_context(
    *,
    extra_certs: Iterable[asn1_x509.Certificate] = (),
    revocation_mode: str = "hard-fail",
    crls: Iterable[Any] = (),
    ocsps: Iterable[Any] = (),
    fetch: bool = True,
) -> ValidationContext:
    """A pyHanko validation context trusting the administrator's roots (and nothing else)."""
    roots = trusted_roots()
    if not roots:
        raise DomainError("Hệ thống chưa có chứng thư gốc tin cậy nào: quản trị viên cần nạp chứng thư gốc.")
    return ValidationContext(
        trust_roots=roots,
        other_certs=list(extra_certs),
        crls=list(crls),
        ocsps=list(ocsps),
        allow_fetching=fetch,
        revocation_mode=revocation_mode,
        fetcher_backend=LocalFirstFetcherBackend(local_crls(), settings.EGOV_SIGNING_NETWORK_TIMEOUT)
        if fetch
        else None,
    )


def format_day(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def explain(exc: Exception) -> str:
    """A Vietnamese sentence for a certificate validation failure."""
    if isinstance(exc, errors.RevokedError):
        return "Chứng thư số đã bị thu hồi."
    if isinstance(exc, errors.ExpiredError):
        return "Chứng thư số (hoặc chứng thư của tổ chức cấp) đã hết hạn."
    if isinstance(exc, errors.NotYetValidError):
        return "Chứng thư số chưa đến ngày có hiệu lực."
    if isinstance(exc, errors.InsufficientRevinfoError):
        return (
            "Không kiểm tra được tình trạng thu hồi của chứng thư số: không tải được danh sách thu hồi (CRL) "
            "hoặc phản hồi OCSP mà chứng thư chỉ định."
        )
    if isinstance(exc, errors.PathBuildingError):
        return "Chứng thư số không dẫn về chứng thư gốc nào mà hệ thống tin cậy."
    if isinstance(exc, errors.InvalidCertificateError):
        return "Chứng thư số không dùng để ký văn bản (sai mục đích sử dụng)."
    if isinstance(exc, errors.PathValidationError):
        return "Chuỗi chứng thư số không hợp lệ."
    return "Không kiểm tra được chứng thư số."


def _usage_problem(cert: asn1_x509.Certificate) -> str | None:
    if cert.ca:
        return "Chứng thư của tổ chức cấp (CA) không dùng để ký văn bản."
    usage = set(cert.key_usage_value.native) if cert.key_usage_value else set()
    if usage and not usage & {"digital_signature", "non_repudiation"}:
        return "Chứng thư số không có mục đích ký số (digitalSignature/nonRepudiation)."
    eku = set(cert.extended_key_usage_value.native) if cert.extended_key_usage_value else None
    if eku is not None and not eku & SIGNING_EKUS:
        return "Chứng thư số dành cho mục đích khác (ví dụ máy chủ, dấu thời gian), không dùng để ký văn bản."
    return None


def check_before_signing(certificate: SigningCertificate, *, purpose: str) -> ValidationContext:
    """Refuse (``DomainError``, Vietnamese) unless ``certificate`` may sign now for ``purpose``; return the
    validation context used, with the revocation data it gathered (for B-LT)."""
    if not certificate.is_active:
        raise DomainError("Chứng thư số này đã ngừng sử dụng trên hệ thống.")
    if certificate.purpose != purpose:
        raise DomainError(
            "Chứng thư số cá nhân không dùng để ký thay cơ quan."
            if certificate.purpose == Purpose.PERSONAL
            else "Chứng thư số của cơ quan không dùng làm chữ ký cá nhân."
        )
    now = timezone.now()
    if certificate.not_after < now:
        raise DomainError(f"Chứng thư số đã hết hạn ngày {format_day(certificate.not_after)}.")
    if certificate.not_before > now:
        raise DomainError(f"Chứng thư số chỉ có hiệu lực từ ngày {format_day(certificate.not_before)}.")
    cert = load_certificate(certificate.certificate_pem)
    problem = _usage_problem(cert)
    if problem:
        raise DomainError(problem)
    chain = certificate_chain(certificate)
    context = validation_context(extra_certs=chain)
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except (errors.PathError, errors.ValidationError) as exc:
        raise DomainError(explain(exc) + " Tài liệu chưa được ký.") from exc
    return context


def fingerprint_of(cert: asn1_x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()
