"""How fast ``generate_dossiers`` fills PostgreSQL, against what PostgreSQL alone can take on the same machine.

Creates its own databases on the server in ``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432``):
``egov_bench_generation`` (migrated, demo loaded) and two copies of it made before any dossier exists. Then,
in one run, for ``BENCH_DOSSIERS`` dossiers of 2019 (default 1,000,000; ``BENCH_OPEN_SHARE`` forced open,
default 0.7, as ``bench_backoffice`` does):

1. the generator's own work: the same dossiers, events and steps built in Python with nothing written
   (``BENCH_PYTHON_SHARE`` of the count, default 0.2), one core;
2. ``manage.py generate_dossiers --rebuild-indexes`` as an operator runs it, set-up of the command included;
3. PostgreSQL alone: the rows the generator wrote, exported once into memory, loaded into the first empty copy
   with ``COPY`` on two connections, in the same batches and with the same session settings as the generator,
   secondary indexes dropped and built again the way the generator builds them. No Python builds a row here:
   this is the ceiling for any loader of this schema on this machine, and the generator is reported as a
   share of it;
4. the same load into the second copy with every index kept, for comparison.

Prints the rates in dossiers per second, the generator's share of the ceiling, the cores and the server's
``max_wal_size`` (checkpoints during a load of several gigabytes of WAL cost a fifth of the load at 1 GB).
The databases are dropped at the end.
"""

from __future__ import annotations

import os
import queue
import threading
import time

import psycopg

import scratch

DB_NAME = "egov_bench_generation"
COPIES = (f"{DB_NAME}_ceiling", f"{DB_NAME}_kept")
workdir = scratch.use(DB_NAME)

DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
OPEN_SHARE = float(os.environ.get("BENCH_OPEN_SHARE", "0.7"))
PYTHON_SHARE = float(os.environ.get("BENCH_PYTHON_SHARE", "0.2"))
TARGET_RATE = 20_000
TABLES = ("dossiers_dossier", "dossiers_dossierstep", "dossiers_dossierevent", "dossiers_apology")


