"""Processing a received dossier (giải quyết): its steps through each agency's internal process, across
levels (liên thông), and back to the desk that received it.

Every function here is a service: keyword-only, one transaction that first takes the dossier
(:func:`egov.dossiers.lifecycle.lock`: two officers at once, one wins, the other gets a conflict before anything
is read or written), then checks the action's rule (:mod:`egov.onestop.rules`, the same the page and the API
use) on the locked row, changes the dossier through :func:`egov.dossiers.lifecycle.transition` (history) and
records each hand-over as a :class:`DossierStep` row — a row of the control sheet (form 05) with its early /
on-time / late verdict. Leaving a state cancels what hung on it (:func:`_cancel_what_hangs`).

Time rules (:mod:`egov.onestop.decree61`, applied by :mod:`egov.onestop.time_rules`), all in working time
from the calendar:
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

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from egov.accounts.models import StaffAssignment, User
from egov.accounts.roles import Role
from egov.accounts.scopes import holds_role
from egov.agencies.models import Agency
from egov.core.errors import DomainError, ScopeDenied
from egov.core.inspection import inspect_file
from egov.dossiers.lifecycle import IN_PROCESS, lock, on_leave, transition
from egov.dossiers.models import (
    Apology,
    Consultation,
    Dossier,
    DossierEvent,
    DossierResult,
    DossierStep,
    NotificationKind,
    ReturnMethod,
    StepKind,
    SupplementRequest,
)
from egov.dossiers.services import notify
from egov.dossiers.statuses import DossierStatus
from egov.dossiers.uploads import detect_kind, display_name
from egov.onestop import notices, processes, result_forms, rules, time_rules
from egov.onestop.forms.pdf import result_pdf
from egov.onestop.results import RESULT_SOURCE, pending_signature
from egov.onestop.rules import HEADS
from egov.onestop.time_rules import classify
from egov.signing import services as signing_services
from egov.signing.models import Purpose
from egov.worktime.calendar import WorkingCalendar, current_calendar

# The most a fee or tax asked of an applicant can be (one thousand billion đồng): beyond it, a typing error.
MAX_AMOUNT = 10**12


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
    notices.tell_consulted(
        _consult(
            dossier=dossier, step=first, agency=agency, question="", by=officer, now=now, due=first.due_at
        )
        for agency in planned[0].consult
    )
    return first


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
    start = time_rules.step_start(
        now,
        channel=dossier.channel,
        from_agency_id=from_agency.pk if from_agency is not None else None,
        to_agency_id=step.agency_id,
        calendar=calendar,
    )
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


def _take(dossier: Dossier, expected_version: int, action: str, officer: Any) -> tuple[Dossier, DossierStep]:
    """Lock the dossier, check the action's rule on the fresh row, and return it with its current step."""
    dossier = lock(dossier, expected_version)
    rules.require(action, officer, dossier)
    step = dossier.current_step
    if step is None:
        raise DomainError("Hồ sơ không ở bước xử lý nào (chưa tiếp nhận hoặc đã kết thúc).")
    return dossier, step


def _ensure_holder(user: User | None, agency: Agency, role: str) -> None:
    """The person chosen must hold the role there; the message never names them (an officer could otherwise
    learn any account's name by trying ids)."""
    if user is None:
        return
    if not StaffAssignment.objects.filter(user=user, agency=agency, role=role).exists():
        raise DomainError(
            f"Người được chọn không phải {Role(role).label.lower()} của {agency.name}: hãy chọn trong danh sách."
        )


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
    now = timezone.now()
    calendar = current_calendar()
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "forward", officer)
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
            note=f"{step.name}: xong. {handed}." + (f" Ghi chú: {note}" if note else ""),
            public_note=f"Hồ sơ đang được xử lý tại {following.agency.name}."
            if following.agency_id != step.agency_id
            else "",
            now=now,
        )
    return dossier


def send_back(*, dossier: Dossier, officer: Any, expected_version: int, reason: str) -> Dossier:
    """Return the dossier one step, with the reason; it goes back to whoever did that step."""
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise DomainError("Hãy ghi lý do trả lại bước trước.")
    now = timezone.now()
    calendar = current_calendar()
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "send_back", officer)
        previous = (
            DossierStep.objects.filter(dossier=dossier, position=step.position - 1).order_by("-round").first()
        )
        if previous is None:
            raise DomainError("Đây là bước đầu tiên, không có bước trước để trả lại.")
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
            note=f"Trả lại bước “{previous.name}”: {reason}",
            now=now,
        )
    return dossier


