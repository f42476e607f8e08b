"""Shared test fixtures: the demo province, officers signed in with their second factor, a real SMTP server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls are in other threads.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "Chinhquyen@2018"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # One test process: a per-process cache keeps query counts free of cache-table reads and is emptied per
    # test. Tests of the shared cache start real processes, which use the configured (database) cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    from egov.catalog import selectors

    cache.clear()
    # The footer's visitor counters are kept 30 s; a test longer than that on a loaded machine would see them
    # refreshed mid-measurement (query counts). Each test starts with an empty cache anyway.
    from egov.portal import context_processors as portal_context
    from egov.portal import services as portal_services
    from egov.units import selectors as unit_selectors

    monkeypatch.setattr(portal_services, "COUNTERS_TTL", 3600)
    monkeypatch.setattr(portal_context, "PROFILE_TTL", 3600)  # a slow machine took over a minute per test
    monkeypatch.setattr(unit_selectors, "CACHE_SECONDS", 3600)
    selectors.forget_cached_catalogue()  # tests roll back, so ids and counts repeat between them


@pytest.fixture
def demo(db: Any) -> None:
    """Bình Phước 2018, loaded through the same command as `make demo`; of the rest of the country only
    Hà Nội (01), to keep each test fast (`make demo` loads every province)."""
    call_command("load_demo", quiet=True, country="01")


def current_token(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def sign_in_officer(client: Client, email: str, password: str = DEMO_PASSWORD) -> Client:
    """Sign in through the real two-step form: password, then the TOTP code."""
    from egov.accounts.models import User

    response = client.post("/tai-khoan/dang-nhap/", {"username": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    user = User.objects.get(email=email)
    response = client.post("/tai-khoan/dang-nhap/xac-thuc/", {"token": current_token(user)})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def officer_client(demo: None) -> Any:
    def make(email: str) -> Client:
        return sign_in_officer(Client(), email)

    return make


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on a free local port, collecting what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Collect(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    controller.received = received  # type: ignore[attr-defined]
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def marriage(demo: None) -> Any:
    """A published test procedure (commune level) with a group, a condition, an address and two components."""
    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec

    sectors = ensure_sectors(actor=None, sectors=[SECTOR])
    version, _ = upsert_procedure(actor=None, spec=marriage_spec(), sectors=sectors)
    return version


def minimal_pdf(*objects: bytes) -> bytes:
    """A small but well-formed PDF (one blank A4 page, cross-reference table with true offsets); extra
    ``objects`` are numbered from 4 on, for tests that add to the catalogue."""
    body = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, content in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, start)
    return bytes(out)


PDF_BYTES = minimal_pdf()


def pdf_upload(name: str = "to-khai.pdf", content: bytes = PDF_BYTES) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")
