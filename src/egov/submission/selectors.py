"""Reads for the applicant's own pages and API."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from egov.dossiers.models import Dossier, DossierEvent, Draft, Notice, StoredFile


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
        .select_related(
            "procedure_version__procedure",
            "procedure_version__sector",
            "receiving_agency",
            "result",  # the page shows the result and the apology: read in the same row
            "apology",
        )
        .prefetch_related(
            Prefetch("files", queryset=StoredFile.objects.select_related("component").order_by("slot", "id")),
            Prefetch(
                "events", queryset=DossierEvent.objects.select_related("actor_agency").order_by("at", "id")
            ),
        )
        .first()
    )


def my_notices(user: Any) -> QuerySet[Notice]:
    """The applicant's portal inbox, newest first, with the dossier each notice is about (one query)."""
    return (
        Notice.objects.filter(recipient=user)
        .select_related("dossier")
        .only("pk", "kind", "title", "created_at", "read_at", "dossier__code", "dossier__status")
        .order_by("-created_at", "-id")
    )


def unread_notice_count(user: Any) -> int:
    """The count in the header (served by the partial index of unread notices)."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()
