"""Online form definitions stored as data, and the one validator that serves the web page and the API.

A definition is ``{"steps": [{"key", "title", "fields": [FIELD, ...]}, ...]}``. A FIELD has a ``key``
(``[a-z][a-z0-9_]*``, unique in the form), a ``type`` (see :data:`FIELD_TYPES`), a ``label`` and optionally
``required``, ``help``, ``prefill`` (from the applicant's profile), ``options`` (``[[value, label], ...]`` for
choices), ``min``/``max`` (numbers, money), ``max_length`` (text), ``show_if`` (``{"field": key, "equals": v}``
or ``{"field": key, "in": [...]}``, referring to a top-level field defined earlier). A ``group`` field is a
repeating group: ``fields`` (no nested groups), ``min_items``, ``max_items``, ``item_label``. A choice may
take its options from a reference list instead: ``"options_from": "ethnicities"`` or ``"countries"``
(:mod:`egov.catalog.lists`).

Cross-field rules sit beside the steps: ``"rules": [{"if": CONDITION, "then": CONDITION, "message": "…"}]``
where a CONDITION is ``{"field": key, "equals": v}``, ``{"field": key, "in": [...]}`` or
``{"field": key, "filled": true}`` on top-level fields. When ``if`` holds, ``then`` must hold too, or the
``then`` field carries the rule's message (see :func:`rule_errors`).

Values arrive either as strings from an HTML form or as JSON values from the API; :func:`clean_values`
accepts both and returns JSON-ready values plus errors keyed by path (``thanh_vien.1.ho_ten``) in Vietnamese.
Fields hidden by ``show_if`` are dropped, not validated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from egov.catalog import lists
from egov.core.errors import DomainError
from egov.core.identifiers import normalize_email, normalize_phone, validate_personal_id, validate_tax_code

FIELD_TYPES = {
    "text": "Văn bản ngắn",
    "textarea": "Văn bản dài",
    "number": "Số",
    "money": "Số tiền (đồng)",
    "date": "Ngày",
    "choice": "Chọn một",
    "multichoice": "Chọn nhiều",
    "yes_no": "Có/Không",
    "personal_id": "Số CCCD",
    "phone": "Số điện thoại",
    "email": "Thư điện tử",
    "tax_code": "Mã số thuế",
    "address": "Địa chỉ",
    "group": "Nhóm lặp lại",
}
PREFILL_SOURCES = {"full_name", "personal_id", "date_of_birth", "phone", "email", "address"}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}
TRUE_WORDS = {"true", "1", "yes", "co", "có", "on"}
FALSE_WORDS = {"false", "0", "no", "khong", "không", "off"}


# --- Reading a definition -------------------------------------------------------------------------------


def steps(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return list(definition.get("steps") or [])


def top_fields(
    definition: dict[str, Any], step_indexes: Iterable[int] | None = None
) -> Iterator[dict[str, Any]]:
    all_steps = steps(definition)
    wanted = range(len(all_steps)) if step_indexes is None else step_indexes
    for index in wanted:
        yield from all_steps[index].get("fields", [])


def field_map(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in top_fields(definition)}


def validate_definition(definition: Any) -> None:
    """Refuse a malformed definition with every problem listed (used by the admin and the importer)."""
    problems: list[str] = []
    if not isinstance(definition, dict) or not isinstance(definition.get("steps", []), list):
        raise DomainError('Biểu mẫu phải có dạng {"steps": [...]}.')
    seen: set[str] = set()
    earlier: set[str] = set()

    def check(spec: Any, where: str, *, nested: bool) -> None:
        if not isinstance(spec, dict):
            problems.append(f"{where}: mỗi trường phải là một đối tượng.")
            return
        key, kind = spec.get("key", ""), spec.get("type", "")
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(f"{where}: mã trường “{key}” không hợp lệ (chữ thường, số, gạch dưới).")
        elif key in seen:
            problems.append(f"{where}: mã trường “{key}” bị trùng.")
        seen.add(str(key))
        if kind not in FIELD_TYPES or (nested and kind == "group"):
            problems.append(f"{where}: loại trường “{kind}” không được hỗ trợ.")
        if not str(spec.get("label", "")).strip():
            problems.append(f"{where}: thiếu nhãn.")
        if kind in {"choice", "multichoice"} and spec.get("options_from"):
            if spec["options_from"] not in lists.LISTS:
                names = ", ".join(f"“{name}”" for name in lists.LISTS)
                problems.append(f"{where}: danh mục “{spec['options_from']}” không có (dùng được: {names}).")
        elif kind in {"choice", "multichoice"}:
            options = spec.get("options")
            if not options or not all(isinstance(o, list | tuple) and len(o) == 2 for o in options):
                problems.append(f"{where}: trường chọn phải có danh sách lựa chọn [[giá trị, nhãn], ...].")
        if spec.get("prefill") and (nested or spec["prefill"] not in PREFILL_SOURCES):
            problems.append(f"{where}: nguồn điền sẵn “{spec['prefill']}” không hợp lệ.")
        rule = spec.get("show_if")
        if rule:
            if nested or not isinstance(rule, dict) or rule.get("field") not in earlier:
                problems.append(f"{where}: điều kiện hiển thị phải dựa trên một trường đứng trước.")
            elif "equals" not in rule and not isinstance(rule.get("in"), list):
                problems.append(f"{where}: điều kiện hiển thị cần “equals” hoặc “in”.")
        if kind == "group":
            members = spec.get("fields")
            if not isinstance(members, list) or not members:
                problems.append(f"{where}: nhóm lặp lại phải có danh sách trường.")
            else:
                for position, member in enumerate(members, start=1):
                    check(member, f"{where} › trường {position}", nested=True)
        if not nested and isinstance(key, str):
            earlier.add(key)

    for number, step in enumerate(definition.get("steps", []), start=1):
        if not isinstance(step, dict) or not str(step.get("title", "")).strip():
            problems.append(f"Bước {number}: thiếu tiêu đề.")
            continue
        for position, spec in enumerate(step.get("fields", []), start=1):
            check(spec, f"Bước {number}, trường {position}", nested=False)
    rules = definition.get("rules", [])
    if not isinstance(rules, list):
        problems.append("Quy tắc liên trường phải là một danh sách.")
        rules = []
    for number, rule in enumerate(rules, start=1):
        problems.extend(_rule_problems(rule, f"Quy tắc {number}", earlier))
    if problems:
        raise DomainError(problems)


def _condition_problem(condition: Any, known: set[str]) -> str:
    if not isinstance(condition, dict) or condition.get("field") not in known:
        return "phải dựa trên một trường của biểu mẫu (không thuộc nhóm lặp lại)"
    if (
        "equals" not in condition
        and not isinstance(condition.get("in"), list)
        and condition.get("filled") is not True
    ):
        return "cần “equals”, “in” hoặc “filled”"
    return ""


def _rule_problems(rule: Any, where: str, known: set[str]) -> list[str]:
    if not isinstance(rule, dict):
        return [f"{where}: phải là một đối tượng {{“if”, “then”, “message”}}."]
    problems = []
    for part in ("if", "then"):
        problem = _condition_problem(rule.get(part), known)
        if problem:
            problems.append(f"{where}: điều kiện “{part}” {problem}.")
    if not str(rule.get("message", "")).strip():
        problems.append(f"{where}: thiếu thông báo lỗi.")
    return problems


# --- Visibility -----------------------------------------------------------------------------------------


def is_visible(spec: dict[str, Any], values: dict[str, Any]) -> bool:
    rule = spec.get("show_if")
    if not rule:
        return True
    actual = values.get(rule["field"])
    if "equals" in rule:
        return _same(actual, rule["equals"])
    return any(_same(actual, option) for option in rule.get("in", []))


def holds(condition: dict[str, Any], values: dict[str, Any]) -> bool:
    """A rule's condition on the values given (a field left out or blank is not “filled”)."""
    if condition.get("filled") is True and "equals" not in condition and "in" not in condition:
        return not _blank(values.get(condition["field"]))
    return is_visible({"show_if": condition}, values)


