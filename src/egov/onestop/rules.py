"""One rule per officer action on a dossier, used by the page (which buttons show), the API (403 or 400
before anything is done) and the service (checked again on the locked row, inside its transaction).

A rule is a list of requirements, each a django-rules predicate ``(user, dossier)`` with the Vietnamese
sentence that explains a refusal. A requirement about who the officer is (their role, their agency, their own
dossier) refuses with :class:`~egov.core.errors.ScopeDenied` (403); one about the dossier's state with
:class:`~egov.core.errors.DomainError` (400). Each rule is also a Django permission
(``user.has_perm("dossiers.forward", dossier)``) through ``rules.permissions.ObjectPermissionBackend``.

Facts that need the database (open consultations, the next step, the pending signature, an apology) are
read once per dossier object and kept on it, so a page that asks every rule makes a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import rules
from django.utils import timezone

from egov.accounts.roles import Role
from egov.accounts.scopes import holds_role
from egov.core.errors import DomainError, ScopeDenied
from egov.dossiers.lifecycle import IN_PROCESS
from egov.dossiers.models import Apology, Consultation, Dossier, DossierStep, StepKind, SupplementRequest
from egov.dossiers.statuses import DossierStatus
from egov.onestop import decree61, time_rules
from egov.onestop.results import pending_signature
from egov.signing import selectors as signing_selectors
from egov.worktime.calendar import current_calendar

# Who may act on a step besides the role it names: the heads of the agency holding it.
HEADS = (Role.LEADER, Role.DEPARTMENT_HEAD)
# Who answers a consulted agency's questions (and finds them in the “Chờ cho ý kiến” tab, and is told of them).
ANSWERING_ROLES = (Role.SPECIALIST, *HEADS)
# While the dossier is in one of these, a consulted agency may answer; after it (a result, a stop, a
# withdrawal) the question is moot.
ANSWERABLE_STATUSES = (*IN_PROCESS, DossierStatus.AWAITING_PAYMENT)
_FACTS = "_rule_facts"


class Facts:
    """What the rules need to know about one dossier beyond its row, each read at most once."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier

    @cached_property
    def calendar(self) -> Any:
        """The working calendar, read once for all the rules that count working time."""
        return current_calendar()

    def _prefetched(self, name: str) -> list[Any] | None:
        cache = getattr(self.dossier, "_prefetched_objects_cache", {})
        return list(cache[name]) if name in cache else None

    @cached_property
    def open_consultations(self) -> list[Consultation]:
        prefetched = self._prefetched("consultations")
        if prefetched is not None:
            return [c for c in prefetched if c.answered_at is None and c.cancelled_at is None]
        return list(
            Consultation.objects.filter(
                dossier=self.dossier, answered_at__isnull=True, cancelled_at__isnull=True
            ).select_related("agency")
        )

    @cached_property
    def waiting_on_step(self) -> list[Consultation]:
        step_id = self.dossier.current_step_id
        return [c for c in self.open_consultations if c.step_id == step_id]

    @cached_property
    def next_step(self) -> DossierStep | None:
        step = self.dossier.current_step
        if step is None:
            return None
        prefetched = self._prefetched("steps")
        if prefetched is not None:
            following = [s for s in prefetched if s.position == step.position + 1]
            return max(following, key=lambda s: (s.round, s.pk)) if following else None
        return (
            DossierStep.objects.filter(dossier=self.dossier, position=step.position + 1)
            .select_related("agency")
            .order_by("-round")
            .first()
        )

    @cached_property
    def pending_signature(self) -> Any:
        step = self.dossier.current_step
        if step is None or step.kind != StepKind.ISSUE or self.dossier.status not in IN_PROCESS:
            return None
        return pending_signature(self.dossier)

    @cached_property
    def has_apology(self) -> bool:
        cached = self.dossier._state.fields_cache
        if "apology" in cached:  # read in the dossier's own row (select_related)
            return cached["apology"] is not None
        return Apology.objects.filter(dossier=self.dossier).exists()

    @cached_property
    def supplements_after_receipt(self) -> int:
        prefetched = self._prefetched("supplement_requests")
        if prefetched is not None:
            return sum(1 for r in prefetched if r.resume_position is not None)
        return SupplementRequest.objects.filter(dossier=self.dossier, resume_position__isnull=False).count()


def facts(dossier: Dossier) -> Facts:
    found = getattr(dossier, _FACTS, None)
    if found is None:
        found = Facts(dossier)
        setattr(dossier, _FACTS, found)
    return found


def forget_facts(dossier: Dossier) -> None:
    if hasattr(dossier, _FACTS):
        delattr(dossier, _FACTS)


# --- Predicates ----------------------------------------------------------------------------------------------


