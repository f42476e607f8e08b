import pytest
from django.core.exceptions import ValidationError

from egov.agencies.organ_codes import validate_organ_code


@pytest.mark.parametrize(
    "code", ["000.00.00.H30", "000.00.06.H56", " 000.21.44.h10 ", "G03", "01.000.00.00.H10"]
)
def test_accepts_the_qd_20_2020_forms(code: str) -> None:
    assert validate_organ_code(code) == code.strip().upper()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "không được để trống"),
        ("000.00.00.Z30", "mã cấp 1"),  # Z is outside A–Y
        ("000.00.00.H3", "mã cấp 1"),
        ("000.00.00-H30", "chỉ gồm chữ số"),
        ("00.00.00.H30", "NNN.NN.NN.MXX"),
        ("000.00.H30", "NNN.NN.NN.MXX"),
        ("0" * 33 + ".H30", "tối đa 35"),
        ("000.ÁB.00.H30", "chỉ gồm chữ số"),
    ],
)
def test_refuses_malformed_codes_in_vietnamese(code: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_organ_code(code)
