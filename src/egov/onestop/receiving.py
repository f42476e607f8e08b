"""The one-stop desk's first decision on a dossier (tiếp nhận): receive it with an appointment date, ask once
for everything missing, or refuse it with a reason. Each service takes the dossier with
:func:`egov.dossiers.lifecycle.lock` first (two officers at once: one wins, the other gets a conflict), checks
its rule (:mod:`egov.onestop.rules`) on the locked row, and records the change through
:func:`egov.dossiers.lifecycle.transition`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core.errors import DomainError
from egov.dossiers.lifecycle import lock, transition
from egov.dossiers.models import Dossier, NotificationKind, SupplementRequest
from egov.dossiers.services import notify
from egov.dossiers.statuses import DossierStatus
from egov.onestop import processing, rules, time_rules
from egov.worktime.calendar import current_calendar


def receive(
    *, dossier: Dossier, officer: Any, expected_version: int, note: str = "", now: dt.datetime | None = None
) -> Dossier:
    """Accept a complete dossier: the time limit starts now (in working time), the dossier goes to the first
    step of its internal process, and the applicant is told. A dossier that comes back completed after a
    supplement request made during appraisal goes back to that step, with the time limit counted from zero;
    its date of receipt (the register's order) stays the first one."""
    now = now or timezone.now()
    calendar = current_calendar()
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        rules.require("receive", officer, dossier)
        resuming = dossier.steps.exists()
        due = time_rules.due_date(dossier.procedure_version, now, calendar)
        if resuming:
            processing.resume_after_supplement(dossier=dossier, officer=officer, now=now, calendar=calendar)
        else:
            processing.start_processing(dossier=dossier, officer=officer, now=now, calendar=calendar)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.PROCESSING if resuming else DossierStatus.RECEIVED,
            action="received",
            note=note
            or (
                "Tiếp nhận lại hồ sơ đã bổ sung; thời hạn giải quyết tính lại từ đầu."
                if resuming
                else "Tiếp nhận hồ sơ."
            ),
            public_note=f"Hẹn trả kết quả: {timezone.localtime(due):%H:%M ngày %d/%m/%Y}.",
            now=now,
            due_at=due,
            deadline_state="",
            **({} if resuming else {"received_at": now}),
        )
        notify(dossier=dossier, kind=NotificationKind.RECEIVED, occasion=dossier.version if resuming else "")
    return dossier


def request_supplement(
    *, dossier: Dossier, officer: Any, items: list[dict[str, str]], expected_version: int
) -> SupplementRequest:
    """Ask, in one go, for everything missing, each item with its reason (form 02)."""
    cleaned = processing.clean_items(items)
    now = timezone.now()
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        rules.require("supplement", officer, dossier)
        listing = processing.listed(cleaned)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.SUPPLEMENT_REQUESTED,
            action="supplement_requested",
            note=f"Yêu cầu bổ sung: {listing}",
            public_note=f"Cần bổ sung: {listing}",
            now=now,
        )
        request = SupplementRequest.objects.create(
            dossier=dossier, requested_at=now, officer=officer, items=cleaned
        )
        notify(dossier=dossier, kind=NotificationKind.SUPPLEMENT_REQUESTED, occasion=request.pk)
    return request


def refuse(*, dossier: Dossier, officer: Any, reason: str, expected_version: int) -> Dossier:
    """Refuse to receive a dossier that is not eligible, with the reason (form 03)."""
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise DomainError("Hãy ghi rõ lý do từ chối (ít nhất 10 ký tự).")
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        rules.require("refuse", officer, dossier)
        dossier = transition(
            dossier=dossier,
            actor=officer,
            to_status=DossierStatus.REFUSED,
            action="refused",
            note=f"Từ chối tiếp nhận: {reason}",
            public_note=f"Lý do không tiếp nhận: {reason}",
            status_note=reason,
        )
        notify(dossier=dossier, kind=NotificationKind.REFUSED)
    return dossier
