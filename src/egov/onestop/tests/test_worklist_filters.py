"""The officer list's filters: days are Vietnam's days, every filter is a condition an index can serve, a status
the tab does not hold costs nothing, and the statistics are fresh after a bulk load."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.demo import synthetic
from egov.dossiers.models import Dossier
from egov.onestop import receiving
from egov.onestop.selectors import CappedPaginator, WorklistFilters, officer_worklist
from egov.submission.tests.test_submission import submit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = "motcua.loctan@binhphuoc.demo"
SUPERVISOR = "giamsat@binhphuoc.demo"
MARCH = WorklistFilters(submitted_from=dt.date(2019, 3, 1), submitted_to=dt.date(2019, 3, 31))


def person(email: str) -> User:
    return User.objects.get(email=email)


def submitted_at(marriage: Any, *moments: dt.datetime) -> list[str]:
    codes = []
    for moment in moments:
        dossier, _ = submit(marriage)
        Dossier.objects.filter(pk=dossier.pk).update(submitted_at=moment)
        codes.append(dossier.code)
    return codes


def test_a_month_of_submission_dates_is_a_month_of_vietnam_days(marriage: Any) -> None:
    inside = submitted_at(
        marriage,
        dt.datetime(2019, 3, 1, 0, 0, tzinfo=VN),  # 28 Feb 17:00 UTC
        dt.datetime(2019, 3, 31, 23, 59, 59, tzinfo=VN),  # 31 Mar 16:59 UTC
    )
    submitted_at(
        marriage,
        dt.datetime(2019, 2, 28, 23, 59, 59, tzinfo=VN),
        dt.datetime(2019, 4, 1, 0, 0, tzinfo=VN),
    )
    desk = person(DESK)
    found = [d.code for d in officer_worklist(desk, tab="moi", filters=MARCH)]
    assert sorted(found) == sorted(inside)
    one_day = WorklistFilters(submitted_from=dt.date(2019, 3, 31), submitted_to=dt.date(2019, 3, 31))
    assert [d.code for d in officer_worklist(desk, tab="moi", filters=one_day)] == [inside[1]]


def test_dates_at_the_ends_of_the_calendar_are_answered_not_a_500(marriage: Any, officer_client: Any) -> None:
    submit(marriage)
    page = officer_client(DESK).get("/can-bo/ho-so/", {"tu_ngay": "0001-01-01", "den_ngay": "9999-12-31"})
    assert page.status_code == 200 and page.content.decode().count('href="/can-bo/ho-so/000.22.44.H10-') == 1
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=person(DESK), name='Một cửa')}")
    for bounds, count in (
        ({"submitted_from": "0001-01-01", "submitted_to": "9999-12-31"}, 1),
        ({"submitted_from": "9999-12-31"}, 0),
        ({"submitted_to": "0001-01-01"}, 0),
    ):
        response = api.get("/api/v1/officer/dossiers", {"tab": "moi", **bounds})
        assert response.status_code == 200 and response.json()["count"] == count, bounds


def index_conditions(queryset: Any) -> str:
    """What the plan's index scans compare (PostgreSQL with sequential scans off, so that a table of a few rows
    does not hide which conditions an index could serve; SQLite's query plan otherwise)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
        return "\n".join(line for line in plan.splitlines() if re.search(r"Index Cond|Recheck Cond", line))
    plan = queryset.explain()
    return "\n".join(line for line in plan.splitlines() if "USING" in line and "INDEX" in line)