def status_in(*statuses: str) -> rules.Predicate:
    return rules.predicate(lambda user, dossier: dossier.status in statuses, name=f"status_in{statuses}")


@rules.predicate
def not_own_dossier(user: Any, dossier: Dossier) -> bool:
    return dossier.applicant_id is None or dossier.applicant_id != user.pk


@rules.predicate
def at_desk(user: Any, dossier: Dossier) -> bool:
    return holds_role(user, dossier.receiving_agency, Role.RECEIVING_OFFICER)


@rules.predicate
def has_step(user: Any, dossier: Dossier) -> bool:
    return dossier.current_step is not None and dossier.status in (
        *IN_PROCESS,
        DossierStatus.AWAITING_PAYMENT,
    )


@rules.predicate
def holds_step_role(user: Any, dossier: Dossier) -> bool:
    step = dossier.current_step
    return step is not None and holds_role(user, step.agency, step.role, *HEADS)


@rules.predicate
def step_is_theirs(user: Any, dossier: Dossier) -> bool:
    """Nobody was assigned, or the officer was, or they head the agency holding the step."""
    step = dossier.current_step
    return step is not None and (
        not step.assignee_id or step.assignee_id == user.pk or holds_role(user, step.agency, *HEADS)
    )


@rules.predicate
def heads_step_agency(user: Any, dossier: Dossier) -> bool:
    step = dossier.current_step
    return step is not None and holds_role(user, step.agency, *HEADS)


def step_kind_not(*kinds: str) -> rules.Predicate:
    return rules.predicate(
        lambda user, dossier: dossier.current_step is not None and dossier.current_step.kind not in kinds,
        name=f"step_kind_not{kinds}",
    )


@rules.predicate
def at_issue_step(user: Any, dossier: Dossier) -> bool:
    return dossier.current_step is not None and dossier.current_step.kind == StepKind.ISSUE


@rules.predicate
def nothing_to_wait_for(user: Any, dossier: Dossier) -> bool:
    return not facts(dossier).waiting_on_step


@rules.predicate
def has_next_step(user: Any, dossier: Dossier) -> bool:
    return facts(dossier).next_step is not None


@rules.predicate
def has_previous_step(user: Any, dossier: Dossier) -> bool:
    return dossier.current_step is not None and dossier.current_step.position > 1


@rules.predicate
def within_supplement_window(user: Any, dossier: Dossier) -> bool:
    if dossier.received_at is None:
        return False
    calendar = facts(dossier).calendar
    elapsed = calendar.working_time_between(dossier.received_at, timezone.now())
    return elapsed <= calendar.day_length * decree61.SUPPLEMENT_WINDOW_DAYS


@rules.predicate
def no_supplement_yet(user: Any, dossier: Dossier) -> bool:
    return facts(dossier).supplements_after_receipt < decree61.SUPPLEMENTS_AFTER_RECEIPT


@rules.predicate
def no_apology_yet(user: Any, dossier: Dossier) -> bool:
    return not facts(dossier).has_apology


@rules.predicate
def a_day_before_due(user: Any, dossier: Dossier) -> bool:
    if dossier.due_at is None:
        return False
    return time_rules.apology_in_time(timezone.now(), dossier.due_at, facts(dossier).calendar)


@rules.predicate
def no_pending_signature(user: Any, dossier: Dossier) -> bool:
    return facts(dossier).pending_signature is None


@rules.predicate
def may_sign_pending(user: Any, dossier: Dossier) -> bool:
    """The signing app's own rule: the leader named (or any leader) who has not signed yet, then the clerk."""
    pending = facts(dossier).pending_signature
    return pending is not None and signing_selectors.awaits_signature_from(pending, user)


@rules.predicate
def has_pending_signature(user: Any, dossier: Dossier) -> bool:
    return facts(dossier).pending_signature is not None


@rules.predicate
def may_stop(user: Any, dossier: Dossier) -> bool:
    """The heads of the agency holding the dossier, or the leader of the agency that received it."""
    holder = dossier.current_step.agency if dossier.current_step is not None else dossier.current_agency
    return (holder is not None and holds_role(user, holder, *HEADS)) or holds_role(
        user, dossier.receiving_agency, Role.LEADER
    )


@rules.predicate
def answers_a_consultation(user: Any, dossier: Dossier) -> bool:
    return bool(answerable_consultations(user, dossier))


def answerable_consultations(user: Any, dossier: Dossier) -> list[Consultation]:
    """The questions still open on the dossier that this officer may answer: addressed to an agency where they
    hold an answering role, while the dossier is being processed."""
    if dossier.status not in ANSWERABLE_STATUSES:
        return []
    return [c for c in facts(dossier).open_consultations if holds_role(user, c.agency, *ANSWERING_ROLES)]


