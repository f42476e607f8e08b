"""E-mails the back office owes officers: about consultations (lấy ý kiến phối hợp), the question to the consulted
agency, a reminder as its answer falls due, and a word to whoever waits for it once it is overdue; about a result
to sign, the request to the leader who approved it, then to the agency's clerks once the leader has signed.

Each is a notification row (the outbox, ``egov.dossiers.outbox``) written in the transaction that makes it owed,
one per address, sent after the commit and retried by the sweep; an address is told of one consultation's
question, reminder or delay once. The message is composed when it is sent: a question answered (or cancelled)
by then is not sent at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from egov.accounts.models import StaffAssignment
from egov.accounts.roles import Role
from egov.core.site import site_url
from egov.dossiers.models import Consultation, Dossier, Notification, NotificationKind
from egov.dossiers.services import notify_officers
from egov.dossiers.tasks import register_composer
from egov.onestop import rules
from egov.signing.models import SignatureRequest

WORKLIST_TAB = "xin-y-kien"


def _answerers(agency_ids: Iterable[int]) -> dict[int, set[str]]:
    """The addresses of the officers who may answer for each agency (one query)."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = (
        StaffAssignment.objects.filter(
            agency_id__in=set(agency_ids), role__in=rules.ANSWERING_ROLES, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("agency_id", "user__email")
    )
    for agency_id, email in rows:
        if email:
            found[agency_id].add(email)
    return found


def tell_consulted(consultations: Iterable[Consultation]) -> int:
    """The consulted agencies' officers are asked, each by e-mail (inside the caller's transaction)."""
    consultations = list(consultations)
    answerers = _answerers(c.agency_id for c in consultations)
    return sum(
        notify_officers(
            dossier=c.dossier,
            kind=NotificationKind.CONSULTATION_REQUESTED,
            occasion=c.pk,
            recipients=answerers[c.agency_id],
        )
        for c in consultations
    )


def remind_consulted(consultations: Iterable[Consultation]) -> int:
    """One reminder per consultation to its agency's officers: those already reminded are left alone."""
    consultations = list(consultations)
    if not consultations:
        return 0
    reminded = set(
        Notification.objects.filter(
            dossier_id__in={c.dossier_id for c in consultations},
            kind=NotificationKind.CONSULTATION_REMINDER,
            occasion__in=[str(c.pk) for c in consultations],
        ).values_list("occasion", flat=True)
    )
    due = [c for c in consultations if str(c.pk) not in reminded]
    answerers = _answerers(c.agency_id for c in due)
    return sum(
        notify_officers(
            dossier=c.dossier,
            kind=NotificationKind.CONSULTATION_REMINDER,
            occasion=c.pk,
            recipients=answerers[c.agency_id],
        )
        for c in due
    )


def tell_asker_overdue(consultations: Iterable[Consultation]) -> int:
    """Whoever waits for an overdue answer is told: the officer who asked, if they work at the agency holding
    the step that waits; else the officer assigned that step; else that agency's heads."""
    consultations = list(consultations)
    if not consultations:
        return 0
    step_agencies = {c.step.agency_id for c in consultations}
    holders: set[tuple[int, int]] = set()  # (agency, user): who works where
    heads: dict[int, set[str]] = defaultdict(set)
    for agency_id, user_id, role, email in StaffAssignment.objects.filter(
        agency_id__in=step_agencies, user__is_active=True
    ).values_list("agency_id", "user_id", "role", "user__email"):
        holders.add((agency_id, user_id))
        if role in rules.HEADS and email:
            heads[agency_id].add(email)
    told = 0
    for c in consultations:
        step = c.step
        asker = c.requested_by
        if asker is not None and asker.email and (step.agency_id, asker.pk) in holders:
            recipients = {asker.email}
        elif step.assignee is not None and step.assignee.email:
            recipients = {step.assignee.email}
        else:
            recipients = heads[step.agency_id]
        told += notify_officers(
            dossier=c.dossier,
            kind=NotificationKind.CONSULTATION_OVERDUE,
            occasion=c.pk,
            recipients=recipients,
        )
    return told


