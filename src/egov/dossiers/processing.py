"""Processing a received dossier (giải quyết): its steps through each agency's internal process, across
levels (liên thông), and back to the desk that received it.

Every function here is a service: keyword-only, one transaction, checks the officer's role in the agency
holding the step, changes the dossier through :func:`egov.dossiers.receiving.transition` (optimistic
concurrency, history) and records each hand-over as a :class:`DossierStep` row — a row of the control sheet
(form 05) with its early / on-time / late verdict.

Time rules (NĐ 61/2018 Arts. 17–20, same in NĐ 118/2025), all in working time from the calendar:
- each step gets its share of the time limit from the process; its clock starts when it is handed over;
- a paper dossier handed to another agency after 15:00 starts there at the next working day's opening;
- a supplement request after receipt is allowed within 3 working days of receipt, and the time limit then
  restarts from zero when the dossier comes back complete;
- while the applicant owes a fee (status 6) the clock stops and resumes with the time that was left;
- an apology with a new date (form 04) at least 1 working day before the deadline, once per dossier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from egov.accounts.models import StaffAssignment, User
from egov.accounts.roles import Role
from egov.accounts.scopes import ensure_role, holds_role
from egov.agencies.models import Agency
from egov.core.errors import DomainError, ScopeDenied
from egov.core.inspection import inspect_file
from egov.dossiers import processes
from egov.dossiers.models import (
    Apology,
    Consultation,
    Dossier,
    DossierEvent,
    DossierResult,
    DossierStep,
    ReturnMethod,
    StepKind,
    SupplementRequest,
    Verdict,
)
from egov.dossiers.receiving import STALE, transition
from egov.dossiers.services import notify
from egov.dossiers.statuses import Channel, DossierStatus
from egov.worktime.calendar import WorkingCalendar, current_calendar

FORWARD_CUT_OFF = dt.time(15, 0)
SUPPLEMENT_WINDOW_DAYS = 3
APOLOGY_NOTICE_DAYS = 1
OPEN_STATUSES = (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
# Who may act on a step besides the role it names: the heads of the agency holding it.
HEADS = (Role.LEADER, Role.DEPARTMENT_HEAD)


def classify(finished: dt.datetime, due: dt.datetime | None) -> str:
    """Early: before the due day; on time: on the due day, by the due time; late: after it."""
    if due is None:
        return ""
    if finished > due:
        return Verdict.LATE
    if timezone.localdate(finished) < timezone.localdate(due):
        return Verdict.EARLY
    return Verdict.ON_TIME


# --- Starting and moving through steps ---------------------------------------------------------------------


def start_processing(
    *, dossier: Dossier, officer: Any, now: dt.datetime, calendar: WorkingCalendar
) -> DossierStep:
    """Lay out the dossier's steps from its process and hand it to the first one (called at receipt)."""
    planned = processes.plan(dossier, calendar)
    DossierStep.objects.bulk_create(
        DossierStep(
            dossier=dossier,
            position=p.position,
            kind=p.kind,
            name=p.name,
            role=p.role,
            agency=p.agency,
            department=p.department,
            allowed=p.allowed,
        )
        for p in planned
    )
    first = DossierStep.objects.get(dossier=dossier, position=planned[0].position, round=1)
    _enter(dossier=dossier, step=first, handed_by=officer, now=now, calendar=calendar, from_agency=None)
    for agency in planned[0].consult:
        _consult(
            dossier=dossier, step=first, agency=agency, question="", by=officer, now=now, due=first.due_at
        )
    return first


def _start_time(
    dossier: Dossier, *, now: dt.datetime, from_agency: Agency | None, to: Agency, calendar: WorkingCalendar
) -> dt.datetime:
    """Paper dossiers travel: one handed to another agency after 15:00 starts there the next working day."""
    if dossier.channel == Channel.ONLINE or from_agency is None or from_agency.pk == to.pk:
        return now
    local = timezone.localtime(now, calendar.zone)
    if calendar.is_working_day(local.date()) and local.time() < FORWARD_CUT_OFF:
        return now
    day = calendar.next_working_day(local.date())
    return dt.datetime.combine(day, calendar.hours[0][0], calendar.zone)


