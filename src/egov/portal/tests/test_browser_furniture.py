"""The portal's furniture in a real browser, at a desktop's and a phone's width, each page checked for
accessibility (axe-core, WCAG 2.1 AA); screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import DEMO_PASSWORD
from egov.portal.tests.a11y import assert_accessible
from egov.portal.tests.test_browser import browser, page, shot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ("/tro-giup/", "/lien-he/", "/tuyen-bo-tiep-can/", "/quyen-rieng-tu/", "/thu-tuc/1.001193/")


@pytest.mark.parametrize("width", [1280, 360])
def test_help_contact_statement_and_notice_in_both_languages(page: Any, width: int) -> None:  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + "/")
    footer = page.get_by_role("contentinfo")
    assert "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00" in footer.inner_text()
    footer.get_by_role("link", name="Hướng dẫn và hỏi đáp").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hướng dẫn và hỏi đáp"
    question = page.get_by_text("Nộp hồ sơ ngoài giờ hành chính có được không?")
    question.click()  # a <details>: opens with a click or the keyboard, no script
    assert page.get_by_text("Cổng nhận hồ sơ trực tuyến mọi lúc.").is_visible()
    for path in PAGES:
        page.goto(page.base + path)
        assert_accessible(page)
        shot(page, f"furniture-{path.strip('/').replace('/', '-')}-{width}")
    # The switch is a button in the header; the same page comes back in English, at the same address.
    page.goto(page.base + "/thu-tuc/1.001193/")
    page.get_by_role("button", name="English").click()
    assert page.url == page.base + "/thu-tuc/1.001193/"
    assert page.get_by_role("heading", level=1).inner_text() == "Birth registration"
    assert page.locator("html").get_attribute("lang") == "en"
    for path in PAGES:
        page.goto(page.base + path)
        assert_accessible(page)
    shot(page, f"furniture-procedure-en-{width}")
    page.get_by_role("button", name="Tiếng Việt").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_citizen_reads_their_data_page_and_downloads_it(page: Any, width: int) -> None:  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + "/tai-khoan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Dữ liệu của tôi").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dữ liệu của tôi"
    assert page.get_by_text("Các hồ sơ đã nộp không bị xóa:").is_visible()
    assert_accessible(page)
    shot(page, f"furniture-my-data-{width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về (JSON)").click()
    assert download.value.suggested_filename == "du-lieu-cua-toi.json"
    page.get_by_role("button", name="Đóng tài khoản của tôi").click()  # no password: refused, nothing closed
    assert page.get_by_role("alert").inner_text() == "Mật khẩu không đúng."
    assert_accessible(page)
    page.errors[:] = [e for e in page.errors if "status of 400" not in e]


def test_sign_up_asks_for_consent_and_says_what_each_field_needs(page: Any) -> None:  # noqa: F811
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto(page.base + "/tai-khoan/dang-ky/")
    page.get_by_label("Họ và tên").fill("Lê Văn Thử")
    page.get_by_label("Số điện thoại").fill("0987 111 222")
    page.get_by_role("button", name="Đăng ký").click()
    summary = page.get_by_role("alert")
    text = summary.inner_text()
    assert "Hãy nhập cả thư điện tử: đường dẫn kích hoạt tài khoản chỉ gửi được qua thư điện tử" in text
    assert "Hãy đánh dấu ô đồng ý với Thông báo xử lý dữ liệu cá nhân" in text
    assert "Hãy nhập số định danh cá nhân" in text and "Hãy nhập ngày sinh" in text
    assert_accessible(page)
    shot(page, "furniture-sign-up-errors-360")
    page.get_by_label("Tôi đã đọc Thông báo xử lý dữ liệu cá nhân").check()
    assert page.get_by_label("Tôi đã đọc Thông báo xử lý dữ liệu cá nhân").is_checked()
    page.errors[:] = [e for e in page.errors if "status of 400" not in e]
