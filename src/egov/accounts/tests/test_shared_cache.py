"""The shared cache: counters that hold under concurrency, and production refusing a per-process cache."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from egov.core.cache import DatabaseCache

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture
def table_cache(transactional_db: None) -> DatabaseCache:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM egov_cache")
    return DatabaseCache("egov_cache", {})


def test_counts_made_at_once_by_several_clients_are_all_kept(table_cache: DatabaseCache) -> None:
    table_cache.add("rl:lookup:203.0.113.9", 0, 3600)
    errors: list[BaseException] = []

    def count(times: int) -> None:
        try:
            for _ in range(times):
                table_cache.incr("rl:lookup:203.0.113.9")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=count, args=(25,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    assert table_cache.get("rl:lookup:203.0.113.9") == 100


def test_counting_keeps_the_window_of_the_counter(table_cache: DatabaseCache) -> None:
    """Django's own increment rewrites the entry with the default 5-minute expiry: an hourly limit would
    forget its count after 5 quiet minutes."""
    table_cache.add("rl:sign-up:le.thi.cuc@example.vn", 1, 3600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM egov_cache")
        before = cursor.fetchone()[0]
        assert table_cache.incr("rl:sign-up:le.thi.cuc@example.vn") == 2
        cursor.execute("SELECT expires FROM egov_cache")
        assert cursor.fetchone()[0] == before
    with pytest.raises(ValueError):
        table_cache.incr("rl:never-set")


def _settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_") and k != "REDIS_URL"}
    clean.update(env)
    clean.update({"DJANGO_SETTINGS_MODULE": "egov.settings", "PYTHONPATH": str(ROOT / "src")})
    code = f"import django; from django.conf import settings; django.setup(); print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, cwd=ROOT, check=False
    )


PRODUCTION = {
    "EGOV_ENV": "production",
    "EGOV_SECRET_KEY": "x" * 50,
    "EGOV_ALLOWED_HOSTS": "dichvucong.example.vn",
}
SHOW = "settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE"


@pytest.mark.parametrize(
    "cache",
    [
        {"EGOV_CACHE_URL": "locmem://"},
        {"EGOV_CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        {"EGOV_CACHE_BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    ],
)
def test_production_refuses_a_per_process_cache_and_says_what_to_set(cache: dict[str, str]) -> None:
    result = _settings_in_subprocess({**PRODUCTION, **cache}, SHOW)
    assert result.returncode != 0
    assert "bộ đệm dùng chung" in result.stderr and "EGOV_CACHE_URL=redis://" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "egov.core.cache.DatabaseCache django.contrib.sessions.backends.cached_db"),
        (
            {"EGOV_CACHE_URL": "redis://127.0.0.1:6379/1"},
            "django_redis.cache.RedisCache django.contrib.sessions.backends.cached_db",
        ),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/1"},
            "django_redis.cache.RedisCache django.contrib.sessions.backends.cached_db",
        ),
    ],
)
def test_production_starts_with_a_shared_cache(env: dict[str, str], expected: str) -> None:
    result = _settings_in_subprocess({**PRODUCTION, **env}, SHOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_development_process_with_its_own_cache_keeps_sessions_in_the_database() -> None:
    result = _settings_in_subprocess({"EGOV_CACHE_URL": "locmem://"}, SHOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "django.core.cache.backends.locmem.LocMemCache django.contrib.sessions.backends.db"
    )


def test_an_unknown_cache_url_is_refused_in_vietnamese() -> None:
    result = _settings_in_subprocess({"EGOV_CACHE_URL": "memcache://x"}, SHOW)
    assert result.returncode != 0 and "không hợp lệ" in result.stderr
