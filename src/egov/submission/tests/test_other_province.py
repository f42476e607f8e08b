"""Someone living in another province signs up and files a dossier at this province's desks: the desk is
chosen by the procedure, not by where the applicant lives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import DEMO_PASSWORD, pdf_upload
from egov.accounts import services as accounts
from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.dossiers.models import Dossier, Draft
from egov.units.models import AdministrativeUnit

LOC_TAN = "000.22.44.H10"


@pytest.fixture
def hanoi_citizen(marriage: Any) -> User:
    return accounts.register_citizen(
        full_name="Phạm Thu Hà",
        email="pham.thu.ha@example.vn",
        password=DEMO_PASSWORD,
        personal_id="001190012345",
        date_of_birth=dt.date(1990, 9, 14),
        address_unit=AdministrativeUnit.objects.current().get(code="00070"),  # Phường Hoàn Kiếm, Hà Nội
        address_line="Số 5 phố Tràng Tiền",
    )


@pytest.mark.django_db
def test_a_citizen_of_hanoi_files_at_a_commune_of_this_province(hanoi_citizen: User) -> None:
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": "pham.thu.ha@example.vn", "password": DEMO_PASSWORD})
    start = client.get("/nop-ho-so/9.000001/")
    draft = Draft.objects.get(owner=hanoi_citizen)
    assert start["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-0/"
    # No desk of this province contains Hoàn Kiếm: the applicant chooses one; the address is prefilled.
    assert draft.data["noi_cu_tru"] == {
        "unit": "00070",
        "line": "Số 5 phố Tràng Tiền",
        "full": "Số 5 phố Tràng Tiền, Phường Hoàn Kiếm, Thành phố Hà Nội",
    }
    desks = client.get(f"/ho-so-nhap/{draft.pk}/buoc-0/").content.decode()
    assert "Ủy ban nhân dân xã Lộc Tấn" in desks
    loc_tan = Agency.objects.get(code=LOC_TAN)
    assert client.post(f"/ho-so-nhap/{draft.pk}/buoc-0/", {"agency": loc_tan.pk}).status_code == 302

    step1 = f"/ho-so-nhap/{draft.pk}/buoc-1/"
    page = client.get(step1).content.decode()
    assert '<option value="01" selected>Thành phố Hà Nội</option>' in page  # the saved commune's province
    assert '<option value="00070" selected>Phường Hoàn Kiếm</option>' in page
    answers = {
        "ho_ten": "Phạm Thu Hà",
        "cccd": "001190012345",
        "noi_cu_tru__province": "01",
        "noi_cu_tru__unit": "00070",
        "noi_cu_tru__line": "Số 5 phố Tràng Tiền",
        "nop_thay": "no",
    }
    # Without JavaScript, choosing another province redraws the step with its communes and keeps the rest.
    picked = client.post(step1, {**answers, "noi_cu_tru__province": "70", "action": "pick:noi_cu_tru"})
    body = picked.content.decode()
    assert picked.status_code == 200 and '<optgroup label="Huyện Lộc Ninh">' in body
    assert 'value="Phạm Thu Hà"' in body and "error-text" not in body
    assert client.post(step1, {**answers, "action": "next"})["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-2/"
    people = {
        "ben__rows": "2",
        "ben__0__ho_ten_ben": "Phạm Thu Hà",
        "ben__0__ngay_sinh": "14/09/1990",
        "ben__0__gioi_tinh": "nu",
        "ben__1__ho_ten_ben": "Trần Văn Phước",
        "ben__1__ngay_sinh": "01/02/1988",
        "ben__1__gioi_tinh": "nam",
        "con_chung__rows": "0",
        "action": "next",
    }
    assert client.post(f"/ho-so-nhap/{draft.pk}/buoc-2/", people).status_code == 302
    step3 = f"/ho-so-nhap/{draft.pk}/buoc-3/"
    assert client.post(step3, {"file-to-khai": pdf_upload(), "action": "next"}).status_code == 302
    draft.refresh_from_db()
    done = client.post(f"/ho-so-nhap/{draft.pk}/nop/", {"submission_key": str(draft.submission_key)})
    dossier = Dossier.objects.get()
    assert done["Location"] == f"/ho-so-cua-toi/{dossier.code}/da-nop/"
    assert dossier.receiving_agency == loc_tan and dossier.code.startswith(LOC_TAN)
    # The unit and the full text are kept, so documents print the address as written on the day.
    assert dossier.applicant_address == "Số 5 phố Tràng Tiền, Phường Hoàn Kiếm, Thành phố Hà Nội"
    assert dossier.form_data["noi_cu_tru"]["unit"] == "00070"
    assert dossier.form_data["noi_cu_tru"]["full"].endswith("Phường Hoàn Kiếm, Thành phố Hà Nội")
