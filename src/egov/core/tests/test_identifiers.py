import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from egov.core.identifiers import normalize_email, normalize_phone, validate_personal_id, validate_tax_code
from egov.core.text import fold


class TestPersonalId:
    def test_accepts_twelve_digits_with_a_province_code(self) -> None:
        assert validate_personal_id("070 090 001 234") == "070090001234"

    def test_checks_century_and_year_against_the_date_of_birth(self) -> None:
        assert validate_personal_id("070090001234", date_of_birth=dt.date(1990, 5, 12))
        assert validate_personal_id("070305001234", date_of_birth=dt.date(2005, 1, 1))  # 3: female, 2000s
        with pytest.raises(ValidationError, match="năm sinh 1991"):
            validate_personal_id("070090001234", date_of_birth=dt.date(1991, 5, 12))

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("07009000123", "đúng 12 chữ số"),
            ("0700900012345", "đúng 12 chữ số"),
            ("07009000123a", "đúng 12 chữ số"),
            ("", "đúng 12 chữ số"),
            ("003090001234", "không phải mã tỉnh"),  # 003 is not a province code
            ("099090001234", "không phải mã tỉnh"),
        ],
    )
    def test_refuses_malformed_numbers_in_vietnamese(self, value: str, message: str) -> None:
        with pytest.raises(ValidationError, match=message):
            validate_personal_id(value)


class TestTaxCode:
    def test_ten_digits_with_a_valid_check_digit(self) -> None:
        assert validate_tax_code("3800123454") == "3800123454"

    def test_dependent_unit_thirteen_digits(self) -> None:
        assert validate_tax_code("3800123454-001") == "3800123454-001"
        assert validate_tax_code("3800123454001") == "3800123454-001"

    @pytest.mark.parametrize("value", ["3800123455", "380012345", "38001234540", "abcdefghij", ""])
    def test_refuses_wrong_check_digit_or_length(self, value: str) -> None:
        with pytest.raises(ValidationError, match="Mã số thuế không hợp lệ"):
            validate_tax_code(value)


class TestPhone:
    @pytest.mark.parametrize("value", ["0912345678", "0912 345 678", "+84912345678", "84 912 345 678"])
    def test_normalises_mobile_numbers(self, value: str) -> None:
        assert normalize_phone(value) == "0912345678"

    def test_landline_with_area_code(self) -> None:
        assert normalize_phone("0271 3879 000") == "02713879000"

    @pytest.mark.parametrize("value", ["12345", "0112345678", "+1 202 555 0143", "abc", ""])
    def test_refuses_invalid_or_foreign_numbers(self, value: str) -> None:
        with pytest.raises(ValidationError, match="Số điện thoại không hợp lệ"):
            normalize_phone(value)


def test_email_is_lower_cased_and_checked() -> None:
    assert normalize_email(" An.Nguyen@Example.VN ") == "an.nguyen@example.vn"
    with pytest.raises(ValidationError, match="thư điện tử không hợp lệ"):
        normalize_email("an.nguyen@")


def test_fold_removes_diacritics_and_d_stroke() -> None:
    assert fold("  Đăng ký   KHAI SINH ") == "dang ky khai sinh"
    assert fold("Thị trấn Lộc Ninh") == "thi tran loc ninh"
