"""HTML forms: they collect input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.accounts import privacy
from egov.core.forms import AccessibleFormMixin
from egov.units.forms import PICK_ACTION, AddressFormMixin, CommuneChoiceField, province_field

ADDRESS_PICK = f"{PICK_ACTION}address"


class SignInForm(AccessibleFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại"),
        max_length=150,
        error_messages={"required": _("Hãy nhập thư điện tử hoặc số điện thoại của tài khoản.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        error_messages={"required": _("Hãy nhập mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
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


EMAIL_NEEDED = _(
    "Hãy nhập thư điện tử. Cần có thư điện tử để nhận đường dẫn kích hoạt tài khoản; số điện thoại (không bắt "
    "buộc) dùng để đăng nhập sau đó."
)
EMAIL_WITH_PHONE_NEEDED = _(
    "Hãy nhập cả thư điện tử: đường dẫn kích hoạt tài khoản chỉ gửi được qua thư điện tử. Sau khi kích hoạt, "
    "bạn đăng nhập được bằng số điện thoại đã nhập."
)
CONSENT_NEEDED = _(
    "Hãy đánh dấu ô đồng ý với Thông báo xử lý dữ liệu cá nhân: không có sự đồng ý này, cổng không được phép "
    "lưu thông tin của bạn (Nghị định 13/2023/NĐ-CP)."
)


class _AccountFields(AddressFormMixin, AccessibleFormMixin, forms.Form):
    email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        help_text=_(
            "Bắt buộc: đường dẫn kích hoạt tài khoản được gửi tới địa chỉ này; bạn đăng nhập bằng thư điện tử "
            "hoặc số điện thoại."
        ),
        error_messages={"required": EMAIL_NEEDED},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        required=False,
        help_text=_("Nếu có, bạn đăng nhập được bằng số này thay cho thư điện tử."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    address_province = province_field(target="id_address_unit", action=ADDRESS_PICK)
    address_unit = CommuneChoiceField(label="Xã, phường, thị trấn")
    address_line = forms.CharField(label="Số nhà, đường, thôn/ấp", required=False, max_length=200)
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số, không quá dễ đoán."),
        error_messages={"required": _("Hãy đặt mật khẩu cho tài khoản.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        error_messages={"required": _("Hãy nhập lại mật khẩu để chắc chắn không gõ nhầm.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_(privacy.SIGN_UP_STATEMENT),
        error_messages={"required": CONSENT_NEEDED},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_address_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Hai lần nhập mật khẩu không khớp."))
        if "email" in self.errors and not self.data.get("email", "").strip() and data.get("phone"):
            self.errors["email"] = self.error_class([str(EMAIL_WITH_PHONE_NEEDED)])
        return data


class CitizenSignUpForm(_AccountFields):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        error_messages={"required": _("Hãy nhập họ và tên như trên thẻ căn cước.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=20,
        help_text=_("12 chữ số in trên thẻ căn cước."),
        error_messages={"required": _("Hãy nhập số định danh cá nhân: 12 chữ số in trên thẻ căn cước.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        help_text=_("Ví dụ 25/12/1990."),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": _("Hãy nhập ngày sinh, ví dụ 25/12/1990."),
            "invalid": _("Ngày sinh phải có dạng ngày/tháng/năm, ví dụ 25/12/1990."),
        },
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
        "consent",
    ]


class OrganisationSignUpForm(_AccountFields):
    name = forms.CharField(
        label=_("Tên tổ chức, doanh nghiệp"),
        max_length=255,
        error_messages={"required": _("Hãy nhập tên tổ chức, doanh nghiệp như trên giấy đăng ký.")},
    )
    tax_code = forms.CharField(
        label=_("Mã số thuế"),
        max_length=20,
        help_text=_("10 hoặc 13 chữ số."),
        error_messages={"required": _("Hãy nhập mã số thuế: 10 hoặc 13 chữ số.")},
    )
    representative = forms.CharField(
        label=_("Người đại diện theo pháp luật"),
        max_length=150,
        error_messages={"required": _("Hãy nhập họ và tên người đại diện theo pháp luật.")},
    )

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
        "consent",
    ]
