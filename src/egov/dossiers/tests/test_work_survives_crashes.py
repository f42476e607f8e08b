"""No work is lost when a process dies: each test kills a real process (SIGKILL) at the point where work could be
lost — a task worker in the middle of sending an e-mail, a web process between its commit and the enqueue, a
request between writing its upload and committing — and checks that the periodic sweep takes the work back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from egov.dossiers.models import Dossier, Notification, OutboxStatus
from egov.dossiers.task_reclaim import reclaim_abandoned_tasks
from egov.dossiers.tests import processes
from egov.dossiers.tests.test_submission import submit

pytestmark = pytest.mark.django_db(transaction=True)
STALE_SECONDS = 2


@pytest.fixture
def queued(marriage: Any, settings: Any) -> Notification:
    """A dossier just submitted, its e-mail owed and its task in the database queue."""
    settings.TASKS = processes.DB_TASKS
    settings.EGOV_TASK_WORKER_STALE_SECONDS = STALE_SECONDS
    dossier, _ = submit(marriage)
    notification = Notification.objects.get(dossier=dossier)
    assert notification.sent_at is None and DBTaskResult.objects.ready().count() == 1
    return notification


@pytest.fixture
def stalling_server(request: Any) -> Iterator[processes.StallingMailServer]:
    server = processes.StallingMailServer(request.param)
    try:
        yield server
    finally:
        server.stop()


def _write_takes(notification: Notification) -> float:
    """Seconds another process's write to the notification row waits (officers' writes would wait the same)."""
    started = time.monotonic()
    Notification.objects.filter(pk=notification.pk).update(recipient=notification.recipient)
    return time.monotonic() - started


@pytest.mark.parametrize("stalling_server", ["DATA"], indirect=True)
def test_a_worker_killed_while_sending_leaves_the_email_to_be_sent_by_another(
    queued: Notification, stalling_server: processes.StallingMailServer, smtp_server: Any
) -> None:
    env = processes.environment(
        EGOV_EMAIL_PORT=str(stalling_server.port), EGOV_TASK_WORKER_STALE_SECONDS=str(STALE_SECONDS)
    )
    worker = processes.start_worker(env)
    if not stalling_server.reached.wait(60):
        pytest.fail(f"the worker never reached the mail server: {processes.kill(worker)}")
    try:
        task = DBTaskResult.objects.get()
        assert task.status == TaskResultStatus.RUNNING
        # While the mail server keeps it waiting, nothing is locked: the database takes other writes at once.
        assert _write_takes(queued) < 1
        # A worker that is alive keeps its task, however long the task takes.
        time.sleep(STALE_SECONDS + 0.5)
        assert reclaim_abandoned_tasks() == 0
    finally:
        processes.kill(worker)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # what django-tasks-db leaves behind, forever
    time.sleep(STALE_SECONDS + 0.5)
    assert reclaim_abandoned_tasks() == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY

    done = processes.run_worker_until_idle(processes.environment(EGOV_EMAIL_PORT=str(smtp_server.port)))
    assert done.returncode == 0, done.stderr
    (message,) = smtp_server.received
    assert queued.dossier.code in processes.subject(message) and message["To"] == "nguyenvanan@binhphuoc.demo"
    assert not stalling_server.received
    queued.refresh_from_db()
    assert queued.status == OutboxStatus.SENT and queued.sent_at is not None
    assert queued.attempts == 2  # the attempt that died counts
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == "sent"


@pytest.mark.parametrize("stalling_server", ["QUIT"], indirect=True)
def test_a_worker_killed_after_the_server_took_the_email_does_not_send_it_twice(
    queued: Notification, stalling_server: processes.StallingMailServer, smtp_server: Any
) -> None:
    env = processes.environment(
        EGOV_EMAIL_PORT=str(stalling_server.port), EGOV_TASK_WORKER_STALE_SECONDS=str(STALE_SECONDS)
    )
    worker = processes.start_worker(env)
    reached = stalling_server.reached.wait(60)
    errors = processes.kill(worker)
    assert reached, f"the worker never said goodbye to the mail server: {errors}"
    assert len(stalling_server.received) == 1  # the citizen has the e-mail
    queued.refresh_from_db()
    assert queued.sent_at is not None  # recorded before the goodbye that never ended
    time.sleep(STALE_SECONDS + 0.5)
    assert reclaim_abandoned_tasks() == 1

    done = processes.run_worker_until_idle(processes.environment(EGOV_EMAIL_PORT=str(smtp_server.port)))
    assert done.returncode == 0, done.stderr
    assert smtp_server.received == []  # not sent a second time
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == "already sent"


WEB_PROCESS = """
import sys, time
import django
django.setup()
from django.db import transaction
from egov.catalog.models import ProcedureVersion
from egov.dossiers.tests.test_submission import submit

with transaction.atomic():
    # Runs first after the commit, before the submission's own enqueue: the process is killed right here.
    transaction.on_commit(lambda: (print("committed", flush=True), time.sleep(600)))
    dossier, _ = submit(ProcedureVersion.objects.get(pk=int(sys.argv[1])))
"""


def test_a_web_process_killed_between_commit_and_enqueue_loses_no_email(
    marriage: Any, smtp_server: Any
) -> None:
    env = processes.environment(EGOV_EMAIL_PORT=str(smtp_server.port), EGOV_OUTBOX_RETRY_MINUTES="0")
    web = processes.start("-c", WEB_PROCESS, str(marriage.pk), env=env)
    try:
        assert web.stdout is not None and web.stdout.readline().strip() == "committed", web.stderr
    finally:
        processes.kill(web)
    dossier = Dossier.objects.get()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.status == OutboxStatus.PENDING and not DBTaskResult.objects.exists()

    sweep = processes.manage("sweep", env=env)
    assert sweep.returncode == 0, sweep.stderr
    assert "thư gửi lại: 1" in sweep.stdout
    assert processes.run_worker_until_idle(env).returncode == 0
    (message,) = smtp_server.received
    assert dossier.code in processes.subject(message)
    notification.refresh_from_db()
    assert notification.status == OutboxStatus.SENT
    again = processes.manage("sweep", env=env)
    assert "thư gửi lại: 0" in again.stdout and len(smtp_server.received) == 1
