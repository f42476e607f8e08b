"""The receiving officer's worklist and decisions, through the pages."""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.dossiers.models import Dossier
from egov.submission.tests.test_submission import submit


def test_the_officer_receives_a_dossier_from_the_worklist(marriage: Any, officer_client: Any) -> None:
    dossier, _ = submit(marriage)
    client = officer_client("motcua.loctan@binhphuoc.demo")
    page = client.get("/can-bo/ho-so/").content.decode()
    assert dossier.code in page and "Nguyễn Văn An" in page
    detail = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Tiếp nhận hồ sơ" in detail and "Hai bên" in detail
    done = client.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/",
        {"decision": "receive", "version": dossier.version},
        follow=True,
    )
    assert "Đã tiếp nhận hồ sơ" in done.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == "received" and dossier.due_at is not None
    # The same form posted again (a second officer, or a double click) changes nothing and explains why.
    again = client.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/",
        {"decision": "refuse", "version": 1, "reason": "Không thuộc thẩm quyền xã"},
        follow=True,
    )
    assert "vừa được người khác cập nhật" in again.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == "received"
    assert dossier.code in client.get("/can-bo/ho-so/", {"tab": "da-tiep-nhan"}).content.decode()


def test_other_agencies_do_not_see_the_dossier(marriage: Any, officer_client: Any) -> None:
    dossier, _ = submit(marriage)
    other = officer_client("motcua.locninh@binhphuoc.demo")  # UBND huyện Lộc Ninh, not the commune
    assert dossier.code not in other.get("/can-bo/ho-so/").content.decode()
    assert other.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    leader = officer_client("chutich.loctan@binhphuoc.demo")  # same commune, but not a receiving officer
    page = leader.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Tiếp nhận hồ sơ</button>" not in page
    refused = leader.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/", {"decision": "receive", "version": 1}, follow=True
    )
    assert "chỉ dành cho cán bộ một cửa" in refused.content.decode()


def test_the_worklist_costs_the_same_queries_for_one_or_many(marriage: Any, officer_client: Any) -> None:
    submit(marriage)
    client = officer_client("motcua.loctan@binhphuoc.demo")
    client.get("/can-bo/ho-so/")
    with CaptureQueriesContext(connection) as one:
        client.get("/can-bo/ho-so/")
    for _ in range(12):
        submit(marriage)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/can-bo/ho-so/").content.decode()
    assert page.count("<td>Mới đăng ký</td>") == 13
    # user, second factor, roles, every tab's count (one), the filters' procedures and sectors, count, page
    assert len(one) == len(many) == 8


def test_form_01_is_issued_as_a_pdf_with_the_appointment(
    marriage: Any, officer_client: Any, tmp_path: Any
) -> None:
    import shutil
    import subprocess

    dossier, _ = submit(marriage)
    client = officer_client("motcua.loctan@binhphuoc.demo")
    assert (
        client.get(f"/can-bo/ho-so/{dossier.code}/giay-tiep-nhan.pdf").status_code == 404
    )  # not received yet
    client.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/", {"decision": "receive", "version": dossier.version}
    )
    response = client.get(f"/can-bo/ho-so/{dossier.code}/giay-tiep-nhan.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return
    from pathlib import Path

    artifacts = Path(__file__).resolve().parents[4] / "artifacts" / "forms"
    artifacts.mkdir(parents=True, exist_ok=True)
    path = artifacts / "mau-01-giay-tiep-nhan.pdf"  # kept for people to look at
    path.write_bytes(response.content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    dossier.refresh_from_db()
    for fragment in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        dossier.code,
        "Nguyễn Văn An",
        "Tờ khai đăng ký kết hôn",
        "Vũ Thị Tấn",
        "1 ngày làm việc",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ):
        assert fragment in text, fragment
    assert "Văn bản ủy quyền" not in text  # only the papers that apply to this dossier
