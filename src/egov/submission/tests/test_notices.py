"""What the applicant is told about their dossiers: a portal inbox (“Thông báo”, read or unread, counted in
the header), e-mails that address them as ông/bà with links that work, and SMS through the configured
gateway — written to a folder by the demo's backend, posted to a gateway by the HTTP one, retried on failure."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from egov.core.sms import registry
from egov.dossiers import services
from egov.dossiers.models import Notice, Notification, NotificationChannel, NotificationKind, OutboxStatus
from egov.dossiers.tasks import send_notification
from egov.submission.tests.test_submission import citizen, signed_in, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_to_folder(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.EGOV_SMS_BACKEND = "file"
    settings.EGOV_SMS_FILE_PATH = str(tmp_path / "sms")
    registry.reset()
    yield tmp_path / "sms"
    registry.reset()


def _told(dossier: Any, kind: NotificationKind, occasion: object = "") -> None:
    with transaction.atomic():
        services.notify(dossier=dossier, kind=kind, occasion=occasion)


def test_the_inbox_lists_what_happened_and_counts_the_unread(
    marriage: Any, django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in()
    for total in (1, 4):
        while Notice.objects.filter(recipient=citizen()).count() < total:
            with django_capture_on_commit_callbacks(execute=True):
                dossier, _ = submit(marriage)
        client.get("/thong-bao/")  # the footer's counters are kept 30 s: read them first on a slow machine
        with django_assert_num_queries(3):  # user; the header's unread count; the notices with their dossiers
            page = client.get("/thong-bao/").content.decode()
        assert page.count('class="notice-item unread"') == total
        assert f'<span class="notice-count">{total}<span class="visually-hidden"> chưa đọc</span>' in page
    assert f"Đã nhận hồ sơ {dossier.code}" in page

    notice = Notice.objects.filter(dossier=dossier).get()
    opened = client.get(f"/thong-bao/{notice.pk}/")
    assert opened["Location"] == f"/ho-so-cua-toi/{dossier.code}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    page = client.get("/thong-bao/").content.decode()
    assert page.count('class="notice-item unread"') == 3 and "3 thông báo chưa đọc" in page

    client.post("/thong-bao/")
    page = client.get("/thong-bao/").content.decode()
    assert 'class="notice-item unread"' not in page and 'class="notice-count"' not in page
    assert ">Thông báo</a>" in page  # the header link stays, without a count

    # Someone else's notice is not opened, nor marked read.
    other = Notice.objects.create(
        recipient=citizen(), dossier=dossier, kind="done", title="Hồ sơ đã có kết quả"
    )
    Notice.objects.filter(pk=other.pk).update(
        recipient=type(citizen()).objects.exclude(pk=citizen().pk).first()
    )
    assert client.get(f"/thong-bao/{other.pk}/").status_code == 404


def test_a_dossier_without_an_e_mail_address_still_reaches_the_inbox(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    dossier.applicant_email = ""
    _told(dossier, NotificationKind.RECEIVED)
    assert Notice.objects.filter(dossier=dossier, kind="received").count() == 1
    assert not Notification.objects.filter(dossier=dossier, kind="received").exists()
    _told(dossier, NotificationKind.RECEIVED)  # told once per occasion
    assert Notice.objects.filter(dossier=dossier, kind="received").count() == 1


def test_sms_goes_through_the_same_outbox_and_the_file_backend_writes_it(
    marriage: Any, sms_to_folder: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dossier, _ = submit(marriage)
    sms = Notification.objects.get(dossier=dossier, channel=NotificationChannel.SMS)
    assert sms.recipient == dossier.applicant_phone and sms.status == OutboxStatus.SENT
    (written,) = sms_to_folder.iterdir()
    text = written.read_text(encoding="utf-8")
    assert f"Đến: {dossier.applicant_phone}" in text
    assert f"Đã nhận hồ sơ {dossier.code}" in text and f"/tra-cuu-ho-so/?ma={dossier.code}" in text
    assert Notification.objects.get(dossier=dossier, channel=NotificationChannel.EMAIL).status == "sent"
    assert len(mail.outbox) == 1  # and the e-mail, once


class Gateway(BaseHTTPRequestHandler):
    """A local SMS gateway: records what it is sent; answers 503 while ``failing`` is set."""

    received: list[tuple[dict[str, Any], str]] = []
    failing = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Gateway.failing:
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"busy")
            return
        Gateway.received.append((body, self.headers.get("Authorization", "")))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings: Any) -> Iterator[type[Gateway]]:
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received, Gateway.failing = [], False
    settings.EGOV_SMS_BACKEND = "http"
    settings.EGOV_SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.EGOV_SMS_HTTP_TOKEN = "bi-mat"
    registry.reset()
    try:
        yield Gateway
    finally:
        server.shutdown()
        server.server_close()
        registry.reset()


def test_the_http_backend_posts_to_the_gateway_and_a_refusal_is_retried(
    marriage: Any, gateway: type[Gateway], django_capture_on_commit_callbacks: Any
) -> None:
    gateway.failing = True
    with django_capture_on_commit_callbacks(execute=True):
        dossier, _ = submit(marriage)
    sms = Notification.objects.get(dossier=dossier, channel=NotificationChannel.SMS)
    assert (sms.status, sms.attempts) == (OutboxStatus.PENDING, 1)
    assert "HTTP 503" in sms.last_error and gateway.received == []

    gateway.failing = False
    send_notification.enqueue(sms.pk)  # what the sweep does once the row is due again
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (OutboxStatus.SENT, 2)
    [(body, authorization)] = gateway.received
    assert authorization == "Bearer bi-mat"
    assert body["to"] == dossier.applicant_phone and body["reference"] == f"notification-{sms.pk}"
    assert body["text"].startswith(f"Đã nhận hồ sơ {dossier.code}")
    send_notification.enqueue(sms.pk)  # sent already: not sent twice
    assert len(gateway.received) == 1


def test_applicant_e_mails_say_ong_ba_and_link_without_a_double_slash(marriage: Any, settings: Any) -> None:
    from django.template.loader import render_to_string

    from egov.dossiers.tasks import APPLICANT_TEMPLATES, _context

    settings.EGOV_SITE_URL = "https://dichvucong.binhphuoc.gov.vn"
    dossier, _ = submit(marriage)
    for template in APPLICANT_TEMPLATES.values():
        body = render_to_string(f"dossiers/email/{template}.txt", _context(dossier))
        assert body.startswith(f"Kính gửi ông/bà {dossier.applicant_name},"), template
        assert " bạn " not in f" {body} " and "Bạn " not in body, template
        assert "//ho-so-cua-toi" not in body, template
    body = render_to_string("dossiers/email/supplement.txt", _context(dossier))
    assert f"https://dichvucong.binhphuoc.gov.vn/ho-so-cua-toi/{dossier.code}/" in body
