"""The periodic sweeps: one copy at a time, short transactions that officers do not wait behind, e-mails kept
and sent once the mail server is back (or given up, visibly, after the last attempt), and orphan files deleted
without ever touching a file a row points to."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import pdf_upload, sign_in_officer
from egov.agencies.models import Agency
from egov.dossiers.models import DeadlineState, Dossier, DossierResult, Notification, OutboxStatus
from egov.dossiers.orphan_files import sweep_orphan_files
from egov.dossiers.tests import processes
from egov.onestop import receiving
from egov.onestop.deadlines import sweep_deadlines
from egov.onestop.models import DeadlineDigest, IssuedForm
from egov.onestop.sweeps import run_periodic_sweeps
from egov.onestop.tests.test_processing_rules import act, at, person
from egov.submission import services as submission_services
from egov.submission.tests.test_submission import LOC_TAN, citizen, submit

DESK = "motcua.loctan@binhphuoc.demo"


def received_dossiers(version: Any, count: int) -> list[Dossier]:
    made = []
    for _ in range(count):
        dossier, _ = submit(version)
        made.append(
            receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
        )
    return made


def overdue_now(dossiers: list[Dossier]) -> None:
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(
        due_at=timezone.now() - dt.timedelta(hours=1), deadline_state=""
    )


HOLDER = """
import time
import django
django.setup()
from egov.onestop.sweeps import exclusive

with exclusive() as held:
    print(held, flush=True)
    time.sleep(600)