def reassign(*, dossier: Dossier, officer: Any, expected_version: int, assignee: User) -> Dossier:
    """Give the current step to another holder of its role in the same agency."""
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "reassign", officer)
        _ensure_holder(assignee, step.agency, step.role)
        DossierStep.objects.filter(pk=step.pk).update(assignee=assignee)
        Dossier.objects.filter(pk=dossier.pk).update(current_assignee=assignee)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus(dossier.status),
            action="reassigned",
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
    """Ask other agencies, in parallel, each with a deadline in working days; the step waits for them all.
    Each consulted agency finds the dossier in its worklist and is told by e-mail."""
    question = " ".join(question.split())
    if not agencies:
        raise DomainError("Hãy chọn ít nhất một cơ quan phối hợp.")
    if not question:
        raise DomainError("Hãy ghi nội dung cần lấy ý kiến.")
    if not 0 < days <= 30:
        raise DomainError("Thời hạn trả lời phải từ 0,5 đến 30 ngày làm việc.")
    now = timezone.now()
    due = current_calendar().add_working_days(now, days)
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "consult", officer)
        if any(a.pk == step.agency_id for a in agencies):
            raise DomainError("Không lấy ý kiến chính cơ quan đang xử lý.")
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
            note="Lấy ý kiến " + ", ".join(a.name for a in agencies) + f": {question}",
            now=now,
        )
        notices.tell_consulted(made)
    return made


def answer_consultation(
    *, consultation: Consultation, officer: Any, answer: str, agrees: bool
) -> Consultation:
    """The consulted agency answers, once, while the dossier is still being processed."""
    answer = " ".join(answer.split())
    if not answer:
        raise DomainError("Hãy ghi ý kiến trả lời.")
    now = timezone.now()
    with transaction.atomic():
        # The consultation row is this action's lock: a second answer waits, then finds it answered.
        locked = (
            Consultation.objects.select_for_update()
            .select_related("agency", "dossier")
            .get(pk=consultation.pk)
        )
        dossier = Dossier.objects.select_related("receiving_agency").get(pk=locked.dossier_id)
        rules.require("answer", officer, dossier)
        if not holds_role(officer, locked.agency, *rules.ANSWERING_ROLES):
            raise ScopeDenied(f"Chỉ cán bộ của {locked.agency.name} mới trả lời yêu cầu này.")
        updated = Consultation.objects.filter(
            pk=locked.pk, answered_at__isnull=True, cancelled_at__isnull=True
        ).update(
            answered_at=now,
            answered_by=officer,
            answer=answer,
            agrees=agrees,
            verdict=classify(now, locked.due_at),
        )
        if not updated:
            raise DomainError("Cơ quan đã trả lời yêu cầu này rồi, hoặc yêu cầu đã bị hủy.")
        DossierEvent.objects.create(
            dossier=dossier,
            at=now,
            actor=officer,
            actor_agency=locked.agency,
            action="consultation_answered",
            from_status=dossier.status,
            to_status=dossier.status,
            note=f"{locked.agency.name} {'thống nhất' if agrees else 'không thống nhất'}: {answer}",
        )
    locked.refresh_from_db()
    return locked


# --- Waiting for the applicant ------------------------------------------------------------------------------


