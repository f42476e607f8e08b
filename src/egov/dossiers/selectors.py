"""Reads of dossiers for the applicant and for the public look-up; query counts do not grow with rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Reverse
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.functional import cached_property

from egov.catalog.models import ProcedureVersion
from egov.onestop import rules
from egov.dossiers.models import Consultation, Dossier, DossierEvent, DossierStep, Draft, StoredFile


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


def day_start(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    """The moment ``day`` (or with ``after``, the day after it) begins in the current time zone; ``None`` for
    no day, or for a day so far off that the bound excludes nothing."""
    if day is None:
        return None
    try:
        moment = dt.datetime.combine(day + dt.timedelta(days=1) if after else day, dt.time.min)
        # An aware bound must survive the conversion to UTC that the database query makes.
        return timezone.make_aware(moment).astimezone(dt.UTC)
    except OverflowError:
        return None


def timeline(dossier_id: int) -> list[DossierEvent]:
    """A dossier's full history, oldest first, with who and which agency (one query)."""
    return list(
        DossierEvent.objects.filter(dossier_id=dossier_id)
        .select_related("actor", "actor_agency")
        .order_by("at", "id")
    )


def _officer_dossiers(user: Any, code: str) -> QuerySet[Dossier]:
    """The dossier with this code if the officer may see it: received by, processed at or consulting one of
    the agencies they see. EXISTS sub-queries, not joins with DISTINCT: the dossier's row is read once."""
    from egov.accounts.scopes import agencies_visible_to

    visible = agencies_visible_to(user).values("pk")
    return (
        Dossier.objects.filter(code=code)
        .filter(
            Q(receiving_agency__in=visible)
            | Exists(DossierStep.objects.filter(dossier=OuterRef("pk"), agency__in=visible))
            | Exists(Consultation.objects.filter(dossier=OuterRef("pk"), agency__in=visible))
        )
        .select_related(
            "procedure_version__procedure",
            "procedure_version__sector",
            "receiving_agency",
            "current_agency",
            "current_step__agency",
            "current_assignee",
        )
        .prefetch_related(
            Prefetch("files", queryset=StoredFile.objects.select_related("component").order_by("slot", "id")),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.select_related("actor", "actor_agency").order_by("at", "id"),
            ),
        )
    )


STEPS = Prefetch(
    "steps", queryset=DossierStep.objects.select_related("agency", "handed_by", "assignee", "finished_by")
)
CONSULTATIONS = Prefetch(
    "consultations", queryset=Consultation.objects.select_related("agency", "requested_by", "answered_by")
)


def dossier_detail_for_officer(user: Any, code: str) -> Dossier | None:
    """The dossier for its page and the API's detail: also its apology and result (in the same row) and its
    steps and consultations with their agencies and people, which :func:`officer_view` then reads without a
    query of its own (five queries in all, whatever the number of steps, consultations, files or events)."""
    return (
        _officer_dossiers(user, code)
        .select_related("apology", "result")
        .prefetch_related(STEPS, CONSULTATIONS)
        .first()
    )