def test_every_filter_of_the_officer_list_is_a_condition_an_index_serves(marriage: Any) -> None:
    """Dates are compared as stored (not through a time-zone cast), the agencies as ids (not a sub-query),
    a status as one value of the tab's index, the end of a code through the reversed code's index."""
    dossier, _ = submit(marriage)
    receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
    desk, supervisor = person(DESK), person(SUPERVISOR)
    dated = index_conditions(officer_worklist(desk, tab="moi", filters=MARCH))
    assert re.search(r"submitted_at\W*(>=|>)", dated), dated
    assert re.search(r"submitted_at\W*<", dated), dated
    if connection.vendor != "postgresql":
        return  # SQLite plans one index per OR branch; the rest is PostgreSQL's planner
    province = officer_worklist(supervisor, tab="da-tiep-nhan", filters=MARCH)
    assert "submitted_at >=" in index_conditions(province)
    plan = province.explain()  # the agencies are a list of ids the planner can weigh, not a sub-plan per row
    assert "SubPlan" not in plan and "receiving_agency_id = ANY" in plan, plan
    status = index_conditions(
        officer_worklist(desk, tab="da-tiep-nhan", filters=WorklistFilters(status="received"))
    )
    assert "status)::text = 'received'" in status, status
    digits = index_conditions(
        officer_worklist(supervisor, tab="da-tiep-nhan", filters=WorklistFilters(query="0001"))
    )
    assert "reverse((code)::text)" in digits and "applicant_id_number" in digits, digits


def test_a_status_the_tab_does_not_hold_lists_nothing_without_a_query(
    marriage: Any, django_assert_num_queries: Any
) -> None:
    desk = person(DESK)
    received, _ = submit(marriage)
    receiving.receive(dossier=received, officer=desk, expected_version=received.version)
    submit(marriage)
    rows = officer_worklist(desk, tab="da-tiep-nhan", filters=WorklistFilters(status="received"))
    assert [d.code for d in rows] == [received.code]
    with django_assert_num_queries(0):
        assert (
            list(officer_worklist(desk, tab="da-tiep-nhan", filters=WorklistFilters(status="returned"))) == []
        )
        assert list(officer_worklist(desk, tab="moi", filters=WorklistFilters(status="received"))) == []


def test_the_end_of_a_code_is_found_among_others(marriage: Any) -> None:
    codes = [submit(marriage)[0].code for _ in range(3)]
    desk = person(DESK)
    for code in codes:
        found = officer_worklist(desk, tab="moi", filters=WorklistFilters(query=code[-4:]))
        assert [d.code for d in found] == [code]
    assert [d.code for d in officer_worklist(desk, tab="moi", filters=WorklistFilters(query="9999"))] == []


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_leaves_the_planner_with_the_real_row_counts(demo: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE and the planner's estimates are PostgreSQL's")
    report = synthetic.generate(count=3000, year=2019, seed=11, open_share=0.5, rebuild_indexes=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'dossiers_dossier'")
        believed = cursor.fetchone()[0]
        cursor.execute("EXPLAIN SELECT 1 FROM dossiers_dossier WHERE status = 'new'")
        estimate = int(re.search(r"rows=(\d+)", cursor.fetchone()[0]).group(1))  # type: ignore[union-attr]
    actual = Dossier.objects.filter(status="new").count()
    assert believed == Dossier.objects.count() == report.dossiers
    assert actual * 0.8 <= estimate <= actual * 1.2 + 5, (estimate, actual)


def test_a_dated_list_is_counted_in_submission_order(marriage: Any, django_assert_num_queries: Any) -> None:
    """Rows are written in submission order, so a month's rows sit together in the table: the capped count
    walks the month through the submission index instead of letting PostgreSQL scan the table from its start
    until it meets them (0.1–0.7 s per count at 1,000,000 dossiers, whichever month)."""
    submit(marriage)
    desk = person(DESK)
    dated = WorklistFilters(submitted_from=dt.date(2000, 1, 1))
    for filters, ordered in ((dated, True), (WorklistFilters(), False)):
        paginator = CappedPaginator(officer_worklist(desk, tab="moi", filters=filters), 25, filters=filters)
        with CaptureQueriesContext(connection) as queries:
            assert paginator.count == 1
        [count] = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
        assert ("ORDER BY" in count and "submitted_at" in count.split("ORDER BY")[1]) is ordered, count
