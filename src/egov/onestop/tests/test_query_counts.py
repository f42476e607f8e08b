"""Every list, page and API list of dossiers costs a fixed number of queries, whatever the number of rows: each
is measured with rows in it, then again with several times as many, against the same exact number (a query per
row, or per step, event or consultation, would fail it)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.agencies.models import Agency
from egov.dossiers import selectors
from egov.dossiers.models import Dossier
from egov.onestop import processing, receiving
from egov.onestop import selectors as onestop_selectors
from egov.submission.tests.test_submission import citizen, signed_in, submit

DESK = "motcua.loctan@binhphuoc.demo"  # receiving officer of UBND xã Lộc Tấn
SPECIALIST = "congchuc.loctan@binhphuoc.demo"
SUPERVISOR = "giamsat@binhphuoc.demo"


def person(email: str) -> User:
    return User.objects.get(email=email)


def add_rows(marriage: Any, each: int) -> None:
    """``each`` dossiers in every tab of the commune's officers: new, received (at the specialist's step), due
    soon, overdue, assigned to the specialist, waiting for the applicant, and refused (finished)."""
    desk, specialist = person(DESK), person(SPECIALIST)
    for _ in range(each):
        submit(marriage)  # new
        for state in ("received", "due_soon", "overdue", "assigned", "supplement", "refused"):
            dossier, _ = submit(marriage)
            if state == "supplement":
                receiving.request_supplement(
                    dossier=dossier,
                    officer=desk,
                    items=[{"name": "Tờ khai có chữ ký", "reason": "Tờ khai chưa ký"}],
                    expected_version=dossier.version,
                )
                continue
            if state == "refused":
                receiving.refuse(
                    dossier=dossier,
                    officer=desk,
                    reason="Không thuộc thẩm quyền giải quyết của xã",
                    expected_version=dossier.version,
                )
                continue
            receiving.receive(dossier=dossier, officer=desk, expected_version=dossier.version)
            if state in ("due_soon", "overdue"):
                Dossier.objects.filter(pk=dossier.pk).update(deadline_state=state)
            if state == "assigned":
                Dossier.objects.filter(pk=dossier.pk).update(current_assignee=specialist)


def rows_shown(body: str) -> int:
    return body.count('href="/can-bo/ho-so/000.22.44.H10-')


# Rows each officer's tabs hold for every dossier ``add_rows`` makes in each state.
ROWS = {
    DESK: {"moi": 1, "cho-cong-dan": 1, "sap-den-han": 1, "qua-han": 1, "da-tiep-nhan": 5, "da-xong": 1},
    SPECIALIST: {
        "cho-toi": 4,
        "cua-toi": 1,
        "cho-cong-dan": 1,
        "sap-den-han": 1,
        "qua-han": 1,
        "da-tiep-nhan": 5,
        "da-xong": 1,
    },
    SUPERVISOR: {"cho-cong-dan": 1, "sap-den-han": 1, "qua-han": 1, "da-tiep-nhan": 5, "da-xong": 1},
}
FILTERS = {
    "none": {},
    "filters": {"kenh": "2", "q": "văn an", "tu_ngay": "2000-01-01", "den_ngay": "2100-12-31"},
    "procedure": {"thu_tuc": "9.000001"},
}


def test_every_worklist_tab_with_and_without_filters_costs_the_same_queries_for_few_or_many_rows(
    marriage: Any, officer_client: Any, django_assert_num_queries: Any
) -> None:
    clients = {email: officer_client(email) for email in ROWS}
    for client in clients.values():
        client.get("/can-bo/ho-so/")  # per-process caches warmed
    for each in (1, 3):
        add_rows(marriage, 1 if each == 1 else each - 1)
        for email, tabs in ROWS.items():
            for tab, rows in tabs.items():
                for name, values in FILTERS.items():
                    # user, second factor, roles, every tab's count (one), the filters' procedures and
                    # sectors, this tab's count, page; a supervisor's agencies (once for all the tabs); a
                    # procedure's versions
                    expected = 8 + (email == SUPERVISOR) + (name == "procedure")
                    with django_assert_num_queries(expected, info=f"{email} {tab} {name}"):
                        response = clients[email].get("/can-bo/ho-so/", {"tab": tab, **values})
                    shown = rows_shown(response.content.decode())
                    if name == "procedure":  # only the received ones (not the new, refused or waiting)
                        assert shown <= rows * each, (email, tab)
                    else:
                        assert shown == rows * each, (email, tab, name)


def test_the_officer_api_list_costs_the_same_queries_for_few_or_many_rows(
    marriage: Any, django_assert_num_queries: Any
) -> None:
    clients = {
        email: Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=person(email), name='Phần mềm')}")
        for email in ROWS
    }
    filters = {"channel": 2, "submitted_from": "2000-01-01", "submitted_to": "2100-01-01", "q": "văn an"}
    for client in clients.values():
        client_get(client, "moi", {})  # the token's last use is recorded at most every 5 minutes
    for each in (1, 4):
        add_rows(marriage, 1 if each == 1 else each - 1)
        for email, tabs in ROWS.items():
            for tab, rows in tabs.items():
                # token with its user, roles, page, count; a supervisor's agencies
                with django_assert_num_queries(4 + (email == SUPERVISOR)):
                    listing = client_get(clients[email], tab, filters)
                assert listing["count"] == len(listing["items"]) == rows * each, (email, tab)
    [item, *_] = client_get(clients[SPECIALIST], "cua-toi", {})["items"]
    assert item["assignee"] == person(SPECIALIST).full_name and item["status_label"] == "Được tiếp nhận"
    assert item["step_agency"] == "Ủy ban nhân dân xã Lộc Tấn" and item["step"] and item["channel"] == 2
    assert item["procedure"] == marriage.name and item["applicant_name"] == "Nguyễn Văn An"


def client_get(client: Client, tab: str, filters: dict[str, Any]) -> dict[str, Any]:
    response = client.get("/api/v1/officer/dossiers", {"tab": tab, **filters})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_dossier_page_and_the_api_detail_cost_the_same_queries_for_any_history(
    marriage: Any, officer_client: Any, django_assert_num_queries: Any
) -> None:
    desk, specialist = person(DESK), person(SPECIALIST)
    plain, _ = submit(marriage)
    receiving.receive(dossier=plain, officer=desk, expected_version=plain.version)
    busy, _ = submit(marriage)
    busy = receiving.receive(dossier=busy, officer=desk, expected_version=busy.version)
    busy = processing.reassign(
        dossier=busy, officer=specialist, expected_version=busy.version, assignee=specialist
    )
    busy.refresh_from_db()
    processing.request_consultation(
        dossier=busy,
        officer=specialist,
        agencies=list(Agency.objects.filter(code__in=("000.02.44.H10", "000.05.44.H10"))),
        question="Xin ý kiến về nơi cư trú của hai bên",
        days=2,
        expected_version=busy.version,
    )
    busy.refresh_from_db()
    assert busy.events.count() > plain.events.count() and busy.consultations.count() == 2
    page = officer_client(SPECIALIST)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=specialist, name='Hộ tịch')}")
    page.get(f"/can-bo/ho-so/{plain.code}/")
    api.get(f"/api/v1/officer/dossiers/{plain.code}")  # the token's last use, recorded every 5 minutes
    for dossier in (plain, busy):
        # user, second factor, roles; dossier (with apology and result), files, events, steps,
        # consultations, the supplement requests (form 02 link, and the rule "once after receipt"); the
        # working calendar (the rules' 3-day window and apology notice); the officers to hand over to
        with django_assert_num_queries(11):
            response = page.get(f"/can-bo/ho-so/{dossier.code}/")
        assert response.status_code == 200 and dossier.code in response.content.decode()
        # token with its user, roles; dossier, files, events, steps, consultations, supplement requests;
        # the working calendar (the action rules)
        with django_assert_num_queries(9):
            detail = api.get(f"/api/v1/officer/dossiers/{dossier.code}").json()
        assert (
            detail["code"] == dossier.code and "consult" in detail["allowed_actions"]
        )  # forward waits for the answers
    assert len(detail["steps"]) == 3  # the busy dossier: its step and two consultations
    assert len(detail["dossier"]["timeline"]) == busy.events.count()


def test_timelines_and_look_ups_cost_the_same_queries_for_any_history(
    marriage: Any, django_assert_num_queries: Any
) -> None:
    desk, specialist = person(DESK), person(SPECIALIST)
    short, _ = submit(marriage)
    long, _ = submit(marriage)
    long = receiving.receive(dossier=long, officer=desk, expected_version=long.version)
    for _ in range(3):
        long = processing.reassign(
            dossier=long, officer=specialist, expected_version=long.version, assignee=specialist
        )
        long.refresh_from_db()
    events = {short.pk: short.events.count(), long.pk: long.events.count()}
    assert events[long.pk] >= 5 and events[short.pk] == 1
    owner = signed_in()
    owner.get("/ho-so-cua-toi/")
    token = issue_token(user=citizen(), name="Ứng dụng")
    app = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    app.get("/api/v1/dossiers")
    public = Client()
    public.get("/")
    for dossier in (short, long):
        with django_assert_num_queries(1):
            assert len(selectors.timeline(dossier.pk)) == events[dossier.pk]
        with django_assert_num_queries(2):  # the dossier, its events
            page = public.get("/tra-cuu-ho-so/", {"ma": dossier.code})
        assert page.status_code == 200
        with django_assert_num_queries(2):
            found = public.get(f"/api/v1/lookup/{dossier.code}").json()
        assert len(found["timeline"]) == events[dossier.pk]
        # user; the header's unread notices; dossier (with result and apology), files, events
        with django_assert_num_queries(5):
            assert owner.get(f"/ho-so-cua-toi/{dossier.code}/").status_code == 200
        with django_assert_num_queries(4):  # token with its user; dossier, files, events
            full = app.get(f"/api/v1/dossiers/{dossier.code}").json()
        assert len(full["timeline"]) == events[dossier.pk]


def test_the_applicants_lists_cost_the_same_queries_for_few_or_many(
    marriage: Any, django_assert_num_queries: Any
) -> None:
    owner = signed_in()
    app = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=citizen(), name='Ứng dụng')}")
    owner.get("/ho-so-cua-toi/")
    app.get("/api/v1/dossiers")
    for total in (2, 7):
        while Dossier.objects.filter(applicant=citizen()).count() < total:
            submit(marriage)
        owner.get("/ho-so-cua-toi/")  # the footer's counters are kept 30 s: read them first on a slow machine
        with django_assert_num_queries(4):  # user, the header's unread notices, dossiers, drafts
            page = owner.get("/ho-so-cua-toi/").content.decode()
        assert page.count("Mới đăng ký") == total
        with django_assert_num_queries(3):  # token with its user, the page of dossiers, their count
            listing = app.get("/api/v1/dossiers").json()
        assert len(listing["items"]) == total and listing["count"] == total


def test_the_register_costs_the_same_queries_for_few_or_many_rows(
    marriage: Any, officer_client: Any, django_assert_num_queries: Any
) -> None:
    desk = person(DESK)
    agency = Agency.objects.get(code="000.22.44.H10")
    client = officer_client(DESK)
    year = timezone.localdate().year
    client.get("/can-bo/so-theo-doi/")  # the site's shell and counters, cached per process
    for total in (2, 6):
        while Dossier.objects.filter(received_at__isnull=False).count() < total:
            dossier, _ = submit(marriage)
            received = receiving.receive(dossier=dossier, officer=desk, expected_version=dossier.version)
            if total > 2:  # some have moved on: their steps are read with the same query
                processing.forward(
                    dossier=received, officer=person(SPECIALIST), expected_version=received.version
                )
        with django_assert_num_queries(2):  # dossiers with their results, their steps with agencies
            rows = onestop_selectors.register_rows(agency=agency, year=year)
        assert [row[0] for row in rows] == [f"{n:02d}" for n in range(1, total + 1)]
        for fmt in ("pdf", "xlsx"):
            # user, second factor, roles; dossiers, steps
            with django_assert_num_queries(5):
                response = client.get(
                    "/can-bo/so-theo-doi/", {"co_quan": "000.22.44.H10", "nam": year, "dinh_dang": fmt}
                )
            assert response.status_code == 200
        # the choice of desk and year: user, second factor, roles, the years with dossiers
        with django_assert_num_queries(4):
            page = client.get("/can-bo/so-theo-doi/")
        assert page.status_code == 200 and f"<option>{year}</option>" in page.content.decode()
