"""“Thống kê truy cập”: online now, today, total — counted without a write on every page view."""

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.portal.models import VisitorDay, VisitorPresence
from egov.portal.services import counters


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}
    ]


def test_a_first_visit_counts_once_and_later_views_cost_no_writes(demo: None) -> None:
    visitor = Client()
    with CaptureQueriesContext(connection) as first:
        visitor.get("/")
    assert VisitorDay.objects.get(day=timezone.localdate()).visits == 1
    assert VisitorPresence.objects.count() == 1
    assert writes(first)  # the counter and the presence row
    for _ in range(5):
        with CaptureQueriesContext(connection) as later:
            visitor.get("/")
        assert writes(later) == []
    assert VisitorDay.objects.get(day=timezone.localdate()).visits == 1

    Client().get("/")  # a second visitor
    cache.clear()
    figures = counters()
    assert figures["today"] == 2 and figures["online"] == 2
    assert figures["total"] == 2_941_443 + 2  # the old site's total carries over


def test_presence_expires_and_old_days_still_count(demo: None) -> None:
    VisitorDay.objects.create(day=timezone.localdate() - dt.timedelta(days=3), visits=40)
    VisitorPresence.objects.create(visitor="a" * 32, last_seen=timezone.now() - dt.timedelta(minutes=30))
    VisitorPresence.objects.create(visitor="b" * 32, last_seen=timezone.now() - dt.timedelta(days=2))
    figures = counters()
    assert figures == {"online": 0, "today": 0, "total": 2_941_443 + 40}
    assert VisitorPresence.objects.count() == 1  # rows older than a day are purged


def test_tampered_cookies_and_bots_do_not_break_or_inflate(demo: None) -> None:
    client = Client()
    client.cookies["egov_visitor"] = "forged|2020-01-01|1"
    assert client.get("/").status_code == 200
    Client(HTTP_USER_AGENT="Googlebot/2.1").get("/")
    assert VisitorDay.objects.get(day=timezone.localdate()).visits == 1


def test_the_footer_shows_the_counters_with_vietnamese_grouping(demo: None, client: Client) -> None:
    body = client.get("/").content.decode()
    assert "Thống kê truy cập" in body and "Đang online" in body and "Hôm nay" in body
    assert "2.941.443" in body  # the first view is counted after the page is drawn


def test_the_home_page_costs_the_same_queries_whatever_the_number_of_desks(demo: None, client: Any) -> None:
    from egov.agencies.models import Agency

    client.get("/")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    Agency.objects.filter(unit__kind__level__code="commune").update(has_one_stop_desk=False)
    cache.clear()
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    assert len(many) == len(few) <= 4


def test_officers_back_office_pages_are_not_visits(officer_client: Any) -> None:
    officer = officer_client("motcua.loctan@binhphuoc.demo")
    VisitorDay.objects.all().delete()
    assert officer.get("/can-bo/ho-so/").status_code == 200
    assert officer.get("/can-bo/so-theo-doi/").status_code == 200
    assert not VisitorDay.objects.exists()
    assert officer.get("/").status_code == 200  # the portal itself still counts, officer or not
    assert VisitorDay.objects.get(day=timezone.localdate()).visits == 1
