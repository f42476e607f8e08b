from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from egov.agencies.selectors import desks_by_area
from egov.units.selectors import province


def home(request: HttpRequest) -> HttpResponse:
    unit = province(settings.EGOV_PROVINCE_CODE)
    return render(request, "portal/home.html", {"desk_groups": desks_by_area(unit) if unit else []})
