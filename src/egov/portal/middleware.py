from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from egov.portal import services

COOKIE = "egov_visitor"
# Visits count the public portal: officers' back office, files, the API, probes and page fragments (the
# address picker's option lists, anything htmx fetches) are not visits.
SKIPPED_PREFIXES = (
    "/static/",
    "/media/",
    "/api/",
    "/admin/",
    "/can-bo/",
    "/healthz",
    "/readyz",
    "/favicon",
    "/don-vi-hanh-chinh/",
)


class VisitorCounterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method != "GET"
            or response.status_code != 200
            or request.path.startswith(SKIPPED_PREFIXES)
            or request.headers.get("HX-Request")
            or not response.get("Content-Type", "").startswith("text/html")
            or "bot" in request.META.get("HTTP_USER_AGENT", "").lower()
        ):
            return response
        now = timezone.now()
        today = timezone.localdate().isoformat()
        minute = int(now.timestamp() // 60)
        try:
            visitor, day, last_minute = str(request.get_signed_cookie(COOKIE, salt="visitor")).split("|")
            last = int(last_minute)
        except (KeyError, ValueError, signing.BadSignature):
            visitor, day, last = secrets.token_hex(16), "", -1
        if day == today and last == minute:
            return response
        if day != today:
            services.count_visit(day=timezone.localdate())
        services.mark_present(visitor=visitor, now=now)
        response.set_signed_cookie(
            COOKIE,
            f"{visitor}|{today}|{minute}",
            salt="visitor",
            max_age=400 * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
