"""The one interface every key backend implements (registry pattern: see ``registry.py`` and ``contrib/``)."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from asn1crypto import cms, x509
from pyhanko.sign.attributes import (
    CMSAttributeProvider,
    SignedAttributeProviderSpec,
    SigningCertificateV2Provider,
)
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
SignerT = TypeVar("SignerT", bound=Signer)


class PadesSignedAttributes(SignedAttributeProviderSpec):
    """The signed attributes of the platform's PAdES signatures, each encoded once (``Signer.signed_attr_prov_spec``).

    asn1crypto re-encodes a value it built (rather than parsed) from scratch every time something containing it
    is encoded, and pyHanko encodes the signed attributes many times while assembling one signature: the
    signing-certificate-v2 attribute alone (issuer name, certificate hash) was encoded about forty times, half
    the cost of the CMS object. Here it is encoded once per certificate and handed to pyHanko parsed back from
    those bytes, so every later encoding reuses them. The DER bytes signed are the same.

    For a PAdES signature (``SigSeedSubFilter.PADES``, the only kind the platform makes) pyHanko's own choice
    (``CAdESSignedAttributeProviderSpec`` with ``is_pades``) adds exactly this attribute besides the content
    type and message digest it always adds: no signing-time attribute (PAdES forbids it; the time is the
    signature dictionary's ``/M``) and no CAdES extras, as the platform asks for none.
    ``test_signed_attributes_are_pyhankos_own`` compares both."""

    def __init__(self, signing_cert: x509.Certificate) -> None:
        self.signing_cert = signing_cert

    def signed_attr_providers(
        self, data_digest: bytes, digest_algorithm: str
    ) -> Iterator[CMSAttributeProvider]:
        yield _PreEncodedSigningCertificateV2(self.signing_cert)


def with_pre_encoded_attributes(signer: SignerT) -> SignerT:
    """``signer``, building the signed attributes of its PAdES signatures with :class:`PadesSignedAttributes`."""
    assert signer.signing_cert is not None
    signer.signed_attr_prov_spec = PadesSignedAttributes(signer.signing_cert)
    return signer


class _PreEncodedSigningCertificateV2(SigningCertificateV2Provider):
    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute | None:
        return cms.CMSAttribute.load(_signing_certificate_v2(self.signing_cert.dump()))


@lru_cache(maxsize=256)
def _signing_certificate_v2(certificate_der: bytes) -> bytes:
    return simple_cms_attribute(
        "signing_certificate_v2", as_signing_certificate_v2(x509.Certificate.load(certificate_der))
    ).dump()
