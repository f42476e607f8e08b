"""One configured site address (EGOV_SITE_URL) in every absolute link: e-mails, QR codes, the demo banner."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from conftest import DEMO_PASSWORD, pdf_upload, sign_in_officer
from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.catalog.tests.factories import valid_answers
from egov.dossiers import services
from egov.dossiers.models import Dossier

SITE = "https://dichvucong.binhphuoc.gov.vn"


@pytest.fixture
def site(settings: Any) -> str:
    settings.EGOV_SITE_URL = SITE
    return SITE


def _submitted(version: Any) -> Dossier:
    citizen = User.objects.get(email="nguyenvanan@binhphuoc.demo")
    stored = services._store(
        owner=citizen,
        upload=pdf_upload(),
        slot="to-khai",
        component=version.components.get(key="to-khai"),
        draft=None,
        used_bytes=0,
    )
    dossier, _ = services.submit_dossier(
        applicant=citizen,
        version=version,
        agency=Agency.objects.get(code="000.22.44.H10"),
        raw=valid_answers(),
        files=[stored],
        idempotency_key="",
    )
    return dossier


def _qr_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
        if os.environ.get("EGOV_REQUIRE_BROWSER"):
            pytest.fail("CI installs poppler-utils and zbar-tools to read QR codes back.")
        pytest.skip("pdftoppm or zbarimg is not installed")
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", source, tmp_path / "page"], check=True)
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", tmp_path / "page.png"],
        check=True,
        capture_output=True,
        text=True,
    )
    return decoded.stdout.strip()


def test_the_password_reset_link_is_on_the_site_address(demo: None, site: str) -> None:
    Client().post("/tai-khoan/quen-mat-khau/", {"email": "nguyenvanan@binhphuoc.demo"})
    (message,) = mail.outbox
    assert re.search(rf"^{re.escape(site)}/tai-khoan/dat-lai-mat-khau/\S+/$", message.body, re.MULTILINE)
    assert "testserver" not in message.body and ":8000" not in message.body


def test_the_submission_email_links_to_the_look_up_on_the_site_address(
    marriage: Any, site: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _submitted(marriage)
    (message,) = mail.outbox
    assert f"{site}/tra-cuu-ho-so/?ma={dossier.code}" in message.body


def test_the_acknowledgement_qr_code_leads_to_the_site_address(
    marriage: Any, site: str, tmp_path: Path
) -> None:
    dossier = _submitted(marriage)
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": "0912345678", "password": DEMO_PASSWORD})
    response = client.get(f"/ho-so-cua-toi/{dossier.code}/phieu-xac-nhan.pdf")
    assert response.status_code == 200
    assert _qr_text(
        b"".join(response.streaming_content) if response.streaming else response.content, tmp_path
    ) == (f"{site}/tra-cuu-ho-so/?ma={dossier.code}")


def test_the_receipt_form_qr_code_leads_to_the_site_address(marriage: Any, site: str, tmp_path: Path) -> None:
    dossier = _submitted(marriage)
    desk = sign_in_officer(Client(), "motcua.loctan@binhphuoc.demo")
    received = desk.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/", {"decision": "receive", "version": dossier.version}
    )
    assert received.status_code == 302
    form = desk.get(f"/can-bo/ho-so/{dossier.code}/mau-01.pdf")
    assert form.status_code == 200
    assert _qr_text(form.content, tmp_path) == f"{site}/tra-cuu-ho-so/?ma={dossier.code}"


def test_the_demo_banner_shows_the_site_address(db: None, site: str) -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert f"Quản trị: {site}/admin/" in out.getvalue()
    assert "127.0.0.1:8000" not in out.getvalue()
