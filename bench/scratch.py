"""What the PostgreSQL benchmarks share: databases of their own on the server in ``BENCH_PG_URL`` (default
``postgres://postgres@127.0.0.1:5432``), the project's settings pointed at the first one, and a clean-up that
drops them and the benchmark's files whatever happens.

A benchmark calls :func:`use` before it imports Django, then runs inside :func:`databases`."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def use(database: str) -> Path:
    """Point the settings at ``database`` with a scratch folder for files; returns the folder."""
    sys.path.insert(0, str(ROOT / "src"))
    workdir = Path(tempfile.mkdtemp(prefix="egov-bench-"))
    os.environ["DATABASE_URL"] = f"{PG_BASE}/{database}"
    os.environ["EGOV_VAR_DIR"] = str(workdir)
    os.environ["EGOV_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ["EGOV_LOG_LEVEL"] = "WARNING"
    os.environ["EGOV_DEBUG"] = "0"  # no query log growing during thousands of requests
    return workdir


def admin_execute(statement: str) -> None:
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(statement)


@contextmanager
def databases(workdir: Path, first: str, *others: str, keep: bool = False) -> Iterator[None]:
    """``first`` created empty (kept as it is with ``keep``), ``others`` dropped if left by an earlier run;
    Django set up; at the end every connection closed, the databases dropped (``first`` not with ``keep``)
    and the scratch folder removed."""
    import django

    for name in others if keep else (first, *others):
        admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [first]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{first}"')
    try:
        django.setup()
        yield
    finally:
        from django.db import connections

        connections.close_all()
        for name in others if keep else (first, *others):
            admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
