"""Public pages of the record: the dossier look-up by code."""

from __future__ import annotations

from typing import Any
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from egov.catalog import formdef
from egov.catalog.selectors import procedure_detail
from egov.core.api_types import MAX_VERSION
from egov.core.errors import DomainError
from egov.core.site import site_url
from egov.core.untrusted import whole_number
from egov.onestop import processing
from egov.dossiers import selectors, services
from egov.dossiers.lifecycle import can_follow
from egov.dossiers.models import Draft, StoredFile
from egov.submission.pdf import acknowledgement_pdf
from egov.dossiers.statuses import DossierStatus
from egov.dossiers.uploads import allowed_kinds_label
from egov.catalog.web_forms import bound_fields, raw_from_post, review_rows



def _lookup_url(request: HttpRequest, code: str) -> str:
    return site_url(reverse("dossiers:lookup")) + f"?ma={code}"


def lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip()[:60]
    dossier = selectors.public_lookup(code) if code else None
    status = 404 if code and dossier is None else 200
    return render(request, "dossiers/lookup.html", {"code": code, "dossier": dossier}, status=status)
