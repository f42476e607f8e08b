"""Vietnamese identifiers: personal ID (CCCD), tax code (MST), phone numbers, e-mail.

Regulation-shaped facts live here and nowhere else:
- CCCD (căn cước / căn cước công dân, Thông tư 59/2021/TT-BCA, Art. 7): 12 digits = 3-digit code of the province
  where the birth was registered + 1 digit for sex and century of birth + 2 digits of the year of birth +
  6 random digits.
- MST (mã số thuế, Thông tư 105/2020/TT-BTC): 10 digits with a check digit, or 13 for a dependent unit
  (``0123456789-001``); checked with python-stdnum. Since 1 July 2025 an individual's tax code is their CCCD.
- Phone numbers: checked with Google's libphonenumber metadata (``phonenumbers``), region VN.
"""

from __future__ import annotations

import datetime as dt

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst as stdnum_mst

# Province codes used in the first three digits of a CCCD (the 63 provinces as before July 2025, and the
# GSO codes kept by the 34 provinces after it are a subset of them).
CCCD_PROVINCE_CODES = frozenset(
    f"{code:03d}"
    for code in (
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    )
)
# The fourth digit: sex and century of birth.
CCCD_CENTURY_DIGITS = {
    "0": 1900,
    "1": 1900,
    "2": 2000,
    "3": 2000,
    "4": 2100,
    "5": 2100,
    "6": 2200,
    "7": 2200,
    "8": 1800,
    "9": 1800,
}


def validate_personal_id(value: str, *, date_of_birth: dt.date | None = None) -> str:
    """Return the CCCD number cleaned of spaces, or raise a ValidationError in Vietnamese."""
    number = "".join(str(value).split())
    if not number.isdigit() or len(number) != 12:
        raise ValidationError("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.", code="cccd_format")
    if number[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            "Ba chữ số đầu của số CCCD (%(code)s) không phải mã tỉnh, thành phố hợp lệ.",
            code="cccd_province",
            params={"code": number[:3]},
        )
    if date_of_birth is not None:
        year = CCCD_CENTURY_DIGITS[number[3]] + int(number[4:6])
        if year != date_of_birth.year:
            raise ValidationError(
                "Số CCCD không khớp với năm sinh %(year)s (chữ số thứ 4–6 mã hóa thế kỷ và năm sinh).",
                code="cccd_birth_year",
                params={"year": date_of_birth.year},
            )
    return number


def validate_tax_code(value: str) -> str:
    """Return the MST in its canonical form (``0123456789`` or ``0123456789-001``)."""
    raw = "".join(str(value).split())
    try:
        compact = stdnum_mst.validate(raw)
    except StdnumError as exc:
        raise ValidationError(
            "Mã số thuế không hợp lệ: phải gồm 10 chữ số (hoặc 13 chữ số với đơn vị phụ thuộc) "
            "và đúng chữ số kiểm tra.",
            code="tax_code",
        ) from exc
    return compact if len(compact) == 10 else f"{compact[:10]}-{compact[10:]}"


def normalize_phone(value: str) -> str:
    """Return a Vietnamese phone number in national form (``0912345678``) or raise a ValidationError."""
    raw = str(value).strip()
    try:
        parsed = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Số điện thoại không hợp lệ.", code="phone") from exc
    if parsed.country_code != 84 or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            "Số điện thoại không hợp lệ: nhập số Việt Nam, ví dụ 0912 345 678.", code="phone"
        )
    return "0" + str(parsed.national_number)


def normalize_email(value: str) -> str:
    email = str(value).strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError("Địa chỉ thư điện tử không hợp lệ.", code="email") from exc
    return email


def looks_like_email(value: str) -> bool:
    return "@" in value
