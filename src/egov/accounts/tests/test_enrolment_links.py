"""An officer adds an authenticator app only through a one-time link from their agency's administrator (or a
system administrator): a password alone never enrols a device. Everything through the real pages."""

from __future__ import annotations

import base64
import io
import re
import time
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import DEMO_PASSWORD, current_token, sign_in_officer
from egov.accounts import services
from egov.accounts.models import EnrolmentLink, User
from egov.accounts.roles import Role
from egov.agencies.models import Agency
from egov.audit.models import AuditEntry

LOGIN = "/tai-khoan/dang-nhap/"
SECOND = "/tai-khoan/dang-nhap/xac-thuc/"
ENROLL = "/tai-khoan/dang-nhap/xac-thuc/thiet-lap/"
ADMIN_PAGE = "/tai-khoan/quan-tri/xac-thuc-hai-lop/"
LOC_NINH = "000.00.44.H10"  # UBND huyện Lộc Ninh; its agency administrator is quantri.locninh@…
NEW_PASSWORD = "Dieu-Binh-Phuoc-24"


@pytest.fixture
def newcomer(demo: None) -> User:
    return services.create_staff_account(
        actor=None,
        agency=Agency.objects.get(code=LOC_NINH),
        full_name="Mai Văn Mới",
        email="moi.locninh@binhphuoc.demo",
        role=Role.SPECIALIST,
        password=NEW_PASSWORD,
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=0):06d}"


def _issue(admin: Client, officer: User) -> str:
    """The administrator presses “Cấp đường dẫn thiết lập”; the page shows the link once."""
    page = admin.post(ADMIN_PAGE, {"officer": str(officer.pk), "action": "issue"})
    assert page.status_code == 200, page.content.decode()[-2000:]
    found = re.search(r'<code class="secret">(https?://[^<]+)</code>', page.content.decode())
    assert found, "the new link is shown to the administrator"
    return found.group(1)


def _path(address: str) -> str:
    return re.sub(r"^https?://[^/]+", "", address)


def _enrol(client: Client, address: str, username: str, password: str) -> TOTPDevice:
    """The officer opens the link, signs in with the password and scans the QR code."""
    opened = client.get(_path(address), follow=True)
    assert opened.redirect_chain[-1][0] == LOGIN
    assert "Đăng nhập bằng mật khẩu của tài khoản" in opened.content.decode()
    step = client.post(LOGIN, {"username": username, "password": password}, follow=True)
    assert step.redirect_chain[-1][0] == ENROLL
    page = step.content.decode()
    assert "data:image/svg+xml" in page
    secret = re.search(r'<span class="secret">([A-Z2-7 ]+)</span>', page).group(1)  # type: ignore[union-attr]
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    assert base64.b32encode(device.bin_key).decode().rstrip("=") == secret.replace(" ", "")
    return device


def test_without_a_link_an_officer_without_an_authenticator_is_sent_to_their_agency_admin(
    newcomer: User,
) -> None:
    client = Client()
    answer = client.post(LOGIN, {"username": newcomer.email, "password": NEW_PASSWORD}, follow=True)
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "chưa có ứng dụng xác thực" in page and "quản trị cơ quan" in page
    assert "data:image/svg+xml" not in page
    # Asking for the set-up page directly does not help: no QR code, no device.
    assert client.get(ENROLL, follow=True).status_code == 403
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert not client.get("/").context["user"].is_authenticated


def test_the_agency_admin_issues_a_link_and_the_officer_enrols_with_it(newcomer: User, settings: Any) -> None:
    admin = sign_in_officer(Client(), "quantri.locninh@binhphuoc.demo")
    desk = admin.get("/tai-khoan/can-bo/").content.decode()
    assert ADMIN_PAGE in desk
    listing = admin.get(ADMIN_PAGE).content.decode()
    assert "Mai Văn Mới" in listing and "Chưa có" in listing
    address = _issue(admin, newcomer)
    assert address.startswith(f"{settings.EGOV_SITE_URL}/tai-khoan/thiet-lap-xac-thuc/")
    (message,) = mail.outbox
    assert message.to == ["moi.locninh@binhphuoc.demo"] and address in message.body
    assert "Phan Văn Khoa" in message.body and "72 giờ" in message.body
    link = EnrolmentLink.objects.get(user=newcomer)
    token = _path(address).rstrip("/").rsplit("/", 1)[-1]
    assert token not in link.digest and len(link.digest) == 64  # only a hash is kept
    assert AuditEntry.objects.filter(
        action="created", actor__email="quantri.locninh@binhphuoc.demo", object_id=str(newcomer.pk)
    ).exists()
    assert address not in admin.get(ADMIN_PAGE).content.decode()  # shown once

    officer = Client()
    device = _enrol(officer, address, newcomer.email, NEW_PASSWORD)
    assert officer.post(ENROLL, {"token": "123456"}).status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    done = officer.post(ENROLL, {"token": _code(device)})
    assert done.status_code == 302 and done["Location"] == "/tai-khoan/can-bo/"
    device.refresh_from_db()
    link.refresh_from_db()
    assert device.confirmed and link.used_at is not None
    entry = AuditEntry.objects.get(action="otp_enrolled", actor=newcomer)
    assert entry.data["enrolment_link"] == link.pk
    assert officer.get("/tai-khoan/can-bo/").status_code == 200
    # Single use: the same link again is refused, and the officer now signs in with the app.
    again = Client().get(_path(address))
    assert again.status_code == 404 and "đã được dùng" in again.content.decode()
    assert "Đã thiết lập" in admin.get(ADMIN_PAGE).content.decode()


