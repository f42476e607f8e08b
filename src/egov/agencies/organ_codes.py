"""Organ codes (mã định danh điện tử của cơ quan, tổ chức), QĐ 20/2020/QĐ-TTg.

The one place that knows the format. A code is at most 35 characters of ``0-9``, ``A-Z`` and ``.``, in
dot-separated groups written from the lowest level to the highest; the last group is the level-1 code
``MX1X2`` (M a letter A–Y, X1X2 two digits). The usual 13-character form used in document metadata
(``OrganId``, String(13)) is ``L4.L3.L2.L1`` = three digits, two digits, two digits, level-1 code, e.g.
``000.00.00.H30`` (UBND tỉnh Hậu Giang) or ``000.00.06.H56``. Levels beyond four add groups in front.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MAX_LENGTH = 35
LEVEL_1 = re.compile(r"^[A-Y][0-9]{2}$")
STANDARD_FORM = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Y][0-9]{2}$")
EXTENDED_GROUP = re.compile(r"^[0-9A-Z]{1,5}$")


def validate_organ_code(value: str) -> str:
    """Return the code upper-cased and stripped, or raise a ValidationError in Vietnamese."""
    code = str(value).strip().upper()
    if not code:
        raise ValidationError("Mã định danh cơ quan không được để trống.", code="organ_code_empty")
    if len(code) > MAX_LENGTH:
        raise ValidationError("Mã định danh cơ quan dài tối đa 35 ký tự.", code="organ_code_length")
    if not re.fullmatch(r"[0-9A-Z.]+", code):
        raise ValidationError(
            "Mã định danh cơ quan chỉ gồm chữ số, chữ cái in hoa A–Z và dấu chấm.", code="organ_code_chars"
        )
    groups = code.split(".")
    if not LEVEL_1.match(groups[-1]):
        raise ValidationError(
            "Nhóm cuối của mã định danh (mã cấp 1) phải có dạng một chữ cái A–Y và hai chữ số, ví dụ H30.",
            code="organ_code_level1",
        )
    tail = ".".join(groups[-4:])
    if len(groups) >= 4 and not STANDARD_FORM.match(tail):
        raise ValidationError(
            "Mã định danh cơ quan phải có dạng NNN.NN.NN.MXX theo QĐ 20/2020/QĐ-TTg, ví dụ 000.00.06.H56.",
            code="organ_code_form",
        )
    if len(groups) < 4 and len(groups) != 1:
        raise ValidationError(
            "Mã định danh cơ quan phải có dạng NNN.NN.NN.MXX theo QĐ 20/2020/QĐ-TTg, ví dụ 000.00.06.H56.",
            code="organ_code_form",
        )
    if any(not EXTENDED_GROUP.match(group) for group in groups[:-4]):
        raise ValidationError("Mã định danh cơ quan có nhóm ký tự không hợp lệ.", code="organ_code_form")
    return code
