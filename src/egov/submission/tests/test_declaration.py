"""A procedure's declaration form (tờ khai) to download: blank from the procedure's page, filled from the
citizen's draft on its steps and review page; and a cross-field rule of the birth form refused on its step."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.catalog import formdef
from egov.dossiers.models import Draft
from egov.units.selectors import resolve_commune

from .test_submission import citizen, signed_in

if shutil.which("pdftotext") is None and not os.environ.get("EGOV_REQUIRE_BROWSER"):
    pytest.skip("poppler-utils (pdftotext) is not installed", allow_module_level=True)

pytestmark = pytest.mark.django_db
BIRTH = "1.001193"
DESK = "000.22.44.H10"


def text_of(content: bytes, tmp_path: Path) -> str:
    if os.environ.get("EGOV_KEEP_PDFS"):  # kept to be looked at (pdftoppm)
        (Path(os.environ["EGOV_KEEP_PDFS"]) / f"to-khai-{len(content)}.pdf").write_bytes(content)
    path = tmp_path / "to-khai.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def birth_values() -> dict[str, Any]:
    unit = Agency.objects.current().get(code=DESK).unit.code
    raw = {
        "nyc_ho_ten": "Nguyễn Văn An", "nyc_so_dinh_danh": "070090001234",
        "nyc_noi_cu_tru": {"unit": unit, "line": "Ấp 3"}, "nyc_dien_thoai": "0912345678", "nyc_quan_he": "cha",
        "tre_ho_ten": "Nguyễn Ngọc Diệp", "tre_ngay_sinh": "12/11/2018", "tre_gioi_tinh": "nu",
        "tre_dan_toc": "Kinh", "tre_quoc_tich": "Việt Nam", "tre_noi_sinh_loai": "co_so_y_te",
        "tre_noi_sinh": "Bệnh viện đa khoa huyện Lộc Ninh", "tre_que_quan": "xã Lộc Thiện, huyện Lộc Ninh",
        "me_ho_ten": "Điểu Thị Hường", "me_ngay_sinh": "05/04/1992", "me_dan_toc": "Xtiêng",
        "me_quoc_tich": "Việt Nam", "me_noi_cu_tru": {"unit": unit, "line": "Ấp 3"},
        "co_thong_tin_cha": "yes", "cha_ho_ten": "Nguyễn Văn An", "cha_ngay_sinh": "20/01/1990",
        "cha_dan_toc": "Kinh", "cha_quoc_tich": "Việt Nam", "cha_noi_cu_tru": {"unit": unit, "line": "Ấp 3"},
        "cha_me_da_ket_hon": "yes",
    }  # fmt: skip
    return raw


def start_birth(client: Client) -> Draft:
    response = client.get(f"/nop-ho-so/{BIRTH}/")
    assert response.status_code == 302
    return Draft.objects.get(owner=citizen(), procedure_version__procedure__national_code=BIRTH)


def test_the_procedure_page_offers_the_blank_declaration(demo: None, tmp_path: Path) -> None:
    page = Client().get(f"/thu-tuc/{BIRTH}/").content.decode()
    assert f'href="/thu-tuc/{BIRTH}/to-khai.pdf"' in page
    response = Client().get(f"/thu-tuc/{BIRTH}/to-khai.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    for expected in (
        "TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi:", "1. Người đi đăng ký khai sinh", "Họ, chữ đệm, tên:",
        "Giới tính: Nam Nữ", "Dân tộc:", "Quốc tịch:", "Nơi cư trú của mẹ:", "Khai thông tin người cha: Có Không",
        "Tôi cam đoan những nội dung khai trên đây là đúng sự thật", "NGƯỜI KHAI",
    ):  # fmt: skip
        assert expected in text, expected
    assert "Nguyễn" not in text


def test_an_unknown_procedure_has_no_declaration(demo: None) -> None:
    assert Client().get("/thu-tuc/9.999999/to-khai.pdf").status_code == 404


def test_the_declaration_filled_from_the_draft(demo: None, tmp_path: Path) -> None:
    client = signed_in()
    draft = start_birth(client)
    definition = draft.procedure_version.form_definition
    cleaned = formdef.clean_values(definition, birth_values(), resolve_unit=resolve_commune)
    assert cleaned.ok, cleaned.errors
    draft.data = cleaned.values
    draft.receiving_agency = Agency.objects.current().get(code=DESK)
    draft.step = len(formdef.steps(definition)) + 2
    draft.save()
    review = client.get(f"/ho-so-nhap/{draft.pk}/buoc-{len(formdef.steps(definition)) + 2}/")
    step = client.get(f"/ho-so-nhap/{draft.pk}/buoc-1/")
    for page in (review, step):
        assert f'href="/ho-so-nhap/{draft.pk}/to-khai.pdf"' in page.content.decode()
    response = client.get(f"/ho-so-nhap/{draft.pk}/to-khai.pdf")
    assert response.status_code == 200
    text = text_of(response.content, tmp_path)
    for expected in (
        f"Kính gửi: {draft.receiving_agency.name}", "Họ, chữ đệm, tên: Nguyễn Ngọc Diệp",
        "Ngày, tháng, năm sinh: 12/11/2018", "Giới tính: Nữ", "Dân tộc của mẹ: Xtiêng",
        "Quốc tịch của cha: Việt Nam", "Quê quán: xã Lộc Thiện, huyện Lộc Ninh",
        f"Nơi cư trú của mẹ: {cleaned.values['me_noi_cu_tru']['full']}", "Khai thông tin người cha: Có",
        "NGƯỜI KHAI",
    ):  # fmt: skip
        assert expected in text, expected
    other = Client()
    other.force_login(User.objects.get(email="tranthibinh@binhphuoc.demo"))
    assert other.get(f"/ho-so-nhap/{draft.pk}/to-khai.pdf").status_code == 404


def test_a_father_filing_is_asked_for_the_fathers_details_on_the_page(demo: None) -> None:
    client = signed_in()
    draft = start_birth(client)
    draft.data = {"nyc_quan_he": "cha"}
    draft.step = 5
    draft.save()
    values = birth_values()
    response = client.post(
        f"/ho-so-nhap/{draft.pk}/buoc-3/",
        {
            "me_ho_ten": values["me_ho_ten"], "me_ngay_sinh": values["me_ngay_sinh"], "me_dan_toc": "Xtiêng",
            "me_quoc_tich": "Việt Nam", "me_noi_cu_tru__unit": values["me_noi_cu_tru"]["unit"],
            "co_thong_tin_cha": "no", "action": "next",
        },
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "Người đi đăng ký là cha của trẻ thì phải khai thông tin người cha" in page
    # The rule is also shown beside the field before anything is sent.
    page = client.get(f"/ho-so-nhap/{draft.pk}/buoc-3/").content.decode()
    assert "Lưu ý: Người đi đăng ký là cha của trẻ" in page
    # The lists: 54 groups and countries in Vietnamese, as choices.
    assert '<option value="Xtiêng"' in page and '<option value="Hàn Quốc"' in page