def test_the_link_alone_enrols_nothing(newcomer: User) -> None:
    admin = sign_in_officer(Client(), "quantri.locninh@binhphuoc.demo")
    address = _issue(admin, newcomer)
    stranger = Client()
    assert stranger.get(_path(address))["Location"] == LOGIN
    assert stranger.get(ENROLL)["Location"] == LOGIN
    wrong = stranger.post(LOGIN, {"username": newcomer.email, "password": "doan-mat-khau"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_a_link_of_one_officer_does_not_serve_another(newcomer: User) -> None:
    other = services.create_staff_account(
        actor=None,
        agency=Agency.objects.get(code=LOC_NINH),
        full_name="Đỗ Thị Khác",
        email="khac.locninh@binhphuoc.demo",
        role=Role.CLERK,
        password=NEW_PASSWORD,
    )
    admin = sign_in_officer(Client(), "quantri.locninh@binhphuoc.demo")
    address = _issue(admin, newcomer)
    client = Client()
    client.get(_path(address))
    answer = client.post(LOGIN, {"username": other.email, "password": NEW_PASSWORD}, follow=True)
    assert answer.status_code == 403 and "quản trị cơ quan" in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=other).exists()


def test_a_revoked_or_expired_link_is_refused(newcomer: User, time_machine: Any, settings: Any) -> None:
    time_machine.move_to(time.time(), tick=False)
    admin = sign_in_officer(Client(), "quantri.locninh@binhphuoc.demo")
    first = _issue(admin, newcomer)
    second = _issue(admin, newcomer)  # a new link: the first stops working
    assert Client().get(_path(first)).status_code == 404
    link = EnrolmentLink.objects.get(user=newcomer, revoked_at__isnull=True)
    revoked = admin.post(ADMIN_PAGE, {"officer": str(newcomer.pk), "link": str(link.pk), "action": "revoke"})
    assert revoked.status_code == 200 and "Đã thu hồi" in revoked.content.decode()
    assert Client().get(_path(second)).status_code == 404
    assert AuditEntry.objects.filter(
        action="updated", data__revoked=True, object_id=str(newcomer.pk)
    ).exists()
    third = _issue(admin, newcomer)
    time_machine.shift(settings.EGOV_ENROLMENT_LINK_HOURS * 3600 + 60)
    late = Client().get(_path(third))
    assert late.status_code == 404 and "hết hạn" in late.content.decode()


def test_only_administrators_of_the_officers_agency_issue_links(demo: None) -> None:
    specialist = User.objects.get(email="chuyenvien.tuphap@binhphuoc.demo")  # Sở Tư pháp
    admin = sign_in_officer(Client(), "quantri.locninh@binhphuoc.demo")
    assert "chuyenvien.tuphap" not in admin.get(ADMIN_PAGE).content.decode()
    refused = admin.post(ADMIN_PAGE, {"officer": str(specialist.pk), "action": "issue"})
    assert refused.status_code == 403 and "Chỉ quản trị của cơ quan" in refused.content.decode()
    itself = User.objects.get(email="quantri.locninh@binhphuoc.demo")
    own = admin.post(ADMIN_PAGE, {"officer": str(itself.pk), "action": "issue"})
    assert own.status_code == 403 and "chính mình" in own.content.decode()
    desk = sign_in_officer(Client(), "motcua.locninh@binhphuoc.demo")  # a receiving officer, not an admin
    assert desk.get(ADMIN_PAGE).status_code == 403
    officer = User.objects.get(email="lanhdao.locninh@binhphuoc.demo")
    assert desk.post(ADMIN_PAGE, {"officer": str(officer.pk), "action": "issue"}).status_code == 403
    assert not EnrolmentLink.objects.exists()
    # The system administrator issues a link for any officer.
    system = sign_in_officer(Client(), "quantri@binhphuoc.demo")
    assert _issue(system, specialist)


def test_a_new_phone_replaces_the_old_authenticator(demo: None) -> None:
    officer = User.objects.get(email="motcua.locninh@binhphuoc.demo")
    old = TOTPDevice.objects.get(user=officer, confirmed=True)
    old_code = current_token(officer)
    admin = sign_in_officer(Client(), "quantri.locninh@binhphuoc.demo")
    address = _issue(admin, officer)
    client = Client()
    device = _enrol(client, address, officer.email, DEMO_PASSWORD)
    assert client.post(ENROLL, {"token": _code(device)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    retry = Client()
    retry.post(LOGIN, {"username": officer.email, "password": DEMO_PASSWORD})
    assert retry.post(SECOND, {"token": old_code}).status_code == 400  # the old phone's code is refused
    assert AuditEntry.objects.get(action="otp_enrolled", actor=officer).data["replaced_devices"] == 1


def test_the_first_system_administrator_gets_a_link_from_the_command(newcomer: User) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_enrolment_link", newcomer.email, stdout=out, stderr=err)
    address = out.getvalue().strip()
    assert "Đã gửi tới moi.locninh@binhphuoc.demo" in err.getvalue()
    client = Client()
    device = _enrol(client, address, newcomer.email, NEW_PASSWORD)
    assert client.post(ENROLL, {"token": _code(device)}).status_code == 302
    assert AuditEntry.objects.filter(
        action="created", actor_label="hệ thống", object_id=str(newcomer.pk)
    ).exists()