def rules(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return list(definition.get("rules") or [])


def rule_errors(
    definition: dict[str, Any], values: dict[str, Any], checked: set[str]
) -> dict[str, list[str]]:
    """The cross-field rules broken by ``values``: each rule's message on its ``then`` field, for the rules
    whose ``then`` field is among ``checked`` (the fields just validated: a step's, or the whole form's)."""
    errors: dict[str, list[str]] = {}
    for rule in rules(definition):
        target = rule["then"]["field"]
        if target in checked and holds(rule["if"], values) and not holds(rule["then"], values):
            errors.setdefault(target, []).append(str(rule["message"]))
    return errors


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, list):
        return str(expected) in [str(a) for a in actual]
    return actual is not None and str(actual) == str(expected)


# --- Cleaning values ------------------------------------------------------------------------------------


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def clean_values(
    definition: dict[str, Any],
    raw: dict[str, Any],
    *,
    step_indexes: Iterable[int] | None = None,
    known_before: dict[str, Any] | None = None,
    resolve_unit: Any = None,
    reject_unknown: bool = False,
) -> Cleaned:
    """Validate ``raw`` against the fields of the given steps (all steps by default).

    ``known_before`` holds values of earlier steps (for ``show_if``); ``resolve_unit(code)`` returns
    ``(unit_code, full_place_name)`` for an address's commune or None; ``reject_unknown`` refuses keys that
    are not fields of the form (the API does, an HTML form carries other inputs).
    """
    result = Cleaned()
    context = dict(known_before or {})
    specs = list(top_fields(definition, step_indexes))
    if reject_unknown:
        names = {s["key"] for s in top_fields(definition)}
        for key in raw:
            if key not in names:
                result.errors[key] = ["Trường này không có trong biểu mẫu của thủ tục."]
    for spec in specs:
        key = spec["key"]
        if not is_visible(spec, context):
            context.pop(key, None)
            continue
        value = raw.get(key)
        if spec["type"] == "group":
            items = _clean_group(spec, value, result, resolve_unit)
            if items is not None:
                result.values[key] = items
                context[key] = items
            continue
        try:
            cleaned = clean_one(spec, value, resolve_unit=resolve_unit)
        except ValidationError as exc:
            result.errors[key] = list(exc.messages)
            continue
        if cleaned is not None:
            result.values[key] = cleaned
            context[key] = cleaned
    # A rule speaks on a field the applicant sees and has answered without error.
    checked = {
        spec["key"] for spec in specs if spec["key"] not in result.errors and is_visible(spec, context)
    }
    for key, messages in rule_errors(definition, context, checked).items():
        result.errors.setdefault(key, []).extend(messages)
    return result


