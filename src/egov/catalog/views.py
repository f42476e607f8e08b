"""Public catalogue pages: search and browse procedures, read one procedure."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from egov.agencies.selectors import one_stop_desks
from egov.catalog.models import OnlineLevel
from egov.catalog.selectors import (
    Filters,
    browse,
    deciding_authority,
    filing_closed_reason,
    procedure_detail,
    procedure_questions,
    search,
    sectors_with_counts,
    understood_as,
)
from egov.units.models import AdministrativeLevel

PAGE_SIZE = 20


def procedure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    filters = Filters(
        sector=request.GET.get("linh-vuc", "")[:30],
        level=request.GET.get("cap", "")[:20],
        online=request.GET.get("truc-tuyen", "")[:10],
        agency=request.GET.get("co-quan", "")[:35],
    )
    results = search(query, filters) if query else browse(filters)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "query": query, "filters": filters, "page": page,
        "understood_as": understood_as(query) if query else None,
        "sectors": sectors_with_counts(),
        "desks": one_stop_desks(),
        "levels": AdministrativeLevel.objects.current().order_by("rank"),
        "online_levels": [("online", "Có nộp trực tuyến"), *[(o.value, o.label) for o in OnlineLevel]],
    }  # fmt: skip
    return render(request, "catalog/list.html", context)


def procedure_page(request: HttpRequest, national_code: str) -> HttpResponse:
    version = procedure_detail(national_code)
    if version is None:
        raise Http404
    context = {
        "version": version,
        "components": version.components.all(),
        "closed_reason": filing_closed_reason(version),
        "deciding_authority": deciding_authority(version),
        "questions": procedure_questions(version.procedure_id),
    }
    return render(request, "catalog/detail.html", context)
