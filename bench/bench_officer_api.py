"""The officer API at a province's size, under gunicorn: the worklist, the worklist filtered by a month of
submission dates, and a dossier's detail, against ``/healthz`` in the same run.

Creates its own database (``egov_bench_officer_api`` on the server in ``BENCH_PG_URL``, default
``postgres://postgres@127.0.0.1:5432``), migrates it, loads the demo and generates ``BENCH_DOSSIERS`` synthetic
dossiers of 2019 (default 1,000,000; ``BENCH_OPEN_SHARE`` of them open, default 0.7) with
``manage.py generate_dossiers --rebuild-indexes``, which analyses the tables it loaded. Then starts gunicorn
(``BENCH_WORKERS`` sync workers, default 4) and drives it from ``BENCH_THREADS`` client threads (default 4,
http.client) with the API tokens of three officers: the province supervisor, a district specialist and a
commune's receiving officer. Four kinds of request, measured in ``BENCH_ROUNDS`` interleaved rounds (default
3) of ``BENCH_SECONDS`` / rounds each (default 15 s per kind), after a warm-up:

- ``GET /healthz`` (the floor: routing and middleware, no database);
- ``GET /api/v1/officer/dossiers?tab=…`` (50 rows and the capped count): the supervisor's “đang giải quyết”,
  the specialist's “chờ tôi xử lý”, the desk's “mới”;
- the same lists of the supervisor and the specialist (“đang giải quyết”, “đã kết thúc”) filtered by one
  month of 2019's submission dates (``submitted_from``/``submitted_to``, a different month each time);
- ``GET /api/v1/officer/dossiers/{code}``: a random dossier of the province for the supervisor, a random
  dossier of the commune's desk for its receiving officer.

Prints p50/p95 and requests/s of each, and their ratios to ``/healthz``; then EXPLAIN ANALYZE of the
month-filtered list (indexes used, execution time). Targets: filtered list p95 < 50 ms, detail p95 < 25 ms.
Load generator, gunicorn and PostgreSQL share the machine's cores. Every response must be 200.

The database is dropped at the end, unless ``BENCH_KEEP=1``: then it is kept, and the next run with
``BENCH_KEEP=1`` migrates it and measures again without generating. ``BENCH_SRC`` measures another checkout's
``src`` on the same data (figures before and after a change).
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import scratch

DB_NAME = "egov_bench_officer_api"
workdir = scratch.use(DB_NAME)
SRC = Path(os.environ.get("BENCH_SRC", scratch.ROOT / "src")).resolve()
sys.path.insert(0, str(SRC))

DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
OPEN_SHARE = float(os.environ.get("BENCH_OPEN_SHARE", "0.7"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))  # per kind of request, over all rounds
WARMUP_S = 3.0
KEEP = os.environ.get("BENCH_KEEP") == "1"
TARGETS_P95_MS = {"filtered list": 50.0, "detail": 25.0}
OFFICERS = {
    "supervisor": "giamsat@binhphuoc.demo",
    "district": "chuyenvien.locninh@binhphuoc.demo",
    "desk": "motcua.loctan@binhphuoc.demo",
}
DESK_AGENCY = "000.22.44.H10"  # UBND xã Lộc Tấn
YEAR = 2019


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def month(number: int) -> dict[str, str]:
    first = dt.date(YEAR, number, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {"submitted_from": first.isoformat(), "submitted_to": last.isoformat()}


def set_up_data() -> None:
    from django.core.management import call_command
    from django.db import connection

    from egov.dossiers.models import Dossier

    reuse = KEEP and "dossiers_dossier" in connection.introspection.table_names() and Dossier.objects.exists()
    call_command("migrate", verbosity=0)
    if reuse:
        print("reusing the database kept by the previous run (BENCH_KEEP=1): generation skipped")
    else:
        call_command("load_demo", quiet=True)
        started = time.perf_counter()
        call_command(
            "generate_dossiers",
            count=DOSSIERS,
            year=YEAR,
            open_share=OPEN_SHARE,
            rebuild_indexes=True,
            no_progress=True,
        )
        elapsed = time.perf_counter() - started
        print(f"generation: {DOSSIERS:,} dossiers in {elapsed:.0f} s (indexes rebuilt, tables analysed)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE relname = 'dossiers_dossier'"
        )
        analysed = cursor.fetchone()
    if not any(analysed or ()):
        print("the dossiers were never analysed (generated by an older version?): ANALYZE now")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


Request = tuple[str, dict[str, str]]  # path, headers


def requests_to_send() -> dict[str, Callable[[], Request]]:
    """One request maker per kind; each call gives the next request (tokens, tabs, months and codes rotate)."""
    from urllib.parse import urlencode

    from egov.accounts.models import User
    from egov.accounts.tokens import issue_token
    from egov.agencies.models import Agency
    from egov.dossiers.models import Dossier

    tokens = {
        who: {"Authorization": "Bearer " + issue_token(user=User.objects.get(email=email), name="Đo tải")}
        for who, email in OFFICERS.items()
    }
    rng = random.Random(YEAR)
    lists = itertools.cycle([("supervisor", "da-tiep-nhan"), ("district", "cho-toi"), ("desk", "moi")])
    filtered = itertools.cycle(
        [("supervisor", "da-tiep-nhan"), ("district", "da-tiep-nhan"), ("supervisor", "da-xong")]
    )
    low = Dossier.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    high = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    province = list(
        Dossier.objects.filter(pk__in=[rng.randint(low, high) for _ in range(600)]).values_list(
            "code", flat=True
        )
    )
    desk = Agency.objects.get(code=DESK_AGENCY)
    at_desk = list(Dossier.objects.filter(receiving_agency=desk).values_list("code", flat=True))
    details = [("supervisor", code) for code in province[:300]] + [
        ("desk", code) for code in rng.sample(at_desk, min(300, len(at_desk)))
    ]
    rng.shuffle(details)
    detail_cycle = itertools.cycle(details)
    lock = threading.Lock()

    def worklist() -> Request:
        with lock:
            who, tab = next(lists)
        return f"/api/v1/officer/dossiers?tab={tab}", tokens[who]

    def worklist_month() -> Request:
        with lock:
            who, tab = next(filtered)
            number = rng.randint(1, 12)
        return f"/api/v1/officer/dossiers?{urlencode({'tab': tab, **month(number)})}", tokens[who]

    def detail() -> Request:
        with lock:
            who, code = next(detail_cycle)
        return f"/api/v1/officer/dossiers/{code}", tokens[who]

    def health() -> Request:
        return "/healthz", {}

    print(
        f"detail: {len(details)} dossiers, half of the province's, half of the commune's desk ({len(at_desk):,})"
    )
    return {"/healthz": health, "list": worklist, "filtered list": worklist_month, "detail": detail}


class Load:
    """``THREADS`` threads sending one kind of request for a while; latencies of requests inside the window."""

    def __init__(self, port: int, make_request: Callable[[], Request]) -> None:
        self.port = port
        self.make_request = make_request
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.window_s = 0.0
        self.statuses = Counter[int]()
        self.errors: list[str] = []

    def worker(self, start: float, end: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while (now := time.perf_counter()) < end:
            path, headers = self.make_request()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                with self.lock:
                    self.errors.append(f"{type(exc).__name__} on {path}")
                continue
            done = time.perf_counter()
            with self.lock:
                self.statuses[response.status] += 1
                if response.status != 200 and len(self.errors) < 3:
                    self.errors.append(f"{response.status} {path}: {payload[:200].decode(errors='replace')}")
                if now >= start and done <= end:
                    self.latencies.append((done - now) * 1000)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()  # gunicorn's sync workers close after each response
        conn.close()

    def run(self, seconds: float, warmup: float = 0.0) -> None:
        start = time.perf_counter() + warmup
        end = start + seconds
        threads = [
            threading.Thread(target=self.worker, args=(start, end), daemon=True) for _ in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.window_s += seconds

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.window_s if self.window_s else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EGOV_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(SRC),
        "EGOV_DB_CONN_MAX_AGE": "60",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "egov.wsgi", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=scratch.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
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
    raise RuntimeError(f"gunicorn did not answer /healthz in 60 s:\n{log.read_text()[-2000:]}")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure(port: int, makers: dict[str, Callable[[], Request]]) -> None:
    loads = {name: Load(port, maker) for name, maker in makers.items()}
    for load in loads.values():
        load.run(0.0, warmup=WARMUP_S / len(loads))  # every worker process warmed on every kind
    for _ in range(ROUNDS):  # interleaved, so that a neighbour's load on the machine falls on every kind
        for load in loads.values():
            load.run(SECONDS / ROUNDS)
    health = loads["/healthz"]
    h95, h_rate = percentile(health.latencies, 95), health.rate
    print(
        f"\ngunicorn {WORKERS} sync workers, {THREADS} client threads, {ROUNDS} interleaved rounds, "
        f"{SECONDS:.0f} s per kind; load generator, gunicorn and PostgreSQL share {os.cpu_count()} cores"
    )
    for name, load in loads.items():
        p50, p95 = percentile(load.latencies, 50), percentile(load.latencies, 95)
        target = TARGETS_P95_MS.get(name)
        verdict = (
            "" if target is None else ("  ok" if p95 < target else "  MISSED") + f" (p95 < {target:.0f} ms)"
        )
        ratios = (
            "" if load is health else f"  = {load.rate / h_rate:.3f}× healthz req/s, p95 {p95 / h95:.1f}×"
        )
        print(
            f"{name:<14} {load.rate:8.1f} req/s  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  n={len(load.latencies)}"
            f"{ratios}{verdict}"
        )
        other = {s: n for s, n in load.statuses.items() if s != 200}
        if other or load.errors:
            print(f"  errors: statuses {other}; {load.errors[:3]}")


def explain_month_filter() -> None:
    from egov.accounts.models import User
    from egov.onestop import selectors as onestop_selectors
    from egov.onestop.selectors import WorklistFilters, officer_worklist

    march = WorklistFilters(submitted_from=dt.date(YEAR, 3, 1), submitted_to=dt.date(YEAR, 3, 31))
    print("\nEXPLAIN ANALYZE of the list filtered by March (page of 50, then the count up to 1,001)")
    for who, tab in (("supervisor", "da-tiep-nhan"), ("district", "da-tiep-nhan"), ("supervisor", "da-xong")):
        queryset = officer_worklist(User.objects.get(email=OFFICERS[who]), tab=tab, filters=march)
        if hasattr(onestop_selectors, "capped_rows"):  # as the API counts
            counted = onestop_selectors.capped_rows(queryset.values("pk"), filters=march, cap=1000)
        else:  # an older checkout (BENCH_SRC) counted unordered
            counted = queryset.order_by().values("pk")[:1001]
        for label, query in (("page ", queryset[:50]), ("count", counted)):
            plan = query.explain(analyze=True)
            lines = plan.splitlines()
            used = sorted(
                {w for line in lines if "Scan" in line for w in line.split() if w.startswith("dossier")}
            )
            seq = any("Seq Scan on dossiers_dossier " in line for line in lines)
            total = next((line.strip() for line in lines if "Execution Time" in line), "")
            print(
                f"  {who} “{tab}” {label}: {', '.join(used) or 'no index'}{'; SEQ SCAN' if seq else ''}; {total}"
            )
            for line in [line.strip() for line in lines if "Cond:" in line and "submitted_at" in line][:1]:
                print(f"      {line[:160]}")


def main() -> None:
    with scratch.databases(workdir, DB_NAME, keep=KEEP):
        set_up_data()
        makers = requests_to_send()
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_gunicorn(port, workdir / "gunicorn.log")
        try:
            measure(port, makers)
        finally:
            stop_gunicorn(server)
        explain_month_filter()


if __name__ == "__main__":
    main()