def _clean_group(
    spec: dict[str, Any], value: Any, result: Cleaned, resolve_unit: Any
) -> list[dict[str, Any]] | None:
    key, label = spec["key"], spec["label"]
    if value in (None, ""):
        value = []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        result.errors[key] = [f"“{label}” phải là một danh sách."]
        return None
    items: list[dict[str, Any]] = []
    for position, item in enumerate(value):
        if all(_blank(v) for v in item.values()):
            continue  # an empty row left in the HTML form
        cleaned_item: dict[str, Any] = {}
        for member in spec["fields"]:
            path = f"{key}.{position}.{member['key']}"
            try:
                cleaned = clean_one(member, item.get(member["key"]), resolve_unit=resolve_unit)
            except ValidationError as exc:
                result.errors[path] = list(exc.messages)
                continue
            if cleaned is not None:
                cleaned_item[member["key"]] = cleaned
        unknown = set(item) - {m["key"] for m in spec["fields"]}
        for extra in sorted(unknown):
            result.errors[f"{key}.{position}.{extra}"] = ["Trường này không có trong biểu mẫu của thủ tục."]
        items.append(cleaned_item)
    minimum = int(spec.get("min_items", 1 if spec.get("required") else 0))
    maximum = int(spec.get("max_items", 20))
    noun = spec.get("item_label", "mục").lower()
    if len(items) < minimum:
        result.errors[key] = [f"Cần khai ít nhất {minimum} {noun} trong “{label}”."]
    elif len(items) > maximum:
        result.errors[key] = [f"Chỉ được khai tối đa {maximum} {noun} trong “{label}”."]
    return items


