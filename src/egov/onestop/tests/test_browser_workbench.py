"""The workbench in Chromium: the chairman signs in, finds a result waiting for their signature on the workbench
with the tabs' counts, opens the dossier from it, reads the document to sign and signs it; the workbench,
worklist and dossier page have no serious accessibility violation at 1280 and 360 px."""

from __future__ import annotations

from typing import Any

import pytest

from egov.dossiers.models import DossierEvent
from egov.onestop.tests.test_browser_officer import sign_in
from egov.onestop.tests.test_workbench import issue, to_issue
from egov.portal.tests.a11y import assert_accessible
from egov.portal.tests.test_browser import browser, page, shot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chairman_signs_a_result_from_the_workbench(page: Any, marriage: Any) -> None:  # noqa: F811
    dossier = issue(to_issue(marriage), number="31/GCNKH-UBND")
    chairman = sign_in(page, "chutich.loctan@binhphuoc.demo")  # lands on the workbench
    text = chairman.inner_text("main")
    assert "Việc chờ tôi hôm nay" in text and "Kết quả chờ tôi ký số (1)" in text
    counts = chairman.locator(".tab-counts")
    assert counts.get_by_role("link", name="Chờ tôi xử lý 1").is_visible()
    for width in (1280, 360):
        chairman.set_viewport_size({"width": width, "height": 900})
        assert_accessible(chairman)
        shot(chairman, f"officer-workbench-{width}")
    chairman.set_viewport_size({"width": 1280, "height": 900})

    chairman.get_by_role("link", name=dossier.code).click()
    chairman.wait_for_url(f"**/can-bo/ho-so/{dossier.code}/")
    summary = chairman.locator(".summary-box")
    assert "Hẹn trả kết quả" in summary.inner_text() and "Ký số kết quả" in summary.inner_text()
    assert chairman.get_by_role("link", name="Xem văn bản trình ký (PDF)").is_visible()
    assert not chairman.get_by_role("button", name="Phát hành kết quả").count()  # the clerk's, not theirs
    for width in (1280, 360):
        chairman.set_viewport_size({"width": width, "height": 900})
        assert_accessible(chairman)
        shot(chairman, f"officer-dossier-summary-{width}")
    chairman.set_viewport_size({"width": 1280, "height": 900})

    chairman.get_by_role("link", name="Ký số kết quả").click()
    chairman.get_by_label("Mã PIN chữ ký số của bạn").fill("123456")
    chairman.get_by_role("button", name="Ký số phê duyệt kết quả").click()
    assert "chờ văn thư ký số" in chairman.inner_text("main")
    chairman.locator("summary", has_text="Diễn biến").click()
    assert "ký số phê duyệt kết quả số 31/GCNKH-UBND" in chairman.inner_text("main")
    assert DossierEvent.objects.filter(dossier=dossier, action="result_signed").count() == 1

    chairman.goto(chairman.base + "/can-bo/ho-so/?tab=cho-toi")
    assert "Chờ tôi xử lý 0" in chairman.locator("nav.tabs").inner_text().replace("\n", " ")
    chairman.locator("summary", has_text="Lọc thêm").click()
    chairman.get_by_label("Thủ tục").fill("kết hôn")
    for width in (1280, 360):
        chairman.set_viewport_size({"width": width, "height": 900})
        assert_accessible(chairman)
        shot(chairman, f"officer-worklist-{width}")
