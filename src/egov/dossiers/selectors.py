"""Reads of dossiers for the applicant and for the public look-up; query counts do not grow with rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

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
