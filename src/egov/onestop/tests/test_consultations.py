"""A question to another agency (lấy ý kiến phối hợp) as the consulted agency lives it: it is told by e-mail, finds
the dossier in its “Chờ cho ý kiến” tab with the date the answer is due, opens it and answers — it, and only it,
while the question is open and the dossier is being processed. The deadline sweep marks the question due soon and
overdue, reminds the agency once, tells whoever waits once the answer is late, and the agency's daily digest
counts what it owes. Each test here failed before: the agency had no tab, no e-mail and no reminder."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.template.loader import get_template
from django.test import Client

from egov.accounts.tokens import issue_token
from egov.agencies.models import Agency
from egov.core.errors import DomainError, ScopeDenied
from egov.dossiers.models import Consultation, DeadlineState, Dossier, Notification, NotificationKind
from egov.dossiers.statuses import DossierStatus
from egov.dossiers.tasks import APPLICANT_TEMPLATES, COMPOSERS
from egov.onestop import processing, rules
from egov.onestop.deadlines import sweep_deadlines
from egov.onestop.models import DeadlineDigest
from egov.onestop.selectors import officer_worklist
from egov.onestop.tests.test_action_rules import act, at, person, received

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = "motcua.loctan@binhphuoc.demo"
SPECIALIST = "congchuc.loctan@binhphuoc.demo"  # UBND xã Lộc Tấn: asks
CHAIRMAN = "chutich.loctan@binhphuoc.demo"
CLERK = "vanthu.loctan@binhphuoc.demo"
LABOUR = "000.05.44.H10"  # Phòng Lao động - TB&XH huyện Lộc Ninh: consulted
LABOUR_SPECIALIST = "chuyenvien.ldtbxh.locninh@binhphuoc.demo"
LABOUR_HEAD = "truongphong.ldtbxh.locninh@binhphuoc.demo"
JUSTICE = "000.02.44.H10"  # Phòng Tư pháp huyện Lộc Ninh: another agency, not consulted in the first test
JUSTICE_SPECIALIST = "chuyenvien.locninh@binhphuoc.demo"
JUSTICE_HEAD = "truongphong.tuphap.locninh@binhphuoc.demo"
SUPERVISOR = "giamsat@binhphuoc.demo"
TAB = "xin-y-kien"


def consult(dossier: Dossier, moment: dt.datetime, code: str, days: float, question: str) -> Consultation:
    (made,) = act(
        moment,
        processing.request_consultation,
        dossier,
        officer=person(SPECIALIST),
        agencies=[Agency.objects.get(code=code)],
        question=question,
        days=days,
    )
    return made


def rows_in_tab(client: Client) -> list[str]:
    html = client.get("/can-bo/ho-so/", {"tab": TAB}).content.decode()
    return re.findall(r'href="/can-bo/ho-so/(000\.22\.44\.H10-[^/"]+)/"', html)


def test_the_consulted_agency_is_told_finds_the_dossier_in_its_tab_and_answers_from_the_page(
    marriage: Any, officer_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    mail.outbox.clear()
    question = "Đương sự có thuộc diện hộ nghèo của xã không?"
    with django_capture_on_commit_callbacks(execute=True):
        # Monday 09:00, two working days: Wednesday 6 March 09:00.
        consultation = consult(dossier, at("2019-03-04", "09:00"), LABOUR, 2, question)
    assert consultation.due_at == at("2019-03-06", "09:00")

    # Each officer who may answer for the labour office is told, by e-mail, with a link to the dossier's page.
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {LABOUR_SPECIALIST, LABOUR_HEAD}
    message = told[LABOUR_SPECIALIST]
    assert (
        dossier.code in message.subject and "đề nghị" in message.subject and "cho ý kiến" in message.subject
    )
    assert f"{settings.EGOV_SITE_URL}/can-bo/ho-so/{dossier.code}/" in message.body
    assert f"{settings.EGOV_SITE_URL}/can-bo/ho-so/?tab={TAB}" in message.body
    assert question in message.body and "Hạn trả lời: 09:00 ngày 06/03/2019" in message.body
    assert "Ủy ban nhân dân xã Lộc Tấn" in message.body and "Lâm Thị Yến" in message.body
    rows = Notification.objects.filter(dossier=dossier, kind=NotificationKind.CONSULTATION_REQUESTED)
    assert {(n.occasion, n.recipient) for n in rows} == {
        (str(consultation.pk), LABOUR_SPECIALIST),
        (str(consultation.pk), LABOUR_HEAD),
    }

    # The labour office finds it in “Chờ cho ý kiến”, with the answer's due date; nobody else does.
    labour = officer_client(LABOUR_SPECIALIST)
    page = labour.get("/can-bo/ho-so/", {"tab": TAB}).content.decode()
    assert "Chờ cho ý kiến" in page and "Hạn cho ý kiến" in page and "1 hồ sơ" in page
    assert rows_in_tab(labour) == [dossier.code] and "09:00 06/03/2019" in page
    for other in (SPECIALIST, JUSTICE_SPECIALIST, SUPERVISOR, DESK):
        assert officer_worklist(person(other), tab=TAB).count() == 0, other
    assert [d.code for d in officer_worklist(person(LABOUR_HEAD), tab=TAB)] == [dossier.code]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=person(LABOUR_HEAD), name='Phần mềm')}")
    listing = api.get("/api/v1/officer/dossiers", {"tab": TAB}).json()
    assert listing["count"] == 1 and listing["items"][0]["code"] == dossier.code

    # It opens the dossier (what was filed, the question) and answers from the page.
    opened = labour.get(f"/can-bo/ho-so/{dossier.code}/")
    body = opened.content.decode()
    assert opened.status_code == 200 and question in body and "Gửi ý kiến" in body
    dossier.refresh_from_db()
    answered = labour.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/",
        {
            "decision": "answer",
            "version": dossier.version,
            "consultation": consultation.pk,
            "answer": "Không thuộc diện hộ nghèo.",
            "agrees": "1",
        },
        follow=True,
    )
    assert "Đã gửi ý kiến" in answered.content.decode()
    consultation.refresh_from_db()
    assert consultation.answered_by == person(LABOUR_SPECIALIST) and consultation.agrees is True
    assert rows_in_tab(labour) == []
    again = labour.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/",
        {"decision": "answer", "version": dossier.version, "consultation": consultation.pk, "answer": "Lại."},
        follow=True,
    ).content.decode()
    assert "Đã gửi ý kiến" not in again and "Không có yêu cầu lấy ý kiến nào đang chờ" in again


def test_only_the_consulted_agency_answers_and_only_while_the_question_is_open_and_the_dossier_in_process(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A question asked at the chairman's step, then the dossier sent back and moved on: the question stays
    open (the labour office may still answer) until the result is issued, which cancels it."""
    dossier = received(marriage, at("2019-03-04", "08:00"))
    act(at("2019-03-04", "08:30"), processing.forward, dossier, officer=person(SPECIALIST))
    (consultation,) = act(
        at("2019-03-04", "09:00"),
        processing.request_consultation,
        dossier,
        officer=person(CHAIRMAN),
        agencies=[Agency.objects.get(code=LABOUR)],
        question="Xác minh hoàn cảnh gia đình",
        days=3,
    )
    dossier.refresh_from_db()
    answer = rules.RULES["answer"]
    assert answer.allows(person(LABOUR_SPECIALIST), dossier) and answer.allows(person(LABOUR_HEAD), dossier)
    for other in (SPECIALIST, CHAIRMAN, JUSTICE_SPECIALIST, JUSTICE_HEAD, SUPERVISOR):
        rules.forget_facts(dossier)
        assert not answer.allows(person(other), dossier), other
    with pytest.raises(ScopeDenied):
        processing.answer_consultation(
            consultation=consultation, officer=person(JUSTICE_SPECIALIST), answer="Không rõ.", agrees=True
        )

    act(at("2019-03-04", "09:30"), processing.send_back, dossier, officer=person(CHAIRMAN),
        reason="Bổ sung dự thảo kết quả.")  # fmt: skip
    act(at("2019-03-04", "10:00"), processing.forward, dossier, officer=person(SPECIALIST))
    act(at("2019-03-04", "10:30"), processing.forward, dossier, officer=person(CHAIRMAN))
    dossier.refresh_from_db()
    rules.forget_facts(dossier)
    assert answer.allows(person(LABOUR_SPECIALIST), dossier)  # still open while the dossier is processed
    assert [d.code for d in officer_worklist(person(LABOUR_SPECIALIST), tab=TAB)] == [dossier.code]
    assert act(at("2019-03-04", "11:00"), processing.issue_result, dossier, officer=person(CLERK),
               document_number="21/GCN-UBND") is None  # fmt: skip
    act(at("2019-03-04", "11:05"), processing.sign_result, dossier, officer=person(CHAIRMAN), pin="123456")
    act(at("2019-03-04", "11:10"), processing.sign_result, dossier, officer=person(CLERK))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE

    consultation.refresh_from_db()
    assert consultation.cancelled_at is not None and consultation.answered_at is None
    rules.forget_facts(dossier)
    assert not answer.allows(person(LABOUR_SPECIALIST), dossier)
    with pytest.raises(DomainError):
        processing.answer_consultation(
            consultation=consultation, officer=person(LABOUR_SPECIALIST), answer="Muộn.", agrees=True
        )
    assert Consultation.objects.get(pk=consultation.pk).answered_at is None
    assert officer_worklist(person(LABOUR_SPECIALIST), tab=TAB).count() == 0


