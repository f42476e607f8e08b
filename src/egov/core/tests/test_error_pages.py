"""In production (DEBUG off) every error is answered in Vietnamese: a page in the portal's layout for 400, 403,
404 and 405, a 500 page that needs neither the database nor context processors, and JSON under /api/."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from egov.core import views

ENGLISH = ("Server Error", "Bad Request", "Not Found", "Forbidden", "Method not allowed", "CSRF verification")


@pytest.fixture(autouse=True)
def production(settings: Any) -> None:
    settings.DEBUG = False


def page(response: Any, status: int) -> str:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert '<html lang="vi">' in text
    for english in ENGLISH:
        assert english not in text
    return text


def broken(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the look-up failed")


def test_an_exception_in_a_page_is_the_vietnamese_500_page(demo: None, monkeypatch: Any) -> None:
    monkeypatch.setattr("egov.dossiers.selectors.public_lookup", broken)
    # What failed may be what the portal's layout needs: the 500 page must not call it.
    monkeypatch.setattr("egov.portal.context_processors.site_profile", broken)
    response = Client(raise_request_exception=False).get(
        "/tra-cuu-ho-so/", {"ma": "000.22.44.H10-181203-0001"}
    )
    text = page(response, 500)
    assert "Lỗi hệ thống" in text and "Xin thử lại sau ít phút" in text
    assert "portal/site.css" in text  # still styled


def test_the_500_page_renders_with_the_database_unreachable(
    django_db_blocker: Any, rf: RequestFactory, monkeypatch: Any
) -> None:
    monkeypatch.setattr("egov.portal.context_processors.site_profile", broken)
    with django_db_blocker.block():  # any query would raise here
        response = views.server_error(rf.get("/ho-so-cua-toi/"))
    assert "Lỗi hệ thống" in page(response, 500)


def test_an_exception_in_the_api_is_vietnamese_json(demo: None, monkeypatch: Any) -> None:
    monkeypatch.setattr("egov.dossiers.selectors.public_lookup", broken)
    response = Client(raise_request_exception=False).get("/api/v1/lookup/000.22.44.H10-181203-0001")
    assert response.status_code == 500
    assert response.json() == {"detail": views.SERVER_ERROR}


def test_not_found_is_a_vietnamese_page_in_the_portal_layout(demo: None) -> None:
    text = page(Client().get("/khong-co-trang-nay/"), 404)
    assert "Không tìm thấy trang" in text
    assert "Tra cứu hồ sơ" in text and "Thủ tục hành chính" in text  # the portal's own navigation


def test_not_found_and_wrong_method_under_the_api_are_vietnamese_json(demo: None) -> None:
    client = Client()
    missing = client.get("/api/v1/khong-co")
    assert missing.status_code == 404 and missing.json() == {"detail": "Không tìm thấy."}
    wrong = client.delete("/api/v1/procedures")
    assert wrong.status_code == 405 and wrong["Allow"] == "GET"
    assert wrong.json()["detail"] == "Địa chỉ này chỉ nhận: GET."


def test_wrong_method_on_a_page_is_a_vietnamese_page(demo: None) -> None:
    response = Client().get("/tai-khoan/dang-xuat/")  # sign-out takes POST only
    text = page(response, 405)
    assert "Thao tác không được hỗ trợ" in text and "chỉ nhận: POST" in text
    assert response["Allow"] == "POST"


def test_forbidden_shows_the_platforms_reason(officer_client: Any) -> None:
    specialist = officer_client("congchuc.loctan@binhphuoc.demo")
    text = page(specialist.get("/can-bo/tiep-nhan/"), 403)  # desk intake is the receiving officer's
    assert "Không có quyền truy cập" in text
    assert "Chỉ cán bộ tiếp nhận mới nhập hồ sơ tại quầy." in text


def test_a_forged_host_is_a_vietnamese_400_page(demo: None) -> None:
    text = page(Client(HTTP_HOST="gia-mao.example").get("/"), 400)
    assert "Yêu cầu không hợp lệ" in text


def test_a_stale_form_without_csrf_token_is_a_vietnamese_403_page(demo: None) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/tai-khoan/dang-nhap/", {"username": "a", "password": "b"}
    )
    text = page(response, 403)
    assert "Phiên làm việc đã hết hạn" in text and "tải lại trang" in text
