"""The one-stop desk's first decision on a dossier (tiếp nhận): receive it with an appointment date, ask once
for everything missing, or refuse it with a reason. Every change of status goes through :func:`transition`,
which checks the rule table, refuses a stale update (two officers at once: one wins) and writes history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from egov.accounts.roles import Role
from egov.accounts.scopes import ensure_role
from egov.catalog.models import TimeUnit
from egov.core.errors import DomainError
from egov.dossiers.models import Dossier, DossierEvent, SupplementRequest
from egov.dossiers.services import notify
from egov.dossiers.statuses import TRANSITIONS, DossierStatus
from egov.worktime.calendar import WorkingCalendar, current_calendar

STALE = "Hồ sơ vừa được người khác cập nhật. Hãy tải lại trang để xem trạng thái mới nhất rồi thao tác lại."


def transition(
    *,
    dossier: Dossier,
    actor: Any,
    to_status: DossierStatus,
    action: str,
    expected_version: int,
    note: str = "",
    now: dt.datetime | None = None,
    actor_agency: Any = None,
    **fields: Any,
) -> Dossier:
    """Move ``dossier`` to ``to_status`` inside the caller's transaction, or raise DomainError.

    ``to_status`` equal to the current status records an action without a change of status (a hand-over
    between steps, an apology). The UPDATE is conditional on the version the officer saw: if someone else changed the dossier meanwhile,
    nothing is written and the officer gets a clear message instead of overwriting their colleague.
    """
    now = now or timezone.now()
    if dossier.version != expected_version:
        raise DomainError(STALE)
    if to_status != dossier.status and to_status not in TRANSITIONS[DossierStatus(dossier.status)]:
        raise DomainError(
            f"Không thể chuyển hồ sơ từ “{DossierStatus(dossier.status).label}” sang “{to_status.label}”."
        )
    updated = Dossier.objects.filter(pk=dossier.pk, version=expected_version, status=dossier.status).update(
        status=to_status, version=F("version") + 1, **fields
    )
    if not updated:
        raise DomainError(STALE)
    DossierEvent.objects.create(
        dossier=dossier,
        at=now,
        actor=actor,
        actor_agency=actor_agency or dossier.receiving_agency,
        action=action,
        from_status=dossier.status,
        to_status=to_status,
        note=note,
    )
    dossier.refresh_from_db()
    return dossier


def due_date(
    dossier: Dossier, received_at: dt.datetime, calendar: WorkingCalendar | None = None
) -> dt.datetime:
    version = dossier.procedure_version
    calendar = calendar or current_calendar()
    if version.processing_time_unit == TimeUnit.WORKING_HOURS:
        return calendar.add_working_hours(received_at, version.processing_time)
    return calendar.add_working_days(received_at, version.processing_time)


def receive(
    *, dossier: Dossier, officer: Any, expected_version: int, note: str = "", now: dt.datetime | None = None
) -> Dossier:
    """Accept a complete dossier: the time limit starts now (in working time), the dossier goes to the first
    step of its internal process, and the applicant is told. A dossier that comes back completed after a
    supplement request made during appraisal goes back to that step, with the time limit counted from zero."""
    from egov.dossiers import processing

    ensure_role(officer, dossier.receiving_agency, Role.RECEIVING_OFFICER)
    if dossier.status != DossierStatus.NEW:
        raise DomainError(f"Hồ sơ đang ở trạng thái “{dossier.get_status_display()}”, không chờ tiếp nhận.")
    now = now or timezone.now()
    calendar = current_calendar()
    resuming = dossier.steps.exists()
    with transaction.atomic():
        due = due_date(dossier, now, calendar)
        if resuming:
            processing.resume_after_supplement(dossier=dossier, officer=officer, now=now, calendar=calendar)
        else:
            processing.start_processing(dossier=dossier, officer=officer, now=now, calendar=calendar)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.PROCESSING if resuming else DossierStatus.RECEIVED,
            action="received",
            expected_version=expected_version,
            note=note
            or (
                "Tiếp nhận lại hồ sơ đã bổ sung; thời hạn giải quyết tính lại từ đầu."
                if resuming
                else "Tiếp nhận hồ sơ."
            ),
            now=now,
            received_at=now,
            due_at=due,
            deadline_state="",
        )
        notify(dossier=dossier, kind=f"received:{dossier.version}" if resuming else "received")
    return dossier


def request_supplement(
    *, dossier: Dossier, officer: Any, items: list[dict[str, str]], expected_version: int
) -> SupplementRequest:
    """Ask, in one go, for everything missing, each item with its reason (form 02)."""
    ensure_role(officer, dossier.receiving_agency, Role.RECEIVING_OFFICER)
    cleaned = clean_items(items)
    now = timezone.now()
    with transaction.atomic():
        listing = "; ".join(f"{i['name']} ({i['reason']})" for i in cleaned)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.SUPPLEMENT_REQUESTED,
            action="supplement_requested",
            expected_version=expected_version,
            note=f"Yêu cầu bổ sung: {listing}",
            now=now,
        )
        request = SupplementRequest.objects.create(
            dossier=dossier, requested_at=now, officer=officer, items=cleaned
        )
        notify(dossier=dossier, kind=f"supplement_requested_{request.pk}")
    return request


def clean_items(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """The list of missing papers, each with its reason: all of them in one go (form 02)."""
    cleaned = [
        {
            "name": " ".join(str(i.get("name", "")).split()),
            "reason": " ".join(str(i.get("reason", "")).split()),
        }
        for i in items
    ]
    cleaned = [i for i in cleaned if i["name"] or i["reason"]]
    if not cleaned:
        raise DomainError("Hãy nêu ít nhất một giấy tờ cần bổ sung.")
    if any(not i["name"] or not i["reason"] for i in cleaned):
        raise DomainError("Mỗi giấy tờ cần bổ sung phải có tên và lý do.")
    return cleaned


def refuse(*, dossier: Dossier, officer: Any, reason: str, expected_version: int) -> Dossier:
    """Refuse to receive a dossier that is not eligible, with the reason (form 03)."""
    ensure_role(officer, dossier.receiving_agency, Role.RECEIVING_OFFICER)
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise DomainError("Hãy ghi rõ lý do từ chối (ít nhất 10 ký tự).")
    with transaction.atomic():
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.REFUSED,
            action="refused",
            expected_version=expected_version,
            note=f"Từ chối tiếp nhận: {reason}",
        )
        notify(dossier=dossier, kind="refused")
    return dossier