def _enter(
    *,
    dossier: Dossier,
    step: DossierStep,
    handed_by: Any,
    now: dt.datetime,
    calendar: WorkingCalendar,
    from_agency: Agency | None,
    assignee: User | None = None,
) -> None:
    start = _start_time(dossier, now=now, from_agency=from_agency, to=step.agency, calendar=calendar)
    step.started_at = start
    step.due_at = calendar.add_working_time(start, step.allowed)
    step.handed_by = handed_by if getattr(handed_by, "pk", None) else None
    step.assignee = assignee
    step.save(update_fields=["started_at", "due_at", "handed_by", "assignee"])
    Dossier.objects.filter(pk=dossier.pk).update(
        current_step=step, current_agency=step.agency, current_role=step.role, current_assignee=assignee
    )
    dossier.current_step, dossier.current_agency = step, step.agency
    dossier.current_role, dossier.current_assignee = step.role, assignee


def _finish(step: DossierStep, *, officer: Any, now: dt.datetime, note: str = "") -> None:
    step.finished_at = now
    step.finished_by = officer
    step.verdict = classify(now, step.due_at)
    if note:
        step.note = note
    step.save(update_fields=["finished_at", "finished_by", "verdict", "note"])


def _current(dossier: Dossier) -> DossierStep:
    step = dossier.current_step
    if step is None or dossier.status not in OPEN_STATUSES:
        raise DomainError("Hồ sơ không ở bước xử lý nào (chưa tiếp nhận hoặc đã kết thúc).")
    return step


def _ensure_on_step(officer: Any, step: DossierStep) -> None:
    """The step's role in the step's agency; if someone was assigned, that person (or a head of the agency)."""
    if not holds_role(officer, step.agency, Role(step.role), *HEADS):
        raise ScopeDenied(
            f"Bước “{step.name}” dành cho {Role(step.role).label.lower()} của {step.agency.name}."
        )
    if step.assignee_id and step.assignee_id != officer.pk and not holds_role(officer, step.agency, *HEADS):
        raise ScopeDenied(
            f"Bước này đã được giao cho {step.assignee}; chỉ người đó hoặc lãnh đạo mới thao tác được."
        )


def _ensure_holder(user: User | None, agency: Agency, role: str) -> None:
    if user is None:
        return
    if not StaffAssignment.objects.filter(user=user, agency=agency, role=role).exists():
        raise DomainError(f"{user} không giữ vai trò {Role(role).label.lower()} tại {agency.name}.")


def _next_step(dossier: Dossier, after: DossierStep) -> DossierStep | None:
    """The step after ``after``: the one laid out for it, or a new round of it after a send-back."""
    position = after.position + 1
    pending = DossierStep.objects.filter(dossier=dossier, position=position, started_at__isnull=True).first()
    if pending is not None:
        return pending
    latest = DossierStep.objects.filter(dossier=dossier, position=position).order_by("-round").first()
    if latest is None:
        return None
    return _new_round(latest)


def _new_round(template: DossierStep) -> DossierStep:
    rounds = (
        DossierStep.objects.filter(dossier=template.dossier, position=template.position).aggregate(
            top=Max("round")
        )["top"]
        or 0
    )
    return DossierStep.objects.create(
        dossier=template.dossier,
        position=template.position,
        kind=template.kind,
        name=template.name,
        role=template.role,
        agency=template.agency,
        department=template.department,
        allowed=template.allowed,
        round=rounds + 1,
    )


def _enter_again(
    *,
    dossier: Dossier,
    template: DossierStep,
    officer: Any,
    now: dt.datetime,
    calendar: WorkingCalendar,
    from_agency: Agency,
) -> None:
    """A new round of a step done before (send-back, back after a supplement), to whoever did it."""
    _enter(
        dossier=dossier,
        step=_new_round(template),
        handed_by=officer,
        now=now,
        calendar=calendar,
        from_agency=from_agency,
        assignee=template.finished_by or template.assignee,
    )