# --- Signatures on a result -------------------------------------------------------------------------------

LEADER_STAGE, SEAL_STAGE = "lanh-dao", "van-thu"
"""The two signatures a result waits for (the occasion's suffix, and the signing page's tab)."""


def tell_signers(*, request: SignatureRequest, dossier: Dossier) -> int:
    """Whoever must sign the result next is asked by e-mail (inside the caller's transaction): the leader named
    on the request (else the agency's leaders) while it awaits the leader, the agency's clerks once it awaits
    the agency's signature. Each address once per request and stage."""
    if request.status == SignatureRequest.Status.AWAITING_LEADER:
        stage, roles = LEADER_STAGE, (Role.LEADER,)
    elif request.status == SignatureRequest.Status.AWAITING_SEAL:
        stage, roles = SEAL_STAGE, (Role.CLERK,)
    else:
        return 0
    recipients: set[str]
    if stage == LEADER_STAGE and request.leader is not None:
        recipients = {request.leader.email or ""} if request.leader.is_active else set()
    else:
        recipients = {
            email or ""
            for email in StaffAssignment.objects.filter(
                agency_id=request.agency_id, role__in=roles, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        }
    return notify_officers(
        dossier=dossier,
        kind=NotificationKind.SIGNATURE_REQUESTED,
        occasion=f"{request.pk}-{stage}",
        recipients=recipients,
    )


# --- Composing, when the row is sent ----------------------------------------------------------------------


def _signature_email(notification: Notification) -> EmailMessage | None:
    number, _, stage = notification.occasion.partition("-")
    waits = {
        LEADER_STAGE: SignatureRequest.Status.AWAITING_LEADER,
        SEAL_STAGE: SignatureRequest.Status.AWAITING_SEAL,
    }.get(stage)
    request = (
        SignatureRequest.objects.filter(pk=int(number), source_id=str(notification.dossier_id))
        .select_related("agency", "leader")
        .first()
        if number.isdigit() and waits
        else None
    )
    if request is None or request.status != waits:
        return None  # signed, released or cancelled by now: nothing to ask
    dossier = Dossier.objects.select_related("procedure_version").get(pk=notification.dossier_id)
    context = {
        "request": request,
        "dossier": dossier,
        "as_leader": stage == LEADER_STAGE,
        "dossier_url": site_url(reverse("onestop:desk_dossier", args=[dossier.code])),
        "batch_url": site_url(reverse("signing:batch")) + f"?vai-tro={stage}",
    }
    template = f"onestop/email/{notification.kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    return EmailMessage(subject, body, to=[notification.recipient])


def _consultation_email(notification: Notification) -> EmailMessage | None:
    consultation = (
        Consultation.objects.filter(pk=int(notification.occasion), dossier_id=notification.dossier_id)
        .select_related("agency", "dossier__procedure_version", "step__agency", "requested_by")
        .first()
        if notification.occasion.isdigit()
        else None
    )
    if consultation is None or consultation.answered_at or consultation.cancelled_at:
        return None  # answered, or no longer asked: nothing to tell
    if consultation.dossier.status not in rules.ANSWERABLE_STATUSES:
        return None
    dossier = consultation.dossier
    context = {
        "consultation": consultation,
        "dossier": dossier,
        "asking_agency": consultation.step.agency,
        "overdue": consultation.due_at < timezone.now(),
        "dossier_url": site_url(reverse("onestop:desk_dossier", args=[dossier.code])),
        "worklist_url": site_url(reverse("onestop:desk_worklist")) + f"?tab={WORKLIST_TAB}",
    }
    template = f"onestop/email/{notification.kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    return EmailMessage(subject, body, to=[notification.recipient])


def register() -> None:
    for kind in (
        NotificationKind.CONSULTATION_REQUESTED,
        NotificationKind.CONSULTATION_REMINDER,
        NotificationKind.CONSULTATION_OVERDUE,
    ):
        register_composer(kind, _consultation_email)
    register_composer(NotificationKind.SIGNATURE_REQUESTED, _signature_email)
