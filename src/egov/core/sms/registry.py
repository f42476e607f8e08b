"""SMS backends by name; ``EGOV_SMS_BACKEND`` chooses one (empty: no SMS is sent, only e-mail)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from egov.core.sms.base import SmsBackend

BACKENDS = {
    "file": "egov.core.sms.contrib.file.backend.FileBackend",
    "http": "egov.core.sms.contrib.http.backend.HttpBackend",
}


def sms_enabled() -> bool:
    return bool(settings.EGOV_SMS_BACKEND)


@cache
def _load(name: str) -> SmsBackend:
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"EGOV_SMS_BACKEND={name!r}: expected one of {', '.join(BACKENDS)}.")
    backend = import_string(BACKENDS[name])()
    assert isinstance(backend, SmsBackend)
    return backend


def get_backend() -> SmsBackend:
    """The configured backend (settings are read when it is first used; tests that change them call
    ``get_backend.cache_clear()`` through :func:`reset`)."""
    return _load(settings.EGOV_SMS_BACKEND)


def reset() -> None:
    _load.cache_clear()
