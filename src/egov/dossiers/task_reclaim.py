"""Taking back the tasks of a task worker that died.

django-tasks-db (0.13) marks a task ``RUNNING`` when a worker claims it, with ``started_at`` and the worker's id
appended to ``worker_ids``, and never looks at it again: a worker killed in the middle (OOM killer, a reboot, a
deploy's SIGKILL) leaves the task running forever, and its e-mail is never sent. It keeps no heartbeat, so this
module adds one without changing the worker: from its first task on, a worker process (``manage.py db_worker``,
as shipped) writes a :class:`TaskWorker` row every few seconds from a background thread. The periodic sweep
(:func:`reclaim_abandoned_tasks`) sets back to ``READY`` every running task whose worker has not reported for
``EGOV_TASK_WORKER_STALE_SECONDS``; the next free worker runs it again. Tasks are idempotent, so the rare
re-run of a task whose worker was only frozen does no harm.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus, task_backends, task_started
from django_tasks_db.models import DBTaskResult

from egov.dossiers.models import TaskWorker

logger = logging.getLogger(__name__)
FORGET_AFTER = dt.timedelta(days=1)  # rows of workers gone longer than this are deleted by the sweep

_beating: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.EGOV_TASK_WORKER_STALE_SECONDS))


def beat(worker_id: str) -> None:
    """Record that this worker process is alive now."""
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "host": socket.gethostname()[:255], "pid": os.getpid()},
    )


def _beat_forever(worker_id: str, every: float) -> None:
    while True:
        time.sleep(every)
        try:
            beat(worker_id)
        except DatabaseError:  # the database is away for a moment: the next beat tries again
            logger.warning("task worker heartbeat failed", exc_info=True, extra={"worker": worker_id})
        finally:
            connection.close()  # this thread's own connection; a fresh one for each beat


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """``task_started`` receiver: in a database worker process, report now and start reporting in the
    background (once per process). The worker sends the backend itself, the library's own backends its class.
    Never raises: a receiver's exception would fail the task."""
    backend = sender if isinstance(sender, type) else type(sender)
    if not issubclass(backend, DatabaseBackend) or not task_result.worker_ids:
        return
    worker_id = str(task_result.worker_ids[-1])
    with _lock:
        if worker_id in _beating:
            return
        try:
            beat(worker_id)
        except DatabaseError:  # the thread reports again in a moment
            logger.warning("task worker heartbeat failed", exc_info=True, extra={"worker": worker_id})
        every = max(stale_after().total_seconds() / 4, 0.2)
        thread = threading.Thread(
            target=_beat_forever, args=(worker_id, every), name="egov-task-heartbeat", daemon=True
        )
        thread.start()
        _beating[worker_id] = thread


def connect() -> None:
    task_started.connect(on_task_started, dispatch_uid="egov.dossiers.task_reclaim")


def _database_backends() -> list[str]:
    return [alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)]


def reclaim_abandoned_tasks(*, now: dt.datetime | None = None) -> int:
    """Set back to ready the running tasks whose worker has not reported for ``EGOV_TASK_WORKER_STALE_SECONDS``
    (or never did, and started that long ago). Rows are locked ``SKIP LOCKED`` on PostgreSQL, so this never
    waits for a worker finishing a task, and each task is taken back by one sweep only; on SQLite the
    transaction holds the database's write lock. Returns how many tasks were taken back."""
    backends = _database_backends()
    if not backends:
        return 0
    now = now or timezone.now()
    cutoff = now - stale_after()
    with transaction.atomic():
        alive = set(TaskWorker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
        running = list(
            DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING, backend_name__in=backends, started_at__lt=cutoff
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", "worker_ids", "task_path")
        )
        abandoned = [
            (pk, workers, path) for pk, workers, path in running if not workers or workers[-1] not in alive
        ]
        if abandoned:
            DBTaskResult.objects.filter(
                pk__in=[pk for pk, _, _ in abandoned], status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY)
        TaskWorker.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    for pk, workers, path in abandoned:
        logger.warning(
            "task taken back from a dead worker",
            extra={"task": str(pk), "task_path": path, "worker": workers[-1] if workers else ""},
        )
    return len(abandoned)
