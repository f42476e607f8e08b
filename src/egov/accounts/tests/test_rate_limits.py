"""Guessing stops, per client and per account, without letting a stranger lock an officer out of their desk."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from conftest import DEMO_PASSWORD, current_token, sign_in_officer
from egov.accounts.models import User

LOGIN = "/tai-khoan/dang-nhap/"
SECOND = "/tai-khoan/dang-nhap/xac-thuc/"
RESET = "/tai-khoan/quen-mat-khau/"
OFFICER = "motcua.locninh@binhphuoc.demo"
DESK_IP = "10.70.44.15"  # the officer's desk at UBND huyện Lộc Ninh


@pytest.fixture(autouse=True)
def _clock_stands_still(time_machine: Any) -> None:
    """Counting windows have edges: a test must not straddle one."""
    time_machine.move_to(time.time(), tick=False)


def _wrong(client: Client, username: str = OFFICER) -> Any:
    return client.post(LOGIN, {"username": username, "password": "doan-mo-mat-khau"})


def test_failures_from_one_client_do_not_lock_the_officer_out_at_their_desk(
    demo: None, settings: Any
) -> None:
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    answers = [_wrong(attacker).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure locks
    locked = attacker.post(LOGIN, {"username": OFFICER, "password": DEMO_PASSWORD})
    assert locked.status_code == 429 and "tạm thời bị khóa" in locked.content.decode()
    assert (
        int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME * 3600
    )  # even the right password: no guessing
    # The officer, elsewhere, signs in as every morning: password, then the authenticator code.
    desk = sign_in_officer(Client(REMOTE_ADDR=DESK_IP), OFFICER)
    assert desk.get("/tai-khoan/can-bo/").status_code == 200


def test_one_client_cannot_try_many_accounts(demo: None) -> None:
    sprayer = Client(REMOTE_ADDR="198.51.100.67")
    accounts = [f"nguoi{n}@example.vn" for n in range(31)]
    answers = [_wrong(sprayer, account).status_code for account in accounts]
    assert answers[:30] == [400] * 30 and answers[30] == 429
    refused = sprayer.post(LOGIN, {"username": "nguyenvanan@binhphuoc.demo", "password": DEMO_PASSWORD})
    assert (
        refused.status_code == 429
        and "Máy của bạn đã đăng nhập sai quá nhiều lần" in refused.content.decode()
    )
    assert int(refused["Retry-After"]) > 0
    # Another client of the same office network is not affected.
    assert (
        Client(REMOTE_ADDR="198.51.100.68")
        .post(LOGIN, {"username": "nguyenvanan@binhphuoc.demo", "password": DEMO_PASSWORD})
        .status_code
        == 302
    )


def test_guessing_one_account_from_many_clients_stops_but_its_own_browser_still_signs_in(
    demo: None, time_machine: Any
) -> None:
    desk = sign_in_officer(Client(REMOTE_ADDR=DESK_IP), OFFICER)  # a browser the officer has used before
    desk.post("/tai-khoan/dang-xuat/")
    for n in range(20):  # a botnet: few failures per address, never enough for a lock per address
        assert _wrong(Client(REMOTE_ADDR=f"192.0.2.{n + 1}")).status_code == 400
    stranger = Client(REMOTE_ADDR="192.0.2.200")
    refused = stranger.post(LOGIN, {"username": OFFICER, "password": DEMO_PASSWORD})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "chỉ đăng nhập được trên máy đã từng đăng nhập" in refused.content.decode()
    # At the desk the officer's browser is known: the password step passes, then the code (a new one: the
    # authenticator shows a new code every 30 seconds, and a code is accepted once).
    time_machine.shift(31)
    assert sign_in_officer(desk, OFFICER).get("/tai-khoan/can-bo/").status_code == 200


def test_a_new_browser_passes_again_after_a_password_reset_by_email(demo: None) -> None:
    for n in range(20):
        _wrong(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), "nguyenvanan@binhphuoc.demo")
    phone = Client(REMOTE_ADDR="203.0.113.50")
    assert (
        phone.post(LOGIN, {"username": "nguyenvanan@binhphuoc.demo", "password": DEMO_PASSWORD}).status_code
        == 429
    )
    phone.post(RESET, {"email": "nguyenvanan@binhphuoc.demo"})
    link = re.search(r"(/tai-khoan/dat-lai-mat-khau/\S+/)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    form = phone.get(link, follow=True)
    new = {"new_password1": "Rung-Cao-Su-2025", "new_password2": "Rung-Cao-Su-2025"}
    assert phone.post(form.redirect_chain[-1][0], new).status_code == 302
    assert (
        phone.post(
            LOGIN, {"username": "nguyenvanan@binhphuoc.demo", "password": "Rung-Cao-Su-2025"}
        ).status_code
        == 302
    )


def test_wrong_authenticator_codes_are_limited_per_account(demo: None) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(REMOTE_ADDR="198.51.100.70")
    assert client.post(LOGIN, {"username": OFFICER, "password": DEMO_PASSWORD}).status_code == 302
    officer = User.objects.get(email=OFFICER)
    for _ in range(10):
        TOTPDevice.objects.filter(user=officer).update(throttling_failure_count=0)  # django-otp's own pause
        assert client.post(SECOND, {"token": "000000"}).status_code == 400
    TOTPDevice.objects.filter(user=officer).update(throttling_failure_count=0)
    refused = client.post(SECOND, {"token": current_token(officer)})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "quá nhiều yêu cầu" in refused.content.decode()
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_requests_are_limited_per_address_and_per_client(demo: None) -> None:
    client = Client(REMOTE_ADDR="198.51.100.71")
    answers = [client.post(RESET, {"email": "nguyenvanan@binhphuoc.demo"}).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == 3  # no mailbox is flooded
    others = [client.post(RESET, {"email": f"nguoi{n}@example.vn"}).status_code for n in range(7)]
    assert others == [302] * 6 + [429]  # ten requests an hour from one client
    refused = client.post(RESET, {"email": "ai-do@example.vn"})
    assert refused.status_code == 429 and "thử lại sau" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_sign_up_requests_are_limited_per_address_and_per_client(demo: None) -> None:
    from egov.accounts.tests.test_sign_up import citizen_form

    client = Client(REMOTE_ADDR="198.51.100.72")
    same = [client.post("/tai-khoan/dang-ky/", citizen_form()).status_code for _ in range(4)]
    assert same == [302, 302, 302, 429]
    assert len(mail.outbox) == 3  # no mailbox is flooded, whether or not it has an account
    # Other people's addresses (and numbers) from the same client: ten sign-ups an hour.
    others = [
        client.post(
            "/tai-khoan/dang-ky/",
            citizen_form(email=f"nguoi{n}@example.vn", phone="", personal_id=f"0701850{n:05d}"),
        ).status_code
        for n in range(7)
    ]
    assert others == [302] * 6 + [429]
    refused = client.post("/tai-khoan/dang-ky/", citizen_form(email="moi@example.vn", phone=""))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "quá nhiều yêu cầu" in refused.content.decode()
