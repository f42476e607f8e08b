"""Reads of dossiers for the applicant and for the public look-up; query counts do not grow with rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from egov.dossiers.models import Dossier, DossierEvent, Draft, StoredFile


def my_dossiers(user: Any) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure_version__procedure", "receiving_agency")
        .order_by("-submitted_at")
    )


def my_drafts(user: Any) -> QuerySet[Draft]:
    return (
        Draft.objects.filter(owner=user)
        .select_related("procedure_version__procedure")
        .order_by("-updated_at")
    )


def dossier_for_owner(user: Any, code: str) -> Dossier | None:
    return (
        Dossier.objects.filter(applicant=user, code=code)
        .select_related("procedure_version__procedure", "procedure_version__sector", "receiving_agency")
        .prefetch_related(
            Prefetch("files", queryset=StoredFile.objects.select_related("component").order_by("slot", "id")),
            Prefetch(
                "events", queryset=DossierEvent.objects.select_related("actor_agency").order_by("at", "id")
            ),
        )
        .first()
    )


def public_lookup(code: str) -> Dossier | None:
    """Status and timeline only: the template shows no personal data."""
    return (
        Dossier.objects.filter(code=code.strip())
        .select_related("procedure_version", "receiving_agency")
        .prefetch_related(
            Prefetch(
                "events", queryset=DossierEvent.objects.select_related("actor_agency").order_by("at", "id")
            )
        )
        .only(
            "code",
            "status",
            "submitted_at",
            "channel",
            "procedure_version__name",
            "procedure_version__procedure_id",
            "receiving_agency__name",
        )
        .first()
    )


WORKLIST_TABS = {
    "moi": ("Mới, cần tiếp nhận", ["new"]),
    "bo-sung": ("Chờ công dân bổ sung", ["supplement_requested"]),
    "da-tiep-nhan": ("Đã tiếp nhận", ["received", "processing"]),
    "da-xong": ("Đã kết thúc", ["refused", "withdrawn", "stopped", "done", "returned"]),
}


def desk_worklist(user: Any, *, tab: str, query: str = "") -> QuerySet[Dossier]:
    """Dossiers received by the agencies the officer may see, in one tab, newest first; searchable by code,
    applicant name or ID number. One query for the page whatever the number of rows (plus the count)."""
    from egov.accounts.scopes import agencies_visible_to

    statuses = WORKLIST_TABS.get(tab, WORKLIST_TABS["moi"])[1]
    queryset = Dossier.objects.filter(
        receiving_agency__in=agencies_visible_to(user).values("pk"), status__in=statuses
    ).select_related("procedure_version", "receiving_agency")
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(code__icontains=query) | Q(applicant_name__icontains=query) | Q(applicant_id_number=query)
        )
    order = "submitted_at" if tab in ("", "moi") else "-submitted_at"
    return queryset.order_by(order)


def dossier_for_officer(user: Any, code: str) -> Dossier | None:
    from egov.accounts.scopes import agencies_visible_to

    return (
        Dossier.objects.filter(code=code, receiving_agency__in=agencies_visible_to(user).values("pk"))
        .select_related("procedure_version__procedure", "procedure_version__sector", "receiving_agency")
        .prefetch_related(
            Prefetch("files", queryset=StoredFile.objects.select_related("component").order_by("slot", "id")),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.select_related("actor", "actor_agency").order_by("at", "id"),
            ),
            "supplement_requests",
        )
        .first()
    )
