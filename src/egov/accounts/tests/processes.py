"""Real server processes on the test database, for tests of what several processes must share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[4]


def database_url() -> str:
    """The URL of the test database this test process uses (its data must be committed: transactional_db)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db["USER"] or "")
    password = urllib.parse.quote(db["PASSWORD"] or "")
    return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh process: no EGOV_* or REDIS_URL of this shell, the test database, ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_") and k != "REDIS_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "egov.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "DATABASE_URL": database_url(),
            "EGOV_LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Browser:
    """One browser talking to one server: its own cookies, CSRF token taken from the pages it reads."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        response = requests.get(
            self.base + path, cookies=self.cookies, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        if "csrftoken" not in self.cookies:
            self.get("/tai-khoan/dang-nhap/")
        body = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **(data or {})}
        response = requests.post(
            self.base + path, data=body, cookies=self.cookies, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def on(self, other: Server) -> Browser:
        """The same browser (same cookies) sent to another server: a load balancer's next pick."""
        return Browser(other.base, self.cookies)


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]

    def browser(self) -> Browser:
        return Browser(self.base)


@contextmanager
def servers(count: int = 2, **env: str) -> Iterator[list[Server]]:
    """``count`` gunicorn processes (one worker each, so each request lands where it is sent)."""
    started: list[Server] = []
    try:
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "egov.wsgi",
                    "--workers",
                    "1",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                env=child_env(**env),
                cwd=ROOT,
            )
            started.append(Server(f"http://127.0.0.1:{port}", process))
        for server in started:
            _wait_until_up(server)
        yield started
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server {server.base} exited with {server.process.returncode}")
        try:
            if requests.get(server.base + "/healthz", timeout=30).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError(f"server {server.base} did not start")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` in a process of its own (an operator's command, or another worker's work)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=child_env(**env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
