"""The one interface every key backend implements (registry pattern: see ``registry.py`` and ``contrib/``)."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

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