def forward(
    *,
    dossier: Dossier,
    officer: Any,
    expected_version: int,
    note: str = "",
    assignee: User | None = None,
) -> Dossier:
    """Finish the current step and hand the dossier to the next one (to ``assignee`` if named; at an
    assignment step someone must be named). The issue and return steps finish through :func:`issue_result`
    and :func:`return_result`."""
    step = _current(dossier)
    _ensure_on_step(officer, step)
    if step.kind in (StepKind.ISSUE, StepKind.RETURN):
        raise DomainError("Ở bước này hãy dùng chức năng phát hành hoặc trả kết quả.")
    waiting = [
        c.agency.name for c in step.consultations.filter(answered_at__isnull=True).select_related("agency")
    ]
    if waiting:
        raise DomainError("Còn chờ ý kiến của: " + ", ".join(waiting) + ".")
    now = timezone.now()
    calendar = current_calendar()
    with transaction.atomic():
        following = _next_step(dossier, step)
        if following is None:
            raise DomainError("Quy trình không còn bước nào sau bước này.")
        if step.kind == StepKind.ASSIGN and assignee is None:
            raise DomainError("Hãy chọn người xử lý để phân công.")
        _ensure_holder(assignee, following.agency, following.role)
        _finish(step, officer=officer, now=now, note=note)
        _enter(
            dossier=dossier,
            step=following,
            handed_by=officer,
            now=now,
            calendar=calendar,
            from_agency=step.agency,
            assignee=assignee,
        )
        handed = f"Chuyển “{following.name}” – {following.agency.name}"
        if assignee is not None:
            handed += f", giao {assignee.full_name}"
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus.PROCESSING,
            action=f"{step.kind}_done",
            expected_version=expected_version,
            note=f"{step.name}: xong. {handed}." + (f" Ghi chú: {note}" if note else ""),
            now=now,
        )
    return dossier


def send_back(*, dossier: Dossier, officer: Any, expected_version: int, reason: str) -> Dossier:
    """Return the dossier one step, with the reason; it goes back to whoever did that step."""
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise DomainError("Hãy ghi lý do trả lại bước trước.")
    step = _current(dossier)
    _ensure_on_step(officer, step)
    previous = (
        DossierStep.objects.filter(dossier=dossier, position=step.position - 1).order_by("-round").first()
    )
    if previous is None:
        raise DomainError("Đây là bước đầu tiên, không có bước trước để trả lại.")
    now = timezone.now()
    calendar = current_calendar()
    with transaction.atomic():
        _finish(step, officer=officer, now=now, note=f"Trả lại: {reason}")
        _enter_again(
            dossier=dossier,
            template=previous,
            officer=officer,
            now=now,
            calendar=calendar,
            from_agency=step.agency,
        )
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus(dossier.status),
            action="sent_back",
            expected_version=expected_version,
            note=f"Trả lại bước “{previous.name}”: {reason}",
            now=now,
        )
    return dossier


def reassign(*, dossier: Dossier, officer: Any, expected_version: int, assignee: User) -> Dossier:
    """Give the current step to another holder of its role in the same agency."""
    step = _current(dossier)
    _ensure_on_step(officer, step)
    _ensure_holder(assignee, step.agency, step.role)
    with transaction.atomic():
        DossierStep.objects.filter(pk=step.pk).update(assignee=assignee)
        Dossier.objects.filter(pk=dossier.pk).update(current_assignee=assignee)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus(dossier.status),
            action="reassigned",
            expected_version=expected_version,
            note=f"Giao “{step.name}” cho {assignee.full_name}.",
        )
    return dossier


# --- Joint processing at one level: consultations ----------------------------------------------------------


def _consult(
    *, dossier: Dossier, step: DossierStep, agency: Agency, question: str, by: Any, now: dt.datetime, due: Any
) -> Consultation:
    return Consultation.objects.create(
        dossier=dossier,
        step=step,
        agency=agency,
        question=question,
        requested_at=now,
        requested_by=by if getattr(by, "pk", None) else None,
        due_at=due,
    )


def request_consultation(
    *,
    dossier: Dossier,
    officer: Any,
    agencies: list[Agency],
    question: str,
    days: float,
    expected_version: int,
) -> list[Consultation]:
    """Ask other agencies, in parallel, each with a deadline in working days; the step waits for them all."""
    step = _current(dossier)
    _ensure_on_step(officer, step)
    question = " ".join(question.split())
    if not agencies:
        raise DomainError("Hãy chọn ít nhất một cơ quan phối hợp.")
    if not question:
        raise DomainError("Hãy ghi nội dung cần lấy ý kiến.")
    if not 0 < days <= 30:
        raise DomainError("Thời hạn trả lời phải từ 0,5 đến 30 ngày làm việc.")
    if any(a.pk == step.agency_id for a in agencies):
        raise DomainError("Không lấy ý kiến chính cơ quan đang xử lý.")
    now = timezone.now()
    due = current_calendar().add_working_days(now, days)
    with transaction.atomic():
        made = [
            _consult(dossier=dossier, step=step, agency=a, question=question, by=officer, now=now, due=due)
            for a in agencies
        ]
        transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus(dossier.status),
            action="consultation_requested",
            expected_version=expected_version,
            note="Lấy ý kiến " + ", ".join(a.name for a in agencies) + f": {question}",
            now=now,
        )
    return made


