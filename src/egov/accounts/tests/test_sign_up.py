"""Citizens and organisations sign up; bad input gets Vietnamese errors and saves nothing."""

import re

import pytest
from django.test import Client

from egov.accounts.models import CitizenProfile, OrganisationProfile, User
from egov.audit.models import AuditEntry
from egov.units.models import AdministrativeUnit


def citizen_form(**overrides: str) -> dict[str, str]:
    commune = AdministrativeUnit.objects.current().get(code="25280")
    data = {
        "full_name": "Lê Thị Cúc",
        "personal_id": "070185006789",
        "date_of_birth": "03/02/1985",
        "email": "le.thi.cuc@example.vn",
        "phone": "0987 654 321",
        "address_unit": str(commune.pk),
        "address_line": "Ấp 5",
        "password": "Song-Be-2024",
        "password_again": "Song-Be-2024",
    }
    data.update(overrides)
    return data


def test_a_citizen_signs_up_and_is_signed_in(demo: None, client: Client) -> None:
    page = client.get("/tai-khoan/dang-ky/").content.decode()
    assert "Huyện Lộc Ninh" in page and "Xã Lộc Thạnh" in page  # communes grouped by district, no JS needed
    response = client.post("/tai-khoan/dang-ky/", citizen_form())
    assert response.status_code == 302
    user = User.objects.get(email="le.thi.cuc@example.vn")
    assert (user.kind, user.phone, user.username) == ("citizen", "0987654321", "le.thi.cuc@example.vn")
    profile = user.citizen_profile
    assert (profile.personal_id, profile.address_unit.name) == ("070185006789", "Xã Lộc Thạnh")
    assert AuditEntry.objects.filter(action="account_created", actor=user).exists()
    assert client.get("/").context["user"] == user


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"personal_id": "12345"}, "personal_id", "đúng 12 chữ số"),
        ({"personal_id": "070195006789"}, "personal_id", "không khớp với năm sinh 1985"),
        ({"email": "", "phone": ""}, "email", "Cần có thư điện tử hoặc số điện thoại"),
        ({"email": "khong-hop-le"}, "email", "không hợp lệ"),
        ({"phone": "0123"}, "phone", "Số điện thoại không hợp lệ"),
        ({"email": "nguyenvanan@binhphuoc.demo"}, "email", "đã được dùng"),
        ({"personal_id": "070090001234", "date_of_birth": "12/05/1990"}, "personal_id", "đã được đăng ký"),
        ({"password_again": "khac"}, "password_again", "không khớp"),
        ({"password": "12345678", "password_again": "12345678"}, "password", "hoàn toàn là số"),
        ({"date_of_birth": "31/02/1985"}, "date_of_birth", "ngày/tháng/năm"),
        ({"address_unit": "999999"}, "address_unit", "trong danh sách"),
        ({"full_name": "  "}, "full_name", "bắt buộc"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(
    demo: None, client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    users = User.objects.count()
    response = client.post("/tai-khoan/dang-ky/", citizen_form(**overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message.lower() in error.lower() for error in form.errors[field]), form.errors
    body = response.content.decode()
    assert "Có " in body and "lỗi cần sửa" in body  # the error summary at the top
    assert User.objects.count() == users
    assert not CitizenProfile.objects.filter(personal_id="070185006789").exists()


def test_script_in_a_name_is_escaped_on_output(demo: None, client: Client) -> None:
    response = client.post(
        "/tai-khoan/dang-ky/", citizen_form(full_name="<script>alert(1)</script>", phone="x")
    )
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_organisation_signs_up_with_its_tax_code(demo: None, client: Client) -> None:
    commune = AdministrativeUnit.objects.current().get(code="25279")
    data = {
        "loai": "to-chuc",
        "name": "Hợp tác xã Điều Lộc Tấn",
        "tax_code": "3801234566",
        "representative": "Trịnh Văn Đức",
        "email": "htx.dieu@example.vn",
        "phone": "",
        "address_unit": str(commune.pk),
        "address_line": "",
        "password": "Hat-Dieu-2024",
        "password_again": "Hat-Dieu-2024",
    }
    bad = client.post("/tai-khoan/dang-ky/", {**data, "tax_code": "3801234567"})
    assert bad.status_code == 400
    assert "Mã số thuế không hợp lệ" in bad.content.decode()
    assert client.post("/tai-khoan/dang-ky/", data).status_code == 302
    profile = OrganisationProfile.objects.get(tax_code="3801234566")
    assert profile.user.kind == "organisation" and profile.representative == "Trịnh Văn Đức"
    again = client.post("/tai-khoan/dang-ky/", {**data, "email": "khac@example.vn"})
    assert "Mã số thuế này đã được đăng ký" in again.content.decode()


def test_errors_and_help_are_announced_to_screen_readers(demo: None, client: Client) -> None:
    body = client.post("/tai-khoan/dang-ky/", citizen_form(personal_id="12", phone="1")).content.decode()
    field = re.search(r'<input[^>]*name="personal_id"[^>]*>', body).group(0)  # type: ignore[union-attr]
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_personal_id-help id_personal_id-error"' in field
    assert 'id="id_personal_id-error"' in body and 'id="id_personal_id-help"' in body
