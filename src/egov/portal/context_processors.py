from __future__ import annotations

from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from egov.agencies.opening_hours import describe, periods_of
from egov.agencies.selectors import current_successor, people_committee_of
from egov.portal.models import SiteProfile
from egov.portal.services import counters
from egov.submission.selectors import unread_notice_count
from egov.units.selectors import home_province

PROFILE_CACHE_KEY = "portal:profile"
PROFILE_TTL = 60  # seconds; an edit in the admin shows within a minute


def site_profile() -> dict[str, Any]:
    cached = cache.get(PROFILE_CACHE_KEY)
    if cached is None:
        profile = SiteProfile.objects.select_related("contact_agency").first()
        unit = home_province()
        # Who runs the portal comes from today's data (after 2025: Ủy ban nhân dân tỉnh Đồng Nai), never a text.
        owner = people_committee_of(unit) if unit else None
        agency = profile.contact_agency if profile else None
        if agency is not None and agency.valid_to is not None:
            agency = current_successor(agency)  # the contact agency was merged away: show its successor
        cached = {
            "portal_name": profile.portal_name if profile else "Cổng dịch vụ công trực tuyến",
            "owner_name": owner.name if owner else "",
            "emblem_url": profile.emblem.url if profile and profile.emblem else "",
            "hotline": profile.hotline if profile else "",
            "province_name": unit.name if unit else "",
            "province_in_sentence": unit.name_in_sentence if unit else "",
            "contact": {
                "name": agency.name,
                "address": agency.address,
                "phone": agency.phone,
                "email": agency.email,
                "periods": periods_of(agency.opening_hours.all()),
            }
            if agency
            else None,
        }
        cache.set(PROFILE_CACHE_KEY, cached, PROFILE_TTL)
    return dict(cached)


def forget_site_profile_after(event: Any) -> list[str]:
    """Reorganisation hook: the header and footer name the new province and agencies once it commits."""
    transaction.on_commit(lambda: cache.delete(PROFILE_CACHE_KEY))
    return []


def portal(request: HttpRequest) -> dict[str, Any]:
    site = site_profile()
    if site["contact"]:
        # Worded per request: the cache keeps the periods, the visitor's language names the days.
        site["contact"] = {**site["contact"], "hours": describe(site["contact"]["periods"])}
    context: dict[str, Any] = {"site": site, "visitor_counters": counters}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not getattr(user, "is_officer", False):
        # A callable: the template calls it (one indexed count) only where the header shows it.
        context["unread_notices"] = partial(unread_notice_count, user)
    return context