"""


@pytest.mark.django_db(transaction=True)
def test_only_one_sweeper_runs_at_a_time_and_a_killed_one_blocks_nothing(marriage: Any) -> None:
    (dossier,) = received_dossiers(marriage, 1)
    overdue_now([dossier])
    env = processes.environment()
    holder = processes.start("-c", HOLDER, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True", holder.stderr
        for command in (["sweep", "--skip-files"], ["sweep_deadlines"]):
            second = processes.manage(*command, env=env)
            assert second.returncode == 0, second.stderr
            assert "Một lượt quét khác đang chạy" in second.stdout and "Quá hạn mới" not in second.stdout
        dossier.refresh_from_db()
        assert dossier.deadline_state == ""
    finally:
        processes.kill(holder)  # its lock goes with it, however it died
    after = processes.manage("sweep", "--skip-files", env=env)
    assert after.returncode == 0, after.stderr
    assert "Quá hạn mới: 1" in after.stdout and "tác vụ lấy lại: 0" in after.stdout
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.OVERDUE


@pytest.mark.django_db(transaction=True)
def test_officers_do_not_wait_behind_the_deadline_sweep(marriage: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: on SQLite each batch's transaction holds the whole file for that batch only")
    import psycopg

    dossiers = sorted(received_dossiers(marriage, 5), key=lambda d: d.pk)
    overdue_now(dossiers)
    db = connection.settings_dict
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": db["NAME"],
    }
    table = Dossier._meta.db_table
    found: dict[str, Any] = {}

    def sweep() -> None:
        try:
            found["result"] = sweep_deadlines(batch_size=2)
        finally:
            connection.close()

    with psycopg.connect(**params) as holder, psycopg.connect(**params, autocommit=True) as officer:
        # An officer is acting on the last dossier (its row locked): the sweep waits for it at its last batch.
        holder.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [dossiers[-1].pk])  # noqa: S608
        thread = threading.Thread(target=sweep)
        thread.start()

        def first_marked() -> bool:
            row = officer.execute(f"SELECT deadline_state FROM {table} WHERE id = %s", [dossiers[0].pk])  # noqa: S608
            return row.fetchone() == ("overdue",)

        processes.wait_for(first_marked, timeout=20, what="the first batch to be committed")
        # Meanwhile another officer acts on a dossier the sweep already marked: no waiting.
        officer.execute("SET lock_timeout = '2s'")
        started = time.monotonic()
        officer.execute(f"UPDATE {table} SET version = version + 1 WHERE id = %s", [dossiers[0].pk])  # noqa: S608
        assert time.monotonic() - started < 1
        holder.rollback()
        thread.join(timeout=30)
    assert found["result"].overdue == 5
    assert set(Dossier.objects.values_list("deadline_state", flat=True)) == {DeadlineState.OVERDUE}


def _smtp(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port


def test_a_digest_that_fails_is_kept_and_sent_once_the_mail_server_is_back(
    marriage: Any, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for day in ("2019-03-04", "2019-03-05"):
            with time_machine.travel(at(day, "08:00"), tick=False):
                dossier, _ = submit(marriage)
            act(at(day, "08:00"), receiving.receive, dossier, officer=person(DESK))
    _smtp(settings, processes.free_port())  # nothing listens there: the mail server is down

    def sweep(time: str) -> Any:
        # The clock stays moved while the tasks enqueued on commit run.
        with time_machine.travel(at("2019-03-05", time)), django_capture_on_commit_callbacks(execute=True):
            return run_periodic_sweeps(files=False)

    first = sweep("09:00")
    assert (first.deadlines.overdue, first.deadlines.due_soon, first.deadlines.digests) == (1, 1, 1)
    digest = DeadlineDigest.objects.get()
    assert (digest.status, digest.attempts, digest.sent_at) == (OutboxStatus.PENDING, 1, None)
    assert "Connection refused" in digest.last_error
    _smtp(settings, smtp_server.port)
    assert sweep("09:05").outbox.requeued == 0  # retried once due, not at every sweep
    assert smtp_server.received == []
    assert sweep("09:12").outbox.requeued == 1
    (message,) = smtp_server.received
    assert "quá hạn" in processes.subject(message) and "chutich.loctan@binhphuoc.demo" in message["To"]
    digest.refresh_from_db()
    assert digest.status == OutboxStatus.SENT and digest.attempts == 2 and digest.last_error == ""
    assert sweep("09:40").outbox.requeued == 0 and len(smtp_server.received) == 1


def test_an_email_given_up_is_shown_as_such_and_can_be_sent_again_from_the_admin(
    marriage: Any, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EGOV_OUTBOX_MAX_ATTEMPTS = 3
    _smtp(settings, processes.free_port())
    start = at("2019-03-04", "08:00")
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        dossier, _ = submit(marriage)
    notification = Notification.objects.get(dossier=dossier)
    for minutes in (12, 25, 60, 120):
        with (
            time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            run_periodic_sweeps(files=False)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (OutboxStatus.FAILED, 3)
    assert "Connection refused" in notification.last_error

    admin = sign_in_officer(Client(), "quantri@binhphuoc.demo")
    page = admin.get("/admin/dossiers/notification/?status__exact=failed").content.decode()
    assert "Không gửi được, đã ngừng thử" in page and dossier.code in page
    _smtp(settings, smtp_server.port)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/dossiers/notification/",
            {"action": "send_again", "_selected_action": [notification.pk]},
            follow=True,
        )
    assert "Đã đưa 1 thư vào hàng đợi gửi lại." in response.content.decode()
    (message,) = smtp_server.received
    assert dossier.code in processes.subject(message)
    notification.refresh_from_db()
    assert notification.status == OutboxStatus.SENT


def _aged(name: str, *, hours: float = 48) -> str:
    moment = time.time() - hours * 3600
    os.utime(default_storage.path(name), (moment, moment))
    return name


def test_the_file_sweep_deletes_only_old_files_no_row_points_to(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    draft = submission_services.start_draft(user=citizen(), version=marriage)
    (draft_file,) = submission_services.add_files(
        draft=draft, slot="to-khai", uploads=[pdf_upload("ban-nhap.pdf")]
    )
    result = DossierResult(
        dossier=dossier, title="Giấy chứng nhận", sha256="0", issued_at=timezone.now(), issued_by=person(DESK)
    )
    result.file.save("ket-qua.pdf", ContentFile(b"%PDF-1.4 ket qua"), save=True)
    form = IssuedForm(
        dossier=dossier, form="01", key="k", agency=Agency.objects.get(code=LOC_TAN), sha256="0"
    )
    form.file.save("mau-01.pdf", ContentFile(b"%PDF-1.4 mau 01"), save=True)
    referenced = [dossier.files.get().file.name, draft_file.file.name, result.file.name, form.file.name]
    month = f"{timezone.now().astimezone(dt.UTC):%Y/%m}"
    orphans = [
        default_storage.save(f"{folder}/{month}/{uuid.uuid4().hex}/mo-coi.pdf", ContentFile(b"%PDF"))
        for folder in ("dossiers", "results", "forms")
    ]
    young = default_storage.save(f"dossiers/{month}/{uuid.uuid4().hex}/moi-ghi.pdf", ContentFile(b"%PDF"))
    old_month = default_storage.save(f"results/2019/01/{uuid.uuid4().hex}/cu.pdf", ContentFile(b"%PDF"))
    elsewhere = default_storage.save(f"signing/agency/{month}/{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF"))
    for name in [*referenced, *orphans, old_month, elsewhere]:
        _aged(name)

    swept = run_periodic_sweeps()
    assert swept is not None and swept.files is not None
    assert swept.files.deleted == 3 and sorted(swept.files.examples) == sorted(orphans)
    assert not any(default_storage.exists(name) for name in orphans)
    assert all(default_storage.exists(name) for name in [*referenced, young, old_month, elsewhere])
    assert sweep_orphan_files(all_months=True).examples == [old_month]
    assert not default_storage.exists(old_month) and default_storage.exists(young)