# --- Rules ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    test: rules.Predicate
    message: str | Callable[[Any, Dossier], str]
    forbidden: bool = False  # about who acts (403), not about the dossier's state (400)

    def explain(self, user: Any, dossier: Dossier) -> str:
        return self.message(user, dossier) if callable(self.message) else self.message


def _step_role(user: Any, dossier: Dossier) -> str:
    step = dossier.current_step
    if step is None:
        return "Hồ sơ không ở bước xử lý nào."
    return f"Bước “{step.name}” dành cho {Role(step.role).label.lower()} của {step.agency.name}."


def _desk(user: Any, dossier: Dossier) -> str:
    return f"Thao tác này chỉ dành cho cán bộ một cửa của {dossier.receiving_agency.name}."


def _not_status(user: Any, dossier: Dossier) -> str:
    return f"Hồ sơ đang “{dossier.get_status_display()}”: không thực hiện được thao tác này."


def _waiting(user: Any, dossier: Dossier) -> str:
    return "Còn chờ ý kiến của: " + ", ".join(c.agency.name for c in facts(dossier).waiting_on_step) + "."


def _apology_notice(user: Any, dossier: Dossier) -> str:
    due = f" ({timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y})" if dossier.due_at else ""
    return (
        "Phiếu xin lỗi phải gửi chậm nhất 01 ngày làm việc trước hạn trả kết quả"
        f"{due}; hồ sơ đã quá hoặc sát hạn."
    )


OWN = Requirement(not_own_dossier, "Cán bộ không được tự xử lý hồ sơ do chính mình nộp.", forbidden=True)
ON_STEP = (
    Requirement(has_step, _not_status),
    Requirement(holds_step_role, _step_role, forbidden=True),
    Requirement(
        step_is_theirs,
        "Bước này đã được giao cho cán bộ khác; chỉ người được giao hoặc lãnh đạo mới thao tác được.",
        forbidden=True,
    ),
)
WORKING_STEP = Requirement(
    step_kind_not(StepKind.ISSUE, StepKind.RETURN),
    "Ở bước này hãy dùng chức năng phát hành hoặc trả kết quả.",
)


class ActionRule:
    def __init__(self, name: str, label: str, *requirements: Requirement) -> None:
        self.name, self.label = name, label
        self.requirements = (OWN, *requirements)
        self.predicate = rules.predicate(self._allows, name=f"can_{name}")
        rules.add_perm(f"dossiers.{name}", self.predicate)

    def _allows(self, user: Any, dossier: Any) -> bool:
        return isinstance(dossier, Dossier) and self.refusal(user, dossier) is None

    def refusal(self, user: Any, dossier: Dossier) -> Requirement | None:
        if not getattr(user, "is_authenticated", False):
            return Requirement(rules.always_false, "Hãy đăng nhập.", forbidden=True)
        for requirement in self.requirements:
            if not requirement.test(user, dossier):
                return requirement
        return None

    def allows(self, user: Any, dossier: Dossier) -> bool:
        return self.refusal(user, dossier) is None

    def require(self, user: Any, dossier: Dossier) -> None:
        """Raise ScopeDenied (who) or DomainError (what state) with the Vietnamese reason."""
        refused = self.refusal(user, dossier)
        if refused is None:
            return
        message = refused.explain(user, dossier)
        if refused.forbidden:
            raise ScopeDenied(message)
        raise DomainError(message)


NEW_AT_DESK = (
    Requirement(
        status_in(DossierStatus.NEW),
        lambda u, d: f"Hồ sơ đang ở trạng thái “{d.get_status_display()}”, không chờ tiếp nhận.",
    ),
    Requirement(at_desk, _desk, forbidden=True),
)
IN_PROCESS_ONLY = Requirement(status_in(*IN_PROCESS), _not_status)