def request_supplement_in_processing(
    *, dossier: Dossier, officer: Any, items: list[dict[str, str]], expected_version: int
) -> SupplementRequest:
    """During appraisal, once and within 3 working days of receipt: ask for everything missing at once
    (form 02). The time limit restarts from zero when the desk receives the completed dossier."""
    cleaned = clean_items(items)
    now = timezone.now()
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "supplement_in_processing", officer)
        _finish(step, officer=officer, now=now, note="Yêu cầu bổ sung hồ sơ.")
        request = SupplementRequest.objects.create(
            dossier=dossier, requested_at=now, officer=officer, items=cleaned, resume_position=step.position
        )
        Dossier.objects.filter(pk=dossier.pk).update(
            current_step=None, current_agency=dossier.receiving_agency, current_role="", current_assignee=None
        )
        dossier.current_step = None
        listing = listed(cleaned)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus.SUPPLEMENT_REQUESTED,
            action="supplement_requested",
            note=f"Yêu cầu bổ sung: {listing}",
            public_note=f"Cần bổ sung: {listing}",
            now=now,
            due_at=None,
        )
        notify(dossier=dossier, kind=NotificationKind.SUPPLEMENT_REQUESTED, occasion=request.pk)
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
    if isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise DomainError("Số tiền phải lớn hơn 0 và không quá 1.000.000.000.000 đồng.")
    now = timezone.now()
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "payment", officer)
        amount_text = f"{amount:,} đồng".replace(",", ".")
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus.AWAITING_PAYMENT,
            action="payment_requested",
            note=f"Yêu cầu thực hiện nghĩa vụ tài chính: {amount_text}.",
            public_note=f"Cần thực hiện nghĩa vụ tài chính: {amount_text}.",
            now=now,
            clock_paused_at=now,
        )
        notify(dossier=dossier, kind=NotificationKind.PAYMENT_REQUESTED, occasion=dossier.version)
    return dossier


def payment_received(*, dossier: Dossier, officer: Any, expected_version: int) -> Dossier:
    """Paid: the clock resumes with the working time that was left, for the dossier and its step."""
    now = timezone.now()
    calendar = current_calendar()
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "paid", officer)
        paused = dossier.clock_paused_at
        if paused is None:
            raise DomainError("Hồ sơ không chờ thực hiện nghĩa vụ tài chính.")

        def resumed(due: dt.datetime | None) -> dt.datetime | None:
            return (
                None
                if due is None
                else calendar.add_working_time(now, calendar.working_time_between(paused, due))
            )

        DossierStep.objects.filter(pk=step.pk).update(due_at=resumed(step.due_at))
        new_due = resumed(dossier.due_at)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus.PROCESSING,
            action="payment_received",
            note="Đã thực hiện nghĩa vụ tài chính; tiếp tục tính thời gian giải quyết.",
            public_note="Đã ghi nhận nghĩa vụ tài chính"
            + (f"; hẹn trả kết quả: {timezone.localtime(new_due):%H:%M ngày %d/%m/%Y}." if new_due else "."),
            now=now,
            clock_paused_at=None,
            due_at=new_due,
        )
    return dossier


# --- Late, stopped, withdrawn ------------------------------------------------------------------------------


def apologise(
    *, dossier: Dossier, officer: Any, reason: str, new_due_at: dt.datetime, expected_version: int
) -> Apology:
    """Form 04: the agency holding the dossier apologises and sets a new date — once, and no later than one
    working day before the deadline."""
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise DomainError("Hãy nêu rõ lý do chậm trễ (ít nhất 10 ký tự).")
    now = timezone.now()
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "apologise", officer)
        assert dossier.due_at is not None
        if new_due_at <= dossier.due_at:
            raise DomainError("Ngày hẹn mới phải sau hạn trả kết quả hiện tại.")
        apology = Apology.objects.create(
            dossier=dossier,
            agency=step.agency,
            officer=officer,
            created_at=now,
            reason=reason,
            previous_due_at=dossier.due_at,
            new_due_at=new_due_at,
        )
        when = f"{timezone.localtime(new_due_at):%H:%M %d/%m/%Y}"
        transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus(dossier.status),
            action="apologised",
            note=f"Xin lỗi, hẹn lại ngày trả kết quả {when}: {reason}",
            public_note=f"{step.agency.name} xin lỗi vì chậm trả kết quả, hẹn lại: {when}. Lý do: {reason}",
            now=now,
            due_at=new_due_at,
        )
        notify(dossier=dossier, kind=NotificationKind.APOLOGY)
    return apology


def stop(*, dossier: Dossier, officer: Any, reason: str, expected_version: int) -> Dossier:
    """Stop processing, with a notice to the applicant (NĐ 118/2025 adds the stop notice)."""
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise DomainError("Hãy nêu rõ lý do dừng xử lý (ít nhất 10 ký tự).")
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        rules.require("stop", officer, dossier)
        agency = dossier.current_step.agency if dossier.current_step else dossier.receiving_agency
        if not holds_role(officer, agency, *HEADS):
            agency = dossier.receiving_agency
        return _end(
            dossier=dossier,
            actor=officer,
            actor_agency=agency,
            to_status=DossierStatus.STOPPED,
            action="stopped",
            notice=NotificationKind.STOPPED,
            reason=reason,
            note=f"Dừng xử lý: {reason}",
        )