def test_the_sweep_marks_reminds_once_and_tells_whoever_waits_once_the_answer_is_late(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    with django_capture_on_commit_callbacks(execute=True):
        # Two working days to answer (due Wed 6 March 09:00), and half a day (due Tue 5 March 14:30).
        labour = consult(dossier, at("2019-03-04", "09:00"), LABOUR, 2, "Hoàn cảnh gia đình?")
        justice = consult(dossier, at("2019-03-05", "09:00"), JUSTICE, 0.5, "Tình trạng hôn nhân?")
    assert justice.due_at == at("2019-03-05", "14:30")

    def sweep(day: str, time: str) -> Any:
        mail.outbox.clear()
        with time_machine.travel(at(day, time), tick=False), django_capture_on_commit_callbacks(execute=True):
            return sweep_deadlines()

    # Tuesday 10:00: both are due within a working day. The labour office is reminded; the justice office,
    # asked this morning with half a day to answer, is not (its question said when).
    first = sweep("2019-03-05", "10:00")
    assert (first.consultations_due_soon, first.consultations_overdue) == (2, 0)
    reminders = [m for m in mail.outbox if "cho ý kiến" in m.subject]
    assert sorted(m.to[0] for m in reminders) == sorted([LABOUR_HEAD, LABOUR_SPECIALIST])
    assert all("sắp đến hạn" in m.subject and dossier.code in m.subject for m in reminders)
    assert (
        f"/can-bo/ho-so/{dossier.code}/" in reminders[0].body and "09:00 ngày 06/03/2019" in reminders[0].body
    )
    assert set(Consultation.objects.values_list("deadline_state", flat=True)) == {DeadlineState.DUE_SOON}
    assert sweep("2019-03-05", "10:30").reminders == 0
    assert not [m for m in mail.outbox if "cho ý kiến" in m.subject]

    # Tuesday 15:00: the justice office's answer is late. It is reminded now (once), and the specialist who
    # asked is told.
    late = sweep("2019-03-05", "15:00")
    assert (late.consultations_overdue, late.reminders) == (1, 3)
    by_recipient = {m.to[0]: m.subject for m in mail.outbox if "cho ý kiến" in m.subject}
    assert set(by_recipient) == {JUSTICE_SPECIALIST, JUSTICE_HEAD, SPECIALIST}
    assert "đã quá hạn" in by_recipient[JUSTICE_HEAD]
    assert "Phòng Tư pháp huyện Lộc Ninh chưa cho ý kiến, đã quá hạn" in by_recipient[SPECIALIST]
    justice.refresh_from_db()
    assert justice.deadline_state == DeadlineState.OVERDUE

    # The labour office answers before its date: the next sweeps tell nobody about it.
    with time_machine.travel(at("2019-03-05", "16:00"), tick=False):
        processing.answer_consultation(
            consultation=labour, officer=person(LABOUR_HEAD), answer="Hộ cận nghèo.", agrees=True
        )
    for day, time in (("2019-03-06", "10:00"), ("2019-03-06", "10:30")):
        again = sweep(day, time)
        assert again.consultations_overdue == 0 and again.reminders == 0, (day, time)
    assert not [m for m in mail.outbox if "cho ý kiến" in m.subject]
    # Everyone was told each thing once, whatever the number of sweeps.
    counts = {
        (n.kind, n.recipient)
        for n in Notification.objects.filter(dossier=dossier, kind__startswith="consultation_")
    }
    assert (
        len(counts) == Notification.objects.filter(dossier=dossier, kind__startswith="consultation_").count()
    )
    assert (NotificationKind.CONSULTATION_OVERDUE, SPECIALIST) in counts


def test_the_daily_digest_counts_the_answers_an_agency_owes_past_their_date(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    consult(dossier, at("2019-03-04", "09:00"), LABOUR, 1, "Hoàn cảnh gia đình?")
    mail.outbox.clear()
    with (
        time_machine.travel(at("2019-03-05", "10:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sweep_deadlines()
    digest = DeadlineDigest.objects.get(agency__code=LABOUR)
    assert (digest.consultations_overdue, digest.overdue, digest.due_soon) == (1, 0, 0)
    (message,) = [m for m in mail.outbox if "ý kiến phối hợp quá hạn" in m.subject]
    assert message.to == [LABOUR_HEAD]
    assert dossier.code in message.body and "Ủy ban nhân dân xã Lộc Tấn đề nghị" in message.body
    assert f"{settings.EGOV_SITE_URL}/can-bo/ho-so/?tab={TAB}" in message.body
    assert "0 hồ sơ quá hạn" not in message.body  # the agency holds no dossier of its own


def test_the_tab_costs_the_same_queries_for_few_or_many_rows_and_an_index_serves_it(
    marriage: Any, officer_client: Any, django_assert_num_queries: Any
) -> None:
    page = officer_client(LABOUR_SPECIALIST)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=person(LABOUR_SPECIALIST), name='Phần mềm')}")
    page.get("/can-bo/ho-so/")
    api.get("/api/v1/officer/dossiers", {"tab": TAB})
    made = 0
    for more in (1, 3):
        for _ in range(more):
            dossier = received(marriage, at("2019-03-04", "08:00"))
            consult(dossier, at("2019-03-04", "09:00"), LABOUR, 2, "Hoàn cảnh gia đình?")
            consult(
                dossier, at("2019-03-04", "09:05"), LABOUR, 3, "Thu nhập bình quân?"
            )  # two on one dossier
            made += 1
        # user, second factor, roles, every tab's count (one), the filters' procedures and sectors, count, page
        with django_assert_num_queries(8):
            html = page.get("/can-bo/ho-so/", {"tab": TAB}).content.decode()
        assert html.count('href="/can-bo/ho-so/000.22.44.H10-') == made
        assert html.count("09:00 06/03/2019") == made  # the earlier of the two dates
        with django_assert_num_queries(4):  # token with its user, roles, page, count
            listing = api.get("/api/v1/officer/dossiers", {"tab": TAB}).json()
        assert listing["count"] == len(listing["items"]) == made
    queryset = officer_worklist(person(LABOUR_SPECIALIST), tab=TAB)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    assert "consultation_open" in queryset.explain()


def test_every_notification_kind_has_its_email() -> None:
    for kind in NotificationKind:
        if kind in COMPOSERS:
            continue
        name = APPLICANT_TEMPLATES[kind]
        get_template(f"dossiers/email/{name}.txt")
        get_template(f"dossiers/email/{name}_subject.txt")
    for kind in (
        NotificationKind.CONSULTATION_REQUESTED,
        NotificationKind.CONSULTATION_REMINDER,
        NotificationKind.CONSULTATION_OVERDUE,
    ):
        assert kind in COMPOSERS
        get_template(f"onestop/email/{kind}.txt")
        get_template(f"onestop/email/{kind}_subject.txt")
