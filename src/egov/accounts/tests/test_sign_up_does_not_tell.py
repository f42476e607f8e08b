"""The sign-up page does not tell which e-mail, phone or CCCD is registered: the page always says an e-mail
was sent; what happened is told in that e-mail, to whoever owns the mailbox."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from egov.accounts.models import CitizenProfile, SignUpRequest, User
from egov.accounts.tests.test_sign_up import citizen_form

SIGN_UP = "/tai-khoan/dang-ky/"
NEW = {"email": "le.thi.cuc@example.vn"}
CASES = {
    "new": NEW,
    "registered e-mail": {"email": "nguyenvanan@binhphuoc.demo"},
    "registered phone": {**NEW, "phone": "0912 345 678"},
    "registered CCCD": {**NEW, "personal_id": "070090001234", "date_of_birth": "12/05/1990"},
}


def _answer(overrides: dict[str, str]) -> tuple[int, str, str]:
    client = Client()
    response = client.post(SIGN_UP, citizen_form(**overrides))
    page = client.get(response["Location"]).content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return response.status_code, response["Location"], page.replace(overrides["email"], "ADDRESS")


def _link(body: str) -> str:
    found = re.search(r"https?://\S+(/tai-khoan/dang-ky/kich-hoat/\S+/)", body)
    assert found, body
    return found.group(1)


def test_the_page_answers_alike_whatever_is_already_registered(demo: None) -> None:
    users, profiles = User.objects.count(), CitizenProfile.objects.count()
    answers = {case: _answer(overrides) for case, overrides in CASES.items()}
    assert len(set(answers.values())) == 1, answers.keys()
    status, location, page = answers["new"]
    assert (status, location) == (302, "/tai-khoan/dang-ky/da-gui/") and "Hãy kiểm tra hộp thư" in page
    assert (User.objects.count(), CitizenProfile.objects.count()) == (
        users,
        profiles,
    )  # nothing until confirmed
    assert SignUpRequest.objects.count() == 1  # only the new one waits for its link


def test_the_owner_of_a_registered_address_is_told_someone_tried(demo: None) -> None:
    _answer(CASES["registered e-mail"])
    (message,) = mail.outbox
    assert message.to == ["nguyenvanan@binhphuoc.demo"]
    assert message.subject == "Có người vừa đăng ký tài khoản bằng địa chỉ thư của ông/bà"
    assert "Nguyễn Văn An" in message.body and "không có tài khoản mới nào được tạo" in message.body
    assert "/tai-khoan/quen-mat-khau/" in message.body and "kich-hoat" not in message.body


@pytest.mark.parametrize(
    ("case", "told"),
    [
        ("registered phone", "số điện thoại kết thúc bằng …678"),
        ("registered CCCD", "số định danh cá nhân (CCCD) kết thúc bằng …234"),
    ],
)
def test_a_taken_phone_or_cccd_is_explained_to_the_mailbox_of_the_person_signing_up(
    demo: None, case: str, told: str
) -> None:
    _answer(CASES[case])
    (message,) = mail.outbox
    assert (
        message.to == ["le.thi.cuc@example.vn"] and message.subject == "Chưa tạo được tài khoản dịch vụ công"
    )
    assert told in message.body and "kich-hoat" not in message.body
    assert "0912345678" not in message.body and "070090001234" not in message.body  # never the whole number
    assert "bộ phận" in message.body and "một cửa" in message.body  # where to go when it was not them


def test_an_address_typed_by_someone_else_holds_nothing(demo: None) -> None:
    """A stranger signs up with Cúc's address; Cúc signs up herself; her link opens her account, the
    stranger's (which only Cúc could open) no longer works."""
    Client().post(SIGN_UP, citizen_form(full_name="Kẻ Mạo Danh", personal_id="070185001111", phone=""))
    stranger_link = _link(mail.outbox[-1].body)
    Client().post(SIGN_UP, citizen_form())
    own_link = _link(mail.outbox[-1].body)
    assert Client().post(own_link).status_code == 302
    user = User.objects.get(email="le.thi.cuc@example.vn")
    assert user.full_name == "Lê Thị Cúc" and user.citizen_profile.personal_id == "070185006789"
    assert Client().post(stranger_link).status_code == 404
    assert not SignUpRequest.objects.exists()


def test_a_link_expires(demo: None, time_machine: Any, settings: Any) -> None:
    time_machine.move_to(time.time(), tick=False)
    Client().post(SIGN_UP, citizen_form())
    link = _link(mail.outbox[-1].body)
    time_machine.shift(settings.EGOV_SIGN_UP_CONFIRM_HOURS * 3600 + 60)
    late = Client().post(link)
    assert late.status_code == 404 and "đã hết hạn" in late.content.decode()
    assert not User.objects.filter(email="le.thi.cuc@example.vn").exists()


def test_a_phone_taken_before_the_link_is_opened_is_explained_and_nothing_is_saved(demo: None) -> None:
    Client().post(SIGN_UP, citizen_form())
    link = _link(mail.outbox[-1].body)
    User.objects.filter(email="tranthibinh@binhphuoc.demo").update(phone="0987654321")
    refused = Client().post(link)
    assert refused.status_code == 409
    assert "Số điện thoại bạn nhập vừa được dùng cho một tài khoản khác" in refused.content.decode()
    assert not User.objects.filter(email="le.thi.cuc@example.vn").exists()


def test_when_mail_cannot_be_sent_every_case_gets_the_same_error(demo: None, settings: Any) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    answers = set()
    for overrides in CASES.values():
        response = Client().post(SIGN_UP, citizen_form(**overrides))
        assert response.status_code == 400
        summary = response.content.decode().split('class="error-summary"')[1]
        answers.add(re.findall(r"<li>(.*?)</li>", summary)[0])
    assert answers == {
        "Chưa gửi được thư tới địa chỉ này. Hãy kiểm tra lại thư điện tử và thử lại sau ít phút."
    }