def answer_consultation(
    *, consultation: Consultation, officer: Any, answer: str, agrees: bool
) -> Consultation:
    ensure_role(officer, consultation.agency, Role.SPECIALIST, *HEADS)
    answer = " ".join(answer.split())
    if not answer:
        raise DomainError("Hãy ghi ý kiến trả lời.")
    now = timezone.now()
    with transaction.atomic():
        updated = Consultation.objects.filter(pk=consultation.pk, answered_at__isnull=True).update(
            answered_at=now,
            answered_by=officer,
            answer=answer,
            agrees=agrees,
            verdict=classify(now, consultation.due_at),
        )
        if not updated:
            raise DomainError("Cơ quan đã trả lời yêu cầu này rồi.")
        dossier = consultation.dossier
        DossierEvent.objects.create(
            dossier=dossier,
            at=now,
            actor=officer,
            actor_agency=consultation.agency,
            action="consultation_answered",
            from_status=dossier.status,
            to_status=dossier.status,
            note=f"{consultation.agency.name} {'thống nhất' if agrees else 'không thống nhất'}: {answer}",
        )
    consultation.refresh_from_db()
    return consultation


# --- Waiting for the applicant ------------------------------------------------------------------------------


def request_supplement_in_processing(
    *, dossier: Dossier, officer: Any, items: list[dict[str, str]], expected_version: int
) -> SupplementRequest:
    """During appraisal, within 3 working days of receipt: ask for everything missing at once (form 02).
    The time limit restarts from zero when the desk receives the completed dossier."""
    from egov.dossiers.receiving import clean_items

    step = _current(dossier)
    _ensure_on_step(officer, step)
    cleaned = clean_items(items)
    now = timezone.now()
    calendar = current_calendar()
    assert dossier.received_at is not None
    if calendar.working_time_between(dossier.received_at, now) > calendar.day_length * SUPPLEMENT_WINDOW_DAYS:
        raise DomainError(
            "Đã quá 3 ngày làm việc kể từ ngày tiếp nhận: không được yêu cầu bổ sung nữa "
            "(NĐ 61/2018, Điều 18). Hãy giải quyết hoặc từ chối bằng văn bản."
        )
    with transaction.atomic():
        _finish(step, officer=officer, now=now, note="Yêu cầu bổ sung hồ sơ.")
        request = SupplementRequest.objects.create(
            dossier=dossier, requested_at=now, officer=officer, items=cleaned, resume_position=step.position
        )
        Dossier.objects.filter(pk=dossier.pk).update(
            current_step=None, current_agency=dossier.receiving_agency, current_role="", current_assignee=None
        )
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus.SUPPLEMENT_REQUESTED,
            action="supplement_requested",
            expected_version=expected_version,
            note="Yêu cầu bổ sung: " + "; ".join(f"{i['name']} ({i['reason']})" for i in cleaned),
            now=now,
            due_at=None,
        )
        notify(dossier=dossier, kind=f"supplement_requested_{request.pk}")
    return request


def resume_after_supplement(
    *, dossier: Dossier, officer: Any, now: dt.datetime, calendar: WorkingCalendar
) -> None:
    """The desk received the completed dossier again: go back to the step that asked, clock from zero."""
    request = (
        SupplementRequest.objects.filter(dossier=dossier, resume_position__isnull=False)
        .order_by("-requested_at")
        .first()
    )
    assert request is not None and request.resume_position is not None
    template = (
        DossierStep.objects.filter(dossier=dossier, position=request.resume_position)
        .order_by("-round")
        .first()
    )
    assert template is not None
    _enter_again(
        dossier=dossier,
        template=template,
        officer=officer,
        now=now,
        calendar=calendar,
        from_agency=dossier.receiving_agency,
    )


