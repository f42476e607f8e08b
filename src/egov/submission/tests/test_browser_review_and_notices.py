"""The review page and the notices in Chromium at 1280 and 360 px: every section has its “Sửa” link, saving a
corrected step comes back to the review, the papers table reads on a phone without sideways scrolling, and
neither page has a serious or critical accessibility violation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import DEMO_PASSWORD
from egov.portal.tests.a11y import assert_accessible
from egov.portal.tests.test_browser import browser, page, shot  # noqa: F401 (fixtures)
from egov.submission.tests.test_review_and_messages import _draft_at_review
from egov.submission.tests.test_submission import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any) -> None:  # noqa: F811
    page.goto(page.base + "/tai-khoan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/(ho-so-cua-toi/)?$"))


def test_the_review_page_edits_each_section_at_both_widths(page: Any, marriage: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    draft = _draft_at_review(marriage)
    _sign_in(page)
    review = f"{page.base}/ho-so-nhap/{draft.pk}/buoc-4/"
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(review)
        expect(page.get_by_role("link", name=re.compile(r"^Sửa"))).to_have_count(4)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)
        shot(page, f"citizen-review-{width}")
    # On a phone each paper is a card: the column's name is shown before each value.
    cell = page.locator("table.stack td[data-label='Tệp']").first
    assert cell.evaluate("e => getComputedStyle(e, '::before').content").strip('"') == "Tệp: "

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Sửa nơi nộp").click()
    page.get_by_role("button", name="Lưu và quay lại trang xem lại").click()
    page.wait_for_url(review)
    page.get_by_role("link", name=re.compile(r"^Sửa giấy tờ đính kèm")).click()
    page.get_by_role("button", name="Tải lên và quay lại trang xem lại").click()
    page.wait_for_url(review)
    assert page.get_by_role("button", name="Nộp hồ sơ").is_visible()


def test_the_notices_page_at_both_widths(page: Any, marriage: Any) -> None:  # noqa: F811
    for _ in range(3):
        submit(marriage)
    _sign_in(page)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(page.base + "/")
        header = page.get_by_role("navigation", name="Tài khoản")
        assert header.get_by_role("link", name=re.compile(r"^Thông báo 3 chưa đọc")).is_visible()
        header.get_by_role("link", name=re.compile(r"^Thông báo")).click()
        page.wait_for_url(page.base + "/thong-bao/")
        assert page.locator(".notice-item.unread").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)
        shot(page, f"citizen-notices-{width}")
    page.locator(".notice-item a").first.click()
    page.wait_for_url(re.compile(r".*/ho-so-cua-toi/[^/]+/$"))
    page.goto(page.base + "/thong-bao/")
    assert page.locator(".notice-item.unread").count() == 2
