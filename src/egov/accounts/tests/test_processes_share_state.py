"""Several server processes share sessions, revocations and counters (the shared database cache or Redis).

Each test starts real gunicorn processes on the test database, as a load balancer would see them: a request
goes to one, the next to another."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from egov.accounts.models import ApiToken, User
from egov.accounts.tests.processes import manage, servers
from egov.accounts.tokens import issue_token

PASSWORD = "Song-Be-2024"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


CACHES = [
    pytest.param({}, id="database-cache"),
    pytest.param(
        {"EGOV_CACHE_URL": "redis://127.0.0.1:6379/13"},
        id="redis",
        marks=pytest.mark.skipif(
            not _redis_answers()
            and not os.environ.get("EGOV_REQUIRE_BROWSER"),  # CI starts Redis: never skipped
            reason="no Redis on 127.0.0.1:6379",
        ),
    ),
]


@pytest.fixture(params=CACHES)
def cache(request: Any, transactional_db: None) -> dict[str, str]:
    """The environment selecting the shared cache of the server processes, emptied first (the flush between
    tests leaves the cache table, and Redis keeps its keys)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM egov_cache")
    env: dict[str, str] = request.param
    if "EGOV_CACHE_URL" in env:
        import redis

        redis.Redis.from_url(env["EGOV_CACHE_URL"]).flushdb()
    return env


def _citizen() -> User:
    """A citizen whose password the server processes can check (they use the real hasher, not the tests')."""
    user = User.objects.create(
        username="le.thi.cuc@example.vn", email="le.thi.cuc@example.vn", full_name="Lê Thị Cúc"
    )
    User.objects.filter(pk=user.pk).update(
        password=PBKDF2PasswordHasher().encode(PASSWORD, "muoi-ngau-nhien")
    )
    return user


def test_signing_out_on_one_process_ends_the_session_on_the_other(cache: dict[str, str]) -> None:
    _citizen()
    with servers(2, **cache) as (first, second):
        browser = first.browser()
        signed_in = browser.post(
            "/tai-khoan/dang-nhap/", {"username": "le.thi.cuc@example.vn", "password": PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.text[:300]
        elsewhere = browser.on(second)
        assert elsewhere.get("/ho-so-cua-toi/").status_code == 200  # the other process knows the session
        assert browser.post("/tai-khoan/dang-xuat/").status_code == 302
        after = elsewhere.get("/ho-so-cua-toi/")
        assert after.status_code == 302 and after.headers["Location"].startswith("/tai-khoan/dang-nhap/")


def test_a_token_revoked_by_another_process_is_refused_at_once(cache: dict[str, str]) -> None:
    user = _citizen()
    token = issue_token(user=user, name="Ứng dụng thử")
    prefix = ApiToken.objects.get(user=user).prefix
    headers = {"Authorization": f"Bearer {token}"}
    with servers(2, **cache) as (first, second):
        assert first.browser().get("/api/v1/dossiers", headers=headers).status_code == 200
        assert second.browser().get("/api/v1/dossiers", headers=headers).status_code == 200
        revoked = manage("revoke_api_token", "egov_" + prefix, **cache)
        assert revoked.returncode == 0, revoked.stderr
        for server in (first, second):
            refused = server.browser().get("/api/v1/dossiers", headers=headers)
            assert refused.status_code == 401 and "khóa API" in refused.json()["detail"]


def test_a_certificate_revoked_by_another_process_shows_revoked_at_once(cache: dict[str, str]) -> None:
    from django.core.management import call_command

    from egov.signing import services
    from egov.signing.models import SigningCertificate
    from egov.signing.tests.conftest import make_pdf

    call_command("load_demo", quiet=True)
    leader = User.objects.get(email="lanhdao.locninh@binhphuoc.demo")
    signed = services.sign_pdf(pdf=make_pdf(), purpose="personal", signer=leader, pin="123456", level="B-B")
    certificate = signed.record.certificate
    files = {"file": ("quyet-dinh.pdf", signed.content, "application/pdf")}
    with servers(1, **cache) as (verifier,):
        import requests

        before = requests.post(verifier.base + "/api/v1/signatures/verify", files=files, timeout=60).json()
        assert before["signatures"][0]["revocation"] == "good"  # the verifier now keeps the platform's CRLs
        script = (
            "from egov.signing.models import SigningCertificate; from egov.signing import services; "
            f"services.revoke_certificate(certificate=SigningCertificate.objects.get(pk={certificate.pk}), "
            "reason='Mất thiết bị ký')"
        )
        revoked = manage("shell", "-c", script, **cache)
        assert revoked.returncode == 0, revoked.stderr
        after = requests.post(verifier.base + "/api/v1/signatures/verify", files=files, timeout=60).json()
        assert after["signatures"][0]["revocation"] == "revoked"
        assert after["valid"] is False
    assert not SigningCertificate.objects.get(pk=certificate.pk).is_active