def request_payment(*, dossier: Dossier, officer: Any, amount: int, expected_version: int) -> Dossier:
    """The applicant owes a fee or tax (status 6): the clock stops until it is paid."""
    step = _current(dossier)
    _ensure_on_step(officer, step)
    if amount <= 0:
        raise DomainError("Số tiền phải lớn hơn 0.")
    now = timezone.now()
    with transaction.atomic():
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus.AWAITING_PAYMENT,
            action="payment_requested",
            expected_version=expected_version,
            note=f"Yêu cầu thực hiện nghĩa vụ tài chính: {amount:,} đồng.".replace(",", "."),
            now=now,
            clock_paused_at=now,
        )
        notify(dossier=dossier, kind=f"payment_requested:{dossier.version}")
    return dossier


def payment_received(*, dossier: Dossier, officer: Any, expected_version: int) -> Dossier:
    """Paid: the clock resumes with the working time that was left, for the dossier and its step."""
    step = dossier.current_step
    if step is None or dossier.status != DossierStatus.AWAITING_PAYMENT or dossier.clock_paused_at is None:
        raise DomainError("Hồ sơ không chờ thực hiện nghĩa vụ tài chính.")
    _ensure_on_step(officer, step)
    now = timezone.now()
    calendar = current_calendar()
    paused = dossier.clock_paused_at

    def resumed(due: dt.datetime | None) -> dt.datetime | None:
        return (
            None
            if due is None
            else calendar.add_working_time(now, calendar.working_time_between(paused, due))
        )

    with transaction.atomic():
        DossierStep.objects.filter(pk=step.pk).update(due_at=resumed(step.due_at))
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus.PROCESSING,
            action="payment_received",
            expected_version=expected_version,
            note="Đã thực hiện nghĩa vụ tài chính; tiếp tục tính thời gian giải quyết.",
            now=now,
            clock_paused_at=None,
            due_at=resumed(dossier.due_at),
        )
    return dossier


# --- Late, stopped, withdrawn ------------------------------------------------------------------------------


def apologise(
    *, dossier: Dossier, officer: Any, reason: str, new_due_at: dt.datetime, expected_version: int
) -> Apology:
    """Form 04: the agency holding the dossier apologises and sets a new date — once, and no later than one
    working day before the deadline."""
    step = _current(dossier)
    ensure_role(officer, step.agency, *HEADS)
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise DomainError("Hãy nêu rõ lý do chậm trễ (ít nhất 10 ký tự).")
    if Apology.objects.filter(dossier=dossier).exists():
        raise DomainError("Hồ sơ đã được xin lỗi và hẹn lại một lần; quy định chỉ cho hẹn lại một lần.")
    now = timezone.now()
    calendar = current_calendar()
    assert dossier.due_at is not None
    if calendar.working_time_between(now, dossier.due_at) < calendar.day_length * APOLOGY_NOTICE_DAYS:
        raise DomainError(
            "Phiếu xin lỗi phải gửi chậm nhất 01 ngày làm việc trước hạn trả kết quả "
            f"({timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y})."
        )
    if new_due_at <= dossier.due_at:
        raise DomainError("Ngày hẹn mới phải sau hạn trả kết quả hiện tại.")
    with transaction.atomic():
        apology = Apology.objects.create(
            dossier=dossier,
            agency=step.agency,
            officer=officer,
            created_at=now,
            reason=reason,
            previous_due_at=dossier.due_at,
            new_due_at=new_due_at,
        )
        transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus(dossier.status),
            action="apologised",
            expected_version=expected_version,
            note=f"Xin lỗi, hẹn lại ngày trả kết quả {timezone.localtime(new_due_at):%H:%M %d/%m/%Y}: {reason}",
            now=now,
            due_at=new_due_at,
        )
        notify(dossier=dossier, kind="apology")
    return apology


def stop(*, dossier: Dossier, officer: Any, reason: str, expected_version: int) -> Dossier:
    """Stop processing, with a notice to the applicant (NĐ 118/2025 adds the stop notice)."""
    agency = dossier.current_agency or dossier.receiving_agency
    if not (
        holds_role(officer, agency, *HEADS) or holds_role(officer, dossier.receiving_agency, Role.LEADER)
    ):
        raise ScopeDenied(f"Chỉ lãnh đạo {agency.name} mới dừng xử lý hồ sơ được.")
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise DomainError("Hãy nêu rõ lý do dừng xử lý (ít nhất 10 ký tự).")
    return _end(
        dossier=dossier,
        actor=officer,
        actor_agency=agency,
        to_status=DossierStatus.STOPPED,
        action="stopped",
        reason=reason,
        note=f"Dừng xử lý: {reason}",
        expected_version=expected_version,
    )


