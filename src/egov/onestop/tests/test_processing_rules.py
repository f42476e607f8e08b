"""The time rules and the exits of processing: the 15:00 cut-off for paper dossiers, the 3-day window for a
supplement request, the clock stopping while a fee is owed, the apology's notice, stop, withdrawal, the
deadline sweep and its daily digest, and two officers acting at once."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.core.errors import DomainError, ScopeDenied
from egov.dossiers.models import Dossier, DossierStep
from egov.dossiers.statuses import Channel, DossierStatus
from egov.onestop import intake as onestop_intake
from egov.onestop import processing, receiving
from egov.onestop.deadlines import sweep_deadlines
from egov.onestop.models import DeadlineDigest
from egov.submission import services as submission_services

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LOC_TAN = "000.22.44.H10"


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VN)


def person(email: str) -> User:
    return User.objects.get(email=email)


def act(moment: dt.datetime, function: Any, dossier: Dossier, **kwargs: Any) -> Any:
    with time_machine.travel(moment, tick=False):
        dossier.refresh_from_db()
        return function(dossier=dossier, expected_version=dossier.version, **kwargs)


def paper_dossier(version: Any, moment: dt.datetime, *, channel: Channel = Channel.IN_PERSON) -> Dossier:
    from conftest import pdf_upload
    from egov.catalog.tests.factories import valid_answers

    with time_machine.travel(moment, tick=False):
        dossier, created = onestop_intake.intake_paper_dossier(
            officer=person("motcua.loctan@binhphuoc.demo"),
            version=version,
            agency=Agency.objects.get(code=LOC_TAN),
            channel=channel,
            applicant={"name": "Trần Văn Bảy", "id_number": "070090001235", "phone": "0912000111"},
            raw=valid_answers(),
            uploads={"to-khai": [pdf_upload()]},
            idempotency_key="quay-1",
        )
    assert created
    return dossier


@pytest.fixture
def district_procedure(marriage: Any) -> Any:
    """A commune-received procedure decided by the district (default district process), 5 working days."""
    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec

    version, _ = upsert_procedure(
        actor=None,
        spec=marriage_spec(
            national_code="9.000003",
            name="Thủ tục thử cấp huyện",
            levels=["commune", "district"],
            processing_time=5,
            deciding_agency="Phòng Tư pháp cấp huyện",
            deciding_level="district",
            deciding_office="Phòng Tư pháp",
        ),
        sectors=ensure_sectors(actor=None, sectors=[SECTOR]),
    )
    return version


def test_paper_intake_same_rules_and_idempotent(marriage: Any) -> None:
    from django.core.exceptions import ValidationError

    from egov.catalog.tests.factories import valid_answers

    dossier = paper_dossier(marriage, at("2019-03-04", "09:00"))
    assert dossier.channel == Channel.IN_PERSON and dossier.applicant is None
    assert dossier.code == "000.22.44.H10-190304-0001" and dossier.applicant_name == "Trần Văn Bảy"
    again, created = onestop_intake.intake_paper_dossier(
        officer=person("motcua.loctan@binhphuoc.demo"), version=marriage, agency=dossier.receiving_agency,
        channel=Channel.IN_PERSON, applicant={"name": "Trần Văn Bảy"}, raw=valid_answers(), uploads={},
        idempotency_key="quay-1",
    )  # fmt: skip
    assert (again.pk, created) == (dossier.pk, False)
    with pytest.raises(ValidationError) as caught:
        onestop_intake.intake_paper_dossier(
            officer=person("motcua.loctan@binhphuoc.demo"), version=marriage, agency=dossier.receiving_agency,
            channel=Channel.POST, applicant={"name": "B"}, raw={}, uploads={},
        )  # fmt: skip
    assert "applicant.name" in caught.value.message_dict
    with pytest.raises(ScopeDenied):
        onestop_intake.intake_paper_dossier(
            officer=person("chutich.loctan@binhphuoc.demo"), version=marriage, agency=dossier.receiving_agency,
            channel=Channel.IN_PERSON, applicant={"name": "Trần Văn Bảy"}, raw=valid_answers(), uploads={},
        )  # fmt: skip


def test_paper_dossier_forwarded_after_15_00_starts_next_working_day(district_procedure: Any) -> None:
    desk = person("motcua.loctan@binhphuoc.demo")
    dossier = paper_dossier(district_procedure, at("2019-03-04", "14:00"))
    dossier = act(at("2019-03-04", "14:30"), receiving.receive, dossier, officer=desk)
    first = dossier.current_step
    assert first is not None
    # The default district process: the district office (deciding agency) assigns first.
    assert first.agency.code == "000.02.44.H10" and first.role == "department_head"
    # The desk handed it over at 14:30 on Monday: the office's clock starts at once (before 15:00) ...
    assert first.started_at == at("2019-03-04", "14:30")
    # ... but a hand-over from the office to the district's People's Committee at 16:00 starts next morning.
    head = person("truongphong.tuphap.locninh@binhphuoc.demo")
    specialist = person("chuyenvien.locninh@binhphuoc.demo")
    act(at("2019-03-04", "15:30"), processing.forward, dossier, officer=head, assignee=specialist)
    step = DossierStep.objects.get(dossier=dossier, position=2)
    assert step.started_at == at("2019-03-04", "15:30")  # same agency: no travel
    act(at("2019-03-05", "08:00"), processing.forward, dossier, officer=specialist)
    act(at("2019-03-05", "16:00"), processing.forward, dossier, officer=head)
    approve = DossierStep.objects.get(dossier=dossier, position=4)
    assert approve.agency.code == "000.00.44.H10"
    assert approve.started_at == at("2019-03-06", "07:30")


def test_online_dossier_has_no_cut_off(district_procedure: Any) -> None:
    from egov.submission.tests.test_submission import submit

    with time_machine.travel(at("2019-03-04", "16:00"), tick=False):
        dossier, _ = submit(district_procedure)
    dossier = act(
        at("2019-03-04", "16:10"), receiving.receive, dossier, officer=person("motcua.loctan@binhphuoc.demo")
    )
    assert dossier.current_step is not None and dossier.current_step.started_at == at("2019-03-04", "16:10")


def test_supplement_request_only_within_three_working_days(marriage: Any) -> None:
    from egov.submission.tests.test_submission import submit

    with time_machine.travel(at("2019-03-01", "08:00"), tick=False):
        dossier, _ = submit(marriage)
    dossier = act(
        at("2019-03-01", "08:00"), receiving.receive, dossier, officer=person("motcua.loctan@binhphuoc.demo")
    )
    # Friday 08:00 → three working days end Wednesday 08:00 (the weekend does not count).
    with pytest.raises(DomainError, match="3 ngày làm việc"):
        act(at("2019-03-06", "08:30"), processing.request_supplement_in_processing, dossier,
            officer=person("congchuc.loctan@binhphuoc.demo"), items=[{"name": "A", "reason": "B"}])  # fmt: skip
    request = act(at("2019-03-06", "07:45"), processing.request_supplement_in_processing, dossier,
                  officer=person("congchuc.loctan@binhphuoc.demo"), items=[{"name": "Giấy A", "reason": "Mờ"}])  # fmt: skip
    assert request.resume_position == 1


def test_the_clock_stops_while_a_fee_is_owed(marriage: Any) -> None:
    from egov.submission.tests.test_submission import submit

    specialist = person("congchuc.loctan@binhphuoc.demo")
    with time_machine.travel(at("2019-03-04", "08:00"), tick=False):
        dossier, _ = submit(marriage)
    dossier = act(
        at("2019-03-04", "08:00"), receiving.receive, dossier, officer=person("motcua.loctan@binhphuoc.demo")
    )
    assert dossier.due_at == at("2019-03-05", "08:00")
    act(at("2019-03-04", "10:00"), processing.request_payment, dossier, officer=specialist, amount=50_000)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_PAYMENT and dossier.national_status == 6
    # Paid on Thursday 09:00: 6 working hours were left (10:00 Monday → 08:00 Tuesday): 2.5 h in the morning,
    # 3.5 h after the 13:00 reopening → Thursday 16:30.
    act(at("2019-03-07", "09:00"), processing.payment_received, dossier, officer=specialist)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING and dossier.due_at == at("2019-03-07", "16:30")
    assert dossier.clock_paused_at is None


def test_apology_at_least_one_working_day_before_the_deadline(marriage: Any) -> None:
    from egov.submission.tests.test_submission import submit

    leader = person("chutich.loctan@binhphuoc.demo")
    with time_machine.travel(at("2019-03-04", "08:00"), tick=False):
        dossier, _ = submit(marriage)
    dossier = act(
        at("2019-03-04", "08:00"), receiving.receive, dossier, officer=person("motcua.loctan@binhphuoc.demo")
    )
    with pytest.raises(DomainError, match="01 ngày làm việc trước hạn"):
        act(at("2019-03-04", "09:00"), processing.apologise, dossier, officer=leader,
            reason="Chờ xác minh của công an.", new_due_at=at("2019-03-08", "17:00"))  # fmt: skip
    with pytest.raises(ScopeDenied):
        act(at("2019-03-04", "07:45"), processing.apologise, dossier, officer=person("congchuc.loctan@binhphuoc.demo"),
            reason="Chờ xác minh của công an.", new_due_at=at("2019-03-08", "17:00"))  # fmt: skip


def test_stop_and_withdraw_end_the_dossier_with_a_notice(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from egov.onestop.forms import pdf
    from egov.submission.tests.test_submission import submit

    with django_capture_on_commit_callbacks(execute=True):
        first, _ = submit(marriage)
        first = receiving.receive(
            dossier=first, officer=person("motcua.loctan@binhphuoc.demo"), expected_version=first.version
        )
        with pytest.raises(ScopeDenied):
            processing.stop(dossier=first, officer=person("congchuc.loctan@binhphuoc.demo"),
                            reason="Người nộp đã chết trước khi có kết quả.", expected_version=first.version)  # fmt: skip
        first = processing.stop(dossier=first, officer=person("chutich.loctan@binhphuoc.demo"),
                                reason="Cơ quan có thẩm quyền yêu cầu tạm dừng.", expected_version=first.version)  # fmt: skip
        assert first.status == DossierStatus.STOPPED and first.national_status == 8
        assert b"%PDF" in pdf.stop_notice_pdf(first, lookup_url="http://x/")[:8]
        second, _ = submit(marriage)
        with pytest.raises(ScopeDenied):
            submission_services.withdraw(dossier=second, applicant=person("tranthibinh@binhphuoc.demo"), reason="",
                                expected_version=second.version)  # fmt: skip
        second = submission_services.withdraw(dossier=second, applicant=second.applicant, reason="Nộp nhầm thủ tục",
                                     expected_version=second.version)  # fmt: skip
        assert second.status == DossierStatus.WITHDRAWN and second.national_status == 7
    subjects = [m.subject for m in mail.outbox]
    assert any("dừng giải quyết" in s for s in subjects) and any("đã được rút" in s for s in subjects)


def test_two_officers_forwarding_at_once_one_wins(marriage: Any) -> None:
    from egov.submission.tests.test_submission import submit

    dossier, _ = submit(marriage)
    dossier = receiving.receive(
        dossier=dossier, officer=person("motcua.loctan@binhphuoc.demo"), expected_version=1
    )
    seen = dossier.version
    stale = Dossier.objects.get(pk=dossier.pk)
    processing.forward(
        dossier=dossier, officer=person("congchuc.loctan@binhphuoc.demo"), expected_version=seen
    )
    with pytest.raises(DomainError):
        processing.forward(
            dossier=stale, officer=person("chutich.loctan@binhphuoc.demo"), expected_version=seen
        )
    assert DossierStep.objects.filter(dossier=dossier, finished_at__isnull=False).count() == 1


def test_sweep_marks_due_soon_and_overdue_and_tells_each_agency_once(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from egov.submission.tests.test_submission import submit

    desk = person("motcua.loctan@binhphuoc.demo")
    made = []
    for day in ("2019-03-04", "2019-03-05", "2019-03-11"):
        with time_machine.travel(at(day, "08:00"), tick=False):
            dossier, _ = submit(marriage)
        made.append(act(at(day, "08:00"), receiving.receive, dossier, officer=desk))
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(at("2019-03-05", "09:00"), tick=False),
    ):
        result = sweep_deadlines()
    # Due Tuesday 08:00 → overdue; due Wednesday 08:00 → within a working day → due soon; next week → on track.
    states = [Dossier.objects.get(pk=d.pk).deadline_state for d in made]
    assert states == ["overdue", "due_soon", ""]
    assert (result.overdue, result.due_soon, result.digests) == (1, 1, 1)
    digest = DeadlineDigest.objects.get()
    assert digest.agency.code == LOC_TAN and digest.sent_at is not None
    (message,) = [m for m in mail.outbox if "quá hạn" in m.subject]
    assert "chutich.loctan@binhphuoc.demo" in message.to and made[0].code in message.body
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(at("2019-03-05", "09:15"), tick=False),
    ):
        again = sweep_deadlines()
    assert (again.overdue, again.due_soon, again.digests) == (0, 0, 0)
