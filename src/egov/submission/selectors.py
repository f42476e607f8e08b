"""Reads for the applicant's own pages and API."""

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
