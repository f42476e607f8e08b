"""Officers in Chromium: the desk receives an online dossier, the commune official appraises it, the chairman
approves, the clerk issues the result, the desk returns it — each signed in with their second factor."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import DEMO_PASSWORD, current_token
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import DossierStatus
from egov.portal.tests.test_browser import browser, page, shot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, email: str) -> Any:  # noqa: F811
    """A browser window of its own for each officer (a TOTP code is good for one sign-in only)."""
    from egov.accounts.models import User

    base = page.base
    page = page.context.browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN"
    ).new_page()
    page.base = base
    page.goto(page.base + "/tai-khoan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill(email)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/dang-nhap/xac-thuc/")
    page.get_by_label("Mã xác thực 6 chữ số").fill(current_token(User.objects.get(email=email)))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/tai-khoan/can-bo/")
    return page


def open_from_tab(page: Any, tab: str, code: str) -> None:  # noqa: F811
    page.goto(page.base + f"/can-bo/ho-so/?tab={tab}")
    page.get_by_role("link", name=code).click()
    page.wait_for_url(f"**/can-bo/ho-so/{code}/")


def test_officers_receive_appraise_approve_issue_and_return(page: Any, marriage: Any) -> None:  # noqa: F811
    from egov.submission.tests.test_submission import submit

    dossier, _ = submit(marriage)
    code = dossier.code

    desk = sign_in(page, "motcua.loctan@binhphuoc.demo")
    open_from_tab(desk, "moi", code)
    shot(desk, "officer-dossier-new")
    desk.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    assert "Đã tiếp nhận hồ sơ" in desk.inner_text("main")
    assert desk.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)").is_visible()

    page = sign_in(page, "congchuc.loctan@binhphuoc.demo")
    open_from_tab(page, "cho-toi", code)
    page.get_by_label("Ý kiến, ghi chú").fill("Hồ sơ đủ điều kiện, đề nghị Chủ tịch ký.")
    page.get_by_role("button", name="Chuyển tiếp").click()
    assert "Đã chuyển" in page.inner_text("main")

    chairman = sign_in(page, "chutich.loctan@binhphuoc.demo")
    open_from_tab(chairman, "cho-toi", code)
    shot(chairman, "officer-dossier-approve")
    chairman.get_by_role("button", name="Chuyển tiếp").click()

    page = sign_in(page, "vanthu.loctan@binhphuoc.demo")
    open_from_tab(page, "cho-toi", code)
    page.get_by_label("Số, ký hiệu văn bản").fill("25/GCNKH-UBND")
    page.get_by_role("button", name="Phát hành kết quả").click()
    assert "chờ lãnh đạo ký số" in page.inner_text("main")

    chairman.reload()
    chairman.get_by_label("Mã PIN chữ ký số của bạn").fill("123456")
    chairman.get_by_role("button", name="Ký số phê duyệt kết quả").click()
    assert "chờ văn thư ký số" in chairman.inner_text("main")
    shot(chairman, "officer-dossier-signed-by-leader")
    page.reload()
    page.get_by_role("button", name="Ký số cơ quan và phát hành").click()
    text = page.inner_text("main")
    assert "Đã ký số cơ quan và phát hành kết quả" in text, text[:1500]
    released = Dossier.objects.get(code=code)
    assert released.status == DossierStatus.DONE and released.current_role == "receiving_officer", (
        released.status,
        released.current_role,
        released.current_agency_id,
    )

    open_from_tab(desk, "cho-toi", code)
    desk.get_by_label("Trực tuyến (tải về)").check()
    desk.get_by_role("button", name="Xác nhận đã trả kết quả").click()
    assert "Đã trả kết quả" in desk.inner_text("main")
    shot(desk, "officer-dossier-returned")
    assert Dossier.objects.get(code=code).status == DossierStatus.RETURNED