def _end(
    *,
    dossier: Dossier,
    actor: Any,
    actor_agency: Agency | None,
    to_status: DossierStatus,
    action: str,
    notice: NotificationKind,
    reason: str,
    note: str,
) -> Dossier:
    """Stop or withdrawal of a locked dossier: record why and tell the applicant; what hung on the state it
    leaves (the open step, consultations, a result waiting for signature) is cancelled by the leave hook."""
    dossier = transition(
        dossier=dossier,
        actor=actor,
        actor_agency=actor_agency,
        to_status=to_status,
        action=action,
        note=note,
        public_note=note,
        status_note=reason,
        current_role="",
        current_assignee=None,
    )
    notify(dossier=dossier, kind=notice)
    return dossier


# --- Result ----------------------------------------------------------------------------------------------


def _approving_leader(dossier: Dossier, agency: Agency) -> User | None:
    """The leader who approved at the last approval step of the issuing agency (or of the agency it succeeded
    in a reorganisation: the approval carries over with the dossier), if any."""
    step = (
        DossierStep.objects.filter(
            Q(agency=agency) | Q(agency__successor_links__successor=agency),
            dossier=dossier,
            kind=StepKind.APPROVE,
            finished_at__isnull=False,
        )
        .select_related("finished_by")
        .order_by("-finished_at")
        .first()
    )
    return step.finished_by if step is not None else None


def _can_sign(leader: User | None, agency: Agency) -> bool:
    """Both signatures can be made: the leader and the agency have certificates on the platform."""
    if leader is None or not holds_role(leader, agency, Role.LEADER):
        return False
    return signing_services.can_sign(leader, "personal") and signing_services.can_sign(agency, "agency")


def issue_result(
    *,
    dossier: Dossier,
    officer: Any,
    expected_version: int,
    document_number: str,
    title: str = "",
    upload: Any = None,
    issue_values: dict[str, str] | None = None,
) -> DossierResult | None:
    """The clerk enters the result in the register: an uploaded PDF, or one generated from the procedure's
    result template. When the approving leader and the agency can sign (valid certificates on the platform),
    the document then waits for the leader's digital signature and the agency's (NĐ 30/2020), and is released
    by the clerk's signature (:func:`release_signed_result`); returns None. Otherwise it is released now,
    unsigned, and returned. Released, the dossier is “Đã xử lý xong” (9) and goes to the return step.
    ``issue_values``: what the result's official form asks of the officer (its ``issue_fields``)."""
    document_number = " ".join(document_number.split())
    if not document_number:
        raise DomainError("Hãy ghi số, ký hiệu văn bản kết quả.")
    # The register's columns (DossierResult): longer text is a mistake, and PostgreSQL would refuse it.
    if len(document_number) > 60:
        raise DomainError("Số, ký hiệu văn bản kết quả dài tối đa 60 ký tự.")
    if len(" ".join(title.split())) > 300:
        raise DomainError("Trích yếu văn bản kết quả dài tối đa 300 ký tự.")
    filled = result_forms.clean_issue_values(
        dossier.procedure_version.procedure.national_code, issue_values or {}
    )
    content = upload.read() if upload is not None else None
    if content is not None:
        if detect_kind(io.BytesIO(content)) != "pdf":
            raise DomainError("Tệp kết quả phải là PDF.")
        # Inspected whole like any upload: it is signed, then sent to the citizen.
        inspect_file(io.BytesIO(content), "pdf", display_name(getattr(upload, "name", "")))
    now = timezone.now()
    with transaction.atomic():
        dossier, step = _take(dossier, expected_version, "issue", officer)
        title = " ".join(title.split()) or dossier.procedure_version.result[:300]
        leader = _approving_leader(dossier, step.agency)
        to_sign = _can_sign(leader, step.agency)
        generated = content is None
        if content is None:
            content = result_pdf(
                dossier,
                document_number=document_number,
                title=title,
                issued_at=now,
                signature_block=not to_sign,
                issue_values=filled,
            )
        if not to_sign:
            return _release(
                dossier=dossier,
                step=step,
                officer=officer,
                content=content,
                document_number=document_number,
                title=title,
                generated=generated,
                now=now,
            )
        request = signing_services.request_signatures(
            agency=step.agency,
            pdf=content,
            title=title,
            number_notation=document_number,
            leader=leader,
            source_type=RESULT_SOURCE,
            source_id=str(dossier.pk),
            created_by=officer,
        )
        transition(
            dossier=dossier,
            actor=officer,
            actor_agency=step.agency,
            to_status=DossierStatus(dossier.status),
            action="result_awaiting_signature",
            note=f"Vào sổ {document_number}: {title}. Chờ {leader.full_name if leader else 'lãnh đạo'} ký số, "
            "sau đó văn thư ký số cơ quan và phát hành.",
            now=now,
        )
        notices.tell_signers(request=request, dossier=dossier)
    return None


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
    signed: bool = False,
) -> DossierResult:
    """Store the result of a locked dossier and move it to “Đã xử lý xong” and the return step (inside the
    caller's transaction; the file is written last, so a refusal above leaves no file behind)."""
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
        note=f"Đã có kết quả: {title} (số {document_number})" + (", đã ký số." if signed else "."),
        public_note=f"Đã có kết quả: {title} (số {document_number}).",
        now=now,
        finished_at=now,
        verdict=classify(now, dossier.due_at),
    )
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
    notify(dossier=dossier, kind=NotificationKind.DONE)
    return result