def withdraw(*, dossier: Dossier, applicant: Any, reason: str, expected_version: int) -> Dossier:
    """The applicant takes the dossier back, at any time before the result is ready."""
    if dossier.applicant_id is None or dossier.applicant_id != getattr(applicant, "pk", None):
        raise ScopeDenied("Chỉ người nộp mới rút được hồ sơ của mình.")
    reason = " ".join(reason.split()) or "Công dân rút hồ sơ."
    return _end(
        dossier=dossier,
        actor=applicant,
        actor_agency=None,
        to_status=DossierStatus.WITHDRAWN,
        action="withdrawn",
        reason=reason,
        note=f"Rút hồ sơ: {reason}",
        expected_version=expected_version,
    )


def _end(
    *,
    dossier: Dossier,
    actor: Any,
    actor_agency: Agency | None,
    to_status: DossierStatus,
    action: str,
    reason: str,
    note: str,
    expected_version: int,
) -> Dossier:
    """Stop or withdrawal: close the open step, record why, tell the applicant."""
    now = timezone.now()
    with transaction.atomic():
        step = dossier.current_step
        if step is not None and step.finished_at is None:
            _finish(step, officer=actor if actor_agency is not None else None, now=now, note=note)
        dossier = transition(
            dossier=dossier,
            actor=actor,
            actor_agency=actor_agency,
            to_status=to_status,
            action=action,
            expected_version=expected_version,
            note=note,
            now=now,
            status_note=reason,
            current_role="",
            current_assignee=None,
        )
        notify(dossier=dossier, kind=action)
    return dossier


# --- Result ----------------------------------------------------------------------------------------------


RESULT_SOURCE = "dossiers.dossier"


def _approving_leader(dossier: Dossier, agency: Agency) -> User | None:
    """The leader who approved at the last approval step of the issuing agency, if any."""
    step = (
        DossierStep.objects.filter(
            dossier=dossier, kind=StepKind.APPROVE, agency=agency, finished_at__isnull=False
        )
        .select_related("finished_by")
        .order_by("-finished_at")
        .first()
    )
    return step.finished_by if step is not None else None


def _can_sign(leader: User | None, agency: Agency) -> bool:
    """Both signatures can be made: the leader and the agency have certificates on the platform."""
    from egov.signing.services import certificate_for

    if leader is None or not holds_role(leader, agency, Role.LEADER):
        return False
    try:
        certificate_for(leader, "personal")
        certificate_for(agency, "agency")
    except DomainError:
        return False
    return True


def issue_result(
    *,
    dossier: Dossier,
    officer: Any,
    expected_version: int,
    document_number: str,
    title: str = "",
    upload: Any = None,
) -> DossierResult | None:
    """The clerk enters the result in the register: an uploaded PDF, or one generated from the procedure's
    result template. When the approving leader and the agency have certificates, the document then waits for
    the leader's digital signature and the agency's (NĐ 30/2020), and is released by the clerk's signature
    (:func:`release_signed_result`); returns None. Otherwise it is released now, unsigned, and returned.
    Released, the dossier is “Đã xử lý xong” (9) and goes to the return step."""
    from egov.dossiers.pdf import result_pdf
    from egov.dossiers.uploads import detect_kind, display_name

    step = _current(dossier)
    if step.kind != StepKind.ISSUE:
        raise DomainError("Chỉ phát hành kết quả ở bước văn thư phát hành.")
    _ensure_on_step(officer, step)
    document_number = " ".join(document_number.split())
    if not document_number:
        raise DomainError("Hãy ghi số, ký hiệu văn bản kết quả.")
    title = " ".join(title.split()) or dossier.procedure_version.result[:300]
    now = timezone.now()
    leader = _approving_leader(dossier, step.agency)
    to_sign = _can_sign(leader, step.agency)
    if upload is not None:
        content = upload.read()
        if detect_kind(io.BytesIO(content)) != "pdf":
            raise DomainError("Tệp kết quả phải là PDF.")
        # Inspected whole like any upload: it is signed, then sent to the citizen.
        inspect_file(io.BytesIO(content), "pdf", display_name(getattr(upload, "name", "")))
        generated = False
    else:
        content = result_pdf(
            dossier, document_number=document_number, title=title, issued_at=now, signature_block=not to_sign
        )
        generated = True
    if to_sign:
        from egov.signing import services as signing

        with transaction.atomic():
            request = signing.request_signatures(
                agency=step.agency,
                pdf=content,
                title=title,
                number_notation=document_number,
                leader=leader,
                source_type=RESULT_SOURCE,
                source_id=str(dossier.pk),
                created_by=officer,
            )
            if not request.title.startswith(title[:50]) or request.number_notation != document_number:
                raise DomainError("Kết quả của hồ sơ này đang chờ ký số; không vào sổ lại.")
            transition(
                dossier=dossier,
                actor=officer,
                actor_agency=step.agency,
                to_status=DossierStatus(dossier.status),
                action="result_awaiting_signature",
                expected_version=expected_version,
                note=f"Vào sổ {document_number}: {title}. Chờ {leader.full_name if leader else 'lãnh đạo'} ký số, "
                "sau đó văn thư ký số cơ quan và phát hành.",
                now=now,
            )
        return None
    with transaction.atomic():
        return _release(
            dossier=dossier,
            step=step,
            officer=officer,
            content=content,
            document_number=document_number,
            title=title,
            generated=generated,
            now=now,
            expected_version=expected_version,
        )


