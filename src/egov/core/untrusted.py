"""Reading what clients send without trusting it: JSON with limits, whole numbers in range, and text the
database can store. Every refusal is a :class:`BadInput` whose message is Vietnamese and meant for the user.

Python's own ``json`` accepts what no part of the platform can use: nesting as deep as the interpreter's stack
(a ``RecursionError``), ``NaN``/``Infinity`` and ``1e400`` (infinite floats), integers of any length, ``\\u0000``
(PostgreSQL refuses NUL in text) and lone surrogates such as ``\\ud800`` (no database can encode them).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_JSON_DEPTH = 32
MAX_INTEGER = 2**63 - 1  # what a BIGINT column holds; larger numbers are never meaningful here
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also accepts "²", which int() refuses

NUL_MESSAGE = "Không được chứa ký tự NUL (mã 0)."
SURROGATE_MESSAGE = "Chứa ký tự Unicode không hợp lệ (nửa cặp surrogate đứng một mình)."
NUMBER_TOO_LARGE = "số quá lớn hoặc không hữu hạn (JSON chỉ nhận số hữu hạn, số nguyên tối đa 19 chữ số)."


class BadInput(ValueError):
    """A request's content the platform refuses; ``field`` names where (dotted path), when known."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (NUL, lone surrogate), or None when it can."""
    found = _UNSAFE.search(value)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


class _Refused(Exception):
    """Raised inside the parser's hooks; load_json turns it into a BadInput naming the content."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"không phải JSON hợp lệ: {name} không phải một số; hãy gửi một số hữu hạn.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(NUMBER_TOO_LARGE)
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(value := int(text)) > MAX_INTEGER:
        raise _Refused(NUMBER_TOO_LARGE)
    return value


def load_json(data: str | bytes, *, field: str = "") -> Any:
    """Parse JSON the way every endpoint should: at most :data:`MAX_JSON_DEPTH` levels, finite numbers within
    64 bits, strings and keys without NUL or lone surrogates. ``field`` names the form field the JSON came in
    (``data``), if any; a refusal names the place inside it."""
    what = f"Trường “{field}”" if field else "Nội dung gửi lên"
    try:
        value = json.loads(
            data, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except _Refused as exc:
        raise BadInput(f"{what}: {exc}", field=field) from None
    except RecursionError:
        raise BadInput(
            f"{what}: JSON lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} cấp).", field=field
        ) from None
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{what} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}): {_reason(exc.msg)}",
            field=field,
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise BadInput(
            f"{what} không phải JSON hợp lệ: không đọc được dưới dạng UTF-8.", field=field
        ) from None
    _check_tree(value, what, field)
    return value


def _reason(english: str) -> str:
    reasons = {
        "Expecting value": "thiếu giá trị",
        "Expecting property name enclosed in double quotes": "tên trường phải đặt trong dấu nháy kép",
        "Unterminated string starting at": "chuỗi chưa đóng",
        "Extra data": "thừa dữ liệu sau giá trị JSON",
        "Expecting ',' delimiter": "thiếu dấu phẩy",
        "Expecting ':' delimiter": "thiếu dấu hai chấm",
        "Invalid control character at": "có ký tự điều khiển trong chuỗi",
        "Invalid \\escape": "có chuỗi thoát (\\) không hợp lệ",
    }
    return reasons.get(english, "cú pháp sai") + "."


def _check_tree(value: Any, what: str, field: str) -> None:
    """Walk the parsed value without recursion: depth, and every string and key storable as text."""
    pending: list[tuple[Any, int, str]] = [(value, 1, field)]
    while pending:
        item, depth, path = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                raise BadInput(problem if path else f"{what}: {problem}", field=path)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise BadInput(f"{what}: JSON lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} cấp).", field=field)
        children = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in children:
            where = f"{path}.{key}" if path else str(key)
            problem = text_problem(key) if isinstance(key, str) else None
            if problem:
                raise BadInput(f"Tên trường: {problem[0].lower()}{problem[1:]}", field=where)
            pending.append((child, depth + 1, where))


def whole_number(value: Any, *, maximum: int = MAX_INTEGER) -> int | None:
    """``value`` as a whole number from 0 to ``maximum``, or None: an int (not a bool) or ASCII digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= maximum else None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
        return number if number <= maximum else None
    return None
