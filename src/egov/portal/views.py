from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from egov.agencies.selectors import one_stop_desks
from egov.units.selectors import province


def home(request: HttpRequest) -> HttpResponse:
    unit = province(settings.EGOV_PROVINCE_CODE)
    desks = list(one_stop_desks().filter(unit__path__startswith=unit.path)[:60]) if unit else []
    return render(request, "portal/home.html", {"desks": desks})