def release_signed_result(request: Any, signed_pdf: bytes) -> None:
    """Signing hook: the clerk's signature released the result; called inside the releasing transaction, so
    the signature and the release commit together or not at all."""
    found = Dossier.objects.filter(pk=int(request.source_id)).values_list("version", flat=True).first()
    if found is None:
        raise DomainError("Không còn hồ sơ của văn bản này.")
    dossier = lock(Dossier(pk=int(request.source_id)), found)
    if DossierResult.objects.filter(dossier=dossier).exists():
        return
    step = dossier.current_step
    if step is None or step.kind != StepKind.ISSUE or dossier.status not in IN_PROCESS:
        raise DomainError(
            f"Hồ sơ {dossier.code} không còn ở bước phát hành kết quả "
            f"(đang “{dossier.get_status_display()}”): không phát hành được."
        )
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
        signed=True,
    )


def record_result_signature(request: Any, record: Any) -> None:
    """Signing hook: each signature on a dossier's result — the leader's approval, the clerk's seal — is an event
    of the dossier's history (who, when, with which certificate), for officers only: the applicant sees the
    release that follows the seal. After the leader's, the agency's clerks are asked to seal. Called inside the
    signature's transaction, the dossier's row locked by :func:`lock_dossier_before_signing`."""
    dossier = Dossier.objects.select_related("receiving_agency").filter(pk=int(request.source_id)).first()
    if dossier is None:
        return
    signer = record.actor
    name = signer.full_name if signer is not None else "?"
    number = f" số {request.number_notation}" if request.number_notation else ""
    if record.purpose == Purpose.PERSONAL:
        action = "result_signed"
        note = f"{name} ký số phê duyệt kết quả{number} ({request.title}); chờ văn thư ký số cơ quan và phát hành."
    else:
        action = "result_sealed"
        note = f"{name} ký số {request.agency.name} lên kết quả{number} ({request.title})."
    transition(
        dossier=dossier,
        actor=signer,
        actor_agency=request.agency,
        to_status=DossierStatus(dossier.status),
        action=action,
        note=note,
        now=record.signed_at,
    )
    notices.tell_signers(request=request, dossier=dossier)


def sign_result(*, dossier: Dossier, officer: Any, pin: str = "", expected_version: int) -> str:
    """The leader signs the result with their own certificate (PIN asked each time), or the clerk applies
    the agency's signature, which releases it. Returns the request's new status."""
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        rules.require("sign", officer, dossier)
        request = pending_signature(dossier)
        assert request is not None
        signing_services.sign_request(request=request, actor=officer, pin=pin or None)
        request.refresh_from_db()
    return str(request.status)


