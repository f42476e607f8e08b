"""Health probes, structured logs and production settings."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db.utils import OperationalError
from django.test import Client

ROOT = Path(__file__).resolve().parents[4]


def test_healthz_answers_without_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_the_database(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_does_not_answer(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    def broken_cursor(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_log_lines_are_json_objects() -> None:
    from logging.config import dictConfig

    dictConfig(settings.LOGGING)
    handler = logging.getLogger().handlers[0]
    record = logging.LogRecord("egov.request", logging.INFO, __file__, 1, "request", None, None)
    record.path = "/"
    line = json.loads(handler.formatter.format(record))  # type: ignore[union-attr]
    assert line["level"] == "INFO"
    assert line["logger"] == "egov.request"
    assert line["path"] == "/"
    assert "time" in line


def _settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "egov.settings"
    code = f"import django; from django.conf import settings; django.setup(); print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_production_mode_refuses_to_start_without_a_secret_key() -> None:
    result = _settings_in_subprocess(
        {"EGOV_ENV": "production", "EGOV_ALLOWED_HOSTS": "dichvucong.example.vn"}, "settings.DEBUG"
    )
    assert result.returncode != 0
    assert "EGOV_SECRET_KEY" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts() -> None:
    result = _settings_in_subprocess(
        {"EGOV_ENV": "production", "EGOV_SECRET_KEY": "x" * 50}, "settings.DEBUG"
    )
    assert result.returncode != 0
    assert "EGOV_ALLOWED_HOSTS" in result.stderr


def test_production_mode_has_secure_defaults() -> None:
    result = _settings_in_subprocess(
        {
            "EGOV_ENV": "production",
            "EGOV_SECRET_KEY": "x" * 50,
            "EGOV_ALLOWED_HOSTS": "dichvucong.example.vn",
        },
        "[settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
        " settings.SECURE_HSTS_SECONDS, settings.ALLOWED_HOSTS]",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[False, True, True, True, 31536000, ['dichvucong.example.vn']]"


def test_pages_carry_security_headers(client: Client) -> None:
    response = client.get("/healthz")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
