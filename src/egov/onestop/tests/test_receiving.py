"""The desk's first decision: receive with a due date, ask once for what is missing, or refuse."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from egov.accounts.models import User
from egov.core.errors import DomainError, ScopeDenied
from egov.dossiers.models import DossierEvent
from egov.dossiers.statuses import DossierStatus
from egov.onestop import receiving
from egov.submission.tests.test_submission import submit

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def officer(email: str = "motcua.loctan@binhphuoc.demo") -> User:
    return User.objects.get(email=email)


def test_receiving_sets_the_due_date_in_working_days(
    marriage: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier, _ = submit(marriage)
    friday_afternoon = dt.datetime(2018, 12, 7, 15, 0, tzinfo=VN)
    monkeypatch.setattr(timezone, "now", lambda: friday_afternoon)
    with django_capture_on_commit_callbacks(execute=True):
        received = receiving.receive(dossier=dossier, officer=officer(), expected_version=dossier.version)
    assert received.status == DossierStatus.RECEIVED and received.national_status == 2
    assert received.received_at == friday_afternoon
    assert received.due_at == dt.datetime(2018, 12, 10, 15, 0, tzinfo=VN)  # one working day: Monday 15:00
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert (event.from_status, event.to_status, event.actor) == ("new", "received", officer())
    assert any("đã được tiếp nhận" in m.subject and "10/12/2018" in m.subject for m in mail.outbox)


def test_two_officers_at_once_one_wins_the_other_is_told(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    seen = dossier.version
    receiving.receive(dossier=dossier, officer=officer(), expected_version=seen)
    with pytest.raises(DomainError, match="vừa được người khác cập nhật"):
        receiving.refuse(
            dossier=dossier, officer=officer(), reason="Hồ sơ không đúng thẩm quyền", expected_version=seen
        )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    assert DossierEvent.objects.filter(dossier=dossier, to_status="refused").count() == 0


def test_only_the_receiving_officer_of_that_agency_decides(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    with pytest.raises(ScopeDenied):
        receiving.receive(
            dossier=dossier, officer=officer("chutich.loctan@binhphuoc.demo"), expected_version=1
        )
    with pytest.raises(ScopeDenied):
        receiving.receive(
            dossier=dossier, officer=officer("motcua.locninh@binhphuoc.demo"), expected_version=1
        )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEW


def test_a_supplement_request_lists_everything_once(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier, _ = submit(marriage)
    with pytest.raises(DomainError, match="phải có tên và lý do"):
        receiving.request_supplement(
            dossier=dossier,
            officer=officer(),
            expected_version=1,
            items=[{"name": "Giấy xác nhận tình trạng hôn nhân", "reason": ""}],
        )
    with django_capture_on_commit_callbacks(execute=True):
        request = receiving.request_supplement(
            dossier=dossier,
            officer=officer(),
            expected_version=1,
            items=[
                {"name": "Giấy xác nhận tình trạng hôn nhân", "reason": "Chưa nộp"},
                {"name": "Bản sao CCCD của bên nữ", "reason": "Ảnh mờ, không đọc được"},
            ],
        )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED and dossier.national_status == 5
    assert len(request.items) == 2
    message = next(m for m in mail.outbox if "cần bổ sung" in m.subject)
    assert "Giấy xác nhận tình trạng hôn nhân: Chưa nộp" in message.body and "Ảnh mờ" in message.body


def test_refusal_needs_a_reason_and_ends_the_dossier(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    with pytest.raises(DomainError, match="lý do từ chối"):
        receiving.refuse(dossier=dossier, officer=officer(), reason="Sai", expected_version=1)
    refused = receiving.refuse(
        dossier=dossier,
        officer=officer(),
        expected_version=1,
        reason="Thủ tục thuộc thẩm quyền của Ủy ban nhân dân cấp huyện",
    )
    assert refused.status == DossierStatus.REFUSED and refused.national_status == 3
    with pytest.raises(DomainError, match="không chờ tiếp nhận"):
        receiving.receive(dossier=refused, officer=officer(), expected_version=refused.version)
