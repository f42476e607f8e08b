"""The audit log: sign-ins, failures and sign-outs are recorded with where they came from, a failed sign-in
never keeps the password, the admin only reads it, and an entry outlives the account it names."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.audit.models import AuditEntry
from egov.audit.services import record

pytestmark = pytest.mark.django_db

CITIZEN = "nguyenvanan@binhphuoc.demo"


def test_sign_in_failure_and_sign_out_are_recorded_with_the_address(demo: None) -> None:
    from conftest import DEMO_PASSWORD

    client = Client(REMOTE_ADDR="203.0.113.7")
    client.post("/tai-khoan/dang-nhap/", {"username": CITIZEN, "password": "sai-mat-khau-1"})
    failed = AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN_FAILED)
    assert failed.ip_address == "203.0.113.7" and failed.data == {"identifier": CITIZEN}
    assert "sai-mat-khau-1" not in str(failed.data) + failed.actor_label  # never the password
    client.post("/tai-khoan/dang-nhap/", {"username": CITIZEN, "password": DEMO_PASSWORD})
    user = User.objects.get(email=CITIZEN)
    signed_in = AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN)
    assert signed_in.actor == user and signed_in.object_id == str(user.pk)
    client.post("/tai-khoan/dang-xuat/")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_OUT, actor=user).count() == 1


def test_an_entry_outlives_the_account_and_names_it(demo: None) -> None:
    user = User.objects.create_user(
        username="tam.thoi@binhphuoc.demo",
        email="tam.thoi@binhphuoc.demo",
        password="Mat-khau-2018",
        full_name="Lê Tạm",
    )
    entry = record(action=AuditEntry.Action.UPDATED, actor=user, target=user, data={"field": "phone"})
    user_id = user.pk
    user.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_label == "Lê Tạm" and entry.object_id == str(user_id)
    assert entry.data == {"field": "phone"}


def test_an_anonymous_actor_is_recorded_by_label_only(demo: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    entry = record(action=AuditEntry.Action.IMPORTED, actor=AnonymousUser(), actor_label="hệ thống")
    assert entry.actor is None and entry.actor_label == "hệ thống"


def test_the_admin_reads_but_never_adds_changes_or_deletes(demo: None) -> None:
    from conftest import sign_in_officer

    admin = User.objects.get(email="quantri@binhphuoc.demo")
    for n in range(5):
        record(action=AuditEntry.Action.UPDATED, actor=admin, target=admin, data={"n": n})
    client = sign_in_officer(Client(), "quantri@binhphuoc.demo")
    listing = client.get("/admin/audit/auditentry/")
    assert listing.status_code == 200 and "nhật ký kiểm tra" in listing.content.decode().lower()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATED).first()
    assert entry is not None
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and 'type="submit" value="Lưu' not in page.content.decode()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
