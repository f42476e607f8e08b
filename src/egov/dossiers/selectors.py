"""Reads of dossiers for the applicant and for the public look-up; query counts do not grow with rows."""

from __future__ import annotations

from django.db.models import Prefetch

from egov.dossiers.models import Dossier, DossierEvent


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
            "due_at",
            "channel",
            "procedure_version__name",
            "procedure_version__procedure_id",
            "receiving_agency__name",
        )
        .first()
    )


def timeline(dossier_id: int) -> list[DossierEvent]:
    """A dossier's full history, oldest first, with who and which agency (one query)."""
    return list(
        DossierEvent.objects.filter(dossier_id=dossier_id)
        .select_related("actor", "actor_agency")
        .order_by("at", "id")
    )
