"""One rule per officer action: what the dossier page offers is exactly what the service accepts, and what
leaving a state cancels. Each test here failed before the rules were shared by the page, the API and the
services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from egov.accounts.models import StaffAssignment, User
from egov.agencies.models import Agency
from egov.core.errors import Conflict, DomainError, ScopeDenied
from egov.dossiers import lifecycle
from egov.dossiers.models import Consultation, Dossier, DossierStep
from egov.dossiers.statuses import DossierStatus
from egov.onestop import processing, receiving, rules
from egov.onestop.tests.test_processing_rules import district_procedure  # noqa: F401  (fixture)
from egov.signing.models import SignatureRequest
from egov.submission import services as submission_services

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = "motcua.loctan@binhphuoc.demo"
SPECIALIST = "congchuc.loctan@binhphuoc.demo"
CHAIRMAN = "chutich.loctan@binhphuoc.demo"
CLERK = "vanthu.loctan@binhphuoc.demo"


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VN)


def person(email: str) -> User:
    return User.objects.get(email=email)


def act(moment: dt.datetime, function: Any, dossier: Dossier, **kwargs: Any) -> Any:
    with time_machine.travel(moment, tick=False):
        dossier.refresh_from_db()
        return function(dossier=dossier, expected_version=dossier.version, **kwargs)


def received(marriage: Any, moment: dt.datetime) -> Dossier:
    from egov.submission.tests.test_submission import submit

    with time_machine.travel(moment, tick=False):
        dossier, _ = submit(marriage)
    return act(moment, receiving.receive, dossier, officer=person(DESK))


def buttons(client: Client, dossier: Dossier) -> set[str]:
    """The actions the officer's dossier page offers, read from its forms' ``decision`` buttons."""
    import re

    html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    return set(re.findall(r'name="decision" value="([a-z_]+)"', html))


def allowed(email: str, dossier: Dossier) -> set[str]:
    fresh = Dossier.objects.select_related("current_step__agency", "receiving_agency").get(pk=dossier.pk)
    return rules.allowed_actions(person(email), fresh)


def test_supplement_after_the_window_is_neither_offered_nor_accepted(
    marriage: Any, officer_client: Any
) -> None:
    dossier = received(marriage, at("2019-03-01", "08:00"))  # Friday
    with time_machine.travel(at("2019-03-05", "09:00"), tick=False):  # within three working days
        assert "supplement" in allowed(SPECIALIST, dossier)
    with time_machine.travel(at("2019-03-06", "08:30"), tick=False):  # past them
        assert "supplement" not in allowed(SPECIALIST, dossier)
        assert "supplement" not in buttons(officer_client(SPECIALIST), dossier)
    with pytest.raises(DomainError, match="3 ngày làm việc"):
        act(at("2019-03-06", "08:30"), processing.request_supplement_in_processing, dossier,
            officer=person(SPECIALIST), items=[{"name": "Giấy A", "reason": "Mờ"}])  # fmt: skip


def test_a_supplement_after_receipt_is_asked_once_and_keeps_the_date_of_receipt(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    first_receipt = Dossier.objects.get(pk=dossier.pk).received_at
    act(at("2019-03-04", "09:00"), processing.request_supplement_in_processing, dossier,
        officer=person(SPECIALIST), items=[{"name": "Giấy A", "reason": "Mờ"}])  # fmt: skip
    from conftest import pdf_upload

    dossier.refresh_from_db()
    with time_machine.travel(at("2019-03-04", "10:00"), tick=False):
        submission_services.supplement_online(
            dossier=dossier,
            applicant=dossier.applicant,
            uploads={"to-khai": [pdf_upload()]},
            expected_version=dossier.version,
        )
    again = act(at("2019-03-04", "11:00"), receiving.receive, dossier, officer=person(DESK))
    assert again.status == DossierStatus.PROCESSING
    assert again.received_at == first_receipt  # the register keeps its order
    assert again.due_at is not None and again.due_at > at("2019-03-05", "08:00")  # the limit restarted
    with time_machine.travel(at("2019-03-04", "14:00"), tick=False):
        assert "supplement" not in allowed(SPECIALIST, again)
    with pytest.raises(DomainError, match="một lần"):
        act(at("2019-03-04", "14:00"), processing.request_supplement_in_processing, again,
            officer=person(SPECIALIST), items=[{"name": "Giấy B", "reason": "Thiếu"}])  # fmt: skip


def test_apology_is_offered_only_a_working_day_before_the_deadline_and_never_when_overdue(
    marriage: Any, officer_client: Any
) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))  # one working day: due Tuesday 08:00
    with time_machine.travel(at("2019-03-04", "08:00"), tick=False):
        assert "apologise" in allowed(CHAIRMAN, dossier)
    with time_machine.travel(at("2019-03-04", "09:00"), tick=False):  # less than a day's notice
        assert "apologise" not in allowed(CHAIRMAN, dossier)
        assert "apologise" not in buttons(officer_client(CHAIRMAN), dossier)
    with time_machine.travel(at("2019-03-06", "09:00"), tick=False):  # overdue
        assert "apologise" not in allowed(CHAIRMAN, dossier)
    with pytest.raises(DomainError, match="01 ngày làm việc"):
        act(at("2019-03-06", "09:00"), processing.apologise, dossier, officer=person(CHAIRMAN),
            reason="Chờ xác minh của công an.", new_due_at=at("2019-03-12", "17:00"))  # fmt: skip


def test_the_receiving_agencys_leader_may_stop_and_sees_the_button(
    district_procedure: Any,  # noqa: F811
    officer_client: Any,
) -> None:
    dossier = received(district_procedure, at("2019-03-04", "08:00"))
    dossier.refresh_from_db()
    assert dossier.current_step is not None and dossier.current_step.agency.code != "000.22.44.H10"
    assert "stop" in allowed(CHAIRMAN, dossier)  # the commune's chairman, not the district's head
    assert "stop" in buttons(officer_client(CHAIRMAN), dossier)
    stopped = act(at("2019-03-04", "09:00"), processing.stop, dossier, officer=person(CHAIRMAN),
                  reason="Cơ quan có thẩm quyền yêu cầu tạm dừng.")  # fmt: skip
    assert stopped.status == DossierStatus.STOPPED


def test_every_offered_action_is_one_the_service_would_take(marriage: Any) -> None:
    """The page's set for each officer on a received dossier equals what each rule allows, and an officer
    the rule refuses is refused by the service with the rule's message."""
    dossier = received(marriage, at("2019-03-04", "08:00"))
    with time_machine.travel(at("2019-03-04", "08:00"), tick=False):
        assert allowed(SPECIALIST, dossier) == {"forward", "consult", "supplement", "payment", "reassign"}
        assert allowed(CHAIRMAN, dossier) == {
            "forward", "consult", "supplement", "payment", "reassign", "stop", "apologise",
        }  # fmt: skip
        assert allowed(DESK, dossier) == set()
        assert allowed(CLERK, dossier) == set()
        with pytest.raises(ScopeDenied, match="chuyên viên xử lý của Ủy ban nhân dân xã Lộc Tấn"):
            processing.forward(dossier=dossier, officer=person(CLERK), expected_version=dossier.version)


