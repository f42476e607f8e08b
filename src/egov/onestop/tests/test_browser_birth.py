"""A birth registration in Chromium, from the citizen's online form to the Giấy khai sinh they download: the
form asks every field of the certificate (lists for ethnicity and nationality, a cross-field rule), the
officers' flow runs through the services, and the returned certificate carries every field."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from conftest import DEMO_PASSWORD, PDF_BYTES
from egov.accounts.models import User
from egov.dossiers.models import Dossier
from egov.onestop import processing, receiving
from egov.portal.tests.test_browser import browser, page, shot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def arrive(page: Any, ending: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(re.escape(ending) + r"([?#].*)?$"), timeout=15_000)


def officers_issue(dossier: Dossier) -> None:
    def act(function: Any, email: str, **kwargs: Any) -> Any:
        dossier.refresh_from_db()
        officer = User.objects.get(email=email)
        return function(dossier=dossier, officer=officer, expected_version=dossier.version, **kwargs)

    act(receiving.receive, "motcua.loctan@binhphuoc.demo")
    act(processing.forward, "congchuc.loctan@binhphuoc.demo")
    act(processing.forward, "chutich.loctan@binhphuoc.demo")
    act(processing.issue_result, "vanthu.loctan@binhphuoc.demo", document_number="87",
        issue_values={"personal_id": "070218004567"})  # fmt: skip
    act(processing.sign_result, "chutich.loctan@binhphuoc.demo", pin="123456")
    act(processing.sign_result, "vanthu.loctan@binhphuoc.demo")
    act(processing.return_result, "motcua.loctan@binhphuoc.demo", method="online")


def test_a_parent_registers_a_birth_and_gets_the_full_birth_certificate(page: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page.goto(page.base + "/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    arrive(page, "/tai-khoan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("0912 345 678")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    arrive(page, "/buoc-0/")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    arrive(page, "/buoc-1/")
    page.select_option("[name=nyc_quan_he]", "cha")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    arrive(page, "/buoc-2/")
    page.fill("[name=tre_ho_ten]", "Nguyễn Ngọc Diệp")
    page.fill("[name=tre_ngay_sinh]", "12/11/2018")
    page.check("[name=tre_gioi_tinh][value=nu]")
    page.select_option("[name=tre_dan_toc]", "Kinh")
    page.select_option("[name=tre_quoc_tich]", "Việt Nam")
    page.check("[name=tre_noi_sinh_loai][value=co_so_y_te]")
    page.fill("[name=tre_noi_sinh]", "Bệnh viện đa khoa huyện Lộc Ninh, tỉnh Bình Phước")
    page.fill("[name=tre_que_quan]", "xã Lộc Thiện, huyện Lộc Ninh, tỉnh Bình Phước")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    arrive(page, "/buoc-3/")
    page.fill("[name=me_ho_ten]", "Điểu Thị Hường")
    page.fill("[name=me_ngay_sinh]", "05/04/1992")
    page.select_option("[name=me_dan_toc]", "Xtiêng")
    page.select_option("[name=me_quoc_tich]", "Việt Nam")
    options = page.locator("#f-me_noi_cu_tru option")
    commune = next(v for v in options.evaluate_all("os => os.map(o => o.value)") if v)
    page.select_option("#f-me_noi_cu_tru", commune)
    page.fill("[name=me_noi_cu_tru__line]", "Ấp 3")
    # The father files but says he gives no father's details: the rule refuses it, on the page.
    page.check("[name=co_thong_tin_cha][value=no]")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.locator("#wrap-f-co_thong_tin_cha .error-text")).to_contain_text(
        "Người đi đăng ký là cha của trẻ thì phải khai thông tin người cha"
    )
    page.check("[name=co_thong_tin_cha][value=yes]")
    page.fill("[name=cha_ho_ten]", "Nguyễn Văn An")
    page.fill("[name=cha_ngay_sinh]", "20/01/1990")
    page.select_option("[name=cha_dan_toc]", "Kinh")
    page.select_option("[name=cha_quoc_tich]", "Việt Nam")
    # The father lives in another province (Hà Nội): the picker brings that province's communes.
    page.select_option("#f-cha_noi_cu_tru-province", "01")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#f-cha_noi_cu_tru option')].some(o => o.textContent.includes('Ba Đình'))"
    )
    page.select_option("#f-cha_noi_cu_tru", label="Phường Ba Đình")
    page.fill("[name=cha_noi_cu_tru__line]", "Số 12 phố Nguyễn Trung Trực")
    page.check("[name=cha_me_da_ket_hon][value=yes]")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    arrive(page, "/buoc-4/")
    upload = tmp_path / "giay-to.pdf"
    upload.write_bytes(PDF_BYTES)
    for key in ("to-khai", "giay-chung-sinh", "giay-chung-nhan-ket-hon"):
        page.set_input_files(f"[name=file-{key}]", str(upload))
    page.get_by_role("button", name="Tải lên và tiếp tục").click()

    arrive(page, "/buoc-5/")
    assert "Điểu Thị Hường" in page.inner_text("main")
    shot(page, "birth-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    arrive(page, "/da-nop/")
    dossier = Dossier.objects.get()

    # Playwright's event loop runs in this thread; signing (pyHanko, asyncio) runs in one of its own.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            officers_issue(dossier)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=300)
    assert not failures, failures
    response = page.request.get(f"{page.base}/ho-so-cua-toi/{dossier.code}/ket-qua.pdf")
    assert response.status == 200
    path = tmp_path / "giay-khai-sinh.pdf"
    path.write_bytes(response.body())
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())  # fmt: skip
    residence = Dossier.objects.get().form_data["me_noi_cu_tru"]["full"]
    father_residence = Dossier.objects.get().form_data["cha_noi_cu_tru"]["full"]
    assert "Phường Ba Đình" in father_residence and "Thành phố Hà Nội" in father_residence, father_residence
    for expected in (
        "GIẤY KHAI SINH", "Số: 87", "Quyển số: 01/", "Họ, chữ đệm, tên: NGUYỄN NGỌC DIỆP",
        "Ngày, tháng, năm sinh: 12/11/2018",
        "ghi bằng chữ: Ngày mười hai tháng mười một năm hai nghìn không trăm mười tám",
        "Giới tính: Nữ", "Dân tộc: Kinh", "Quốc tịch: Việt Nam",
        "Nơi sinh: Bệnh viện đa khoa huyện Lộc Ninh, tỉnh Bình Phước",
        "Quê quán: xã Lộc Thiện, huyện Lộc Ninh, tỉnh Bình Phước", "Số định danh cá nhân: 070218004567",
        "Họ, chữ đệm, tên người mẹ: ĐIỂU THỊ HƯỜNG", "Năm sinh: 1992", "Dân tộc: Xtiêng",
        f"Nơi cư trú: {residence}", "Họ, chữ đệm, tên người cha: NGUYỄN VĂN AN", "Năm sinh: 1990",
        f"Nơi cư trú: {father_residence}",
        "Họ, chữ đệm, tên người đi khai sinh: Nguyễn Văn An", "Giấy tờ tùy thân: 070090001234",
        "Quan hệ với người được khai sinh: Cha", "Nơi đăng ký khai sinh: Ủy ban nhân dân xã Lộc Tấn",
        "Ngày, tháng, năm đăng ký:", "NGƯỜI KÝ GIẤY KHAI SINH",
    ):  # fmt: skip
        assert expected in text, expected
    page.errors[:] = [e for e in page.errors if "status of 400" not in e]