RULES: dict[str, ActionRule] = {
    rule.name: rule
    for rule in (
        ActionRule("receive", "Tiếp nhận", *NEW_AT_DESK),
        ActionRule("refuse", "Từ chối", *NEW_AT_DESK),
        ActionRule("supplement", "Yêu cầu bổ sung (tại quầy)", *NEW_AT_DESK),
        ActionRule(
            "supplement_in_processing",
            "Yêu cầu bổ sung",
            IN_PROCESS_ONLY,
            *ON_STEP,
            WORKING_STEP,
            Requirement(
                no_supplement_yet,
                "Hồ sơ đã được yêu cầu bổ sung một lần sau khi tiếp nhận; quy định chỉ cho yêu cầu một lần.",
            ),
            Requirement(
                within_supplement_window,
                "Đã quá 3 ngày làm việc kể từ ngày tiếp nhận: không được yêu cầu bổ sung nữa "
                "(NĐ 61/2018, Điều 18). Hãy giải quyết hoặc từ chối bằng văn bản.",
            ),
        ),
        ActionRule(
            "forward",
            "Chuyển bước tiếp theo",
            IN_PROCESS_ONLY,
            *ON_STEP,
            WORKING_STEP,
            Requirement(nothing_to_wait_for, _waiting),
            Requirement(has_next_step, "Quy trình không còn bước nào sau bước này."),
        ),
        ActionRule(
            "send_back",
            "Trả lại bước trước",
            IN_PROCESS_ONLY,
            *ON_STEP,
            WORKING_STEP,
            Requirement(has_previous_step, "Đây là bước đầu tiên, không có bước trước để trả lại."),
        ),
        ActionRule("reassign", "Giao lại", IN_PROCESS_ONLY, *ON_STEP),
        ActionRule("consult", "Lấy ý kiến phối hợp", IN_PROCESS_ONLY, *ON_STEP, WORKING_STEP),
        ActionRule(
            "answer",
            "Trả lời lấy ý kiến",
            Requirement(status_in(*ANSWERABLE_STATUSES), _not_status),
            Requirement(
                answers_a_consultation,
                "Không có yêu cầu lấy ý kiến nào đang chờ cơ quan của bạn trả lời trên hồ sơ này.",
                forbidden=True,
            ),
        ),
        ActionRule("payment", "Yêu cầu nghĩa vụ tài chính", IN_PROCESS_ONLY, *ON_STEP, WORKING_STEP),
        ActionRule(
            "paid",
            "Đã thực hiện nghĩa vụ tài chính",
            Requirement(
                status_in(DossierStatus.AWAITING_PAYMENT), "Hồ sơ không chờ thực hiện nghĩa vụ tài chính."
            ),
            *ON_STEP,
        ),
        ActionRule(
            "apologise",
            "Xin lỗi, hẹn lại",
            IN_PROCESS_ONLY,
            Requirement(has_step, _not_status),
            Requirement(
                heads_step_agency,
                lambda u, d: (
                    f"Chỉ lãnh đạo {d.current_step.agency.name if d.current_step else 'cơ quan'} "
                    "mới lập phiếu xin lỗi, hẹn lại."
                ),
                forbidden=True,
            ),
            Requirement(
                no_apology_yet, "Hồ sơ đã được xin lỗi và hẹn lại một lần; quy định chỉ cho hẹn lại một lần."
            ),
            Requirement(a_day_before_due, _apology_notice),
        ),
        ActionRule(
            "stop",
            "Dừng xử lý",
            Requirement(
                status_in(
                    DossierStatus.RECEIVED,
                    DossierStatus.PROCESSING,
                    DossierStatus.AWAITING_PAYMENT,
                    DossierStatus.SUPPLEMENT_REQUESTED,
                ),
                _not_status,
            ),
            Requirement(
                may_stop,
                "Chỉ lãnh đạo cơ quan đang giữ hồ sơ hoặc lãnh đạo cơ quan tiếp nhận mới dừng xử lý được.",
                forbidden=True,
            ),
        ),
        ActionRule(
            "issue",
            "Phát hành kết quả",
            IN_PROCESS_ONLY,
            *ON_STEP,
            Requirement(at_issue_step, "Chỉ phát hành kết quả ở bước văn thư phát hành."),
            Requirement(no_pending_signature, "Kết quả của hồ sơ này đang chờ ký số; không vào sổ lại."),
        ),
        ActionRule(
            "sign",
            "Ký số kết quả",
            IN_PROCESS_ONLY,
            Requirement(has_pending_signature, "Không có kết quả nào đang chờ ký số."),
            Requirement(
                may_sign_pending,
                "Kết quả đang chờ chữ ký của người khác (lãnh đạo đã duyệt, hoặc văn thư cơ quan).",
                forbidden=True,
            ),
        ),
        ActionRule(
            "return",
            "Trả kết quả",
            Requirement(status_in(DossierStatus.DONE), "Hồ sơ chưa có kết quả để trả."),
            Requirement(at_desk, _desk, forbidden=True),
        ),
    )
}


def rule(name: str) -> ActionRule:
    found = RULES.get(name)
    if found is None:
        raise DomainError("Thao tác không hợp lệ.")
    return found


def require(name: str, user: Any, dossier: Dossier) -> None:
    rule(name).require(user, dossier)


def allowed_actions(user: Any, dossier: Dossier) -> set[str]:
    """Every action the officer may take on the dossier now (the page's buttons, the API's list); the
    supplement request is one action for the officer, whether at the desk or during appraisal."""
    found = {name for name, action in RULES.items() if action.allows(user, dossier)}
    if "supplement_in_processing" in found:
        found.discard("supplement_in_processing")
        found.add("supplement")
    return found