def test_an_officer_cannot_handle_a_dossier_they_filed_themselves(marriage: Any) -> None:
    from egov.submission.tests.test_submission import submit

    desk = person(DESK)
    dossier, _ = submit(marriage)
    Dossier.objects.filter(pk=dossier.pk).update(applicant=desk)
    dossier.refresh_from_db()
    assert "receive" not in rules.allowed_actions(desk, dossier)
    with pytest.raises(ScopeDenied, match="chính mình nộp"):
        receiving.receive(dossier=dossier, officer=desk, expected_version=dossier.version)


def test_errors_never_name_an_account_the_officer_picked_by_id(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    stranger = person("giamdoc.tuphap@binhphuoc.demo")
    with pytest.raises(DomainError) as refused:
        act(
            at("2019-03-04", "09:00"),
            processing.reassign,
            dossier,
            officer=person(CHAIRMAN),
            assignee=stranger,
        )
    assert stranger.full_name not in str(refused.value.messages)
    assert "hãy chọn trong danh sách" in " ".join(refused.value.messages)


def test_no_action_is_recorded_on_a_closed_dossier(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    dossier = act(at("2019-03-04", "09:00"), processing.stop, dossier, officer=person(CHAIRMAN),
                  reason="Cơ quan có thẩm quyền yêu cầu tạm dừng.")  # fmt: skip
    from django.db import transaction

    with transaction.atomic(), pytest.raises(DomainError, match="không thao tác thêm"):
        locked = lifecycle.lock(dossier, dossier.version)
        lifecycle.transition(
            dossier=locked, actor=person(CHAIRMAN), to_status=DossierStatus.STOPPED, action="reassigned"
        )
    with pytest.raises(DomainError):
        act(at("2019-03-04", "10:00"), processing.reassign, dossier, officer=person(CHAIRMAN),
            assignee=person(SPECIALIST))  # fmt: skip


def test_stopping_cancels_consultations_and_a_late_answer_is_refused(
    district_procedure: Any,  # noqa: F811
) -> None:
    dossier = received(district_procedure, at("2019-03-04", "08:00"))
    dossier.refresh_from_db()
    assert dossier.current_step is not None
    head = StaffAssignment.objects.filter(agency=dossier.current_step.agency, role="department_head").first()
    assert head is not None
    # The district head asks the commune's opinion, then the commune's chairman stops the dossier.
    commune = Agency.objects.get(code="000.22.44.H10")
    act(at("2019-03-04", "09:00"), processing.request_consultation, dossier, officer=head.user,
        agencies=[commune], question="Xác minh nơi cư trú", days=2)  # fmt: skip
    act(at("2019-03-04", "10:00"), processing.stop, dossier, officer=person(CHAIRMAN),
        reason="Cơ quan có thẩm quyền yêu cầu tạm dừng.")  # fmt: skip
    consultation = Consultation.objects.get(dossier=dossier)
    assert consultation.cancelled_at is not None
    step = DossierStep.objects.get(pk=dossier.current_step.pk)
    assert step.finished_at is not None  # the open step was closed
    with pytest.raises(DomainError):
        processing.answer_consultation(
            consultation=consultation, officer=person(SPECIALIST), answer="Đúng địa chỉ", agrees=True
        )
    assert Consultation.objects.get(pk=consultation.pk).answered_at is None


def test_withdrawing_a_dossier_whose_result_awaits_signature_cancels_the_request(marriage: Any) -> None:
    """The citizen withdraws while the chairman has still to sign: the request is cancelled in the same
    transaction, the chairman is refused with a message (never a 500), and nothing is released."""
    dossier = received(marriage, at("2019-03-04", "08:00"))
    act(at("2019-03-04", "08:30"), processing.forward, dossier, officer=person(SPECIALIST))
    act(at("2019-03-04", "09:00"), processing.forward, dossier, officer=person(CHAIRMAN))
    waiting = act(at("2019-03-04", "09:30"), processing.issue_result, dossier, officer=person(CLERK),
                  document_number="12/QĐ-UBND")  # fmt: skip
    request = SignatureRequest.objects.get(source_type="dossiers.dossier", source_id=str(dossier.pk))
    assert waiting is None and request.status == SignatureRequest.Status.AWAITING_LEADER
    dossier.refresh_from_db()
    act(
        at("2019-03-04", "10:00"),
        submission_services.withdraw,
        dossier,
        applicant=dossier.applicant,
        reason="Nộp nhầm",
    )
    request.refresh_from_db()
    assert request.status == SignatureRequest.Status.CANCELLED
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.WITHDRAWN
    assert "sign" not in rules.allowed_actions(person(CHAIRMAN), dossier)
    for _ in range(2):  # and again: still a clear refusal
        with pytest.raises(DomainError):
            act(
                at("2019-03-04", "10:05"),
                processing.sign_result,
                dossier,
                officer=person(CHAIRMAN),
                pin="123456",
            )
    assert (
        not hasattr(Dossier.objects.get(pk=dossier.pk), "result")
        or not Dossier.objects.filter(pk=dossier.pk, result__isnull=False).exists()
    )


def test_a_stale_version_is_a_conflict_before_anything_is_read(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    seen = dossier.version
    processing.forward(dossier=dossier, officer=person(SPECIALIST), expected_version=seen)
    with pytest.raises(Conflict):
        processing.forward(dossier=dossier, officer=person(CHAIRMAN), expected_version=seen)
    for bad in (True, 1.0, "3", 10**30, -1):
        with pytest.raises(DomainError):
            processing.forward(dossier=dossier, officer=person(CHAIRMAN), expected_version=bad)


def test_the_api_says_conflict_in_a_machine_readable_code(marriage: Any) -> None:
    from egov.accounts.tokens import issue_token

    dossier = received(marriage, at("2019-03-04", "08:00"))
    token = issue_token(user=person(SPECIALIST), name="thử")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/officer/dossiers/{dossier.code}/forward"
    stale = api.post(url, {"version": dossier.version - 1}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    boolean = api.post(url, {"version": True}, content_type="application/json")
    assert boolean.status_code == 422 and boolean.json()["code"] == "invalid"
    clerk = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=person(CLERK), name='thử')}")
    wrong = clerk.post(url, {"version": dossier.version}, content_type="application/json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"


def test_citizens_see_the_appointment_and_no_internal_notes(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    act(at("2019-03-04", "08:30"), processing.forward, dossier, officer=person(SPECIALIST),
        note="Nội bộ: đã gọi điện xác minh với trưởng thôn")  # fmt: skip
    dossier.refresh_from_db()
    citizen = Client()
    citizen.force_login(dossier.applicant)
    mine = citizen.get("/ho-so-cua-toi/").content.decode()
    assert "Hẹn trả" in mine and "08:00 05/03/2019" in mine
    page = citizen.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Nội bộ" not in page and "trưởng thôn" not in page
    assert "Hẹn trả kết quả: 08:00 ngày 05/03/2019." in page  # the receipt's words to the applicant
    public = Client().get("/tra-cuu-ho-so/", {"ma": dossier.code}).content.decode()
    assert "Hẹn trả kết quả" in public and "05/03/2019" in public and "trưởng thôn" not in public


def test_forms_are_issued_by_the_act_and_reading_them_signs_nothing(
    marriage: Any, officer_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from egov.onestop.models import IssuedForm
    from egov.submission.tests.test_submission import submit

    dossier, _ = submit(marriage)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
    issued = IssuedForm.objects.get(dossier=dossier, form="01")  # issued by the receipt itself
    assert issued.signed
    supervisor = officer_client("giamsat@binhphuoc.demo")
    for _ in range(3):  # the read-only supervisor reads the control sheet while it is in progress
        sheet = supervisor.get(f"/can-bo/ho-so/{dossier.code}/mau-05.pdf")
        assert sheet.status_code == 200 and sheet["X-Egov-Signed"] == "0"
        with django_capture_on_commit_callbacks(execute=True):
            dossier = processing.forward(dossier=dossier, officer=person(SPECIALIST) if _ == 0 else person(CHAIRMAN),
                                         expected_version=dossier.version) if _ < 2 else dossier  # fmt: skip
    assert not IssuedForm.objects.filter(dossier=dossier, form="05").exists()  # no copy per version
    form01 = supervisor.get(f"/can-bo/ho-so/{dossier.code}/mau-01.pdf")
    assert form01.content == issued.file.open("rb").read()  # served as issued, not signed again
    assert IssuedForm.objects.filter(dossier=dossier).count() == 1


def test_the_public_look_up_shows_no_template_text(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    page = Client().get("/tra-cuu-ho-so/", {"ma": dossier.code}).content.decode()
    assert "{#" not in page and "public_note" not in page and "Được tiếp nhận" in page


def test_an_officers_account_does_not_file_dossiers(marriage: Any) -> None:
    from conftest import pdf_upload
    from egov.accounts.tokens import issue_token
    from egov.catalog.tests.factories import valid_answers

    officer = person(DESK)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=officer, name='thử')}")
    import json

    response = api.post(
        "/api/v1/dossiers",
        {
            "procedure": marriage.procedure.national_code,
            "agency": "000.22.44.H10",
            "data": json.dumps(valid_answers()),
            "to-khai": pdf_upload(),
        },
    )
    assert response.status_code == 403 and "Tài khoản cán bộ" in response.json()["detail"]
    assert not Dossier.objects.filter(applicant=officer).exists()
    page = Client()
    page.force_login(officer)
    refused = page.get(f"/nop-ho-so/{marriage.procedure.national_code}/", follow=True)
    assert "Tài khoản cán bộ không dùng để nộp hồ sơ" in refused.content.decode()
