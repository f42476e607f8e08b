"""Vietnamese messages for request-validation errors (pydantic error types), for every API endpoint."""

from __future__ import annotations

from typing import Any

MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường này không được phép.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "json_type": "Nội dung phải là JSON.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_short": "Quá ngắn.",
    "string_too_long": "Quá dài.",
    "string_pattern_mismatch": "Sai định dạng.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "float_parsing": "Phải là số.",
    "bool_parsing": "Phải là true hoặc false.",
    "date_parsing": "Ngày không hợp lệ, dùng dạng YYYY-MM-DD.",
    "date_from_datetime_parsing": "Ngày không hợp lệ, dùng dạng YYYY-MM-DD.",
    "date_type": "Ngày không hợp lệ, dùng dạng YYYY-MM-DD.",
    "datetime_parsing": "Thời điểm không hợp lệ, dùng dạng ISO 8601.",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ, dùng dạng ISO 8601.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
    "list_type": "Phải là danh sách.",
    "dict_type": "Phải là đối tượng JSON.",
    "model_attributes_type": "Phải là đối tượng JSON.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "value_error": "Giá trị không hợp lệ.",
}


def translate(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        location = [str(p) for p in error.get("loc", [])]
        if location and location[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
            location = location[1:]
        if location and location[0] == "payload":
            location = location[1:]
        out.append(
            {
                "field": ".".join(location),
                "message": MESSAGES.get(error.get("type", ""), "Giá trị không hợp lệ."),
            }
        )
    return out
