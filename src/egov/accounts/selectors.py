"""Reads about accounts and what they may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from egov.accounts.scopes import agencies_visible_to
from egov.agencies.models import Agency, Department


def agency_list(*, viewer: Any, on: dt.date | None = None) -> QuerySet[Agency]:
    """Agencies the viewer may see, with kind, unit and parent joined and departments prefetched: the number
    of queries does not depend on the number of agencies."""
    queryset = agencies_visible_to(viewer)
    queryset = queryset.valid_on(on) if on else queryset.current()  # type: ignore[attr-defined]
    return (
        queryset.select_related("kind", "unit", "parent")
        .prefetch_related(Prefetch("departments", queryset=Department.objects.filter(is_active=True)))
        .annotate(staff_count=Count("assignments__user", distinct=True))
        .order_by("path")
    )
