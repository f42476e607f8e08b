"""The public API: procedures, submission with files, my dossiers, look-up. Same rules as the web."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from conftest import minimal_pdf, pdf_upload
from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.catalog.tests.factories import valid_answers
from egov.dossiers.models import Dossier, StoredFile


@pytest.fixture
def api(marriage: Any) -> Client:
    token = issue_token(user=User.objects.get(email="nguyenvanan@binhphuoc.demo"), name="Ứng dụng thử")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def payload(**changes: Any) -> dict[str, Any]:
    data = {
        "procedure": "9.000001",
        "agency": "000.22.44.h10",
        "data": json.dumps(valid_answers()),
        "to-khai": pdf_upload(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def media_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_submission_needs_a_token(marriage: Any) -> None:
    response = Client().post("/api/v1/dossiers", payload())
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    bad = Client(HTTP_AUTHORIZATION="Bearer egov_sai").post("/api/v1/dossiers", payload())
    assert bad.status_code == 401


def test_a_client_submits_and_retries_safely(api: Client) -> None:
    created = api.post("/api/v1/dossiers", payload(), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "new" and body["national_status"] == 1 and body["channel"] == 2
    assert body["files"][0]["slot"] == "to-khai" and body["files"][0]["content_type"] == "application/pdf"
    assert body["form_data"]["ben"][0]["ngay_sinh"] == "1990-05-12"
    retried = api.post("/api/v1/dossiers", payload(), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert retried.status_code == 200 and retried.json()["code"] == body["code"]
    assert Dossier.objects.count() == 1 and StoredFile.objects.count() == 1 and len(media_files()) == 1

    mine = api.get("/api/v1/dossiers").json()
    assert [d["code"] for d in mine["items"]] == [body["code"]] and mine["count"] == 1
    assert mine["limit"] == 50 and mine["offset"] == 0
    procedure = Client().get("/api/v1/procedures/9.000001").json()
    assert {"code": "000.22.44.H10", "name": "Ủy ban nhân dân xã Lộc Tấn"}.items() <= next(
        d for d in procedure["desks"] if d["code"] == "000.22.44.H10"
    ).items()  # an integrator finds where to file from the API alone
    assert api.get(f"/api/v1/dossiers/{body['code']}").json()["applicant_name"] == "Nguyễn Văn An"
    public = Client().get(f"/api/v1/lookup/{body['code']}").json()
    assert public["status_label"] == "Mới đăng ký" and "applicant_name" not in public
    assert public["timeline"][0]["status"] == "new"
    other = issue_token(user=User.objects.get(email="tranthibinh@binhphuoc.demo"), name="Khác")
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {other}").get(f"/api/v1/dossiers/{body['code']}").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("changes", "status", "fragment"),
    [
        ({"data": "{không phải json"}, 400, "không phải JSON hợp lệ"),
        ({"data": "[1, 2]"}, 400, "phải là một đối tượng JSON"),
        ({"procedure": "0.000000"}, 404, "Không tìm thấy thủ tục"),
        ({"agency": "000.00.30.H10"}, 400, "Hãy chọn nơi nộp hồ sơ"),
        ({"data": json.dumps({**valid_answers(), "la": 1})}, 400, "không có trong biểu mẫu"),
        ({"data": json.dumps({**valid_answers(), "cccd": 70090001234})}, 400, "đúng 12 chữ số"),
        ({"data": json.dumps({**valid_answers(), "so_con": "hai"})}, 400, "phải là số"),
        ({"to-khai": None}, 400, "Hãy đính kèm"),
        (
            {"to-khai": pdf_upload("anh.pdf", b"GIF89a not a pdf")},
            400,
            "Tệp “anh.pdf” ở mục “Tờ khai đăng ký kết hôn” không phải loại được nhận",
        ),
        ({"giay-la": pdf_upload()}, 400, "Ô tải lên “giay-la” không thuộc thủ tục này"),
    ],
)
def test_bad_submissions_get_vietnamese_4xx_and_leave_nothing(
    api: Client, changes: dict[str, Any], status: int, fragment: str
) -> None:
    response = api.post("/api/v1/dossiers", payload(**changes))
    assert response.status_code == status, response.content
    assert fragment in json.dumps(response.json(), ensure_ascii=False)
    assert not Dossier.objects.exists() and not StoredFile.objects.exists()
    assert media_files() == []  # no orphan files


def test_oversized_files_are_refused(api: Client, settings: Any) -> None:
    settings.EGOV_UPLOAD_MAX_FILE_MB = 1
    big = pdf_upload("lon.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    response = api.post("/api/v1/dossiers", payload(**{"to-khai": big}))
    assert response.status_code == 400 and "mỗi tệp tối đa 1 MB" in response.json()["errors"][0]["message"]
    settings.EGOV_UPLOAD_MAX_FILE_MB, settings.EGOV_UPLOAD_MAX_DOSSIER_MB = 1, 1
    two = [
        pdf_upload("a.pdf", minimal_pdf(b"(" + b"0" * 700_000 + b")")),
        pdf_upload("b.pdf", minimal_pdf(b"(" + b"1" * 700_000 + b")")),
    ]
    response = api.post("/api/v1/dossiers", payload(**{"to-khai": two}))
    assert response.status_code == 400 and "Tổng dung lượng" in response.json()["errors"][0]["message"]
    assert media_files() == []


def test_malformed_requests_are_4xx_not_500(api: Client) -> None:
    assert api.post("/api/v1/dossiers", data="{}", content_type="application/json").status_code == 400
    broken = api.generic(
        "POST",
        "/api/v1/dossiers",
        b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\n',
        content_type="multipart/form-data; boundary=xx",
    )
    assert broken.status_code in (400, 404) and broken.json()["detail"]  # a 4xx with a Vietnamese message
    no_boundary = api.generic("POST", "/api/v1/dossiers", b"abc", content_type="multipart/form-data")
    assert no_boundary.status_code == 400


def test_procedures_are_listed_searched_and_read(marriage: Any, django_assert_max_num_queries: Any) -> None:
    client = Client()
    # First search of the process: the catalogue's state, its search texts, the province's search terms'
    # state, the versions, their levels.
    with django_assert_max_num_queries(5):
        found = client.get("/api/v1/procedures", {"q": "dang ky ket hon thu nghiem"}).json()
    assert found["items"][0]["code"] == "9.000001" and found["items"][0]["levels"] == ["commune"]
    detail = client.get("/api/v1/procedures/9.000001").json()
    assert detail["components"][0]["key"] == "to-khai"
    assert detail["form"]["steps"][1]["fields"][0]["type"] == "group"
    assert client.get("/api/v1/procedures/0.000000").json() == {"detail": "Không tìm thấy."}
    assert client.get("/api/v1/procedures", {"limit": 1000}).status_code == 422
