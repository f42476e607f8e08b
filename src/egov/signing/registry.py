"""Key backends by name. ``EGOV_SIGNING_BACKENDS`` lists the enabled ones; each certificate names its own."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from egov.core.errors import DomainError
from egov.signing.base import SignerBackend

BACKENDS = {
    "pkcs12": "egov.signing.contrib.pkcs12.backend.Pkcs12Backend",
    "pkcs11": "egov.signing.contrib.pkcs11.backend.Pkcs11Backend",
}


@cache
def _load(path: str) -> SignerBackend:
    backend = import_string(path)()
    assert isinstance(backend, SignerBackend)
    return backend


def get_backend(name: str) -> SignerBackend:
    if name not in settings.EGOV_SIGNING_BACKENDS or name not in BACKENDS:
        raise DomainError(f"Nơi giữ khóa “{name}” chưa được bật trên hệ thống (EGOV_SIGNING_BACKENDS).")
    return _load(BACKENDS[name])


def enabled_backends() -> list[SignerBackend]:
    return [_load(BACKENDS[name]) for name in settings.EGOV_SIGNING_BACKENDS if name in BACKENDS]
