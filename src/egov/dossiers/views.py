"""Public pages of the record: the dossier look-up by code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from egov.core import throttle
from egov.core.site import site_url
from egov.dossiers import selectors


def _lookup_url(request: HttpRequest, code: str) -> str:
    return site_url(reverse("dossiers:lookup")) + f"?ma={code}"


def lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip()[:60]
    wait = throttle.hit(request, "lookup", throttle.client_ip(request)) if code else None
    if wait:
        return throttle.too_many(
            request, wait, what="Bạn đã tra cứu quá nhiều mã hồ sơ trong thời gian ngắn."
        )
    dossier = selectors.public_lookup(code) if code else None
    status = 404 if code and dossier is None else 200
    return render(request, "dossiers/lookup.html", {"code": code, "dossier": dossier}, status=status)
