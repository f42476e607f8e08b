"""No work is lost when a process dies: each test kills a real process (SIGKILL) at the point where work could be
lost — a task worker in the middle of sending an e-mail, a web process between its commit and the enqueue, a
request between writing its upload and committing — and checks that the periodic sweep takes the work back."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from egov.agencies.models import Agency
from egov.dossiers.models import Dossier, DossierCodeSequence, Notification, OutboxStatus, StoredFile
from egov.dossiers.task_reclaim import reclaim_abandoned_tasks
from egov.dossiers.tests import processes
from egov.submission.tests.test_submission import LOC_TAN, submit

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
from egov.submission.tests.test_submission import submit

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

    sweep = processes.manage("sweep", "--skip-files", env=env)
    assert sweep.returncode == 0, sweep.stderr
    assert "thư gửi lại: 1" in sweep.stdout
    assert processes.run_worker_until_idle(env).returncode == 0
    (message,) = smtp_server.received
    assert dossier.code in processes.subject(message)
    notification.refresh_from_db()
    assert notification.status == OutboxStatus.SENT
    again = processes.manage("sweep", "--skip-files", env=env)
    assert "thư gửi lại: 0" in again.stdout and len(smtp_server.received) == 1


DYING_REQUEST = """
import sys
import django
django.setup()
from conftest import pdf_upload
from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.catalog.models import ProcedureVersion
from egov.catalog.tests.factories import valid_answers
from egov.submission import services

services.submit_with_uploads(
    applicant=User.objects.get(email="nguyenvanan@binhphuoc.demo"),
    version=ProcedureVersion.objects.get(pk=int(sys.argv[1])),
    agency=Agency.objects.get(code=sys.argv[2]),
    raw=valid_answers(),
    uploads={"to-khai": [pdf_upload("to-khai-se-mo-coi.pdf")]},
    idempotency_key="",
)
"""


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_a_request_killed_before_its_commit_leaves_a_file_that_the_sweep_deletes(
    marriage: Any, settings: Any, capsys: Any
) -> None:
    kept, _ = submit(marriage)  # a dossier's file: referenced, never deleted
    media = Path(settings.MEDIA_ROOT)
    before = _files(media)
    desk = Agency.objects.get(code=LOC_TAN)
    DossierCodeSequence.objects.get_or_create(agency=desk, day=timezone.localdate(), defaults={"last": 1})
    env = processes.environment()
    with transaction.atomic():
        # Another submission to the same desk holds today's counter (on SQLite, the write lock): the dying
        # request has written its upload and waits inside its transaction, where it is killed.
        DossierCodeSequence.objects.select_for_update().get(agency=desk, day=timezone.localdate())
        request = processes.start("-c", DYING_REQUEST, str(marriage.pk), LOC_TAN, env=env)
        try:
            processes.wait_for(lambda: len(_files(media)) > len(before), what="the upload to be written")
            time.sleep(0.5)
        finally:
            processes.kill(request)
    (orphan,) = _files(media) - before
    assert orphan.name == "to-khai-se-mo-coi.pdf"
    assert Dossier.objects.count() == 1 and StoredFile.objects.count() == 1

    call_command("sweep_orphan_files", dry_run=True)
    assert "Sẽ xóa 0 tệp" in capsys.readouterr().out  # younger than the grace period
    day_ago = time.time() - 25 * 3600
    for path in _files(media):
        os.utime(path, (day_ago, day_ago))
    call_command("sweep_orphan_files", dry_run=True)
    listed = capsys.readouterr().out
    assert "Sẽ xóa 1 tệp" in listed and orphan.name in listed and orphan.exists()
    call_command("sweep_orphan_files")
    assert "Đã xóa 1 tệp" in capsys.readouterr().out
    assert not orphan.exists() and not orphan.parent.exists()
    assert _files(media) == before
    assert kept.files.get().file.storage.exists(kept.files.get().file.name)
