"""Citizens and organisations sign up and confirm their e-mail address; bad input gets Vietnamese errors and
saves nothing."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from egov.accounts import privacy
from egov.accounts.models import CitizenProfile, Consent, OrganisationProfile, User
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
        "address_unit": commune.code,
        "address_line": "Ấp 5",
        "password": "Song-Be-2024",
        "password_again": "Song-Be-2024",
        "consent": "on",
    }
    data.update(overrides)
    return data


def _link(body: str) -> str:
    found = re.search(r"https?://\S+(/tai-khoan/dang-ky/kich-hoat/\S+/)", body)
    assert found, body
    return found.group(1)


def test_a_citizen_signs_up_confirms_the_address_and_is_signed_in(demo: None, client: Client) -> None:
    page = client.get("/tai-khoan/dang-ky/").content.decode()
    assert "Huyện Lộc Ninh" in page and "Xã Lộc Thạnh" in page  # communes grouped by district, no JS needed
    response = client.post("/tai-khoan/dang-ky/", citizen_form(), follow=True)
    assert response.redirect_chain == [("/tai-khoan/dang-ky/da-gui/", 302)]
    body = response.content.decode()
    assert "Hãy kiểm tra hộp thư" in body and "le.thi.cuc@example.vn" in body and "72 giờ" in body
    assert not User.objects.filter(
        email="le.thi.cuc@example.vn"
    ).exists()  # nothing until the address is proven
    (message,) = mail.outbox
    assert message.to == ["le.thi.cuc@example.vn"] and message.subject == "Kích hoạt tài khoản dịch vụ công"
    link = _link(message.body)
    confirm = client.get(link)
    assert confirm.status_code == 200 and "Lê Thị Cúc" in confirm.content.decode()
    assert not User.objects.filter(email="le.thi.cuc@example.vn").exists()  # opening the link is not enough
    done = client.post(link)
    assert done.status_code == 302 and done["Location"] == "/"
    user = User.objects.get(email="le.thi.cuc@example.vn")
    assert (user.kind, user.phone, user.username) == ("citizen", "0987654321", "le.thi.cuc@example.vn")
    profile = user.citizen_profile
    assert (profile.personal_id, profile.address_unit.name) == ("070185006789", "Xã Lộc Thạnh")
    assert AuditEntry.objects.get(action="account_created", actor=user).data == {"confirmed_email": True}
    home = client.get("/")
    assert home.context["user"] == user and "Đã kích hoạt tài khoản" in home.content.decode()
    again = Client().get(link)
    assert again.status_code == 404 and "đã được dùng hoặc đã hết hạn" in again.content.decode()
    signed_in = Client().post("/tai-khoan/dang-nhap/", {"username": "0987654321", "password": "Song-Be-2024"})
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"personal_id": "12345"}, "personal_id", "đúng 12 chữ số"),
        ({"personal_id": "070195006789"}, "personal_id", "không khớp với năm sinh 1985"),
        ({"email": "", "phone": ""}, "email", "Cần có thư điện tử để nhận đường dẫn kích hoạt"),
        # A phone without an e-mail: the e-mail is still needed, and the page says why and what the phone is for.
        (
            {"email": ""},
            "email",
            "Hãy nhập cả thư điện tử: đường dẫn kích hoạt tài khoản chỉ gửi được qua thư",
        ),
        ({"email": "khong-hop-le"}, "email", "không hợp lệ"),
        ({"phone": "0123"}, "phone", "Số điện thoại không hợp lệ"),
        ({"password_again": "khac"}, "password_again", "không khớp"),
        ({"password": "12345678", "password_again": "12345678"}, "password", "hoàn toàn là số"),
        ({"date_of_birth": "31/02/1985"}, "date_of_birth", "ngày/tháng/năm"),
        ({"address_unit": "999999"}, "address_unit", "trong danh sách"),
        ({"full_name": "  "}, "full_name", "Hãy nhập họ và tên"),
        ({"consent": ""}, "consent", "Hãy đánh dấu ô đồng ý với Thông báo xử lý dữ liệu cá nhân"),
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
        "address_unit": commune.code,
        "address_line": "",
        "password": "Hat-Dieu-2024",
        "password_again": "Hat-Dieu-2024",
        "consent": "on",
    }
    bad = client.post("/tai-khoan/dang-ky/", {**data, "tax_code": "3801234567"})
    assert bad.status_code == 400
    assert "Mã số thuế không hợp lệ" in bad.content.decode()
    assert client.post("/tai-khoan/dang-ky/", data)["Location"] == "/tai-khoan/dang-ky/da-gui/"
    assert client.post(_link(mail.outbox[-1].body)).status_code == 302
    profile = OrganisationProfile.objects.get(tax_code="3801234566")
    assert profile.user.kind == "organisation" and profile.representative == "Trịnh Văn Đức"
    # The same tax code again: the same answer on the page; the reason is told to the address given only.
    again = Client().post("/tai-khoan/dang-ky/", {**data, "email": "khac@example.vn"})
    assert again["Location"] == "/tai-khoan/dang-ky/da-gui/"
    assert (
        mail.outbox[-1].to == ["khac@example.vn"] and "mã số thuế kết thúc bằng …566" in mail.outbox[-1].body
    )
    assert not User.objects.filter(email="khac@example.vn").exists()


def test_errors_and_help_are_announced_to_screen_readers(demo: None, client: Client) -> None:
    body = client.post("/tai-khoan/dang-ky/", citizen_form(personal_id="12", phone="1")).content.decode()
    field = re.search(r'<input[^>]*name="personal_id"[^>]*>', body).group(0)  # type: ignore[union-attr]
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_personal_id-help id_personal_id-error"' in field
    assert 'id="id_personal_id-error"' in body and 'id="id_personal_id-help"' in body


def test_every_mistake_is_told_at_once_not_one_round_at_a_time(demo: None, client: Client) -> None:
    """Fields the form finds wrong (an empty e-mail) and those the service finds wrong (a CCCD of another birth
    year, a password of digits only) are told in the same answer, each next to its field."""
    response = client.post(
        "/tai-khoan/dang-ky/",
        citizen_form(
            email="", phone="", personal_id="070195006789", password="12345678", password_again="12345678"
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"email", "personal_id", "password"}
    assert "không khớp với năm sinh 1985" in errors["personal_id"][0]
    assert "hoàn toàn là số" in " ".join(errors["password"])
    page = response.content.decode()
    assert "Có 3 lỗi cần sửa" in page and "Cần có thư điện tử để nhận đường dẫn kích hoạt" in page


def test_consent_is_stored_with_its_time_and_the_notices_version(demo: None, client: Client) -> None:
    before = timezone.now()
    client.post("/tai-khoan/dang-ky/", citizen_form())
    assert not Consent.objects.exists()  # no account, no consent record, until the address is confirmed
    assert client.post(_link(mail.outbox[-1].body)).status_code == 302
    (consent,) = Consent.objects.filter(user__email="le.thi.cuc@example.vn")
    assert consent.notice_version == privacy.NOTICE_VERSION and consent.purpose == "sign_up"
    assert before <= consent.given_at <= timezone.now()
    assert "Thông báo xử lý dữ liệu cá nhân" in consent.statement
