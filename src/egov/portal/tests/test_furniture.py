"""The portal's furniture as a visitor meets it: help and questions, desk hours, the accessibility statement,
the privacy notice, and a citizen's own data page (download, close the account)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import CitizenProfile, Consent, User
from egov.agencies.models import Agency
from egov.audit.models import AuditEntry
from egov.catalog.models import Procedure, ProcedureQuestion
from egov.dossiers.models import Dossier, Draft
from egov.portal.models import HelpQuestion, HelpTopic
from egov.submission.tests.test_submission import citizen, signed_in, submit

pytestmark = pytest.mark.django_db

PROVINCE_CENTRE = "000.00.30.H10"


def test_help_page_answers_by_topic_from_the_data(demo: None, client: Client) -> None:
    page = client.get("/tro-giup/").content.decode()
    for topic in HelpTopic:
        assert str(topic.label) in page, topic  # filing, look-up, payment, results, complaints, account
    assert "Nộp hồ sơ ngoài giờ hành chính có được không?" in page
    assert "lorem" not in page.lower()
    HelpQuestion.objects.filter(question__startswith="Nộp hồ sơ ngoài giờ").update(is_published=False)
    assert "Nộp hồ sơ ngoài giờ hành chính" not in client.get("/tro-giup/").content.decode()


def test_help_page_reads_in_a_constant_number_of_queries(
    demo: None, client: Client, django_assert_num_queries: Any
) -> None:
    client.get("/tro-giup/")  # the footer's cached profile and counters
    HelpQuestion.objects.create(topic=HelpTopic.RESULTS, question="Câu hỏi thêm?", answer="Trả lời.")
    with django_assert_num_queries(1):
        client.get("/tro-giup/")


def test_a_procedures_questions_are_on_its_page_and_edited_as_data(demo: None, client: Client) -> None:
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Câu hỏi thường gặp" in page and "Trong bao lâu phải đăng ký khai sinh cho con?" in page
    assert "Trong 60 ngày kể từ ngày sinh con" in page
    procedure = Procedure.objects.get(national_code="1.001193")
    ProcedureQuestion.objects.create(
        procedure=procedure, position=9, question="Có cần mang sổ hộ khẩu không?", answer="Không cần."
    )
    assert "Có cần mang sổ hộ khẩu không?" in client.get("/thu-tuc/1.001193/").content.decode()
    without = client.get("/thu-tuc/2.000635/").content.decode()
    assert "Chưa có câu hỏi nào về thủ tục này." in without


def test_desk_hours_are_data_shown_on_the_contact_page_and_in_the_footer(
    demo: None, client: Client, django_assert_max_num_queries: Any
) -> None:
    home = client.get("/").content.decode()
    # The footer names the contact agency (the province centre) with its hours, Saturday morning included.
    assert "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00" in home and "Thứ Bảy: 7:00–11:30" in home
    assert 'href="/tro-giup/"' in home and 'href="/quyen-rieng-tu/"' in home
    assert 'href="/tuyen-bo-tiep-can/"' in home
    with django_assert_max_num_queries(4):  # the desks (one query, as on the home page) and their hours
        contact = client.get("/lien-he/").content.decode()
    assert "Trung tâm Hành chính công tỉnh Bình Phước" in contact and "UBND xã Lộc Tấn" in contact.replace(
        "Ủy ban nhân dân xã", "UBND xã"
    )
    assert "0271 3 888 999" in contact  # the hotline
    commune = Agency.objects.current().get(code="000.22.44.H10")
    assert [str(h) for h in commune.opening_hours.all()][
        -1
    ] == "Thứ Sáu 13:30–17:00"  # no Saturday at a commune


def test_accessibility_statement_and_privacy_notice(demo: None, client: Client) -> None:
    statement = client.get("/tuyen-bo-tiep-can/").content.decode()
    assert "WCAG 2.1 mức AA" in statement and "Những phần chưa đáp ứng" in statement
    assert "tagged PDF" in statement and "Báo một vấn đề" in statement
    notice = client.get("/quyen-rieng-tu/").content.decode()
    for heading in ("Dữ liệu nào được xử lý", "Mục đích xử lý", "Căn cứ pháp lý", "Thời gian xử lý và lưu trữ",
                    "Quyền của bạn"):  # fmt: skip
        assert heading in notice
    assert "13/2023/NĐ-CP" in notice and "Phiên bản 1.0" in notice
    assert "hanhchinhcong@binhphuoc.demo" in notice  # the controller's contact


def _signed_in_with_a_dossier(marriage: Any) -> tuple[Client, Dossier]:
    dossier, _ = submit(marriage)
    Consent.objects.create(
        user=citizen(),
        purpose="sign_up",
        notice_version="1.0",
        statement="Tôi đồng ý.",
        given_at=dossier.submitted_at,
    )
    return signed_in(), dossier


def test_my_data_page_shows_consents_and_downloads_everything_as_json(
    marriage: Any, django_assert_max_num_queries: Any
) -> None:
    client, dossier = _signed_in_with_a_dossier(marriage)
    page = client.get("/du-lieu-cua-toi/").content.decode()
    assert "Tôi đồng ý." in page and "Đang có hiệu lực" in page
    assert "Các hồ sơ đã nộp không bị xóa" in page  # archive retention said before closing
    submit(marriage, idempotency_key="second")
    with django_assert_max_num_queries(14):  # does not grow with the dossiers
        response = client.get("/du-lieu-cua-toi/tai-ve.json")
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-cua-toi.json"'
    data = json.loads(response.content)
    assert data["tài khoản"]["thư điện tử"] == "nguyenvanan@binhphuoc.demo"
    assert data["thông tin định danh"]["số định danh cá nhân (CCCD)"] == "070090001234"
    first = next(d for d in data["hồ sơ"] if d["mã hồ sơ"] == dossier.code)
    assert first["diễn biến"][0]["trạng thái"] and first["tệp đính kèm"][0]["tên tệp"]
    assert all(
        "note" not in e and "người thực hiện" not in e for e in first["diễn biến"]
    )  # officers' words stay
    assert first["thông báo đã gửi"][0]["gửi tới"] == "nguyenvanan@binhphuoc.demo"
    assert data["sự đồng ý xử lý dữ liệu cá nhân"][0]["nội dung"] == "Tôi đồng ý."
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DATA_EXPORTED, actor=citizen()).exists()


def test_the_zip_holds_the_json_and_the_files(marriage: Any) -> None:
    client, dossier = _signed_in_with_a_dossier(marriage)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/du-lieu-cua-toi/tai-ve.zip").content))
    names = archive.namelist()
    assert "du-lieu-cua-toi.json" in names
    (stored,) = [n for n in names if n.startswith(f"tep/{dossier.code}/")]
    assert archive.read(stored).startswith(b"%PDF")
    assert client.get("/du-lieu-cua-toi/tai-ve.exe").status_code == 404


def test_closing_the_account_needs_the_password_and_keeps_the_dossiers(marriage: Any) -> None:
    client, dossier = _signed_in_with_a_dossier(marriage)
    user = citizen()
    Draft.objects.create(owner=user, procedure_version=marriage, data={"ho_ten": "Nguyễn Văn An"})
    wrong = client.post("/du-lieu-cua-toi/dong-tai-khoan/", {"password": "sai"})
    assert wrong.status_code == 400 and "Mật khẩu không đúng." in wrong.content.decode()
    assert User.objects.get(pk=user.pk).is_active
    done = client.post("/du-lieu-cua-toi/dong-tai-khoan/", {"password": "Chinhquyen@2018"}, follow=True)
    assert "Tài khoản đã được đóng" in done.content.decode()
    closed = User.objects.get(pk=user.pk)
    assert not closed.is_active and not closed.has_usable_password()
    assert (closed.email, closed.phone, closed.full_name) == (None, None, "")
    assert not CitizenProfile.objects.filter(user=closed).exists() and not Draft.objects.filter(owner=closed)
    kept = Dossier.objects.get(pk=dossier.pk)
    assert kept.applicant_id == closed.pk and kept.applicant_name  # the archive record stays as filed
    assert Consent.objects.get(user=closed).withdrawn_at is not None
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.ACCOUNT_CLOSED, object_id=str(closed.pk)
    ).exists()
    again = Client().post("/tai-khoan/dang-nhap/", {"username": "0912345678", "password": "Chinhquyen@2018"})
    assert again.status_code != 302  # the account cannot sign in any more


def test_officers_have_no_data_page_of_this_kind(officer_client: Any) -> None:
    client = officer_client("motcua.loctan@binhphuoc.demo")
    assert client.get("/du-lieu-cua-toi/").status_code == 403
    assert client.post("/du-lieu-cua-toi/dong-tai-khoan/", {"password": "Chinhquyen@2018"}).status_code == 403


def test_the_data_page_needs_sign_in(demo: None, client: Client) -> None:
    response = client.get("/du-lieu-cua-toi/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
