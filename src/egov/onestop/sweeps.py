"""The periodic sweeps, in order, one copy at a time (``manage.py sweep``; README “Periodic sweeps”):

1. deadlines — mark due-soon and overdue dossiers, write each agency's daily digest (``deadlines``);
2. outbox — enqueue again the e-mails (notifications, digests) still unsent, give up after the last attempt
   (``outbox``);
3. tasks — take back the running tasks of task workers that died (``task_reclaim``);
4. orphan files — delete stored files no row references, past the grace period (``orphan_files``).

Exactly one sweeper runs at a time: on PostgreSQL it holds a session advisory lock (``pg_try_advisory_lock``),
elsewhere (SQLite) an exclusive ``flock`` on a file beside the database. Both are released when the process ends,
however it ends, so a killed sweeper never blocks the next one; a second copy started meanwhile skips its round
and says so. A step that fails is logged and the next steps still run.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection

from egov.dossiers.orphan_files import OrphanSweepResult, sweep_orphan_files
from egov.dossiers.outbox import RequeueResult, requeue_unsent
from egov.dossiers.task_reclaim import reclaim_abandoned_tasks
from egov.dossiers.tasks import OUTBOXES
from egov.onestop.deadlines import SweepResult, sweep_deadlines

logger = logging.getLogger(__name__)
LOCK_NAME = "egov-periodic-sweeps"


@contextmanager
def exclusive(name: str = LOCK_NAME) -> Iterator[bool]:
    """Yield True if this process now holds the sweepers' lock, False if another process does."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
                except DatabaseError:  # the session is gone, and its lock with it
                    logger.warning("sweep lock not released cleanly", exc_info=True)
        return
    with open(lock_path(name), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)


def lock_path(name: str = LOCK_NAME) -> Path:
    """Beside the SQLite file (one lock per database), else in the temporary folder."""
    database = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and not database.startswith(("file:", ":memory:")):
        return Path(database).with_name(f"{Path(database).name}.{name}.lock")
    digest = hashlib.sha256(database.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"{name}-{digest}.lock"


@dataclass
class PeriodicSweepResult:
    deadlines: SweepResult | None = None
    outbox: RequeueResult | None = None
    reclaimed_tasks: int | None = None
    files: OrphanSweepResult | None = None
    failed: list[str] = field(default_factory=list)


def run_periodic_sweeps(*, files: bool = True, now: dt.datetime | None = None) -> PeriodicSweepResult | None:
    """One round of every sweep; None when another sweeper holds the lock (nothing was done)."""
    with exclusive() as held:
        if not held:
            logger.warning("periodic sweep skipped: another sweeper is running")
            return None
        result = PeriodicSweepResult()
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("deadlines", lambda: sweep_deadlines(now=now)),
            ("outbox", lambda: requeue_unsent(outboxes=OUTBOXES, now=now)),
            ("reclaimed_tasks", lambda: reclaim_abandoned_tasks(now=now)),
        ]
        if files:
            steps.append(("files", lambda: sweep_orphan_files(now=now)))
        for name, step in steps:
            try:
                setattr(result, name, step())
            except Exception:  # one step's failure must not stop the others
                logger.exception("periodic sweep step failed", extra={"step": name})
                result.failed.append(name)
        return result