def clean_one(spec: dict[str, Any], value: Any, *, resolve_unit: Any = None) -> Any:
    """One value of one field: the cleaned JSON value, None when left blank, or a ValidationError."""
    kind, label = spec["type"], spec["label"]
    if kind == "address":
        return _clean_address(spec, value, resolve_unit)
    if kind == "multichoice":
        values = value if isinstance(value, list) else ([] if _blank(value) else [value])
        if not values:
            if spec.get("required"):
                raise ValidationError(f"Hãy chọn ít nhất một mục ở “{label}”.")
            return None
        allowed = {str(option[0]) for option in lists.options(spec)}
        if not all(str(v) in allowed for v in values):
            raise ValidationError(f"Lựa chọn ở “{label}” không nằm trong danh sách.")
        return [str(v) for v in values]
    if _blank(value):
        if spec.get("required"):
            verb = "chọn" if kind in {"choice", "yes_no"} else "nhập"
            raise ValidationError(f"Hãy {verb} “{label}”.")
        return None
    if isinstance(value, dict | list):
        raise ValidationError(f"Giá trị của “{label}” không hợp lệ.")
    text = str(value).strip()
    if kind in {"text", "textarea"}:
        limit = int(spec.get("max_length", DEFAULT_MAX_LENGTH[kind]))
        if len(text) > limit:
            raise ValidationError(f"“{label}” dài tối đa {limit} ký tự (đang có {len(text)}).")
        return text if kind == "textarea" else " ".join(text.split())
    if kind in {"number", "money"}:
        return _clean_number(spec, value, text)
    if kind == "date":
        return _parse_date(text, label).isoformat()
    if kind == "choice":
        allowed = {str(option[0]) for option in lists.options(spec)}
        if text not in allowed:
            raise ValidationError(f"Lựa chọn ở “{label}” không nằm trong danh sách.")
        return text
    if kind == "yes_no":
        if isinstance(value, bool):
            return value
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(f"Hãy trả lời Có hoặc Không ở “{label}”.")
    try:
        if kind == "personal_id":
            return validate_personal_id(text)
        if kind == "phone":
            return normalize_phone(text)
        if kind == "email":
            return normalize_email(text)
        if kind == "tax_code":
            return validate_tax_code(text)
    except ValidationError as exc:
        raise ValidationError(f"{label}: {exc.messages[0]}") from exc
    raise ValidationError(f"Loại trường “{kind}” không được hỗ trợ.")


def _clean_number(spec: dict[str, Any], value: Any, text: str) -> int | float:
    label, kind = spec["label"], spec["type"]
    if isinstance(value, bool):
        raise ValidationError(f"“{label}” phải là số.")
    if kind == "money":
        text = re.sub(r"(?i)\s*(đồng|đ|vnd)\s*$", "", text).replace(".", "").replace(" ", "")
    else:
        text = text.replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            f"“{label}” phải là số" + (" tiền (đồng)." if kind == "money" else ".")
        ) from None
    if not number.is_finite():
        raise ValidationError(f"“{label}” phải là số.")
    if kind == "money" and (number != number.to_integral_value() or number < 0):
        raise ValidationError(f"“{label}” phải là số tiền nguyên, không âm (đồng).")
    if "min" in spec and number < Decimal(str(spec["min"])):
        raise ValidationError(f"“{label}” không được nhỏ hơn {spec['min']}.")
    if "max" in spec and number > Decimal(str(spec["max"])):
        raise ValidationError(f"“{label}” không được lớn hơn {spec['max']}.")
    if abs(number) > Decimal(10) ** 15:
        raise ValidationError(f"“{label}” quá lớn.")
    return int(number) if number == number.to_integral_value() else float(number)


def _parse_date(text: str, label: str) -> dt.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if day.year < 1900 or day.year > 2100:
            break
        return day
    raise ValidationError(f"“{label}” phải là ngày hợp lệ, dạng ngày/tháng/năm (ví dụ 25/12/2018).")


def _clean_address(spec: dict[str, Any], value: Any, resolve_unit: Any) -> dict[str, str] | None:
    label = spec["label"]
    if isinstance(value, str):
        value = {"unit": value}
    if _blank(value) or (isinstance(value, dict) and all(_blank(v) for v in value.values())):
        if spec.get("required"):
            raise ValidationError(f"Hãy chọn xã, phường và nhập địa chỉ ở “{label}”.")
        return None
    if not isinstance(value, dict):
        raise ValidationError(f"Giá trị của “{label}” không hợp lệ.")
    unit_code = str(value.get("unit") or value.get("unit_code") or "").strip()
    line = " ".join(str(value.get("line") or "").split())
    if len(line) > 200:
        raise ValidationError(f"Số nhà, đường của “{label}” dài tối đa 200 ký tự.")
    if not unit_code:
        raise ValidationError(f"Hãy chọn xã, phường, thị trấn ở “{label}”.")
    resolved = resolve_unit(unit_code) if resolve_unit else None
    if resolved is None:
        raise ValidationError(f"Xã, phường ở “{label}” không có trong danh mục đơn vị hành chính.")
    code, place = resolved
    return {"unit": code, "line": line, "full": f"{line}, {place}" if line else place}
