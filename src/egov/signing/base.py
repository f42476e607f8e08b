"""The one interface every key backend implements (registry pattern: see ``registry.py`` and ``contrib/``)."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from asn1crypto import cms
from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.signers.pdf_cms import Signer

if TYPE_CHECKING:
    from egov.signing.models import SigningCertificate


class SignerBackend(abc.ABC):
    """Where private keys live. A backend hands out a pyHanko ``Signer`` that signs *inside* the backend: the
    private key never leaves it (a PKCS#11 token or HSM, or an encrypted PKCS#12 file opened in memory).

    ``open`` is a context manager so a token session is closed afterwards, and so a batch opens the key once.
    Errors a user can act on (wrong PIN, token absent) are raised as ``DomainError`` with a Vietnamese message;
    nothing has been signed when they are raised."""

    name: str = ""
    label: str = ""

    @abc.abstractmethod
    def open(self, certificate: SigningCertificate, *, pin: str | None) -> AbstractContextManager[Signer]:
        """A signer for ``certificate``'s key; ``pin`` is the user's PIN, used once and never stored."""

    def describe(self, certificate: SigningCertificate) -> str:
        """Where the key is, for officials' pages (no secrets)."""
        return self.label


KeyIterator = Iterator[Signer]


class PreEncodedAttributesMixin:
    """Builds the CMS signed attributes of a pyHanko ``Signer`` from DER-encoded values.

    asn1crypto re-encodes a value it built (rather than parsed) from scratch every time something containing it
    is encoded, and pyHanko encodes the signed attributes many times while assembling one signature: the
    signing-certificate-v2 attribute alone (issuer name, certificate hash) was encoded about forty times, half
    the cost of the CMS object. Each attribute is therefore encoded once and parsed back, and the
    signing-certificate-v2 attribute, which depends only on the certificate, is kept per certificate. The DER
    bytes signed are the same."""

    def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Iterator[CMSAttributeProvider]:
        for provider in super()._signed_attr_providers(*args, **kwargs):  # type: ignore[misc]
            if isinstance(provider, SigningCertificateV2Provider):
                yield _SigningCertificateV2(provider)
            else:
                yield _PreEncoded(provider)


class _PreEncoded(CMSAttributeProvider):
    def __init__(self, inner: CMSAttributeProvider) -> None:
        self.inner = inner

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute | None:
        attribute = await self.inner.get_attribute(dry_run=dry_run)
        return None if attribute is None else cms.CMSAttribute.load(attribute.dump())


@lru_cache(maxsize=256)
def _signing_certificate_v2(certificate_der: bytes) -> bytes:
    from asn1crypto import x509

    return simple_cms_attribute(
        "signing_certificate_v2", as_signing_certificate_v2(x509.Certificate.load(certificate_der))
    ).dump()


class _SigningCertificateV2(_PreEncoded):
    inner: SigningCertificateV2Provider

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute | None:
        return cms.CMSAttribute.load(_signing_certificate_v2(self.inner.signing_cert.dump()))
