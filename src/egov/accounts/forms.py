"""HTML forms: they collect input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from egov.core.forms import AccessibleFormMixin
from egov.units.forms import PICK_ACTION, AddressFormMixin, CommuneChoiceField, province_field

ADDRESS_PICK = f"{PICK_ACTION}address"


class SignInForm(AccessibleFormMixin, forms.Form):
    username = forms.CharField(
        label="Thư điện tử hoặc số điện thoại",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mật khẩu", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(AccessibleFormMixin, forms.Form):
    token = forms.CharField(
        label="Mã xác thực 6 chữ số",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class _AccountFields(AddressFormMixin, AccessibleFormMixin, forms.Form):
    email = forms.CharField(
        label="Thư điện tử",
        max_length=254,
        help_text="Đường dẫn kích hoạt tài khoản được gửi tới địa chỉ này; bạn cũng dùng nó để đăng nhập.",
        error_messages={"required": "Hãy nhập thư điện tử: đường dẫn kích hoạt tài khoản được gửi tới đó."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Số điện thoại",
        required=False,
        help_text="Nếu có, bạn đăng nhập được bằng số này.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    address_province = province_field(target="id_address_unit", action=ADDRESS_PICK)
    address_unit = CommuneChoiceField(label="Xã, phường, thị trấn")
    address_line = forms.CharField(label="Số nhà, đường, thôn/ấp", required=False, max_length=200)
    password = forms.CharField(
        label="Mật khẩu",
        strip=False,
        help_text="Ít nhất 8 ký tự, không chỉ gồm chữ số, không quá dễ đoán.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="Nhập lại mật khẩu",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_address_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "Hai lần nhập mật khẩu không khớp.")
        return data


class CitizenSignUpForm(_AccountFields):
    full_name = forms.CharField(
        label="Họ và tên", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    personal_id = forms.CharField(
        label="Số định danh cá nhân (CCCD)",
        max_length=20,
        help_text="12 chữ số in trên thẻ căn cước.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    date_of_birth = forms.DateField(
        label="Ngày sinh",
        help_text="Ví dụ 25/12/1990.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Ngày sinh phải có dạng ngày/tháng/năm."},
    )

    field_order = [
        "full_name",
        "personal_id",
        "date_of_birth",
        "email",
        "phone",
        "address_province",
        "address_unit",
        "address_line",
        "password",
        "password_again",
    ]


class OrganisationSignUpForm(_AccountFields):
    name = forms.CharField(label="Tên tổ chức, doanh nghiệp", max_length=255)
    tax_code = forms.CharField(label="Mã số thuế", max_length=20, help_text="10 hoặc 13 chữ số.")
    representative = forms.CharField(label="Người đại diện theo pháp luật", max_length=150)

    field_order = [
        "name",
        "tax_code",
        "representative",
        "email",
        "phone",
        "address_province",
        "address_unit",
        "address_line",
        "password",
        "password_again",
    ]