def return_result(
    *, dossier: Dossier, officer: Any, expected_version: int, method: str, postal_tracking: str = ""
) -> Dossier:
    """The desk hands the result over (online download, at the desk, or by post) and records the date."""
    if method not in ReturnMethod.values:
        raise DomainError("Hãy chọn hình thức trả kết quả.")
    postal_tracking = " ".join(postal_tracking.split())[:60]
    if method == ReturnMethod.POST and not postal_tracking:
        raise DomainError("Trả qua bưu chính: hãy ghi mã bưu gửi.")
    now = timezone.now()
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        rules.require("return", officer, dossier)
        if method == ReturnMethod.ONLINE and dossier.applicant_id is None:
            raise DomainError("Hồ sơ nộp trực tiếp không có tài khoản để nhận kết quả trực tuyến.")
        updated = DossierResult.objects.filter(dossier=dossier, returned_at__isnull=True).update(
            return_method=method,
            returned_at=now,
            returned_by=officer,
            postal_tracking=postal_tracking,
        )
        if not updated:
            raise DomainError("Hồ sơ chưa có kết quả để trả, hoặc kết quả đã được trả.")
        step = dossier.current_step
        if step is not None and step.finished_at is None:
            _finish(step, officer=officer, now=now)
        label = ReturnMethod(method).label
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.RETURNED,
            action="returned",
            note=f"Trả kết quả: {label}"
            + (f", mã bưu gửi {postal_tracking}" if postal_tracking else "")
            + ".",
            public_note=f"Đã trả kết quả: {label}"
            + (f", mã bưu gửi {postal_tracking}" if postal_tracking else "")
            + ".",
            now=now,
            current_step=None,
            current_role="",
            current_assignee=None,
        )
        notify(dossier=dossier, kind=NotificationKind.RETURNED)
    return dossier


# --- The applicant completes the dossier online -----------------------------------------------------------


@on_leave
def _cancel_what_hangs(
    *, dossier: Dossier, from_status: str, to_status: str, actor: Any, now: dt.datetime
) -> None:
    """Leaving processing for good (refused, stopped, withdrawn): the open step is closed, consultations still
    waiting are cancelled, and a result waiting for signatures can no longer be signed. With the result issued
    (done), a question still open (asked at a step sent back since) is cancelled too: nobody waits for it."""
    if to_status == DossierStatus.DONE:
        _cancel_consultations(dossier, now)
        return
    if to_status not in (DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.WITHDRAWN):
        return
    # The applicant withdrawing does not finish an agency's step; an officer stopping it does.
    officer = actor if getattr(actor, "pk", None) and actor.pk != dossier.applicant_id else None
    step = dossier.current_step
    if step is not None and step.finished_at is None:
        _finish(
            step, officer=officer, now=now, note=f"Kết thúc: hồ sơ {DossierStatus(to_status).label.lower()}."
        )
    _cancel_consultations(dossier, now)
    signing_services.cancel_requests_for_source(
        source_type=RESULT_SOURCE,
        source_id=str(dossier.pk),
        reason=f"Hồ sơ {dossier.code}: {DossierStatus(to_status).label.lower()}.",
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _cancel_consultations(dossier: Dossier, now: dt.datetime) -> None:
    Consultation.objects.filter(dossier=dossier, answered_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )


def listed(items: list[dict[str, str]]) -> str:
    """The missing papers in one line, as the history and the applicant read them: “A (why); B (why)”."""
    return "; ".join(f"{i['name']} ({i['reason']})" for i in items)


def clean_items(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """The list of missing papers, each with its reason: all of them in one go (form 02)."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DomainError("Danh sách giấy tờ cần bổ sung không hợp lệ.")
    cleaned = [
        {
            "name": " ".join(str(i.get("name", "")).split())[:300],
            "reason": " ".join(str(i.get("reason", "")).split())[:500],
        }
        for i in items
    ]
    cleaned = [i for i in cleaned if i["name"] or i["reason"]]
    if not cleaned:
        raise DomainError("Hãy nêu ít nhất một giấy tờ cần bổ sung.")
    if any(not i["name"] or not i["reason"] for i in cleaned):
        raise DomainError("Mỗi giấy tờ cần bổ sung phải có tên và lý do.")
    return cleaned


def lock_dossier_before_signing(request: Any) -> None:
    """Signing hook: a signature on a dossier's result (from the dossier page or the leader's batch page) takes
    the dossier's row first, as a withdrawal or a stop does, so the two never deadlock; a dossier no longer at
    its issue step refuses the signature."""
    dossier = Dossier.objects.select_for_update().filter(pk=int(request.source_id)).first()
    if dossier is None:  # nothing to lock; the release hook says what is missing
        return
    if dossier.status not in IN_PROCESS:
        raise DomainError(
            f"Hồ sơ {dossier.code} đang “{dossier.get_status_display()}”: không ký kết quả của hồ sơ này được nữa."
        )
