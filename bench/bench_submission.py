"""Sustained API submissions on PostgreSQL with several app processes, as ratios measured in one run.

Creates its own database (``egov_bench_submit`` on the server in ``BENCH_PG_URL``, default
``postgres://postgres@127.0.0.1:5432``) with the demo, the test procedure 9.000001 and 50 citizens holding
an API token each, then starts gunicorn (3 sync workers) and drives it from 12 client threads (http.client)
that POST /api/v1/dossiers (multipart: form data + a 200 KB PDF, a fresh Idempotency-Key each time) for a
fixed time after a warm-up; then GET /healthz the same way. Prints throughput and latency of both and their
ratios. Target: ≥ 100 dossiers/s sustained with p95 < 250 ms. Load generator and server share the machine's
cores. Checks that every 201 made exactly one dossier with a unique code. The database is dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import scratch

DB_NAME = "egov_bench_submit"
workdir = scratch.use(DB_NAME)

CITIZENS = 50
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))  # several app processes; 2 × cores is the usual rule
THREADS = 12
WARMUP_S = 3.0
DURATION_S = 20.0
PDF_SIZE = 200 * 1024
AGENCY = "000.22.44.H10"  # UBND xã Lộc Tấn
PROCEDURE = "9.000001"
COMMUNE = "25279"  # Xã Lộc Tấn
TARGET_RATE = 100.0
TARGET_P95_MS = 250.0


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def set_up_data() -> list[str]:
    """Demo data, the test procedure and ``CITIZENS`` citizens; returns one API token per citizen."""
    from django.core.management import call_command
    from django.test import override_settings

    from egov.accounts.services import register_citizen
    from egov.accounts.tokens import issue_token
    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec
    from egov.units.models import AdministrativeUnit

    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)
    sectors = ensure_sectors(actor=None, sectors=[SECTOR])
    upsert_procedure(actor=None, spec=marriage_spec(), sectors=sectors)
    commune = AdministrativeUnit.objects.current().get(code=COMMUNE)
    tokens = []
    # The passwords are never used (the API takes tokens): a fast hasher keeps the set-up short.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for n in range(CITIZENS):
            user = register_citizen(
                full_name=f"Công Dân Thử {n}",
                email=f"congdan.thu{n}@binhphuoc.demo",
                password="Nop-ho-so@2018",
                personal_id=f"0700900{10000 + n:05d}",  # 070 Bình Phước, century 0, born 1990
                date_of_birth=dt.date(1990, 1 + n % 12, 1 + n % 28),
                address_unit=commune,
                address_line=f"Ấp {1 + n % 5}",
            )
            tokens.append(issue_token(user=user, name="Đo tải"))
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EGOV_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": "src",
        "EGOV_DB_CONN_MAX_AGE": "60",
    }
    command = [
        str(scratch.ROOT / ".venv/bin/gunicorn"),
        "egov.wsgi",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=scratch.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz in 30 s:\n{log.read_text()[-2000:]}")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # graceful: workers finish their request
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def multipart_body() -> tuple[bytes, str]:
    from egov.catalog.tests.factories import valid_answers

    boundary = f"bench-{uuid.uuid4().hex}"
    pdf = b"%PDF-1.4\n" + b"0" * (PDF_SIZE - len(b"%PDF-1.4\n") - len(b"\n%%EOF\n")) + b"\n%%EOF\n"
    parts = []
    for name, value in (("procedure", PROCEDURE), ("agency", AGENCY), ("data", json.dumps(valid_answers()))):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="to-khai"; filename="to-khai.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + pdf
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


class Load:
    """``THREADS`` client threads sending one kind of request for ``WARMUP_S + DURATION_S`` seconds."""

    def __init__(self, port: int, make_request: Callable[[], Request]) -> None:
        self.port = port
        self.make_request = make_request
        self.lock = threading.Lock()
        self.latencies: list[float] = []  # ms, requests started and finished inside the measured window
        self.in_window = Counter[int]()
        self.statuses = Counter[int]()  # every response, warm-up included
        self.errors: list[str] = []
        self.exceptions = Counter[str]()

    def worker(self, start: float, end: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (now := time.perf_counter()) < end:
            method, path, body, headers = self.make_request()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # reconnects on the next request
                with self.lock:
                    self.exceptions[type(exc).__name__] += 1
                continue
            done = time.perf_counter()
            with self.lock:
                self.statuses[response.status] += 1
                if response.status not in (200, 201) and len(self.errors) < 3:
                    self.errors.append(f"{response.status}: {payload[:300].decode(errors='replace')}")
                if now >= start and done <= end:
                    self.latencies.append((done - now) * 1000)
                    self.in_window[response.status] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()  # gunicorn's sync workers close after each response; reopen next time
        conn.close()

    def run(self) -> None:
        start = time.perf_counter() + WARMUP_S
        end = start + DURATION_S
        threads = [
            threading.Thread(target=self.worker, args=(start, end), daemon=True) for _ in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def measure(port: int, tokens: list[str]) -> None:
    from egov.dossiers.models import Dossier

    body, content_type = multipart_body()
    rotation = itertools.cycle(tokens)

    def submission() -> Request:
        return (
            "POST",
            "/api/v1/dossiers",
            body,
            {
                "Authorization": f"Bearer {next(rotation)}",
                "Idempotency-Key": uuid.uuid4().hex,
                "Content-Type": content_type,
            },
        )

    def health() -> Request:
        return "GET", "/healthz", None, {}

    submit = Load(port, submission)
    submit.run()
    probe = Load(port, health)
    probe.run()

    created = submit.in_window[201]
    rate = created / DURATION_S
    p50, p95 = percentile(submit.latencies, 50), percentile(submit.latencies, 95)
    h_rate = probe.in_window[200] / DURATION_S
    h50, h95 = percentile(probe.latencies, 50), percentile(probe.latencies, 95)
    cores = os.cpu_count()
    print(
        f"PostgreSQL, gunicorn {WORKERS} sync workers, {THREADS} client threads, {CITIZENS} tokens, "
        f"{PDF_SIZE // 1024} KB PDF, {WARMUP_S:.0f} s warm-up + {DURATION_S:.0f} s measured"
    )
    print(
        f"note: load generator and server share this machine's {cores} cores (nproc), "
        "so both figures are lower bounds"
    )
    print(f"POST /api/v1/dossiers  {rate:7.1f} dossiers/s  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    print(f"GET /healthz           {h_rate:7.1f} req/s       p50 {h50:7.1f} ms  p95 {h95:7.1f} ms")
    print(f"ratios: submission/healthz throughput {rate / h_rate:.3f}×, p95 {p95 / h95:.1f}×")
    rate_ok = "ok" if rate >= TARGET_RATE else "MISSED"
    p95_ok = "ok" if p95 < TARGET_P95_MS else "MISSED"
    print(f"target: ≥ {TARGET_RATE:.0f} dossiers/s -> {rate_ok}; p95 < {TARGET_P95_MS:.0f} ms -> {p95_ok}")
    other = {s: n for s, n in submit.statuses.items() if s != 201}
    if other or submit.exceptions:
        print(f"errors: statuses {dict(other)}, exceptions {dict(submit.exceptions)}")
        for text in submit.errors:
            print(f"  {text}")
    if probe.exceptions or set(probe.statuses) - {200}:
        print(f"healthz errors: statuses {dict(probe.statuses)}, exceptions {dict(probe.exceptions)}")

    total_201 = submit.statuses[201]
    rows = Dossier.objects.count()
    distinct = Dossier.objects.values("code").distinct().count()
    check = "ok" if rows == total_201 and distinct == rows else "MISMATCH"
    print(
        f"check: {total_201} responses 201 (warm-up included), {rows} dossier rows, "
        f"{distinct} distinct codes -> {check}"
    )


def main() -> None:
    with scratch.databases(workdir, DB_NAME):
        tokens = set_up_data()
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_gunicorn(port, workdir / "gunicorn.log")
        try:
            measure(port, tokens)
        finally:
            stop_gunicorn(server)


if __name__ == "__main__":
    main()
