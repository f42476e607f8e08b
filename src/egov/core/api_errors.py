"""Vietnamese messages for request-validation errors (pydantic error types), for every API endpoint."""

from __future__ import annotations

from typing import Any

from egov.core.api_types import REFUSAL

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
    "int_parsing_size": "Số quá lớn.",
    "int_type": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên.",
    "float_parsing": "Phải là số.",
    "float_type": "Phải là số.",
    "finite_number": "Số quá lớn hoặc không hữu hạn.",
    "bool_type": "Phải là true hoặc false.",
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
    "greater_than": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "less_than": "Giá trị quá lớn.",
    "too_long": "Quá nhiều phần tử.",
    "too_short": "Quá ít phần tử.",
    "string_unicode": "Phải là văn bản UTF-8.",
    "value_error": "Giá trị không hợp lệ.",
}


# The bound a refusal names, from pydantic's context: (context key, Vietnamese words before it, after it).
BOUNDS = {
    "less_than_equal": ("le", "tối đa", ""),
    "less_than": ("lt", "phải nhỏ hơn", ""),
    "greater_than_equal": ("ge", "tối thiểu", ""),
    "greater_than": ("gt", "phải lớn hơn", ""),
    "string_too_long": ("max_length", "tối đa", " ký tự"),
    "string_too_short": ("min_length", "tối thiểu", " ký tự"),
    "too_long": ("max_length", "tối đa", " phần tử"),
    "too_short": ("min_length", "tối thiểu", " phần tử"),
}


def _number(value: Any) -> str:
    """A bound as Vietnamese writes it: 1.000.000 (dots between thousands), 0,5."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def message_for(error: dict[str, Any]) -> str:
    """The Vietnamese sentence for one pydantic error, naming the bound it broke when there is one."""
    kind = error.get("type", "")
    if kind == REFUSAL:
        return str(error.get("msg", ""))
    message = MESSAGES.get(kind, "Giá trị không hợp lệ.")
    bound = BOUNDS.get(kind)
    context = error.get("ctx") or {}
    if bound and bound[0] in context:
        key, before, after = bound
        message = f"{message.rstrip('.')} ({before} {_number(context[key])}{after})."
    return message


def translate(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        location = [str(p) for p in error.get("loc", [])]
        # django-ninja's location: the source, then (for a JSON body) the handler's parameter, then the field.
        if location and location[0] == "body" and len(location) > 2:
            location = location[2:]
        elif location and location[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
            location = location[1:]
        if location and location[0] == "payload":
            location = location[1:]
        out.append(
            {
                "field": ".".join(location),
                "message": message_for(error),
            }
        )
    return out


# What django-ninja itself raises as HttpError, with English text.
HTTP_ERROR_MESSAGES = {
    "Cannot parse request body": "Không đọc được nội dung gửi lên: hãy gửi JSON hợp lệ.",
    "CSRF check Failed": "Kiểm tra CSRF không đạt: hãy tải lại trang rồi gửi lại.",
    "Too many requests.": "Quá nhiều yêu cầu; hãy đợi một lát rồi thử lại.",
    "Unauthorized": "Cần đăng nhập hoặc khóa API hợp lệ.",
    "Forbidden": "Không có quyền truy cập.",
}
BY_STATUS = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập hoặc khóa API hợp lệ.",
    403: "Không có quyền truy cập.",
    404: "Không tìm thấy.",
    405: "Phương thức HTTP này không được hỗ trợ ở địa chỉ này.",
    409: "Xung đột dữ liệu; hãy đọc lại rồi thử lại.",
    413: "Nội dung gửi lên quá lớn.",
    429: "Quá nhiều yêu cầu; hãy đợi một lát rồi thử lại.",
}


def translate_http_error(status: int, message: str) -> str:
    """A Vietnamese message for an HttpError: ours pass through, django-ninja's English ones are translated."""
    for english, vietnamese in HTTP_ERROR_MESSAGES.items():
        if message.startswith(english):  # in DEBUG django-ninja appends the exception's own text
            return vietnamese
    if message.isascii():  # not a message of ours (ours are Vietnamese and carry diacritics)
        return BY_STATUS.get(status, "Yêu cầu không thực hiện được.")
    return message