def checkpoint() -> None:
    """Start each phase with no dirty buffers left over from the one before."""
    with psycopg.connect(f"{scratch.PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def python_only(count: int) -> float:
    """Dossiers per second the generator builds with nothing written (ids still come from the sequences),
    counted from its first batch to its last."""
    from django.db import transaction

    from egov.demo import synthetic

    written = synthetic.Writer.write
    synthetic.Writer.write = lambda self, batch: None  # type: ignore[method-assign]
    seen: list[
        tuple[float, int]
    ] = []  # (when, dossiers so far) at each batch: the province's set-up left out

    def progress(dossiers: int) -> None:
        seen.append((time.perf_counter(), dossiers + (seen[-1][1] if seen else 0)))

    try:
        with transaction.atomic():  # one thread, nothing kept
            synthetic.generate(count=count, year=2019, open_share=OPEN_SHARE, progress=progress)
            transaction.set_rollback(True)
    finally:
        synthetic.Writer.write = written  # type: ignore[method-assign]
    (first_at, first), (last_at, last) = seen[0], seen[-1]
    return (last - first) / (last_at - first_at)


def export(first_ids: dict[str, int]) -> dict[str, list[bytes]]:
    """The generated rows of each table as COPY text, cut into the generator's batches."""
    from egov.demo import synthetic

    exported: dict[str, list[bytes]] = {}
    with psycopg.connect(f"{scratch.PG_BASE}/{DB_NAME}") as conn:
        total = conn.execute(f"SELECT count(*) FROM {TABLES[0]} WHERE id >= %s", [first_ids[TABLES[0]]])  # noqa: S608
        dossiers = total.fetchone()[0]  # type: ignore[index]
        for table in TABLES:
            with conn.cursor().copy(
                f"COPY (SELECT * FROM {table} WHERE id >= {first_ids[table]} ORDER BY id) TO STDOUT"  # noqa: S608
            ) as copy:
                buffer = bytearray()
                for chunk in copy:
                    buffer += chunk
            lines = bytes(buffer).splitlines(keepends=True)
            size = synthetic.BATCH * max(1, round(len(lines) / max(dossiers, 1)))  # a batch's rows
            exported[table] = [b"".join(lines[i : i + size]) for i in range(0, len(lines), size)]
    return exported


def secondary_indexes(conn: psycopg.Connection) -> list[tuple[str, str]]:
    from egov.demo import synthetic

    return [
        (name, definition) for name, definition in conn.execute(synthetic.SECONDARY_INDEXES, [list(TABLES)])
    ]


def load(database: str, exported: dict[str, list[bytes]], *, rebuild: bool) -> tuple[float, float]:
    """COPY the exported batches on two connections (dossiers before their steps and events); returns the
    seconds spent loading and rebuilding."""
    from egov.demo import synthetic

    dsn = f"{scratch.PG_BASE}/{database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        dropped = secondary_indexes(conn) if rebuild else []
        for name, _ in dropped:
            conn.execute(f'DROP INDEX "{name}"')
    work = [(table, part) for table in TABLES for part in exported[table]]
    failures: list[BaseException] = []

    def copy_share(share: int) -> None:
        try:
            with psycopg.connect(dsn) as conn:
                conn.execute("SET synchronous_commit TO off")
                conn.execute("SET session_replication_role = replica")
                for number, (table, part) in enumerate(work):
                    if number % 2 == share:
                        with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                            copy.write(part)
                        conn.commit()
        except BaseException as exc:
            failures.append(exc)

    started = time.perf_counter()
    run_in_threads(copy_share, 2)
    loaded = time.perf_counter() - started
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for _, definition in sorted(dropped, key=lambda item: " gin " not in item[1].lower()):
        todo.put(definition)

    def build(_: int) -> None:
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("SET maintenance_work_mem TO '256MB'")
                while True:
                    try:
                        conn.execute(todo.get_nowait())
                    except queue.Empty:
                        return
        except BaseException as exc:
            failures.append(exc)

    started = time.perf_counter()
    run_in_threads(build, synthetic.INDEX_BUILDERS)
    rebuilt = time.perf_counter() - started
    if failures:
        raise failures[0]
    return loaded, rebuilt


def run_in_threads(target: object, count: int) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run() -> None:
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)
    with connection.cursor() as cursor:
        first_ids = {}
        for table in TABLES:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            first_ids[table] = cursor.fetchone()[0]
        cursor.execute("SELECT current_setting('server_version'), current_setting('max_wal_size')")
        server, wal = cursor.fetchone()
    connections.close_all()
    for copy in COPIES:
        scratch.admin_execute(f'CREATE DATABASE "{copy}" TEMPLATE "{DB_NAME}"')
    cores = os.cpu_count()
    print(f"PostgreSQL {server}, {cores} cores, max_wal_size {wal}; {DOSSIERS:,} dossiers")

    sample = max(15_000, int(DOSSIERS * PYTHON_SHARE))  # several batches: the rate runs from first to last
    built = python_only(sample)
    connections.close_all()
    print(f"  generator building rows only (one core, {sample:,} dossiers, nothing written): {built:,.0f}/s")

    checkpoint()
    started = time.perf_counter()
    call_command(
        "generate_dossiers",
        count=DOSSIERS,
        year=2019,
        open_share=OPEN_SHARE,
        rebuild_indexes=True,
        no_progress=True,
    )
    generated_s = time.perf_counter() - started
    connections.close_all()
    rate = DOSSIERS / generated_s
    print(f"  generate_dossiers --rebuild-indexes: {generated_s:6.1f} s = {rate:,.0f} dossiers/s")

    exported = export(first_ids)
    rows = sum(part.count(b"\n") for parts in exported.values() for part in parts)
    megabytes = sum(len(part) for parts in exported.values() for part in parts) / 1e6
    checkpoint()
    loaded, rebuilt = load(COPIES[0], exported, rebuild=True)
    ceiling = DOSSIERS / (loaded + rebuilt)
    print(
        f"  PostgreSQL alone, the same {rows:,} rows ({megabytes:,.0f} MB) by COPY on 2 connections: "
        f"load {loaded:.1f} s ({DOSSIERS / loaded:,.0f}/s) + indexes {rebuilt:.1f} s = {ceiling:,.0f} dossiers/s"
    )
    checkpoint()
    kept, _ = load(COPIES[1], exported, rebuild=False)
    print(
        f"  PostgreSQL alone, every index kept while loading: {kept:.1f} s = {DOSSIERS / kept:,.0f} dossiers/s"
    )
    verdict = "ok" if rate >= TARGET_RATE else "MISSED"
    reachable = "reachable" if ceiling >= TARGET_RATE else "out of reach of any loader"
    print(
        f"generator = {rate / ceiling:.2f}× PostgreSQL alone; target ≥ {TARGET_RATE:,}/s {verdict} "
        f"(on this machine {reachable}: PostgreSQL alone {ceiling:,.0f}/s)"
    )


def main() -> None:
    with scratch.databases(workdir, DB_NAME, *COPIES):
        run()


if __name__ == "__main__":
    main()
