"""Submitting a dossier: one transaction, one code, one e-mail, drafts resumed, double clicks harmless."""

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import DEMO_PASSWORD, PDF_BYTES, pdf_upload
from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.catalog.services import revise_procedure
from egov.catalog.tests.factories import valid_answers
from egov.core.errors import DomainError
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, Draft, Notification, StoredFile
from egov.dossiers.statuses import Channel, DossierStatus
from egov.submission import services as submission_services

LOC_TAN = "000.22.44.H10"


def citizen() -> User:
    return User.objects.get(email="nguyenvanan@binhphuoc.demo")


def signed_in() -> Client:
    client = Client()
    assert (
        client.post(
            "/tai-khoan/dang-nhap/", {"username": "0912345678", "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    return client


def submit(version: Any, **kwargs: Any) -> tuple[Dossier, bool]:
    user = kwargs.pop("applicant", citizen())
    files = [
        services._store(
            owner=user,
            upload=pdf_upload(),
            slot="to-khai",
            component=version.components.get(key="to-khai"),
            draft=None,
            used_bytes=0,
        )
    ]
    options = {
        "agency": Agency.objects.get(code=LOC_TAN),
        "raw": valid_answers(),
        "files": files,
        "idempotency_key": "",
        **kwargs,
    }
    return services.submit_dossier(applicant=user, version=version, **options)


def test_the_web_path_from_procedure_page_to_code(
    marriage: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in()
    page = client.get("/thu-tuc/9.000001/")
    assert "Nộp hồ sơ trực tuyến" in page.content.decode()
    start = client.get("/nop-ho-so/9.000001/")
    draft = Draft.objects.get(owner=citizen())
    assert start["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-0/"
    # The desk is preselected from the citizen's address (Xã Lộc Tấn) and the form prefilled from the profile.
    assert draft.receiving_agency.code == LOC_TAN  # type: ignore[union-attr]
    assert draft.data["ho_ten"] == "Nguyễn Văn An" and draft.data["cccd"] == "070090001234"
    assert draft.data["noi_cu_tru"]["unit"] == "25279"
    assert (
        client.post(f"/ho-so-nhap/{draft.pk}/buoc-0/", {"agency": draft.receiving_agency_id}).status_code
        == 302
    )

    step1 = f"/ho-so-nhap/{draft.pk}/buoc-1/"
    bad = client.post(
        step1,
        {
            "ho_ten": "Nguyễn Văn An",
            "cccd": "123",
            "noi_cu_tru__unit": "25279",
            "nop_thay": "yes",
            "action": "next",
        },
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "lỗi cần sửa" in body and 'href="#f-cccd"' in body and "Hãy nhập “Lý do nộp thay”." in body
    good = client.post(
        step1,
        {
            "ho_ten": "Nguyễn Văn An",
            "cccd": "070090001234",
            "dien_thoai": "0912345678",
            "noi_cu_tru__unit": "25279",
            "noi_cu_tru__line": "Ấp 3",
            "nop_thay": "no",
            "action": "next",
        },
    )
    assert good["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-2/"

    step2 = f"/ho-so-nhap/{draft.pk}/buoc-2/"
    added = client.post(
        step2,
        {
            "ben__rows": "2",
            "ben__0__ho_ten_ben": "Nguyễn Văn An",
            "con_chung__rows": "1",
            "action": "add:con_chung",
        },
    )
    page = added.content.decode()
    assert added.status_code == 200 and 'name="con_chung__1__ten_con"' in page
    assert 'value="Nguyễn Văn An"' in page  # what was typed survives adding a row
    assert "ben__2__ho_ten_ben" not in page and "Thêm người" not in page  # “Hai bên” is at most two people
    people = {
        "ben__rows": "3",
        "con_chung__rows": "2",
        "con_chung__0__ten_con": "Nguyễn Minh Khôi",
        "con_chung__0__nam_sinh_con": "2019",
        "con_chung__1__ten_con": "",
        "ben__0__ho_ten_ben": "Nguyễn Văn An",
        "ben__0__ngay_sinh": "12/05/1990",
        "ben__0__gioi_tinh": "nam",
        "ben__1__ho_ten_ben": "Lê Thị Hoa",
        "ben__1__ngay_sinh": "08/03/1994",
        "ben__1__gioi_tinh": "nu",
        "ben__2__ho_ten_ben": "",
        "ben__2__ngay_sinh": "",
        "chi_phi": "2.000.000",
        "action": "next",
    }
    assert client.post(step2, people)["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-3/"

    step3 = f"/ho-so-nhap/{draft.pk}/buoc-3/"
    missing = client.post(step3, {"action": "next"})
    assert (
        missing.status_code == 400 and "Hãy đính kèm “Tờ khai đăng ký kết hôn”." in missing.content.decode()
    )
    disguised = client.post(
        step3,
        {"file-to-khai": pdf_upload("to-khai.pdf", b"MZ\x90\x00 this is a program"), "action": "upload"},
    )
    assert disguised.status_code == 400 and "không phải loại được nhận" in disguised.content.decode()
    assert (
        client.post(
            step3, {"file-to-khai": pdf_upload("../../etc/Tờ khai.pdf"), "action": "next"}
        ).status_code
        == 302
    )
    stored = StoredFile.objects.get(draft=draft)
    assert stored.original_name == "Tờ khai.pdf" and stored.content_type == "application/pdf"

    review = client.get(f"/ho-so-nhap/{draft.pk}/buoc-4/").content.decode()
    assert (
        "Lê Thị Hoa" in review
        and "08/03/1994" in review
        and "2.000.000 đồng" in review
        and "Tờ khai.pdf" in review
    )
    key = str(draft.submission_key)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        done = client.post(f"/ho-so-nhap/{draft.pk}/nop/", {"submission_key": key})
    assert len(callbacks) == 1  # the e-mail is enqueued only once the dossier is committed
    dossier = Dossier.objects.get()
    assert done["Location"] == f"/ho-so-cua-toi/{dossier.code}/da-nop/"
    # A double click arrives after the draft is gone: same dossier, no second one.
    again = client.post(f"/ho-so-nhap/{draft.pk}/nop/", {"submission_key": key})
    assert again["Location"] == done["Location"] and Dossier.objects.count() == 1

    today = timezone.localdate()
    assert dossier.code == f"{LOC_TAN}-{today:%y%m%d}-0001"
    assert (dossier.status, dossier.channel, dossier.national_status) == (
        DossierStatus.NEW,
        Channel.ONLINE,
        1,
    )
    assert dossier.form_data["ben"][1]["ngay_sinh"] == "1994-03-08"
    assert dossier.form_data["con_chung"] == [{"ten_con": "Nguyễn Minh Khôi", "nam_sinh_con": 2019}]
    assert dossier.applicant_address == "Ấp 3, Xã Lộc Tấn, Huyện Lộc Ninh, Tỉnh Bình Phước"
    assert list(dossier.files.values_list("original_name", flat=True)) == ["Tờ khai.pdf"]
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.from_status, event.to_status, event.actor) == ("", "new", citizen())
    assert not Draft.objects.exists()
    assert len(mail.outbox) == 1 and dossier.code in mail.outbox[0].subject
    assert Notification.objects.get(dossier=dossier).sent_at is not None

    ack = client.get(done["Location"]).content.decode()
    assert dossier.code in ack and "Tải phiếu xác nhận (PDF)" in ack
    pdf = client.get(f"/ho-so-cua-toi/{dossier.code}/phieu-xac-nhan.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    download = client.get(f"/ho-so-cua-toi/{dossier.code}/tep/{stored.pk}/")
    assert b"".join(download.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert (
        Client().get(f"/ho-so-cua-toi/{dossier.code}/tep/{stored.pk}/").status_code == 302
    )  # not for strangers


def test_a_draft_is_resumed_where_it_was_left(marriage: Any) -> None:
    client = signed_in()
    client.get("/nop-ho-so/9.000001/")
    draft = Draft.objects.get()
    client.post(f"/ho-so-nhap/{draft.pk}/buoc-0/", {"agency": draft.receiving_agency_id})
    saved = client.post(
        f"/ho-so-nhap/{draft.pk}/buoc-1/",
        {
            "ho_ten": "Nguyễn Văn An",
            "cccd": "070090001234",
            "noi_cu_tru__unit": "25279",
            "nop_thay": "no",
            "action": "save",
        },
    )
    assert saved["Location"] == "/ho-so-cua-toi/"
    assert "Tiếp tục" in client.get("/ho-so-cua-toi/").content.decode()
    resumed = signed_in().get("/nop-ho-so/9.000001/")
    assert resumed["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-2/"
    assert Draft.objects.count() == 1
    # Jumping ahead of the steps done is not allowed.
    assert client.get(f"/ho-so-nhap/{draft.pk}/buoc-4/")["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-2/"
    # Nobody else can open it.
    other = Client()
    other.force_login(User.objects.get(email="tranthibinh@binhphuoc.demo"))
    assert other.get(f"/ho-so-nhap/{draft.pk}/buoc-1/").status_code == 404


def test_codes_count_per_agency_per_day_and_grow_past_9999(marriage: Any) -> None:
    first, _ = submit(marriage)
    second, _ = submit(marriage)
    prefix = f"{LOC_TAN}-{timezone.localdate():%y%m%d}"
    assert (first.code, second.code) == (f"{prefix}-0001", f"{prefix}-0002")
    agency = Agency.objects.get(code=LOC_TAN)
    DossierCodeSequence.objects.filter(agency=agency).update(last=9999)
    assert services.next_dossier_code(agency=agency, day=timezone.localdate()) == f"{prefix}-10000"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert services.next_dossier_code(agency=agency, day=tomorrow) == f"{LOC_TAN}-{tomorrow:%y%m%d}-0001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_codes(django_db_blocker: Any) -> None:
    from django.core.management import call_command

    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec

    call_command("load_demo", quiet=True)
    version, _ = upsert_procedure(
        actor=None, spec=marriage_spec(), sectors=ensure_sectors(actor=None, sectors=[SECTOR])
    )
    codes: list[str] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            dossier, _ = submit(version)
            codes.append(dossier.code)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(codes) == len(set(codes)) == 8
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, 9))


def test_the_same_idempotency_key_gives_one_dossier(marriage: Any) -> None:
    first, created = submit(marriage, idempotency_key="retry-1")
    again, created_again = submit(marriage, idempotency_key="retry-1")
    assert created and not created_again and first.pk == again.pk
    assert Dossier.objects.count() == 1


def test_an_incomplete_dossier_is_refused_whole(marriage: Any) -> None:
    with pytest.raises(Exception) as caught:
        submit(marriage, raw={**valid_answers(), "nop_thay": True, "ly_do_nop_thay": "Ốm"})
    errors = caught.value.message_dict  # type: ignore[attr-defined]
    assert errors["files.uy-quyen"] == ["Hãy đính kèm “Văn bản ủy quyền”."]
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()
    with pytest.raises(Exception) as wrong_desk:
        submit(
            marriage, agency=Agency.objects.get(code="000.00.30.H10")
        )  # the provincial centre: wrong level
    assert "agency" in wrong_desk.value.message_dict  # type: ignore[attr-defined]


def test_a_dossier_keeps_the_version_it_was_filed_under(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    newer = revise_procedure(actor=None, version=marriage, processing_time="2")
    assert newer.number == 2 and newer.pk != marriage.pk
    dossier.refresh_from_db()
    assert dossier.procedure_version.number == 1 and dossier.procedure_version.status == "superseded"
    with pytest.raises(DomainError, match="không nhận hồ sơ trực tuyến"):
        submit(dossier.procedure_version)


def test_public_lookup_shows_status_without_personal_data(marriage: Any) -> None:
    dossier, _ = submit(marriage)
    page = Client().get("/tra-cuu-ho-so/", {"ma": dossier.code})
    body = page.content.decode()
    assert page.status_code == 200 and "Mới đăng ký" in body and "Ủy ban nhân dân xã Lộc Tấn" in body
    for private in ("Nguyễn Văn An", "070090001234", "0912345678", "Ấp 3"):
        assert private not in body
    missing = Client().get("/tra-cuu-ho-so/", {"ma": "000.22.44.H10-990101-0001"})
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ" in missing.content.decode()
    escaped = Client().get("/tra-cuu-ho-so/", {"ma": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in escaped


def test_my_dossiers_cost_the_same_queries_for_one_or_many(marriage: Any) -> None:
    client = signed_in()
    submit(marriage)
    client.get("/ho-so-cua-toi/")
    with CaptureQueriesContext(connection) as one:
        client.get("/ho-so-cua-toi/")
    for _ in range(5):
        submit(marriage)
    with CaptureQueriesContext(connection) as six:
        page = client.get("/ho-so-cua-toi/")
    assert page.content.decode().count("Mới đăng ký") == 6
    assert len(one) == len(six) == 4  # user, the header's unread notices, dossiers, drafts


def test_abandoned_drafts_and_their_files_are_purged(marriage: Any, settings: Any) -> None:
    draft = submission_services.start_draft(user=citizen(), version=marriage)
    [stored] = submission_services.add_files(draft=draft, slot="to-khai", uploads=[pdf_upload()])
    path = Path(stored.file.path)
    assert path.exists()
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    assert submission_services.purge_stale_drafts(days=30) == 1
    assert not path.exists() and not StoredFile.objects.exists()


def test_script_typed_into_a_form_is_shown_as_text(marriage: Any) -> None:
    script = "<script>alert('x')</script>"
    dossier, _ = submit(marriage, raw={**valid_answers(), "ho_ten": script, "ghi_chu": script})
    page = signed_in().get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
