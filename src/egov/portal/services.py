"""Visitor counters ("Thống kê truy cập": online now, today, total) that cost page views almost nothing.

A visitor carries a signed cookie with a random id, the day of their last counted visit and the minute they
were last marked present. A page view writes to the database only when one of those is stale: at most one
write per visitor per minute and one counter increment per visitor per day. The figures shown are cached for
30 seconds.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone

from egov.accounts import services as accounts
from egov.accounts.models import User
from egov.dossiers.models import Draft, StoredFile
from egov.portal.models import SiteProfile, VisitorDay, VisitorPresence

COUNTERS_CACHE_KEY = "portal:counters"
COUNTERS_TTL = 30


def count_visit(*, day: dt.date) -> None:
    updated = VisitorDay.objects.filter(day=day).update(visits=F("visits") + 1)
    if not updated:
        try:
            with transaction.atomic():
                VisitorDay.objects.create(day=day, visits=1)
        except IntegrityError:  # another process created today's row first
            VisitorDay.objects.filter(day=day).update(visits=F("visits") + 1)


def mark_present(*, visitor: str, now: dt.datetime) -> None:
    if not VisitorPresence.objects.filter(visitor=visitor).update(last_seen=now):
        VisitorPresence.objects.bulk_create(
            [VisitorPresence(visitor=visitor, last_seen=now)], ignore_conflicts=True
        )


def counters() -> dict[str, int]:
    cached = cache.get(COUNTERS_CACHE_KEY)
    if cached is not None:
        return dict(cached)
    now = timezone.now()
    window = now - dt.timedelta(minutes=settings.EGOV_VISITOR_ONLINE_MINUTES)
    VisitorPresence.objects.filter(last_seen__lt=now - dt.timedelta(days=1)).delete()
    today = VisitorDay.objects.filter(day=timezone.localdate()).values_list("visits", flat=True).first() or 0
    total = VisitorDay.objects.aggregate(total=Sum("visits"))["total"] or 0
    offset = SiteProfile.objects.values_list("visits_before_launch", flat=True).first() or 0
    figures = {
        "online": VisitorPresence.objects.filter(last_seen__gte=window).count(),
        "today": today,
        "total": total + offset,
    }
    cache.set(COUNTERS_CACHE_KEY, figures, COUNTERS_TTL)
    return figures


def close_own_account(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Close a citizen's or organisation's account from their data page: the account itself
    (``accounts.services.close_account``: password checked, identity erased, audit entry), and the drafts
    never filed with their uploads (the orphan-file sweep removes the files). Filed dossiers stay."""
    with transaction.atomic():
        accounts.close_account(user=user, password=password, request=request)
        StoredFile.objects.filter(owner=user, dossier__isnull=True).delete()
        Draft.objects.filter(owner=user).delete()
