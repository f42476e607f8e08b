"""The officer's workbench and what hangs on it: the tabs' counts (one query), what waits today (steps,
signatures, consultations; overdue and due soon first), results waiting for a signature in “Chờ tôi xử lý”
with an e-mail to whoever signs next, each signature in the dossier's history (the applicant sees only the
release), the dossier page's summary and actions, the filters' lists, the register's years, the API's
``consultation_due_at``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.dossiers.models import Dossier, DossierEvent, Notification, NotificationKind
from egov.onestop import processing, receiving, rules
from egov.onestop import selectors as onestop_selectors
from egov.onestop import workbench as onestop_workbench
from egov.submission.tests.test_submission import signed_in, submit

DESK = "motcua.loctan@binhphuoc.demo"
SPECIALIST = "congchuc.loctan@binhphuoc.demo"
CHAIRMAN = "chutich.loctan@binhphuoc.demo"
CLERK = "vanthu.loctan@binhphuoc.demo"


def person(email: str) -> User:
    return User.objects.get(email=email)


def fresh(email: str) -> User:
    """A new user object: no roles or scopes kept from an earlier read."""
    return User.objects.get(email=email)


def to_issue(marriage: Any) -> Dossier:
    """A dossier received, appraised and approved: at the clerk's issue step."""
    dossier, _ = submit(marriage)
    dossier = receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
    dossier = processing.forward(
        dossier=dossier, officer=person(SPECIALIST), expected_version=dossier.version
    )
    return processing.forward(dossier=dossier, officer=person(CHAIRMAN), expected_version=dossier.version)


def issue(dossier: Dossier, number: str = "12/GCN-UBND") -> Dossier:
    dossier.refresh_from_db()
    assert (
        processing.issue_result(
            dossier=dossier, officer=person(CLERK), expected_version=dossier.version, document_number=number
        )
        is None
    )  # waits for the signatures
    dossier.refresh_from_db()
    return dossier


def sign(dossier: Dossier, email: str, pin: str = "") -> str:
    dossier.refresh_from_db()
    return processing.sign_result(
        dossier=dossier, officer=fresh(email), pin=pin, expected_version=dossier.version
    )


def cho_toi(email: str) -> list[str]:
    return list(
        onestop_selectors.officer_worklist(fresh(email), tab="cho-toi").values_list("code", flat=True)
    )