def _release(
    *,
    dossier: Dossier,
    step: DossierStep,
    officer: Any,
    content: bytes,
    document_number: str,
    title: str,
    generated: bool,
    now: dt.datetime,
    expected_version: int,
    signed: bool = False,
) -> DossierResult:
    """Store the result and move the dossier to “Đã xử lý xong” and the return step (inside a transaction)."""
    result = DossierResult(
        dossier=dossier,
        document_number=document_number,
        title=title,
        sha256=hashlib.sha256(content).hexdigest(),
        generated=generated,
        issued_at=now,
        issued_by=officer,
    )
    result.file.save(f"ket-qua-{dossier.code}.pdf", ContentFile(content), save=False)
    try:
        result.save()
    except Exception:
        result.file.delete(save=False)
        raise
    _finish(
        step,
        officer=officer,
        now=now,
        note=f"Phát hành {document_number}" + (" (đã ký số)." if signed else "."),
    )
    following = _next_step(dossier, step)
    if following is not None:
        _enter(
            dossier=dossier,
            step=following,
            handed_by=officer,
            now=now,
            calendar=current_calendar(),
            from_agency=step.agency,
        )
    transition(
        dossier=dossier,
        actor=officer,
        actor_agency=step.agency,
        to_status=DossierStatus.DONE,
        action="result_issued",
        expected_version=expected_version,
        note=f"Đã có kết quả: {title} (số {document_number})" + (", đã ký số." if signed else "."),
        now=now,
        finished_at=now,
        verdict=classify(now, dossier.due_at),
    )
    notify(dossier=dossier, kind="done")
    return result


def release_signed_result(request: Any, signed_pdf: bytes) -> None:
    """Signing hook: the clerk's signature released the result; called inside the releasing transaction."""
    dossier = Dossier.objects.select_for_update().filter(pk=int(request.source_id)).first()
    if dossier is None or DossierResult.objects.filter(dossier=dossier).exists():
        return
    dossier = Dossier.objects.select_related("current_step__agency", "procedure_version").get(pk=dossier.pk)
    step = dossier.current_step
    if step is None or step.kind != StepKind.ISSUE:
        raise DomainError("Hồ sơ không ở bước phát hành kết quả.")
    record = request.signatures.order_by("-signed_at").first()
    clerk = record.actor if record is not None and record.actor is not None else request.created_by
    _release(
        dossier=dossier,
        step=step,
        officer=clerk,
        content=signed_pdf,
        document_number=request.number_notation,
        title=request.title,
        generated=True,
        now=timezone.now(),
        expected_version=dossier.version,
        signed=True,
    )


def pending_signature(dossier: Dossier) -> Any:
    """The open signature request of the dossier's result, if any."""
    from egov.signing.models import SignatureRequest
    from egov.signing.selectors import requests_for_source

    return (
        requests_for_source(RESULT_SOURCE, str(dossier.pk))
        .exclude(status__in=(SignatureRequest.Status.CANCELLED, SignatureRequest.Status.RELEASED))
        .first()
    )


