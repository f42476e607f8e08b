"""Officers through the pages and through /api/v1/officer: worklists with constant queries, every action,
forms as PDFs, the register, desk intake, and the citizen's withdraw/supplement/result."""

from __future__ import annotations

import json
from typing import Any

import openpyxl
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import DossierStatus
from egov.onestop import receiving
from egov.onestop import selectors as onestop_selectors
from egov.submission.tests.test_submission import submit


def person(email: str) -> User:
    return User.objects.get(email=email)


def post(client: Client, dossier: Dossier, decision: str, **data: Any) -> str:
    dossier.refresh_from_db()
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/",
        {"decision": decision, "version": dossier.version, **data},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_commune_dossier_through_the_pages_with_every_form(marriage: Any, officer_client: Any) -> None:
    dossier, _ = submit(marriage)
    desk = officer_client("motcua.loctan@binhphuoc.demo")
    specialist = officer_client("congchuc.loctan@binhphuoc.demo")
    chairman = officer_client("chutich.loctan@binhphuoc.demo")
    clerk = officer_client("vanthu.loctan@binhphuoc.demo")
    assert "Đã tiếp nhận hồ sơ" in post(desk, dossier, "receive")
    assert dossier.code in specialist.get("/can-bo/ho-so/", {"tab": "cho-toi"}).content.decode()
    page = specialist.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Chuyển tiếp" in page and "Phát hành kết quả" not in page
    assert "Đã chuyển" in post(specialist, dossier, "forward", note="Đủ điều kiện")
    assert "Đã chuyển" in post(chairman, dossier, "forward")
    # The clerk releases a result generated from the template; then the desk returns it online.
    # The clerk enters the result in the register; the chairman signs it, the clerk applies the seal.
    assert "chờ lãnh đạo ký số" in post(clerk, dossier, "issue", document_number="12/GCN-UBND")
    assert "PIN" in post(chairman, dossier, "sign", pin="000000")  # a wrong PIN signs nothing
    assert "chờ văn thư ký số" in post(chairman, dossier, "sign", pin="123456")
    assert "phát hành kết quả" in post(clerk, dossier, "sign")
    assert "Đã trả kết quả" in post(desk, dossier, "return", method="online")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    for form in ("01", "05"):
        response = desk.get(f"/can-bo/ho-so/{dossier.code}/mau-{form}.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert response["X-Egov-Signed"] == "1"  # signed by UBND xã Lộc Tấn when issued
        assert (
            desk.get(f"/can-bo/ho-so/{dossier.code}/mau-{form}.pdf").content == response.content
        )  # as issued
    from egov.signing.services import verify_pdf

    report = verify_pdf(response.content)
    assert report.valid and len(report.signatures) == 1
    from pathlib import Path

    artifacts = Path(__file__).resolve().parents[4] / "artifacts" / "forms"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "mau-05-ky-so.pdf").write_bytes(response.content)  # kept for people to look at
    assert desk.get(f"/can-bo/ho-so/{dossier.code}/mau-04.pdf").status_code == 404  # no apology was made
    # An attachment's signatures are checked from the back office (this one carries none).
    attachment = dossier.files.first()
    assert attachment is not None
    report = desk.get(f"/can-bo/ho-so/{dossier.code}/tep/{attachment.pk}/chu-ky/")
    assert report.status_code == 200 and "chữ ký" in report.content.decode().lower()
    result = desk.get(f"/can-bo/ho-so/{dossier.code}/ket-qua.pdf")
    assert result.status_code == 200
    from egov.signing.services import verify_pdf

    report = verify_pdf(b"".join(result.streaming_content))
    assert report.valid and len(report.signatures) == 2  # the chairman's and the commune's
    # The citizen downloads the result online.
    citizen = Client()
    citizen.force_login(dossier.applicant)
    response = citizen.get(f"/ho-so-cua-toi/{dossier.code}/ket-qua.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    # The register of the desk, as PDF and as Excel.
    year = dossier.received_at.year if dossier.received_at else 0
    assert desk.get("/can-bo/so-theo-doi/").status_code == 200
    pdf = desk.get("/can-bo/so-theo-doi/", {"co_quan": "000.22.44.H10", "nam": year, "dinh_dang": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    xlsx = desk.get("/can-bo/so-theo-doi/", {"co_quan": "000.22.44.H10", "nam": year, "dinh_dang": "xlsx"})
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet is not None and sheet["B3"].value == dossier.code
    assert (
        desk.get(
            "/can-bo/so-theo-doi/", {"co_quan": "000.00.02.H10", "nam": year, "dinh_dang": "pdf"}
        ).status_code
        == 404
    )


def test_refusal_gives_form_03_and_bad_input_is_a_message(marriage: Any, officer_client: Any) -> None:
    dossier, _ = submit(marriage)
    desk = officer_client("motcua.loctan@binhphuoc.demo")
    assert "Hãy ghi rõ lý do" in post(desk, dossier, "refuse", reason="ngắn")
    assert "Thao tác không hợp lệ" in post(desk, dossier, "bogus")
    post(desk, dossier, "refuse", reason="Không thuộc thẩm quyền giải quyết của xã")
    response = desk.get(f"/can-bo/ho-so/{dossier.code}/mau-03.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert desk.get(f"/can-bo/ho-so/{dossier.code}/mau-99.pdf").status_code == 404


def test_every_worklist_tab_costs_the_same_queries_for_few_or_many(
    marriage: Any, officer_client: Any
) -> None:
    specialist = officer_client("congchuc.loctan@binhphuoc.demo")
    desk_officer = person("motcua.loctan@binhphuoc.demo")

    def add(count: int) -> None:
        # Rows in every tab: in processing at the specialist's step, overdue, and refused (finished).
        for _ in range(count):
            for state in ("received", "overdue", "refused"):
                dossier, _ = submit(marriage)
                if state == "refused":
                    receiving.refuse(
                        dossier=dossier,
                        officer=desk_officer,
                        reason="Không thuộc thẩm quyền giải quyết của xã",
                        expected_version=dossier.version,
                    )
                    continue
                receiving.receive(dossier=dossier, officer=desk_officer, expected_version=dossier.version)
                if state == "overdue":
                    Dossier.objects.filter(pk=dossier.pk).update(deadline_state="overdue")

    add(1)
    tabs = {"cho-toi": 2, "da-tiep-nhan": 2, "qua-han": 1, "da-xong": 1}  # rows per dossier of each state
    specialist.get("/can-bo/ho-so/", {"tab": "cho-toi"})
    for each in (1, 7):
        if each > 1:
            add(each - 1)
        for tab, rows in tabs.items():
            # With rows in the tab and the filters matching them (the online channel, the applicant's name):
            # user, second factor, roles, every tab's count (one), the filters' procedures and sectors, this
            # tab's count, page. (The footer's visitor counters are kept 30 s: read them
            # first, so a slow machine does not count their refresh.)
            specialist.get("/can-bo/ho-so/", {"tab": tab, "kenh": "2", "q": "văn an"})
            with CaptureQueriesContext(connection) as queries:
                page = specialist.get("/can-bo/ho-so/", {"tab": tab, "kenh": "2", "q": "văn an"})
            assert page.content.decode().count("/can-bo/ho-so/000.22.44") == rows * each, tab
            assert len(queries) == 8, (tab, [q["sql"][:90] for q in queries.captured_queries])


def test_desk_intake_page_shows_errors_then_saves(marriage: Any, officer_client: Any) -> None:
    from conftest import pdf_upload
    from egov.catalog.tests.factories import valid_answers

    desk = officer_client("motcua.loctan@binhphuoc.demo")
    assert "9.000001" in desk.get("/can-bo/tiep-nhan/").content.decode()
    url = "/can-bo/tiep-nhan/?thu_tuc=9.000001"
    page = desk.get(url)
    assert page.status_code == 200 and "Người nộp" in page.content.decode()
    bad = desk.post(url, {"applicant-name": "", "channel": "1", "key": "k1"})
    assert bad.status_code == 400 and "Hãy nhập họ tên người nộp" in bad.content.decode()
    answers = valid_answers()
    data = {
        "applicant-name": "Lê Văn Cường", "applicant-phone": "0912000222", "channel": "3", "key": "k2",
        "ho_ten": answers["ho_ten"], "cccd": answers["cccd"], "dien_thoai": answers["dien_thoai"],
        "noi_cu_tru__unit": "25279", "noi_cu_tru__line": "Ấp 3", "nop_thay": "no", "chi_phi": "15000000", "so_con": "0",
        "ngon_ngu": "vi", "ben__rows": "2",
        "ben__0__ho_ten_ben": "Nguyễn Văn An", "ben__0__ngay_sinh": "1990-05-12", "ben__0__gioi_tinh": "nam",
        "ben__1__ho_ten_ben": "Lê Thị Hoa", "ben__1__ngay_sinh": "1994-03-08", "ben__1__gioi_tinh": "nu",
        "file-to-khai": pdf_upload(),
    }  # fmt: skip
    saved = desk.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    dossier = Dossier.objects.get(applicant_name="Lê Văn Cường")
    assert dossier.channel == 3 and dossier.files.count() == 1


def test_officer_api_worklist_actions_conflicts_and_bad_input(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    token = issue_token(user=person("motcua.loctan@binhphuoc.demo"), name="Phần mềm hộ tịch")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listing = api.get("/api/v1/officer/dossiers", {"tab": "moi"}).json()
    assert listing["count"] == 1 and listing["items"][0]["code"] == dossier.code
    assert api.get("/api/v1/officer/dossiers", {"tab": "xyz"}).status_code == 400
    detail = api.get(f"/api/v1/officer/dossiers/{dossier.code}").json()
    assert set(detail["allowed_actions"]) == {"receive", "supplement", "refuse"}
    url = f"/api/v1/officer/dossiers/{dossier.code}"
    assert api.post(f"{url}/receive", "{oops", content_type="application/json").status_code == 400
    assert api.post(f"{url}/receive", {}, content_type="application/json").status_code == 422
    stale = api.post(f"{url}/receive", {"version": dossier.version + 5}, content_type="application/json")
    assert stale.status_code == 409 and "người khác cập nhật" in stale.json()["detail"]
    done = api.post(f"{url}/receive", {"version": dossier.version}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "received"
    again = api.post(f"{url}/receive", {"version": done.json()["version"]}, content_type="application/json")
    assert again.status_code == 400 and "không chờ tiếp nhận" in again.json()["detail"]
    form = api.get(f"/api/v1/officer/dossiers/{dossier.code}/forms/01")
    assert form.status_code == 200 and form.content.startswith(b"%PDF")
    # The specialist's software forwards it; a citizen's token is not an officer's.
    specialist = Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_token(user=person('congchuc.loctan@binhphuoc.demo'), name='x')}"
    )
    moved = specialist.post(
        f"{url}/forward", {"version": done.json()["version"], "note": "Đủ"}, content_type="application/json"
    )
    assert moved.status_code == 200, moved.content
    citizen = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=dossier.applicant, name='y')}")
    assert citizen.get("/api/v1/officer/dossiers").status_code == 403
    assert api.get("/api/v1/officer/dossiers/KHONG-CO").status_code == 404


def test_officer_api_intake_and_citizen_api_supplement_and_withdraw(marriage: Any) -> None:
    from conftest import pdf_upload
    from egov.catalog.tests.factories import valid_answers

    token = issue_token(user=person("motcua.loctan@binhphuoc.demo"), name="Quầy")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    form = {
        "procedure": "9.000001", "agency": "000.22.44.H10", "channel": "1",
        "applicant": json.dumps({"name": "Phạm Thị Dung", "phone": "0912000333"}),
        "data": json.dumps(valid_answers()), "to-khai": pdf_upload(),
    }  # fmt: skip
    created = api.post("/api/v1/officer/intake", form, HTTP_IDEMPOTENCY_KEY="quay-7")
    assert created.status_code == 201, created.content
    form["to-khai"] = pdf_upload()
    assert api.post("/api/v1/officer/intake", form, HTTP_IDEMPOTENCY_KEY="quay-7").status_code == 200
    assert api.post("/api/v1/officer/intake", {**form, "channel": "2"}).status_code == 400
    assert api.post("/api/v1/officer/intake", {**form, "applicant": "{"}).status_code == 400

    dossier, _ = submit(marriage)
    desk_code = dossier.code
    api.post(
        f"/api/v1/officer/dossiers/{desk_code}/supplement",
        {"version": dossier.version, "items": [{"name": "Tờ khai có chữ ký", "reason": "Thiếu chữ ký"}]},
        content_type="application/json",
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    citizen = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=dossier.applicant, name='app')}")
    url = f"/api/v1/dossiers/{desk_code}/supplement"
    assert citizen.post(url, {"version": dossier.version}).status_code == 400  # no paper attached
    done = citizen.post(url, {"version": dossier.version, "to-khai": pdf_upload("to-khai-ky.pdf")})
    assert done.status_code == 200 and done.json()["status"] == "new"
    withdrawn = citizen.post(
        f"/api/v1/dossiers/{desk_code}/withdraw",
        {"version": done.json()["version"], "reason": "Nộp lại sau"},
        content_type="application/json",
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert citizen.get(f"/api/v1/dossiers/{desk_code}/result").status_code == 404


def test_worklist_search_by_code_id_or_name_and_count_cap(marriage: Any, officer_client: Any) -> None:

    first, _ = submit(marriage)
    submit(marriage)
    desk = person("motcua.loctan@binhphuoc.demo")

    def found(query: str) -> list[str]:
        filters = onestop_selectors.WorklistFilters(query=query)
        return [d.code for d in onestop_selectors.officer_worklist(desk, tab="moi", filters=filters)]

    assert found(first.code) == [first.code]
    assert found(first.code.lower()[:-2]) and first.code in found(first.code[:-2])  # the beginning of a code
    assert found(first.code[-4:]) == [first.code]  # the sequence number at the end
    assert len(found("070090001234")) == 2  # the ID number
    assert len(found("văn an")) == 2 and found("Không Ai") == []

    def filtered(**values: str) -> int:
        filters = onestop_selectors.WorklistFilters(**values)
        return len(onestop_selectors.officer_worklist(desk, tab="moi", filters=filters))

    # procedure and sector filters go through the catalogue's versions (every version of the procedure)
    assert filtered(procedure="9.000001") == 2 and filtered(procedure="1.000000") == 0
    assert filtered(sector="G03-TP05") == 2 and filtered(sector="G03-TP05", procedure="1.000000") == 0
    paginator = onestop_selectors.CappedPaginator(onestop_selectors.officer_worklist(desk, tab="moi"), 25)
    paginator.cap = 1
    assert paginator.capped and paginator.count == 2
    client = officer_client("motcua.loctan@binhphuoc.demo")
    assert "2 hồ sơ" in client.get("/can-bo/ho-so/", {"tab": "moi"}).content.decode()
