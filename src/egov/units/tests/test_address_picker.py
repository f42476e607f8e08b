"""Addresses anywhere in Vietnam: the whole country loads from the GSO lists, the picker shows the units valid
on the day, its endpoint costs a fixed number of queries, and it works without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from egov.accounts.models import CitizenProfile
from egov.units.models import AdministrativeLevel, AdministrativeUnit, UnitKind
from egov.units.reference import ensure_levels_and_kinds
from egov.units.selectors import provinces_on
from egov.units.services import load_country

OPTIONS = "/don-vi-hanh-chinh/xa-phuong/"


def _provinces(day: dt.date) -> int:
    return AdministrativeUnit.objects.valid_on(day).filter(kind__level__rank=1).count()


@pytest.mark.django_db
def test_the_whole_country_loads_in_bulk_once_each_unit_valid_for_its_period(settings: Any) -> None:
    ensure_levels_and_kinds(AdministrativeLevel, UnitKind)
    started = time.monotonic()
    report = load_country(actor=None)
    elapsed = time.monotonic() - started
    # 63 provinces, 696 districts, 10 051 communes before 1 July 2025; 34 provinces, 3 321 communes after.
    # Bình Phước (70, this installation) and the Đồng Nai it merged into are the installation's own data.
    assert report.created == {"province": 62 + 33, "district": 696 - 11, "commune": 10051 - 111 + 3321 - 95}
    assert report.skipped_home == 1 + 11 + 111 + 1 + 95
    assert elapsed < 60, elapsed  # bulk: a handful of statements per tier (about 5 s here)
    assert _provinces(dt.date(2019, 1, 1)) == 62 and _provinces(dt.date(2025, 7, 1)) == 33
    hanoi_2019 = AdministrativeUnit.objects.valid_on(dt.date(2019, 1, 1)).get(code="01")
    ba_dinh = AdministrativeUnit.objects.valid_on(dt.date(2019, 1, 1)).get(code="00001")
    assert (ba_dinh.name, ba_dinh.parent.name) == ("Phường Phúc Xá", "Quận Ba Đình")  # type: ignore[union-attr]
    assert ba_dinh.path.startswith(hanoi_2019.path) and ba_dinh.valid_to == dt.date(2025, 6, 30)
    hoan_kiem = AdministrativeUnit.objects.current().get(code="00070")
    assert hoan_kiem.parent.name == "Thành phố Hà Nội" and hoan_kiem.kind.code == "phuong"  # type: ignore[union-attr]
    assert AdministrativeUnit.objects.filter(path="").count() == 0
    again = load_country(actor=None)
    assert again.total_created == 0 and again.unchanged == 10810 - 123 + 3355 - 96


@pytest.mark.django_db
def test_the_endpoint_answers_a_province_in_two_queries_then_from_the_cache(
    demo: None, client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):  # the province, its communes
        page = client.get(OPTIONS, {"tinh": "01"})
    body = page.content.decode()
    assert page.status_code == 200
    assert '<option value="00070">Phường Hoàn Kiếm</option>' in body
    assert "<optgroup" not in body  # two tiers since 1 July 2025: no districts
    assert body.count("<option value=") == 1 + 126  # the prompt and every commune
    with django_assert_num_queries(0):
        client.get(OPTIONS, {"tinh": "01"})
    # Before the reorganisation Hà Nội had districts: the communes come grouped under them.
    old = client.get(OPTIONS, {"tinh": "01", "ngay": "2019-01-01"}).content.decode()
    ba_dinh = old[old.index('<optgroup label="Quận Ba Đình">') :].split("</optgroup>")[0]
    assert '<option value="00001">Phường Phúc Xá</option>' in ba_dinh
    # The demo's own province (as in 2018) keeps its districts; the picker's own field name is understood.
    home = client.get(OPTIONS, {"address_province": "70", "chon": "25279"}).content.decode()
    assert '<optgroup label="Huyện Lộc Ninh">' in home and '<option value="25279" selected>' in home
    nothing = client.get(OPTIONS, {"tinh": "x'; drop"}).content.decode()
    assert "Chọn tỉnh, thành phố trước" in nothing


@pytest.mark.django_db
def test_the_provinces_offered_are_those_valid_today(demo: None) -> None:
    names = [name for _, name in provinces_on()]
    assert "Thành phố Hà Nội" in names and "Tỉnh Bình Phước" in names
    assert names.index("Tỉnh Bình Phước") < names.index("Thành phố Hà Nội")  # by name, not by kind
    assert [name for _, name in provinces_on(dt.date(2019, 1, 1))].count("Thành phố Hà Nội") == 1


@pytest.mark.django_db
def test_someone_from_hanoi_signs_up_without_javascript(demo: None, client: Client) -> None:
    page = client.get("/tai-khoan/dang-ky/").content.decode()
    assert '<label for="id_address_province">Tỉnh, thành phố' in page
    assert "Huyện Lộc Ninh" in page  # this province's communes first, grouped by district
    assert 'name="action" value="pick:address"' in page  # the "Chọn" button for browsers without JS
    form = {
        "full_name": "Phạm Thu Hà",
        "personal_id": "001190012345",
        "date_of_birth": "14/09/1990",
        "email": "pham.thu.ha@example.vn",
        "phone": "",
        "address_province": "01",
        "address_unit": "",
        "address_line": "Số 5 phố Tràng Tiền",
        "password": "Ho-Guom-2025",
        "password_again": "Ho-Guom-2025",
    }
    picked = client.post("/tai-khoan/dang-ky/", {**form, "action": "pick:address"})
    body = picked.content.decode()
    assert picked.status_code == 200 and "error-text" not in body
    assert '<option value="00070">Phường Hoàn Kiếm</option>' in body and "Huyện Lộc Ninh" not in body
    assert 'value="Phạm Thu Hà"' in body and 'value="Số 5 phố Tràng Tiền"' in body  # what was typed stays
    assert '<option value="01" selected>Thành phố Hà Nội</option>' in body
    sent = client.post("/tai-khoan/dang-ky/", {**form, "address_unit": "00070", "consent": "on"})
    assert sent.status_code == 302, sent.content.decode()[:2000]
    link = re.search(r"(/tai-khoan/dang-ky/kich-hoat/\S+/)", mail.outbox[-1].body)
    assert link
    assert client.post(link.group(1)).status_code == 302
    profile = CitizenProfile.objects.select_related("address_unit").get(personal_id="001190012345")
    assert profile.address_unit.code == "00070" and profile.address_line == "Số 5 phố Tràng Tiền"


@pytest.mark.django_db
def test_a_unit_of_another_day_is_not_an_address_today(demo: None, client: Client) -> None:
    """Phường Phúc Xá ended on 30 June 2025: it is not offered today and is refused if posted."""
    assert timezone.localdate() > dt.date(2025, 7, 1)
    form = {
        "full_name": "Phạm Văn Cũ",
        "personal_id": "001190054321",
        "date_of_birth": "14/09/1990",
        "email": "pham.van.cu@example.vn",
        "address_province": "01",
        "address_unit": "00001",
        "password": "Ho-Guom-2025",
        "password_again": "Ho-Guom-2025",
    }
    refused = client.post("/tai-khoan/dang-ky/", form)
    assert (
        refused.status_code == 400
        and "Hãy chọn xã, phường, thị trấn trong danh sách." in refused.content.decode()
    )