def sign_result(*, dossier: Dossier, officer: Any, pin: str = "", expected_version: int) -> str:
    """The leader signs the result with their own certificate (PIN asked each time), or the clerk applies
    the agency's signature, which releases it. Returns the request's new status."""
    from egov.signing import services as signing

    request = pending_signature(dossier)
    if request is None:
        raise DomainError("Không có kết quả nào đang chờ ký số.")
    if dossier.version != expected_version:
        raise DomainError(STALE)
    signing.sign_request(request=request, actor=officer, pin=pin or None)
    request.refresh_from_db()
    return str(request.status)


def return_result(
    *, dossier: Dossier, officer: Any, expected_version: int, method: str, postal_tracking: str = ""
) -> Dossier:
    """The desk hands the result over (online download, at the desk, or by post) and records the date."""
    if dossier.status != DossierStatus.DONE:
        raise DomainError("Hồ sơ chưa có kết quả để trả.")
    ensure_role(officer, dossier.receiving_agency, Role.RECEIVING_OFFICER)
    if method not in ReturnMethod.values:
        raise DomainError("Hãy chọn hình thức trả kết quả.")
    if method == ReturnMethod.POST and not postal_tracking.strip():
        raise DomainError("Trả qua bưu chính: hãy ghi mã bưu gửi.")
    if method == ReturnMethod.ONLINE and dossier.applicant_id is None:
        raise DomainError("Hồ sơ nộp trực tiếp không có tài khoản để nhận kết quả trực tuyến.")
    now = timezone.now()
    with transaction.atomic():
        updated = DossierResult.objects.filter(dossier=dossier, returned_at__isnull=True).update(
            return_method=method,
            returned_at=now,
            returned_by=officer,
            postal_tracking=postal_tracking.strip(),
        )
        if not updated:
            raise DomainError(STALE)
        step = dossier.current_step
        if step is not None and step.finished_at is None:
            _finish(step, officer=officer, now=now)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.RETURNED,
            action="returned",
            expected_version=expected_version,
            note=f"Trả kết quả: {ReturnMethod(method).label}"
            + (f", mã bưu gửi {postal_tracking.strip()}" if postal_tracking.strip() else "")
            + ".",
            now=now,
            current_step=None,
            current_role="",
            current_assignee=None,
        )
        notify(dossier=dossier, kind="returned")
    return dossier


# --- The applicant completes the dossier online -----------------------------------------------------------


def supplement_online(
    *, dossier: Dossier, applicant: Any, uploads: dict[str, list[Any]], note: str = "", expected_version: int
) -> Dossier:
    """The applicant adds the papers asked for (one or more files per component) and the dossier goes back
    to the desk as “Mới đăng ký”; the desk checks it and receives it again. Files are checked like at
    submission; if anything fails nothing is kept."""
    from egov.dossiers.services import _discard, store_uploads

    if dossier.applicant_id is None or dossier.applicant_id != getattr(applicant, "pk", None):
        raise ScopeDenied("Chỉ người nộp mới bổ sung được hồ sơ của mình.")
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
        raise DomainError("Hồ sơ không ở trạng thái chờ bổ sung.")
    request = dossier.supplement_requests.filter(completed_at__isnull=True).order_by("-requested_at").first()
    if request is None:
        raise DomainError("Không có yêu cầu bổ sung nào đang chờ.")
    if not any(uploads.values()):
        raise DomainError("Hãy tải lên ít nhất một giấy tờ bổ sung.")
    stored: list[Any] = []
    now = timezone.now()
    try:
        try:
            store_uploads(
                owner=applicant,
                version=dossier.procedure_version,
                uploads=uploads,
                into=stored,
                used_bytes=sum(f.size for f in dossier.files.all()),
            )
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            for item in stored:
                item.dossier = dossier
            type(stored[0]).objects.bulk_create(stored)
            SupplementRequest.objects.filter(pk=request.pk).update(completed_at=now)
            names = ", ".join(i.original_name for i in stored)
            dossier = transition(
                dossier=dossier,
                actor=applicant,
                to_status=DossierStatus.NEW,
                action="supplemented",
                expected_version=expected_version,
                note=f"Công dân bổ sung: {names}." + (f" {' '.join(note.split())}" if note.strip() else ""),
                now=now,
                current_agency=dossier.receiving_agency,
                current_role=Role.RECEIVING_OFFICER,
            )
    except Exception:
        _discard(stored)
        raise
    return dossier