def test_results_waiting_for_a_signature_are_in_cho_toi_and_leave_it_once_signed(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = to_issue(marriage)
    assert dossier.code not in cho_toi(CHAIRMAN)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = issue(dossier)
    assert dossier.code in cho_toi(CHAIRMAN)
    row = onestop_selectors.officer_worklist(fresh(CHAIRMAN), tab="cho-toi").get(code=dossier.code)
    assert row.awaits_my_signature
    assert dossier.code in cho_toi(CLERK)  # the clerk holds the issue step
    # The chairman is asked by e-mail, through the outbox, with links to the dossier and to batch signing.
    asked = Notification.objects.get(dossier=dossier, kind=NotificationKind.SIGNATURE_REQUESTED)
    assert asked.recipient == CHAIRMAN and asked.status == "sent"
    message = next(m for m in mail.outbox if m.to == [CHAIRMAN])
    assert dossier.code in message.subject and "ký số phê duyệt" in message.subject
    assert f"/can-bo/ho-so/{dossier.code}/" in message.body and "12/GCN-UBND" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        assert sign(dossier, CHAIRMAN, "123456") == "awaiting_seal"
    assert dossier.code not in cho_toi(CHAIRMAN)
    clerk_row = onestop_selectors.officer_worklist(fresh(CLERK), tab="cho-toi").get(code=dossier.code)
    assert clerk_row.awaits_my_signature
    # Now the clerks are asked to seal, and the leader's e-mail, composed again, would tell nothing.
    sealing = Notification.objects.filter(dossier=dossier, kind=NotificationKind.SIGNATURE_REQUESTED).exclude(
        recipient=CHAIRMAN
    )
    assert {n.recipient for n in sealing} == {CLERK}
    assert any("văn thư ký số" in m.subject for m in mail.outbox if m.to == [CLERK])
    assert processing.notices._signature_email(asked) is None

    assert sign(dossier, CLERK) == "released"
    assert dossier.code not in cho_toi(CHAIRMAN)
    assert Dossier.objects.get(pk=dossier.pk).status == "done"


def test_each_signature_is_in_the_officers_history_and_the_applicant_sees_only_the_release(
    marriage: Any, officer_client: Any
) -> None:
    dossier = issue(to_issue(marriage))
    sign(dossier, CHAIRMAN, "123456")
    sign(dossier, CLERK)
    events = {e.action: e for e in DossierEvent.objects.filter(dossier=dossier).select_related("actor")}
    signed, sealed, released = events["result_signed"], events["result_sealed"], events["result_issued"]
    assert signed.actor == person(CHAIRMAN) and "ký số phê duyệt kết quả số 12/GCN-UBND" in signed.note
    assert sealed.actor == person(CLERK) and "Ủy ban nhân dân xã Lộc Tấn" in sealed.note
    assert signed.at <= sealed.at <= released.at
    assert not signed.public_note and not sealed.public_note
    assert signed.from_status == signed.to_status == "processing"
    # The officer's timeline names who signed and when.
    page = officer_client(DESK).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    chairman = person(CHAIRMAN).full_name
    assert f"{chairman}: {chairman} ký số phê duyệt" in page.replace(" (Ủy ban nhân dân xã Lộc Tấn)", "")
    assert timezone.localtime(signed.at).strftime("%H:%M %d/%m/%Y") in page
    # The applicant's history: the result, not the signatures.
    mine = signed_in().get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Đã có kết quả" in mine and "ký số phê duyệt" not in mine and chairman not in mine


def test_the_workbench_counts_every_tab_and_lists_what_waits_urgent_first(
    marriage: Any, officer_client: Any
) -> None:
    desk = person(DESK)
    made = []
    for state in ("on_track", "overdue", "due_soon"):
        dossier, _ = submit(marriage)
        receiving.receive(dossier=dossier, officer=desk, expected_version=dossier.version)
        Dossier.objects.filter(pk=dossier.pk).update(deadline_state=state)
        made.append(dossier.code)
    submit(marriage)  # new, at the desk
    counts = onestop_workbench.tab_counts(fresh(SPECIALIST))
    assert counts["cho-toi"] == 3 and counts["qua-han"] == 1 and counts["sap-den-han"] == 1
    assert counts["da-tiep-nhan"] == 3 and counts["moi"] == 0
    assert onestop_workbench.tab_counts(fresh(DESK))["moi"] == 1
    assert onestop_workbench.tab_counts(fresh(SPECIALIST), cap=1)["cho-toi"] == 2  # capped: "1+"
    assert onestop_workbench.count_label(2, cap=1) == "1+"

    bench = onestop_workbench.workbench(fresh(SPECIALIST))
    assert [d.code for d in bench.steps] == [made[1], made[2], made[0]]  # overdue, due soon, on track
    page = officer_client(SPECIALIST).get("/tai-khoan/can-bo/").content.decode()
    assert "Việc chờ tôi hôm nay" in page and "Bước xử lý tôi đang giữ" in page
    assert page.index(made[1]) < page.index(made[2]) < page.index(made[0])
    assert "<span>Chờ tôi xử lý</span> <strong>3</strong>" in page


def test_the_workbench_costs_the_same_queries_for_few_or_many(marriage: Any, officer_client: Any) -> None:
    client = officer_client(CHAIRMAN)
    clerk = officer_client(CLERK)

    def queries(who: Client) -> tuple[int, str]:
        who.get("/tai-khoan/can-bo/")  # the site's shell and counters, cached per process
        with CaptureQueriesContext(connection) as captured:
            page = who.get("/tai-khoan/can-bo/")
        assert page.status_code == 200
        return len(captured), page.content.decode()

    for total in (1, 4):
        while DossierEvent.objects.filter(action="result_awaiting_signature").count() < total:
            issue(to_issue(marriage), number=f"{total}-{timezone.now():%H%M%S%f}/GCN")
        waiting = Dossier.objects.filter(events__action="result_awaiting_signature").distinct()
        # session, user, device, roles; the results waiting for the signature, every tab's count (one), the
        # dossiers of those signatures (none at a step of the chairman's own: no list of steps); agencies,
        # departments
        count, page = queries(client)
        assert count == 8, count
        assert f"Kết quả chờ tôi ký số ({total})" in page
        assert all(d.code in page for d in waiting)
        # The clerk: nothing to seal yet, the issue steps they hold instead (a list, no signatures' dossiers).
        count, page = queries(clerk)
        assert count == 8, count
        assert "Bước xử lý tôi đang giữ" in page and all(d.code in page for d in waiting)


def test_the_dossier_page_leads_with_a_summary_and_only_the_actions_allowed(
    marriage: Any, officer_client: Any
) -> None:
    dossier, _ = submit(marriage)
    dossier = receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
    client = officer_client(SPECIALIST)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    summary = page[page.index('id="tom-tat"') : page.index("</section>", page.index('id="tom-tat"'))]
    assert "Hẹn trả kết quả" in summary and "Còn hạn" in summary and dossier.applicant_name in summary
    allowed = rules.allowed_actions(fresh(SPECIALIST), Dossier.objects.get(pk=dossier.pk))
    assert allowed >= {"forward", "consult"} and "receive" not in allowed
    for name in allowed - {"reassign"}:
        assert f'href="#tt-{name}"' in summary and f'id="tt-{name}"' in page
    assert 'href="#tt-receive"' not in page and 'href="#tt-issue"' not in page
    # Long sections are folded.
    assert '<details class="section"><summary><h2>Diễn biến' in page
    assert '<details class="section"><summary><h2>Giấy tờ đính kèm' in page


def test_the_leader_approving_sees_the_draft_then_the_document_to_sign(
    marriage: Any, officer_client: Any
) -> None:
    dossier, _ = submit(marriage)
    dossier = receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
    dossier = processing.forward(
        dossier=dossier, officer=person(SPECIALIST), expected_version=dossier.version
    )
    chairman = officer_client(CHAIRMAN)
    page = chairman.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Dự thảo kết quả bạn phê duyệt" in page
    draft = chairman.get(f"/can-bo/ho-so/{dossier.code}/du-thao-ket-qua.pdf")
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    assert (
        "Dự thảo kết quả" not in officer_client(DESK).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    )
    processing.forward(dossier=dossier, officer=person(CHAIRMAN), expected_version=dossier.version)
    issue(dossier)
    page = chairman.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Văn bản kết quả trình ký" in page and "Ký số phê duyệt kết quả" in page
    request = rules.facts(Dossier.objects.get(pk=dossier.pk)).pending_signature
    document = chairman.get(f"/chu-ky-so/trinh-ky/{request.pk}/tep/")
    assert document.status_code == 200 and b"".join(document.streaming_content).startswith(b"%PDF")


def test_filters_offer_the_catalogue_and_the_tabs_statuses(marriage: Any, officer_client: Any) -> None:
    dossier, _ = submit(marriage)
    client = officer_client(DESK)
    page = client.get("/can-bo/ho-so/", {"tab": "moi"}).content.decode()
    assert '<datalist id="thu_tuc-list">' in page
    assert f'<option value="9.000001 – {marriage.name}">' in page
    assert '<select id="linh_vuc" name="linh_vuc">' in page and marriage.sector.name in page
    assert 'type="date" id="tu_ngay"' in page
    statuses = page[page.index('id="trang_thai"') : page.index("</select>", page.index('id="trang_thai"'))]
    assert "Mới đăng ký" in statuses and "Đã trả kết quả" not in statuses  # the "moi" tab holds new ones
    # A choice from the list filters by its code.
    chosen = client.get("/can-bo/ho-so/", {"tab": "moi", "thu_tuc": f"9.000001 – {marriage.name}"})
    assert dossier.code in chosen.content.decode()
    other = client.get("/can-bo/ho-so/", {"tab": "moi", "thu_tuc": "1.000000 – Thủ tục khác"})
    assert dossier.code not in other.content.decode()
    assert onestop_selectors.procedure_code("9.000001 – Đăng ký kết hôn") == "9.000001"
    assert onestop_selectors.procedure_code(" 9.000001 ") == "9.000001"
    # The tabs show their counts.
    assert 'Mới, cần tiếp nhận <span class="tab-count">1</span>' in page


def test_the_register_offers_the_years_with_dossiers(
    marriage: Any, officer_client: Any, django_assert_num_queries: Any
) -> None:
    from egov.agencies.models import Agency

    desk = Agency.objects.get(code="000.22.44.H10")
    client = officer_client(DESK)
    assert onestop_selectors.register_years([desk]) == []
    assert "chưa tiếp nhận hồ sơ nào" in client.get("/can-bo/so-theo-doi/").content.decode()
    for year in (2019, 2023):
        dossier, _ = submit(marriage)
        receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
        Dossier.objects.filter(pk=dossier.pk).update(
            received_at=timezone.make_aware(dt.datetime(year, 6, 1, 9, 0))
        )
    this_year = timezone.localdate().year
    with django_assert_num_queries(1):
        assert onestop_selectors.register_years([desk]) == [2023, 2019]
    page = client.get("/can-bo/so-theo-doi/").content.decode()
    assert (
        "<option>2023</option><option>2019</option>" in page and f"<option>{this_year}</option>" not in page
    )


@pytest.mark.parametrize("tab", ["xin-y-kien", "cho-toi"])
def test_the_api_rows_carry_the_consultation_due_date_in_its_tab(marriage: Any, tab: str) -> None:
    from egov.agencies.models import Agency

    dossier, _ = submit(marriage)
    dossier = receiving.receive(dossier=dossier, officer=person(DESK), expected_version=dossier.version)
    consulted = Agency.objects.get(code="000.00.44.H10")
    processing.request_consultation(
        dossier=dossier,
        officer=person(SPECIALIST),
        expected_version=dossier.version,
        agencies=[consulted],
        question="Xác nhận nơi cư trú",
        days=2,
    )
    email = SPECIALIST if tab == "cho-toi" else "lanhdao.locninh@binhphuoc.demo"
    token = issue_token(user=person(email), name="test")
    response = Client().get("/api/v1/officer/dossiers", {"tab": tab}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    item = next(i for i in response.json()["items"] if i["code"] == dossier.code)
    if tab == "xin-y-kien":
        due = dossier.consultations.get().due_at
        assert abs(dt.datetime.fromisoformat(item["consultation_due_at"]) - due) < dt.timedelta(
            milliseconds=1
        )
    else:
        assert item["consultation_due_at"] is None
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["WorkItem"]
    assert "consultation_due_at" in schema["properties"]
