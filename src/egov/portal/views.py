from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from egov.agencies.selectors import desks_by_area
from egov.units.selectors import home_province


def home(request: HttpRequest) -> HttpResponse:
    unit = home_province()
    return render(request, "portal/home.html", {"desk_groups": desks_by_area(unit) if unit else []})
