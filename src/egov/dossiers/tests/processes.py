"""Real processes against the test database, for tests that kill them where work could be lost: task workers
(``manage.py db_worker``), sweeps, a "web process" running a service, and mail servers that stop answering at a
chosen point of the SMTP exchange."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[4]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def environment(**extra: str) -> dict[str, str]:
    """The test's database and media folder, the SMTP backend, JSON logs kept to warnings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_") and k != "DATABASE_URL"}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        )
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="egov.settings",
        EGOV_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        EGOV_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EGOV_EMAIL_HOST="127.0.0.1",
        EGOV_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    """``manage.py db_worker`` as shipped by django-tasks-db, polling often."""
    return start("manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload", env=env)


def run_worker_until_idle(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)


def kill(process: subprocess.Popen[str]) -> str:
    """SIGKILL: no clean-up of any kind runs in the process. Returns what it wrote to stderr (for failures)."""
    process.send_signal(signal.SIGKILL)
    _, errors = process.communicate(timeout=30)
    return errors or ""


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def subject(message: Any) -> str:
    """The decoded subject of a message the SMTP server received (Vietnamese subjects are RFC 2047-encoded)."""
    return str(make_header(decode_header(message["Subject"])))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StallingMailServer:
    """A real SMTP server (aiosmtpd) that stops answering at one point of the exchange until released:
    ``"DATA"`` — before accepting the message (nothing delivered); ``"QUIT"`` — after accepting it, when the
    client says goodbye (delivered)."""

    def __init__(self, stall: str) -> None:
        from aiosmtpd.controller import Controller

        self.stall = stall
        self.received: list[bytes] = []
        self.reached = threading.Event()
        self._release = threading.Event()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    async def _hold(self) -> None:
        self.reached.set()
        while not self._release.is_set():
            await asyncio.sleep(0.05)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall == "DATA":
            await self._hold()
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall == "QUIT":
            await self._hold()
        return "221 Bye"

    def stop(self) -> None:
        self._release.set()
        self._controller.stop()
