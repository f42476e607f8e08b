import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

PLAN = Path(__file__).resolve().parents[1] / "data" / "reorganisations" / "2025-binh-phuoc-dong-nai.json"


def test_lists_provinces_and_children(demo: None, client: Client, django_assert_max_num_queries) -> None:
    # Bình Phước and, of the rest of the country, what the test demo loads (Hà Nội as it is today).
    assert [u["code"] for u in client.get("/api/v1/units").json()["items"]] == ["01", "70"]
    with django_assert_max_num_queries(3):
        communes = client.get("/api/v1/units", {"parent": "692"}).json()["items"]
    assert [c["name"] for c in communes] == ["Thị trấn Lộc Ninh", "Xã Lộc Tấn", "Xã Lộc Thạnh"]
    assert communes[0] == {
        "code": "25270",
        "name": "Thị trấn Lộc Ninh",
        "kind": "Thị trấn",
        "level": "commune",
        "parent_code": "692",
        "valid_from": "2018-01-01",
        "valid_to": None,
    }


def test_answers_for_a_date_across_the_reorganisation(demo: None, client: Client) -> None:
    call_command("apply_reorganisation", str(PLAN), stdout=io.StringIO())
    today = {u["code"]: u["name"] for u in client.get("/api/v1/units").json()["items"]}
    assert today == {"01": "Thành phố Hà Nội", "75": "Tỉnh Đồng Nai"}
    old = {u["code"]: u["name"] for u in client.get("/api/v1/units", {"on": "2019-06-01"}).json()["items"]}
    assert old == {"01": "Thành phố Hà Nội", "70": "Tỉnh Bình Phước"}
    assert client.get("/api/v1/units/692", {"on": "2019-06-01"}).json()["valid_to"] == "2025-06-30"
    assert client.get("/api/v1/units/692").status_code == 404


@pytest.mark.django_db
def test_bad_input_gets_vietnamese_4xx(client: Client) -> None:
    response = client.get("/api/v1/units", {"on": "ngày mai"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ."
    assert body["errors"] == [{"field": "on", "message": "Ngày không hợp lệ, dùng dạng YYYY-MM-DD."}]
    missing = client.get("/api/v1/units/99999")
    assert missing.status_code == 404 and missing.json() == {"detail": "Không tìm thấy."}
    assert client.get("/api/v1/units", {"parent": "404"}).status_code == 404


@pytest.mark.django_db
def test_openapi_document_and_docs_page(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/units" in spec["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content  # served from the platform itself (works offline, CSP-safe)
